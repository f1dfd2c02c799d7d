/*
 * finalize.h — finalizers (finalize.c): the table of registered
 * finalizers, the decision of which ones are ready after a mark phase,
 * and the queue of ready finalizers run outside the collector.
 *
 * The rule (Boehm GC's default, "ordered"): after the roots have been
 * traced, the contents of every unreached finalizable object are traced,
 * but not the object itself.  An object whose finalizer is ready is one
 * still unreached afterwards: no other unreached finalizable object
 * points to it, directly or indirectly.  So if A points to B and both die,
 * only A's finalizer is queued in this collection; B stays registered and
 * becomes ready once A is gone.  An object on a cycle of finalizable
 * objects (or reachable from itself through its own contents) is never
 * ready: it is reported once through the warn handler ("finalization
 * cycle"), exactly as Boehm GC does.  The ignore-self variant skips
 * pointers from an object into itself; the unordered variant is ready as
 * soon as the object is unreached from the roots.
 *
 * The "unreachable" variant (Boehm GC's GC_register_finalizer_unreachable,
 * Java's finalize(); not in gleaner.h, registered through
 * finalize_register_unreachable) is ordered, and also waits for the
 * unordered finalizable objects that reach it: it is ready only when no
 * object queued in this collection, of any kind, reaches it.  So in a
 * dead pair N (unordered) -> U (unreachable), N is finalized first and U
 * in a later collection, where an ordered U would go with N.
 *
 * The "no-order" variant (Boehm GC's GC_register_finalizer_no_order,
 * registered through finalize_register_no_order) is unordered towards
 * what it points to (its contents are not traced at step 4, so cycles of
 * such objects are finalized), but is queued with the ordered ones (step
 * 5): an unreached ordered object that reaches it is finalized first, as
 * in Boehm GC, where gleaner.h's unordered variant would go at once.
 *
 * A queued object is removed from the table (finalized at most once per
 * registration), is kept alive by the queue, and is traced with
 * everything it reaches until its finalizer has run ("resurrected").
 * The `data` of a registration or queued entry is an ambiguous root.
 *
 * The after-mark steps below are called in order by weakness.c; each has
 * the liveness.h precondition (lock held, cursors flushed, world stopped).
 */
#ifndef GLEANER_FINALIZE_H
#define GLEANER_FINALIZE_H
#include "gc_state.h"
#include <stdatomic.h>

/* Nonzero while the queue holds ready finalizers (read without the lock
 * by the allocation slow path). */
extern atomic_int finalize_queue_nonempty;

void finalize_cycle_begin(void);
/* Mark the data of every registration and every queued object. */
void finalize_mark_roots(void);
/* Queue the unordered finalizers of unreached objects. */
void finalize_queue_unordered(void);
/* Trace from the contents of unreached ordered/ignore-self objects. */
void finalize_mark_from_finalizable(void);
/* Queue the ordered/ignore-self finalizers of objects still unreached. */
void finalize_queue_ordered(void);
/* Mark every object queued in this collection (resurrection). */
void finalize_resurrect(void);
/* After resurrection has reached its fixpoint: queue the "unreachable"
 * finalizers of objects still unmarked and mark those objects.  false
 * (and nothing done) while no such finalizer was ever registered. */
bool finalize_queue_unreachable(void);
/* Compaction: visit every stored object address, then reindex. */
void finalize_visit_slots(gc_visit_fn visit, void *ctx);
/* Register (fn NULL: remove) a finalizer of the "unreachable" variant;
 * otherwise as gc_register_finalizer.  Used by the Boehm layer. */
void finalize_register_unreachable(void *obj, gc_finalizer_fn fn, void *data,
                                   gc_finalizer_fn *old_fn, void **old_data);
/* The same for the "no-order" variant. */
void finalize_register_no_order(void *obj, gc_finalizer_fn fn, void *data,
                                gc_finalizer_fn *old_fn, void **old_data);
/* Boehm's GC_finalize_all: queue every registered finalizer now, reachable
 * objects included (the queue keeps them alive until theirs has run);
 * returns how many.  Takes the lock. */
size_t finalize_queue_all(void);
/* gc_free(p) of an object start: forget its finalizer.  Lock held. */
void finalize_object_freed(void *p);

/* Run queued finalizers unless on demand or already inside one. */
void finalize_safe_point_slow(void);
static inline void finalize_safe_point(void) {
  if (GC_UNLIKELY(atomic_load_explicit(&finalize_queue_nonempty, memory_order_relaxed)))
    finalize_safe_point_slow();
}

/* Counters and sizes, lock held (stats, tests). */
uint64_t finalize_queued_total(void);
uint64_t finalize_run_total(void);
size_t finalize_registered_count(void);
size_t finalize_cycles_reported(void);
#endif
