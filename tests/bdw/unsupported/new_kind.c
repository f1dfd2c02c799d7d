/* A custom object kind (gc_mark.h).  expect: GC_new_kind' is unavailable */
#include <gc/gc_mark.h>
unsigned make_kind(void) {
  return GC_new_kind(GC_new_free_list(), GC_DS_LENGTH, 1, 1);
}
