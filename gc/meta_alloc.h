/*
 * meta_alloc.h — memory for the collector's own tables (meta_alloc.c).
 *
 * Why not malloc: parts of the collector run with every other thread
 * stopped at an arbitrary instruction (roots/stop_world.c), and a stopped
 * thread may hold the malloc arena lock; a malloc, realloc, calloc or free
 * from the collecting thread would then wait for ever.  These functions
 * only make system calls (mmap, mremap, munmap), which take no user-space
 * lock, so they are safe with the world stopped.
 *
 * Same contract as the C functions they replace, for tables that grow by
 * doubling: failure is a NULL return with the old block untouched (never
 * a crash), meta_alloc and meta_calloc memory comes zeroed, and
 * the memory is never scanned by the collector (it is not a root, so the
 * tables' heap addresses keep nothing alive).  Granularity is the page:
 * meant for a few dozen growable tables, not for many small objects.
 */
#ifndef GLEANER_META_ALLOC_H
#define GLEANER_META_ALLOC_H
#include <stddef.h>

/* A zeroed block of at least `bytes` (0 is allowed), or NULL. */
void *meta_alloc(size_t bytes);
/* Resize p (NULL: like meta_alloc); the contents up to the smaller size
 * are kept, what is added is unspecified (as with realloc).  NULL on
 * failure, and p is then still valid. */
void *meta_realloc(void *p, size_t bytes);
/* `count` elements of `size` bytes, zeroed; NULL on overflow or failure. */
void *meta_calloc(size_t count, size_t size);
void meta_free(void *p);
#endif
