/*
 * bdw_typed.c — gc_typed.h: typed allocation, treated conservatively.
 *
 * Why not Gleaner's precise objects: Boehm GC scans the words a descriptor
 * marks as pointers conservatively, so programs store interior and tagged
 * pointers in them and keep raw addresses elsewhere in the object; Gleaner's
 * exact slots must hold object starts, and precise objects may move.  So an
 * object whose descriptor has a pointer word is a conservative (GC_malloc)
 * object, and one without is atomic — never less safe than Boehm, and
 * precise where it matters most (large pointer-free arrays).
 *
 * Descriptors use Boehm's encoding (gc_mark.h): the low two bits are a tag;
 * GC_DS_LENGTH means "the first <value> bytes may hold pointers" (0: none),
 * GC_DS_BITMAP holds a bitmap from the most significant bit down.  Mark
 * procedures and per-object descriptors cannot be built without the
 * unavailable gc_mark.h calls, but are accepted (as "has pointers").
 */
#include "bdw_internal.h"

#include <errno.h>

#define BDW_DESCR_BITS (8 * sizeof(GC_word))

GC_API GC_descr GC_CALL GC_make_descriptor(const GC_word *bm, size_t len) {
  size_t last = SIZE_MAX; /* index of the last pointer word */
  for (size_t i = 0; i < len; i++)
    if (GC_get_bit(bm, i))
      last = i;
  if (last == SIZE_MAX)
    return 0; /* GC_DS_LENGTH with length 0: no pointers */
  if (last < BDW_DESCR_BITS - GC_DS_TAG_BITS) {
    GC_descr d = GC_DS_BITMAP;
    for (size_t i = 0; i <= last; i++)
      if (GC_get_bit(bm, i))
        d |= (GC_word)1 << (BDW_DESCR_BITS - 1 - i);
    return d;
  }
  return (GC_descr)((last + 1) * sizeof(GC_word)) | GC_DS_LENGTH;
}

static int has_pointers(GC_descr d) {
  switch (d & GC_DS_TAGS) {
  case GC_DS_LENGTH: return d != 0;
  case GC_DS_BITMAP: return (d & ~(GC_descr)GC_DS_TAGS) != 0;
  default: return 1;
  }
}

GC_API void *GC_CALL GC_malloc_explicitly_typed(size_t n, GC_descr d) {
  return has_pointers(d) ? GC_malloc(n) : GC_malloc_atomic(n);
}

GC_API void *GC_CALL GC_malloc_explicitly_typed_ignore_off_page(size_t n,
                                                                GC_descr d) {
  return GC_malloc_explicitly_typed(n, d);
}

GC_API void *GC_CALL GC_calloc_explicitly_typed(size_t count, size_t size,
                                                GC_descr d) {
  if (size != 0 && count > SIZE_MAX / size) {
    errno = ENOMEM;
    return GC_get_oom_fn()(SIZE_MAX);
  }
  return GC_malloc_explicitly_typed(count * size, d);
}
