/*
 * weakness.h — the after-mark pass that gives finalizers, weak links,
 * weak reference objects and ephemerons their meaning (weakness.c), and
 * the hooks other parts of the collector call.
 *
 * Who calls what:
 *   - the collector, once marking is complete (grey stack drained, world
 *     stopped, lock held, cursors flushed) and before sweeping:
 *     weakness_after_mark().  The incremental collector calls it at the
 *     end of its remark pause, in the same state.
 *   - the compactor, after objects have been copied and while it fixes
 *     references: weak_tables_visit_slots(visit_start, visit_interior,
 *     ctx).  visit_start gets every stored slot that holds an object's
 *     start (or NULL / a non-heap value); visit_interior, when non-NULL,
 *     gets every link location (an address that may lie inside a moved
 *     object).  Lock held.
 *   - stats.c: weakness_stats_fill.
 */
#ifndef GLEANER_WEAKNESS_H
#define GLEANER_WEAKNESS_H
#include "gc_state.h"

void weakness_after_mark(void);
void weak_tables_visit_slots(gc_visit_fn visit_start, gc_visit_fn visit_interior, void *ctx);
/* Lock held: fill finalizers_queued, finalizers_run, weak_cleared. */
void weakness_stats_fill(gc_stats *out);
/* Lock held: total time spent in weakness_after_mark, and the last one. */
uint64_t weakness_ns_total(void);
uint64_t weakness_ns_last(void);
#endif
