/*
 * gc/gc_inline.h — Boehm GC's inline allocation macros, on Gleaner.
 *
 * In Boehm GC these macros pop objects from a free list the program owns
 * (tiny_fl).  Gleaner's own allocation fast path is already thread-local,
 * so here the macros allocate with GC_malloc_kind and leave tiny_fl
 * untouched; the result (a cleared object of the requested kind) is what
 * Boehm's macros promise.  Only the predefined kinds exist.
 */
#ifndef GC_INLINE_H
#define GC_INLINE_H

#include "gc.h"
#include "gc_tiny_fl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GC_I_PTRFREE 0
#define GC_I_NORMAL 1

/* Stores into *result a list (linked through the first word) of cleared
 * objects of lb bytes and kind k (0: pointer-free, 1: normal). */
GC_API void GC_CALL GC_generic_malloc_many(size_t, int, void **);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_kind(size_t, int);
#ifdef GC_THREADS
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_kind_global(size_t, int);
#else
#define GC_malloc_kind_global GC_malloc_kind
#endif

#define GC_WORDS_TO_WHOLE_GRANULES(n) \
  GC_WORDS_TO_GRANULES((n) + GC_GRANULE_WORDS - 1)

#define GC_FAST_MALLOC_GRANS(result, granules, tiny_fl, num_direct, kind,    \
                             default_expr, init)                             \
  do {                                                                       \
    (void)(tiny_fl);                                                         \
    (void)(num_direct);                                                      \
    (result) = GC_malloc_kind((granules) == 0                                \
                                  ? GC_GRANULE_BYTES                         \
                                  : (granules) * GC_GRANULE_BYTES,           \
                              (kind));                                       \
    if ((result) != 0) {                                                     \
      init;                                                                  \
    }                                                                        \
  } while (0)

#define GC_MALLOC_WORDS_KIND(result, n, tiny_fl, kind, init)                 \
  do {                                                                       \
    size_t gc_inline_granules_ = GC_WORDS_TO_WHOLE_GRANULES(n);              \
    GC_FAST_MALLOC_GRANS(result, gc_inline_granules_, tiny_fl, 0, kind,      \
                         0, init);                                           \
  } while (0)

#define GC_MALLOC_WORDS(result, n, tiny_fl) \
  GC_MALLOC_WORDS_KIND(result, n, tiny_fl, GC_I_NORMAL, (void)0)

#define GC_MALLOC_ATOMIC_WORDS(result, n, tiny_fl) \
  GC_MALLOC_WORDS_KIND(result, n, tiny_fl, GC_I_PTRFREE, (void)0)

#define GC_CONS(result, first, second, tiny_fl)                              \
  do {                                                                       \
    void *gc_cons_l_ = (void *)(first);                                      \
    void *gc_cons_r_ = (void *)(second);                                     \
    GC_MALLOC_WORDS_KIND(result, 2, tiny_fl, GC_I_NORMAL, (void)0);          \
    if ((result) != 0) {                                                     \
      ((void **)(result))[0] = gc_cons_l_;                                   \
      ((void **)(result))[1] = gc_cons_r_;                                   \
    }                                                                        \
  } while (0)

GC_API void GC_CALL GC_print_free_list(int, size_t)
    GC_BDW_UNAVAILABLE("Gleaner's free lists are internal");

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GC_INLINE_H */
