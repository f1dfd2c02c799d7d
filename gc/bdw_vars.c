/*
 * bdw_vars.c — the variables a Boehm GC program may read or write
 * directly, and their getters and setters.
 *
 * Each variable is a real exported object of the type Boehm GC gives it, so
 * `GC_dont_gc = 1;` or `GC_free_space_divisor = 8;` compiles and links
 * unchanged.  When Gleaner reads each one is documented in gc/gc.h; the
 * synchronization itself lives in bdw_init.c.  Setters apply their value at
 * once when the collector is initialized, and otherwise leave it for
 * initialization to read.
 */
#include "bdw_internal.h"

static void *GC_CALLBACK bdw_default_oom(size_t bytes) {
  (void)bytes;
  return NULL;
}

GC_word GC_gc_no;
int GC_parallel;
GC_oom_func GC_oom_fn = bdw_default_oom;
int GC_all_interior_pointers = 1;
int GC_finalize_on_demand;
int GC_java_finalization = 1;
GC_finalizer_notifier_proc GC_finalizer_notifier;
int GC_dont_gc;
int GC_dont_expand;
int GC_no_dls;
GC_word GC_free_space_divisor = 3;
GC_word GC_max_retries;
int GC_dont_precollect;
unsigned long GC_time_limit = GC_TIME_UNLIMITED;
int GC_print_stats;

int bdw_force_unmap;
static unsigned long time_limit_nsec;

static int initialized(void) {
  return __atomic_load_n(&bdw_initialized, __ATOMIC_ACQUIRE);
}

/* Before initialization the counter is 0, as in Boehm GC; asking does not
 * initialize the collector. */
GC_API GC_word GC_CALL GC_get_gc_no(void) {
  if (!initialized())
    return 0;
  return (GC_word)bdw_refresh_gc_no();
}

GC_API int GC_CALL GC_get_parallel(void) {
  if (initialized())
    return bdw_refresh_parallel();
  return __atomic_load_n(&GC_parallel, __ATOMIC_RELAXED);
}

/* Like Boehm GC: only before initialization. */
GC_API void GC_CALL GC_set_markers_count(unsigned n) {
  if (!initialized())
    bdw_pending.markers = n;
}

GC_API void GC_CALL GC_set_oom_fn(GC_oom_func fn) {
  __atomic_store_n(&GC_oom_fn, fn ? fn : bdw_default_oom, __ATOMIC_RELEASE);
}
GC_API GC_oom_func GC_CALL GC_get_oom_fn(void) {
  return __atomic_load_n(&GC_oom_fn, __ATOMIC_ACQUIRE);
}

GC_API void GC_CALL GC_set_all_interior_pointers(int v) {
  __atomic_store_n(&GC_all_interior_pointers, v ? 1 : 0, __ATOMIC_RELAXED);
  if (initialized())
    __atomic_store_n(&bdw_extra_byte, v ? 1 : 0, __ATOMIC_RELAXED);
}
GC_API int GC_CALL GC_get_all_interior_pointers(void) {
  return __atomic_load_n(&GC_all_interior_pointers, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_finalize_on_demand(int v) {
  __atomic_store_n(&GC_finalize_on_demand, v, __ATOMIC_RELAXED);
}
GC_API int GC_CALL GC_get_finalize_on_demand(void) {
  return __atomic_load_n(&GC_finalize_on_demand, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_java_finalization(int v) {
  __atomic_store_n(&GC_java_finalization, v, __ATOMIC_RELAXED);
}
GC_API int GC_CALL GC_get_java_finalization(void) {
  return __atomic_load_n(&GC_java_finalization, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_finalizer_notifier(GC_finalizer_notifier_proc fn) {
  __atomic_store_n(&GC_finalizer_notifier, fn, __ATOMIC_RELEASE);
}
GC_API GC_finalizer_notifier_proc GC_CALL GC_get_finalizer_notifier(void) {
  return __atomic_load_n(&GC_finalizer_notifier, __ATOMIC_ACQUIRE);
}

GC_API void GC_CALL GC_set_dont_expand(int v) {
  __atomic_store_n(&GC_dont_expand, v, __ATOMIC_RELAXED);
  if (initialized())
    bdw_sync_tuning();
}
GC_API int GC_CALL GC_get_dont_expand(void) {
  return __atomic_load_n(&GC_dont_expand, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_no_dls(int v) {
  __atomic_store_n(&GC_no_dls, v, __ATOMIC_RELAXED);
  if (initialized())
    bdw_sync_tuning();
}
GC_API int GC_CALL GC_get_no_dls(void) {
  return __atomic_load_n(&GC_no_dls, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_free_space_divisor(GC_word d) {
  if (d == 0) {
    bdw_warnf("GC_set_free_space_divisor(0) ignored: the divisor must be positive");
    return;
  }
  __atomic_store_n(&GC_free_space_divisor, d, __ATOMIC_RELAXED);
  if (initialized())
    bdw_sync_tuning();
}
GC_API GC_word GC_CALL GC_get_free_space_divisor(void) {
  return __atomic_load_n(&GC_free_space_divisor, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_max_retries(GC_word n) {
  __atomic_store_n(&GC_max_retries, n, __ATOMIC_RELAXED);
}
GC_API GC_word GC_CALL GC_get_max_retries(void) {
  return __atomic_load_n(&GC_max_retries, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_dont_precollect(int v) {
  __atomic_store_n(&GC_dont_precollect, v, __ATOMIC_RELAXED);
}
GC_API int GC_CALL GC_get_dont_precollect(void) {
  return __atomic_load_n(&GC_dont_precollect, __ATOMIC_RELAXED);
}

/* Gleaner takes its pause target at initialization only. */
static void time_limit_late(void) {
  if (initialized())
    bdw_warnf("GC_set_time_limit after initialization has no effect in "
              "Gleaner (its pause target is fixed at start-up)");
}

GC_API void GC_CALL GC_set_time_limit(unsigned long ms) {
  time_limit_late();
  __atomic_store_n(&GC_time_limit, ms, __ATOMIC_RELAXED);
}
GC_API unsigned long GC_CALL GC_get_time_limit(void) {
  return __atomic_load_n(&GC_time_limit, __ATOMIC_RELAXED);
}

GC_API void GC_CALL GC_set_time_limit_tv(struct GC_timeval_s tv) {
  time_limit_late();
  __atomic_store_n(&GC_time_limit, tv.tv_ms, __ATOMIC_RELAXED);
  __atomic_store_n(&time_limit_nsec, tv.tv_ms == GC_TIME_UNLIMITED ? 0 : tv.tv_nsec,
                   __ATOMIC_RELAXED);
}
GC_API struct GC_timeval_s GC_CALL GC_get_time_limit_tv(void) {
  struct GC_timeval_s tv;
  tv.tv_ms = __atomic_load_n(&GC_time_limit, __ATOMIC_RELAXED);
  tv.tv_nsec = __atomic_load_n(&time_limit_nsec, __ATOMIC_RELAXED);
  return tv;
}

GC_API void GC_CALL GC_set_force_unmap_on_gcollect(int v) {
  __atomic_store_n(&bdw_force_unmap, v ? 1 : 0, __ATOMIC_RELAXED);
}
GC_API int GC_CALL GC_get_force_unmap_on_gcollect(void) {
  return __atomic_load_n(&bdw_force_unmap, __ATOMIC_RELAXED);
}

/* Gleaner's heap is mapped read/write only. */
GC_API int GC_CALL GC_get_pages_executable(void) { return 0; }
