/*
 * gc/gc_typed.h — Boehm GC's typed allocation, on Gleaner.
 *
 * Mapping (decided for safety): Boehm describes an object's pointer words
 * with a bitmap, but still treats each such word conservatively, so clients
 * store interior and tagged pointers there.  Gleaner's precise objects
 * require exact slots (an object start or a non-heap value) and may move,
 * which such clients do not expect.  So typed objects are treated
 * conservatively: an object whose descriptor marks no pointer word is
 * allocated atomic (never scanned), any other is scanned entirely, like
 * GC_malloc.  Descriptors use Boehm's encoding, so hand-built ones keep
 * working.
 */
#ifndef GC_TYPED_H
#define GC_TYPED_H

#ifndef GC_H
#include "gc.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef GC_word *GC_bitmap; /* bit i set: word i may be a pointer */

#define GC_WORDSZ (8 * sizeof(GC_word))
#define GC_get_bit(bm, index) \
  (((bm)[(index) / GC_WORDSZ] >> ((index) % GC_WORDSZ)) & 1)
#define GC_set_bit(bm, index) \
  ((bm)[(index) / GC_WORDSZ] |= (GC_word)1 << ((index) % GC_WORDSZ))
#define GC_WORD_OFFSET(t, f) (offsetof(t, f) / sizeof(GC_word))
#define GC_WORD_LEN(t) (sizeof(t) / sizeof(GC_word))
#define GC_BITMAP_SIZE(t) ((GC_WORD_LEN(t) + GC_WORDSZ - 1) / GC_WORDSZ)

typedef GC_word GC_descr;

/* Descriptor of an object whose first len words are described by bm. */
GC_API GC_descr GC_CALL GC_make_descriptor(const GC_word *, size_t);

/* Cleared object of n bytes with layout d (atomic if d has no pointer
 * word).  Not to be passed to GC_realloc (as in Boehm GC). */
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_explicitly_typed(size_t, GC_descr);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_explicitly_typed_ignore_off_page(size_t, GC_descr);
/* n elements of size bytes each, each with layout d; overflow-checked. */
GC_API GC_ATTR_MALLOC GC_ATTR_CALLOC_SIZE(1, 2) void *GC_CALL
GC_calloc_explicitly_typed(size_t, size_t, GC_descr);

#ifdef GC_DEBUG
#define GC_MALLOC_EXPLICITLY_TYPED(bytes, d) ((void)(d), GC_MALLOC(bytes))
#define GC_CALLOC_EXPLICITLY_TYPED(n, bytes, d) \
  ((void)(d), GC_MALLOC((n) * (bytes)))
#else
#define GC_MALLOC_EXPLICITLY_TYPED(bytes, d) GC_malloc_explicitly_typed(bytes, d)
#define GC_CALLOC_EXPLICITLY_TYPED(n, bytes, d) \
  GC_calloc_explicitly_typed(n, bytes, d)
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GC_TYPED_H */
