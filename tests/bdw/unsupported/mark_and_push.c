/* A mark procedure.  expect: GC_mark_and_push' is unavailable */
#include <gc/gc_mark.h>
struct GC_ms_entry *mark(GC_word *addr, struct GC_ms_entry *sp,
                         struct GC_ms_entry *lim, GC_word env) {
  (void)env;
  return GC_MARK_AND_PUSH((void *)*addr, sp, lim, (void **)addr);
}
