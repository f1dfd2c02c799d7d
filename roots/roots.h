/*
 * roots.h — every source of roots, behind one entry point.
 *
 * Ambiguous sources (every word may be a pointer; targets are pinned):
 *   stacks and registers of every registered thread (stack_scan.c),
 *   writable data segments of every loaded object (data_segments.c),
 *   explicit ranges from gc_add_roots (root_ranges.c).
 * Exact sources (slots the compactor may update):
 *   gc_root_add slots and GC_FRAME shadow stacks (exact_roots.c).
 */
#ifndef GLEANER_ROOTS_H
#define GLEANER_ROOTS_H
#include "gc_state.h"

/* Lock held, world stopped: feed every root to the marker. */
void roots_mark_all(void);

void roots_mark_ambiguous(void);
void roots_mark_exact(void);

/* stack_scan.c */
void stack_scan_current_thread(mutator *m);
void stack_scan_stopped_thread(mutator *m);
void stack_bounds_of_current_thread(char **base, char **limit);
/* Zero the dead stack below the caller (collector entry points). */
void stack_clear_dead(void);

/* data_segments.c */
void data_segments_mark(void);

/* root_ranges.c: ambiguous ranges and exclusions.  Scan [lo, hi) minus
 * every excluded range. */
void ranges_mark(void);
void mark_range_minus_exclusions(char *lo, char *hi);
void ranges_for_each_outside_exclusions(char *lo, char *hi,
                                        void (*fn)(char *lo, char *hi, void *ctx), void *ctx);
/* Leave one of the collector's own static tables out of the roots. */
void roots_exclude_own(const void *lo, const void *hi);

/* exact_roots.c */
void exact_roots_mark(void);

/* Iterate exact slots (for the compactor's fix-up). */
typedef void (*slot_visitor)(void **slot, void *ctx);
void exact_roots_visit(slot_visitor visit, void *ctx);
#endif
