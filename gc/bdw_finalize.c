/*
 * bdw_finalize.c — Boehm GC's finalization and disappearing links on
 * gleaner.h's.
 *
 * Finalizer kinds:
 *   GC_register_finalizer             → gc_register_finalizer (ordered)
 *   GC_register_finalizer_ignore_self → gc_register_finalizer_ignore_self
 *   GC_register_finalizer_no_order    → finalize_register_no_order, the
 *     core's "no-order" kind (finalize.h): its contents do not delay it,
 *     but an unreached ordered object that reaches it does, as in Boehm GC
 *     (gleaner.h's unordered kind would not wait)
 *   GC_register_finalizer_unreachable → finalize_register_unreachable, the
 *     core's "unreachable" kind (finalize.h; like no-order, not in
 *     gleaner.h): ordered, and it also waits for no-order finalizable
 *     objects that reach it, as Boehm GC's does with GC_java_finalization
 *     (its default).
 * The finalizer types are identical (obj, client data), so functions and
 * the old-finalizer out-parameters pass straight through.
 *
 * When finalizers run: Gleaner is initialized in on-demand mode and the
 * layer calls gc_run_finalizers itself after the collections it starts and
 * at allocation checkpoints, unless GC_finalize_on_demand is set at that
 * moment — then it calls GC_finalizer_notifier instead, at most once per
 * collection while finalizers are pending, as Boehm GC does (the count is
 * the core's cheap collection counter).  A thread already running
 * finalizers does not start again (finalizers that allocate must not
 * recurse into finalization).
 *
 * Links: short (GC_general_register_disappearing_link) → gc_weak_link,
 * long (GC_register_long_link) → gc_weak_link_long; Boehm's result codes
 * are produced from Gleaner's 0 / 1 / -1.
 */
#include "bdw_internal.h"
#include "finalize.h"
#include "layer_queries.h"

static BDW_TLS int running_finalizers;
/* The collection count at the last notification: one per collection. */
static uint64_t notified_at = UINT64_MAX;

static void notify_once_per_collection(void) {
  GC_finalizer_notifier_proc notify = GC_get_finalizer_notifier();
  if (notify == NULL)
    return;
  uint64_t now = layer_collection_count();
  uint64_t last = __atomic_load_n(&notified_at, __ATOMIC_ACQUIRE);
  if (last != now &&
      __atomic_compare_exchange_n(&notified_at, &last, now, 0, __ATOMIC_ACQ_REL,
                                  __ATOMIC_ACQUIRE))
    notify();
}

void bdw_finalizers_due(void) {
  if (running_finalizers || !gc_finalizers_pending())
    return;
  if (GC_get_finalize_on_demand()) {
    notify_once_per_collection();
    return;
  }
  running_finalizers = 1;
  (void)gc_run_finalizers();
  running_finalizers = 0;
}

GC_API int GC_CALL GC_should_invoke_finalizers(void) {
  bdw_enter();
  return gc_finalizers_pending() != 0;
}

GC_API int GC_CALL GC_invoke_finalizers(void) {
  bdw_enter();
  size_t n = gc_run_finalizers();
  return n > INT_MAX ? INT_MAX : (int)n;
}

/* Boehm GC: until no finalizer is registered, queue them all and run
 * them, whatever GC_finalize_on_demand says (finalizers may register
 * more: Boehm loops as well). */
GC_API void GC_CALL GC_finalize_all(void) {
  bdw_enter();
  while (finalize_queue_all() != 0)
    (void)gc_run_finalizers();
}

typedef void (*register_fn)(void *, gc_finalizer_fn, void *, gc_finalizer_fn *,
                            void **);

/* Boehm GC: an object outside the heap (or NULL) registers nothing and
 * reports no previous finalizer. */
static void register_with(register_fn reg, void *obj, GC_finalization_proc fn,
                          void *cd, GC_finalization_proc *ofn, void **ocd) {
  bdw_enter();
  if (obj == NULL || gc_base(obj) == NULL) {
    if (ofn)
      *ofn = 0;
    if (ocd)
      *ocd = NULL;
    return;
  }
  reg(obj, fn, cd, ofn, ocd);
}

GC_API void GC_CALL GC_register_finalizer(void *obj, GC_finalization_proc fn,
                                          void *cd, GC_finalization_proc *ofn,
                                          void **ocd) {
  register_with(gc_register_finalizer, obj, fn, cd, ofn, ocd);
}

GC_API void GC_CALL GC_register_finalizer_ignore_self(void *obj,
                                                      GC_finalization_proc fn,
                                                      void *cd,
                                                      GC_finalization_proc *ofn,
                                                      void **ocd) {
  register_with(gc_register_finalizer_ignore_self, obj, fn, cd, ofn, ocd);
}

GC_API void GC_CALL GC_register_finalizer_no_order(void *obj,
                                                   GC_finalization_proc fn,
                                                   void *cd,
                                                   GC_finalization_proc *ofn,
                                                   void **ocd) {
  register_with(finalize_register_no_order, obj, fn, cd, ofn, ocd);
}

GC_API void GC_CALL GC_register_finalizer_unreachable(void *obj,
                                                      GC_finalization_proc fn,
                                                      void *cd,
                                                      GC_finalization_proc *ofn,
                                                      void **ocd) {
  register_with(finalize_register_unreachable, obj, fn, cd, ofn, ocd);
}

/* ---- disappearing links ----------------------------------------------- */

static int register_result(int r, const char *caller, void **link) {
  if (r == 0)
    return GC_SUCCESS;
  if (r == 1)
    return GC_DUPLICATE;
  bdw_warnf("%s(%p): refused by Gleaner", caller, (void *)link);
  return GC_NO_MEMORY;
}

GC_API int GC_CALL GC_general_register_disappearing_link(void **link,
                                                         const void *obj) {
  bdw_enter();
  return register_result(gc_weak_link(link, obj),
                         "GC_general_register_disappearing_link", link);
}

/* The link lives in a heap object, and the object it names is that object:
 * *link is cleared when its own container dies. */
GC_API int GC_CALL GC_register_disappearing_link(void **link) {
  bdw_enter();
  void *base = gc_base(link);
  if (base == NULL) {
    bdw_warnf("GC_register_disappearing_link(%p): not inside a heap object",
              (void *)link);
    return GC_NO_MEMORY;
  }
  return register_result(gc_weak_link(link, base),
                         "GC_register_disappearing_link", link);
}

GC_API int GC_CALL GC_register_long_link(void **link, const void *obj) {
  bdw_enter();
  return register_result(gc_weak_link_long(link, obj), "GC_register_long_link",
                         link);
}

/* Boehm: 1 if the link was registered (and now is not), else 0. */
static int unregister(void **link) {
  bdw_enter();
  if (link == NULL)
    return 0;
  return gc_weak_unlink(link) == 0;
}

GC_API int GC_CALL GC_unregister_disappearing_link(void **link) {
  return unregister(link);
}
GC_API int GC_CALL GC_unregister_long_link(void **link) { return unregister(link); }

/* Boehm: GC_SUCCESS, GC_DUPLICATE (new_link already taken; never when the
 * two are equal), or GC_NOT_FOUND (link not registered). */
static int move_link(void **link, void **new_link) {
  bdw_enter();
  if (link == NULL)
    return GC_NOT_FOUND;
  int r = gc_weak_move_link(link, new_link);
  if (r == 0)
    return GC_SUCCESS;
  return r == 1 ? GC_DUPLICATE : GC_NOT_FOUND;
}

GC_API int GC_CALL GC_move_disappearing_link(void **link, void **new_link) {
  return move_link(link, new_link);
}
GC_API int GC_CALL GC_move_long_link(void **link, void **new_link) {
  return move_link(link, new_link);
}
