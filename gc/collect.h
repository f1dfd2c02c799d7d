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
/* True while marking is in progress (objects are allocated black). */
extern volatile int gleaner_marking;
/* Lock held, marking complete: sweep, pace, trim, record the pause that
 * started at start_ns. */
void collect_finish_cycle(uint64_t start_ns, bool minor);
/* Lock held: bytes the next collection may let the heap grow to. */
void pacer_after_collection(void);
/* GC_collect_a_little's rule (bdw_control.c): a step only when a cycle is
 * under way or wanted; 1 if a cycle is in progress afterwards. */
int collect_a_little_if_wanted(void);
#endif
