/*
 * weak.h — disappearing links and weak reference objects (weak.c).
 *
 * Order relative to finalization (the convention runtimes expect, and
 * Boehm GC's): short links and weak reference objects are cleared as
 * soon as their target is unreached from the roots — before its
 * finalizer is queued, so a finalizer can never see a short link to an
 * object that is being finalized.  Long links are cleared only when the
 * target is really reclaimed: after finalizers have been queued and the
 * objects they keep alive traced.
 *
 * A link is a word somewhere (static, malloc, or heap memory) that the
 * collector sets to NULL; it never reads it.  A link whose own storage is
 * a heap object that dies is forgotten without being written.
 * Weak reference objects (gc_weak_new) are precise objects of an internal
 * type with no traced slot; a registry lists them so that their target
 * can be cleared.  Both follow the liveness.h preconditions.
 */
#ifndef GLEANER_WEAK_H
#define GLEANER_WEAK_H
#include "gc_state.h"

/* Clear short links and weak reference objects whose target is unmarked. */
void weak_clear_short(void);
/* Clear long links whose target is unmarked. */
void weak_clear_long(void);
/* End of the after-mark work: forget links stored in dead objects and
 * weak reference objects that die. */
void weak_sweep_tables(void);
/* Compaction: visit stored addresses (targets with visit_start, link
 * locations with visit_interior when non-NULL), then reindex. */
void weak_visit_slots(gc_visit_fn visit_start, gc_visit_fn visit_interior, void *ctx);

uint64_t weak_cleared_total(void);
size_t weak_link_count(int is_long);
size_t weak_ref_registry_count(void);
/* After the link passes, before compaction: link targets stay put. */
void weak_keep_link_targets_in_place(void);
#endif
