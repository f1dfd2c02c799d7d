/*
 * roots.c — the one entry point that feeds every root source to the
 * marker.  Precondition: lock held and every other mutator stopped (or
 * blocked) with its context saved.
 */
#include "roots.h"
#include "pin.h"
#include "stop_world.h"

void roots_mark_ambiguous(void) {
  for (mutator *m = G->mutators; m; m = m->next) {
    if (m == gleaner_self) {
      stack_scan_current_thread(m);
      continue;
    }
    stack_scan_stopped_thread(m);
    if (m->stopped == MUTATOR_SIGNALED)
      stopped_cursors_mark(m);
  }
  data_segments_mark();
  ranges_mark();
  pins_mark_roots(); /* gc_pin'ed objects: alive and pinned, like a stack word */
}

void roots_mark_exact(void) { exact_roots_mark(); }

void roots_mark_all(void) {
  roots_mark_ambiguous();
  roots_mark_exact();
}
