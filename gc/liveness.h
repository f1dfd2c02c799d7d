/*
 * liveness.h — the questions finalization and weakness ask the marker
 * after the mark phase (liveness.c): "is this object marked?", "mark it",
 * "mark what it points to but not itself".
 *
 * Precondition of every function: collector lock held, allocation
 * cursors flushed (heap_layout.h I3), so the alloc bits name exactly the
 * allocated objects and the mark bits the objects proven reachable so far.
 *
 * An address outside the heap reservation is "live" (static or malloc
 * memory is never reclaimed); an address in the heap that is not inside
 * an allocated object is "dead" (it was freed).
 */
#ifndef GLEANER_LIVENESS_H
#define GLEANER_LIVENESS_H
#include "object_map.h"

typedef enum liveness { LIVE_NOT_HEAP, LIVE_MARKED, LIVE_UNMARKED, LIVE_FREED } liveness;

static inline liveness liveness_of(const void *p) {
  object_ref r;
  if (!addr_in_heap((uintptr_t)p))
    return LIVE_NOT_HEAP;
  if (!object_find((uintptr_t)p, &r))
    return LIVE_FREED;
  return bit_test(G->bits[r.block].mark, r.slot) ? LIVE_MARKED : LIVE_UNMARKED;
}
/* Survives this collection (so far): outside the heap, or marked. */
static inline bool is_live(const void *p) {
  liveness l = liveness_of(p);
  return l == LIVE_NOT_HEAP || l == LIVE_MARKED;
}

/* Mark the object p names (exactly: it is not pinned) and grey it. */
void live_mark(void *p);
/* Grey the contents of the object at p without marking p itself
 * (Boehm's ordered-finalization rule).  With ignore_self, words that
 * point back into p itself are skipped. */
void live_mark_contents(void *p, bool ignore_self);
/* The user start of the allocated object containing p, or NULL. */
void *live_object_start(const void *p);
#endif
