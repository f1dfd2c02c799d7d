/*
 * collect.h — the collector driver (collect.c): when to collect, and the
 * phases of one collection.
 */
#ifndef GLEANER_COLLECT_H
#define GLEANER_COLLECT_H
#include "gc_state.h"

/* Lock held.  Collect if the pacer or stress mode says so. */
void collect_if_due(size_t about_to_allocate);
/* Lock held.  A full stop-the-world collection. */
void collect_full_locked(const char *reason);
/* Lock held.  A stop-the-world collection that may be minor (incremental
 * mode, when generational.c predicts a short one: it goes on as a minor
 * cycle if it overruns). */
void collect_young_locked(void);
/* True while marking is in progress (objects are allocated black). */
extern volatile int gleaner_marking;
/* True during an incremental cycle that allocates white: a minor one, or
 * a full one while most young objects die (incremental.c). */
extern volatile int gleaner_allocating_white;
/* New objects of this kind are born marked: while a cycle that allocates
 * black marks (the tri-color invariant then needs no barrier for them),
 * and uncollectable ones whenever marking is under way (they are roots,
 * marked only at a cycle's start: a white one would be freed by the flip). */
static inline bool allocating_black(unsigned kind) {
  return gleaner_marking && (!gleaner_allocating_white || kind_is_uncollectable(kind));
}
/* Lock held, marking complete: sweep, pace, trim, record the pause that
 * started at start_ns. */
void collect_finish_cycle(uint64_t start_ns, bool minor);
/* Lock held: bytes the next collection may let the heap grow to. */
void pacer_after_collection(void);
/* GC_collect_a_little's rule (bdw_control.c): a step only when a cycle is
 * under way or wanted; 1 if a cycle is in progress afterwards. */
int collect_a_little_if_wanted(void);
#endif
