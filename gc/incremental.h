/*
 * incremental.h — incremental marking (incremental.c).
 */
#ifndef GLEANER_INCREMENTAL_H
#define GLEANER_INCREMENTAL_H
#include "gc_state.h"

/* Lock held.  Decide once whether cycles can be incremental. */
void incremental_configure(void);
bool incremental_enabled(void);
/* A cycle has started and not finished (the barrier is on). */
bool incremental_in_cycle(void);
/* Lock held: the allocation slow path pays its debt here (may start a
 * cycle, run a bounded slice, or finish the cycle). */
void incremental_on_allocation(size_t bytes);
/* Lock held, every allocation slow path during a cycle: keep the VM
 * barrier's signal handler installed (mprotect fallback). */
void incremental_poll(void);
/* Lock held: one forced step (stress mode, gc_collect_a_little). */
void incremental_step(void);
/* Lock held: stress mode's step (GLEANER_STRESS): also starts minor
 * collections that go on as cycles at once. */
void incremental_stress_step(void);
/* A cycle is under way, or the pacer would start one now. */
bool incremental_cycle_wanted(void);
/* World stopped, in a stop-the-world minor collection in incremental mode
 * whose roots and remembered set are greyed: mark until most of the pause
 * target is spent; if grey objects are left then (more young objects
 * survived than predicted), the collection goes on as a minor cycle from
 * where it is, and this returns true. */
bool incremental_continue_as_cycle(uint64_t start_ns);
/* Lock held: complete the current cycle now (remark to the end). */
void incremental_finish(void);
#endif
