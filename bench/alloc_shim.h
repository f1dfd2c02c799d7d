/*
 * alloc_shim.h — one allocation interface over three memory managers, so
 * each benchmark workload is written once and compiled three ways:
 *
 *   -DUSE_GLEANER  Gleaner (gc_alloc ...); add -DBENCH_EXPLICIT_BARRIER to
 *                  route heap pointer stores through GC_STORE, the variant a
 *                  runtime with an explicit write barrier would be.
 *   -DUSE_BDW      Boehm-Demers-Weiser GC (Debian libgc, built for threads).
 *                  In the environment, BENCH_BDW_INCREMENTAL=1 calls
 *                  GC_enable_incremental() at start-up and
 *                  BENCH_BDW_PARALLEL=1 starts its parallel markers.
 *   -DUSE_MALLOC   malloc/free; the workload frees what a collector would
 *                  have reclaimed.
 *
 * The contract the workloads rely on:
 *   - bench_alloc(n)        memory that may hold pointers (scanned);
 *   - bench_alloc_atomic(n) memory that never holds heap pointers;
 *     neither is guaranteed zeroed (malloc, GC_MALLOC_ATOMIC), so workloads
 *     initialise every field they later read;
 *   - bench_drop(p)         p is now garbage: free(p) under malloc, nothing
 *                           under a collector (the collector finds out);
 *   - bench_collect()       a full stop-the-world collection (no-op for
 *                           malloc; BENCH_HAS_COLLECTOR says which);
 *   - BENCH_STORE(obj, slot, value) stores a heap pointer into a field of a
 *     heap object (a plain store unless the explicit barrier is on).
 * Functions are static inline so the call cost is the manager's own, as in
 * a program that calls it directly.
 */
#ifndef ALLOC_SHIM_H
#define ALLOC_SHIM_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(USE_GLEANER) + defined(USE_BDW) + defined(USE_MALLOC) != 1
#error "define exactly one of USE_GLEANER, USE_BDW, USE_MALLOC"
#endif

/* ------------------------------------------------------------------ */
#if defined(USE_GLEANER)
#include "gleaner.h"

#ifdef BENCH_EXPLICIT_BARRIER
#define BENCH_VARIANT "gleaner-xb"
#define BENCH_STORE(obj, slot, value) GC_STORE(obj, slot, value)
#else
#define BENCH_VARIANT "gleaner"
#define BENCH_STORE(obj, slot, value) ((void)(obj), (slot) = (value))
#endif
#define BENCH_HAS_COLLECTOR 1

static inline void bench_gc_init(void) {
  if (gc_init(NULL) != 0) {
    fprintf(stderr, "FAIL: gc_init failed\n");
    exit(1);
  }
}
static inline void *bench_alloc(size_t n) { return gc_alloc(n); }
static inline void *bench_alloc_atomic(size_t n) { return gc_alloc_atomic(n); }
static inline void bench_drop(void *p) { (void)p; }
static inline void bench_collect(void) { gc_collect(); }
static inline void bench_disable(void) { gc_disable(); }
static inline void bench_enable(void) { gc_enable(); }
/* Threads need the core's gc_pthread_create (issue 5); bench.mk defines
 * BENCH_HAVE_GC_PTHREAD when the library has it.  Until then a threaded
 * run fails loudly instead of running unregistered threads. */
#ifdef BENCH_HAVE_GC_PTHREAD
static inline int bench_thread_create(pthread_t *t, void *(*fn)(void *),
                                      void *arg) {
  return gc_pthread_create(t, NULL, fn, arg);
}
static inline int bench_thread_join(pthread_t t) {
  return gc_pthread_join(t, NULL);
}
#else
static inline int bench_thread_create(pthread_t *t, void *(*fn)(void *),
                                      void *arg) {
  (void)t, (void)fn, (void)arg;
  fprintf(stderr, "FAIL: this Gleaner has no gc_pthread_create yet\n");
  return -1;
}
static inline int bench_thread_join(pthread_t t) {
  (void)t;
  return -1;
}
#endif
/* Collector facts appended to the RESULT line. */
static inline void bench_collector_fields(FILE *out) {
  gc_stats s;
  gc_get_stats(&s);
  fprintf(out,
          " gcs=%llu heap_kb=%llu gc_pause_max_us=%.1f gc_mmu10ms=%.3f "
          "markers=%u",
          (unsigned long long)s.collections,
          (unsigned long long)(s.heap_bytes / 1024),
          (double)s.pause_max_ns / 1e3, s.mmu_10ms, s.markers_used);
}

/* ------------------------------------------------------------------ */
#elif defined(USE_BDW)
#define GC_THREADS 1 /* Debian's libgc is built for threads; use it so */
#include <gc.h>

#define BENCH_VARIANT "bdw"
#define BENCH_STORE(obj, slot, value) ((void)(obj), (slot) = (value))
#define BENCH_HAS_COLLECTOR 1

static inline void bench_gc_init(void) {
  GC_INIT();
  /* Boehm GC starts its parallel marker threads only with the program's
   * first thread, so a single-threaded program marks alone: that is the
   * default ("boehm" column).  BENCH_BDW_PARALLEL=1 starts them now
   * (GC_MARKERS or one per core; "boehm-par" column). */
  const char *par = getenv("BENCH_BDW_PARALLEL");
  if (par && par[0] == '1')
    GC_start_mark_threads();
  const char *inc = getenv("BENCH_BDW_INCREMENTAL");
  if (inc && inc[0] == '1')
    GC_enable_incremental();
}
static inline void *bench_alloc(size_t n) { return GC_MALLOC(n); }
static inline void *bench_alloc_atomic(size_t n) { return GC_MALLOC_ATOMIC(n); }
static inline void bench_drop(void *p) { (void)p; }
static inline void bench_collect(void) { GC_gcollect(); }
static inline void bench_disable(void) { GC_disable(); }
static inline void bench_enable(void) { GC_enable(); }
static inline int bench_thread_create(pthread_t *t, void *(*fn)(void *),
                                      void *arg) {
  return GC_pthread_create(t, NULL, fn, arg);
}
static inline int bench_thread_join(pthread_t t) {
  return GC_pthread_join(t, NULL);
}
static inline void bench_collector_fields(FILE *out) {
  fprintf(out, " gcs=%lu heap_kb=%lu incremental=%d markers=%d",
          (unsigned long)GC_get_gc_no(),
          (unsigned long)(GC_get_heap_size() / 1024), GC_is_incremental_mode(),
          GC_get_parallel() + 1);
}

/* ------------------------------------------------------------------ */
#else /* USE_MALLOC */
#define BENCH_VARIANT "malloc"
#define BENCH_STORE(obj, slot, value) ((void)(obj), (slot) = (value))
#define BENCH_HAS_COLLECTOR 0

static inline void bench_gc_init(void) {}
static inline void *bench_alloc(size_t n) { return malloc(n); }
static inline void *bench_alloc_atomic(size_t n) { return malloc(n); }
static inline void bench_drop(void *p) { free(p); }
static inline void bench_collect(void) {}
static inline void bench_disable(void) {}
static inline void bench_enable(void) {}
static inline int bench_thread_create(pthread_t *t, void *(*fn)(void *),
                                      void *arg) {
  return pthread_create(t, NULL, fn, arg);
}
static inline int bench_thread_join(pthread_t t) {
  return pthread_join(t, NULL);
}
static inline void bench_collector_fields(FILE *out) { (void)out; }
#endif

/* Allocation that must succeed: a NULL result ends the benchmark loudly.
 * Usage: p = bench_checked("gcbench", bench_alloc(n)); */
static inline void *bench_checked(const char *workload, void *p) {
  if (__builtin_expect(p == NULL, 0)) {
    fprintf(stderr, "FAIL %s: out of memory\n", workload);
    exit(1);
  }
  return p;
}

#endif /* ALLOC_SHIM_H */
