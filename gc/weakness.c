/*
 * weakness.c — the after-mark pass, in the one order that makes the
 * documented rules hold (finalize.h, weak.h, ephemeron.h):
 *
 *   1. finalizer roots: data words of registrations, queued objects;
 *      trace to the ephemeron fixpoint.          → marks = reachable
 *   2. clear short links and weak reference objects to unmarked targets;
 *   3. queue unordered finalizers of unmarked objects;
 *   4. trace from the contents of unmarked ordered, ignore-self and
 *      "unreachable" finalizable objects (not the objects themselves);
 *      fixpoint;
 *   5. queue ordered (and no-order) finalizers of objects still unmarked;
 *   6. resurrect: mark every object queued in steps 3 and 5; fixpoint;
 *   6b. queue "unreachable" finalizers of objects still unmarked (none
 *      of the objects queued in 3 and 5 reaches them) and mark them;
 *      fixpoint.                                 → marks = survives
 *   7. clear long links to unmarked targets; clear ephemerons whose key
 *      is unmarked; forget entries whose storage dies.
 * "Fixpoint" is: drain the grey stack, run an ephemeron round, repeat
 * until the round greys nothing.  Every step only adds marks, so a slot
 * cleared in step 2 or 7 names an object that no later step revives
 * (step 2 targets may be resurrected by step 6: that is the meaning of
 * "short").
 */
#include "weakness.h"
#include "ephemeron.h"
#include "finalize.h"
#include "mark.h"
#include "stats.h"
#include "weak.h"

static struct {
  uint64_t ns_total, ns_last;
} timing;

static void trace_to_fixpoint(void) {
  do
    mark_drain_serial();
  while (ephemeron_trace_round());
}

void weakness_after_mark(void) {
  uint64_t start = now_ns();
  ephemeron_cycle_begin();
  finalize_cycle_begin();
  finalize_mark_roots();
  trace_to_fixpoint();
  weak_clear_short();
  finalize_queue_unordered();
  finalize_mark_from_finalizable();
  trace_to_fixpoint();
  finalize_queue_ordered();
  finalize_resurrect();
  trace_to_fixpoint();
  if (finalize_queue_unreachable())
    trace_to_fixpoint();
  weak_clear_long();
  ephemeron_finish();
  weak_sweep_tables();
  weak_keep_link_targets_in_place();
  timing.ns_last = now_ns() - start;
  timing.ns_total += timing.ns_last;
}

void weak_tables_visit_slots(gc_visit_fn visit_start, gc_visit_fn visit_interior, void *ctx) {
  finalize_visit_slots(visit_start, ctx);
  weak_visit_slots(visit_start, visit_interior, ctx);
  ephemeron_visit_slots(visit_start, ctx);
}

void weakness_stats_fill(gc_stats *out) {
  out->finalizers_queued = finalize_queued_total();
  out->finalizers_run = finalize_run_total();
  out->weak_cleared = weak_cleared_total() + ephemeron_cleared_total();
}

uint64_t weakness_ns_total(void) { return timing.ns_total; }
uint64_t weakness_ns_last(void) { return timing.ns_last; }
