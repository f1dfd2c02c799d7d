/*
 * bdw_control.c — collection control, heap limits, roots and the
 * allocation lock of the Boehm GC layer.
 *
 * Every collection the layer starts goes through bdw_collect(), which is
 * also where the program's variables are re-read (GC_dont_gc,
 * GC_free_space_divisor, GC_no_dls …), where GC_gc_no is refreshed and where
 * due finalizers run afterwards — the order Boehm's GC_gcollect follows.
 *
 * GC_disable/GC_enable count in GC_dont_gc (Boehm's variable), and
 * bdw_enter() turns the count into gc_disable/gc_enable calls, so direct
 * writes to GC_dont_gc and the functions stay consistent.
 */
#include "bdw_internal.h"
#include "collect.h"

static int GC_CALLBACK never_stop(void) { return 0; }
static GC_stop_func default_stop = never_stop;

/* The allocation lock (see GC_alloc_lock below).  Collections the layer
 * starts take it too, as Boehm's do, so that none runs while a program
 * holds it. */
static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;

int bdw_collect_now(int unmap) {
  pthread_mutex_lock(&alloc_lock);
  int run = !GC_is_disabled();
  if (run) {
    gc_collect();
    if (unmap || __atomic_load_n(&bdw_force_unmap, __ATOMIC_RELAXED))
      gc_release_memory();
  }
  pthread_mutex_unlock(&alloc_lock);
  if (run)
    (void)bdw_refresh_gc_no();
  return run;
}

int bdw_collect(GC_stop_func stop, int unmap) {
  bdw_enter();
  bdw_sync_tuning();
  bdw_apply_library_filters(1);
  /* Boehm runs (or notifies about) due finalizers before collecting too,
   * even when it then does not collect: what they free goes now. */
  bdw_finalizers_due();
  if (GC_is_disabled() || stop() || !bdw_collect_now(unmap))
    return 0;
  bdw_finalizers_due(); /* outside the lock: finalizers may take it */
  return 1;
}

GC_API void GC_CALL GC_gcollect(void) {
  (void)bdw_collect(GC_get_stop_func(), 0);
}

GC_API void GC_CALL GC_gcollect_and_unmap(void) {
  (void)bdw_collect(never_stop, 1);
}

GC_API int GC_CALL GC_try_to_collect(GC_stop_func stop) {
  return bdw_collect(stop, 0);
}

GC_API void GC_CALL GC_set_stop_func(GC_stop_func stop) {
  __atomic_store_n(&default_stop, stop ? stop : never_stop, __ATOMIC_RELEASE);
}
GC_API GC_stop_func GC_CALL GC_get_stop_func(void) {
  return __atomic_load_n(&default_stop, __ATOMIC_ACQUIRE);
}

GC_API void GC_CALL GC_disable(void) {
  __atomic_add_fetch(&GC_dont_gc, 1, __ATOMIC_ACQ_REL);
  bdw_enter();
}

GC_API void GC_CALL GC_enable(void) {
  bdw_enter();
  int was = __atomic_fetch_sub(&GC_dont_gc, 1, __ATOMIC_ACQ_REL);
  if (was <= 0) {
    __atomic_add_fetch(&GC_dont_gc, 1, __ATOMIC_ACQ_REL);
    bdw_warnf("GC_enable called more often than GC_disable: ignored");
  }
  bdw_enter();
}

GC_API int GC_CALL GC_is_disabled(void) {
  return __atomic_load_n(&GC_dont_gc, __ATOMIC_ACQUIRE) > 0;
}

/* Boehm GC: ignored while collection is disabled; includes GC_init. */
GC_API void GC_CALL GC_enable_incremental(void) {
  if (GC_is_disabled())
    return;
  if (!GC_is_init_called())
    bdw_pending.incremental = 1;
  bdw_enter();
  gc_set_incremental(1);
}

GC_API int GC_CALL GC_is_incremental_mode(void) {
  bdw_enter();
  return gc_is_incremental();
}

GC_API int GC_CALL GC_incremental_protection_needs(void) {
  return GC_is_incremental_mode() ? GC_PROTECTS_POINTER_HEAP : GC_PROTECTS_NONE;
}

GC_API int GC_CALL GC_collect_a_little(void) {
  bdw_enter();
  if (GC_is_disabled())
    return 0;
  int in_progress = collect_a_little_if_wanted();
  bdw_finalizers_due();
  return in_progress;
}

GC_API void GC_CALL GC_start_incremental_collection(void) {
  if (GC_is_incremental_mode() && !GC_is_disabled()) {
    (void)gc_collect_a_little(); /* starts a cycle even when none is due */
    bdw_finalizers_due();
  }
}

/* Before initialization the limit waits for GC_init (where the
 * GC_MAXIMUM_HEAP_SIZE environment variable may still override it).  0, or
 * more than Gleaner reserved, means the whole reservation. */
GC_API void GC_CALL GC_set_max_heap_size(GC_word n) {
  if (!GC_is_init_called()) {
    bdw_pending.max_heap = n;
    return;
  }
  if (gc_set_max_heap(bdw_heap_limit(n)) != 0)
    bdw_warnf("GC_set_max_heap_size(%lu) refused by Gleaner", n);
}

GC_API int GC_CALL GC_expand_hp(size_t n) {
  bdw_enter();
  return gc_expand_heap(n) == 0;
}

/* ---- roots -------------------------------------------------------------- */

GC_API void GC_CALL GC_add_roots(void *lo, void *hi) {
  bdw_enter();
  gc_add_roots(lo, hi);
  bdw_roots_note_add(lo, hi);
}

GC_API void GC_CALL GC_remove_roots(void *lo, void *hi) {
  bdw_enter();
  gc_remove_roots(lo, hi);
  bdw_roots_note_remove(lo, hi);
}

GC_API void GC_CALL GC_clear_roots(void) {
  bdw_enter();
  gc_clear_roots();
  bdw_roots_note_clear();
}

GC_API void GC_CALL GC_exclude_static_roots(void *lo, void *hi) {
  bdw_enter();
  gc_exclude_roots(lo, hi);
}

/* Gleaner recognizes every interior pointer: each displacement is valid. */
GC_API void GC_CALL GC_register_displacement(size_t n) { (void)n; }
GC_API void GC_CALL GC_debug_register_displacement(size_t n) { (void)n; }

/* ---- the allocation lock ---------------------------------------------- */

/* What programs rely on the lock for: mutual exclusion among its holders,
 * and no collection (hence no clearing of disappearing links) while it is
 * held, so that revealing a hidden pointer is safe: Gleaner starts none
 * while it is disabled, and the layer's own take the lock. */

GC_API void GC_CALL GC_alloc_lock(void) {
  bdw_enter();
  pthread_mutex_lock(&alloc_lock);
  gc_disable();
}

GC_API void GC_CALL GC_alloc_unlock(void) {
  gc_enable();
  pthread_mutex_unlock(&alloc_lock);
}

GC_API void *GC_CALL GC_call_with_alloc_lock(GC_fn_type fn, void *cd) {
  GC_alloc_lock();
  void *result = fn(cd);
  GC_alloc_unlock();
  return result;
}
