/*
 * alloc.h — allocation slow paths and cursor management (alloc.c).
 */
#ifndef GLEANER_ALLOC_H
#define GLEANER_ALLOC_H
#include "alloc_fast.h"
#include "object_map.h"

/* Lock held: give every cursor's untaken slots back and release blocks. */
void cursors_flush_all(void);
void cursor_flush(alloc_cursor *c);
/* Lock held: flush every cursor of m, with the slots they set aside
 * (thread exit, fork child). */
void mutator_cursors_flush(mutator *m);
/* Lock held: allocation under the lock for kinds without thread cursors. */
void *alloc_small_locked(size_t n, unsigned kind);
/* Report an allocation failure: errno, OOM handler. */
void *alloc_failed(const char *call, size_t n);
/* Small-block initialization for a kind and class. */
void block_init_small(uint32_t index, unsigned kind, unsigned cls);
#endif
