/*
 * finalize_bench.c — finalizers and weak references, built twice from this
 * one source: against Gleaner (default) and against Boehm GC (-DUSE_BOEHM),
 * so both run the same workload in separate processes.
 *
 *   1. finalizers: allocate N objects of 32 bytes and register a finalizer
 *      on each (ordered, Boehm's GC_register_finalizer), drop them, collect
 *      once (which queues them), run the queue.  Finalizers run on demand
 *      in both collectors, so the three phases are timed apart.  Best of
 *      ROUNDS rounds for each phase.
 *   2. weak links: for N in 10^4, 10^5, 10^6, allocate N short-lived
 *      objects each with a disappearing link (links in malloc memory),
 *      then time one full collection that clears them all; the same
 *      collection without links is the baseline, so "clearing" = with -
 *      without.  Gleaner also reports its own after-mark time (the pass
 *      that clears links) and the same for weak reference objects.
 *   3. (Gleaner) ephemeron chains of 10^4..10^6 created against chain
 *      order: time of the after-mark pass that traces them.
 * Output: one "metric value" line per measurement (milliseconds), read by
 * bench/finalize_compare.sh.  Usage: finalize_bench [N_FINALIZERS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef USE_BOEHM
#include <gc.h>
#define COLLECTOR "boehm"
static void init(void) {
  GC_INIT();
  GC_set_finalize_on_demand(1);
}
static void *alloc(size_t n) { return GC_MALLOC(n); }
static void collect(void) { GC_gcollect(); }
static void disable(void) { GC_disable(); }
static void enable(void) { GC_enable(); }
static void reg(void *obj, void (*fn)(void *, void *), void *data) {
  GC_register_finalizer(obj, fn, data, NULL, NULL);
}
static size_t run_finalizers(void) { return (size_t)GC_invoke_finalizers(); }
static int link_weak(void **link, void *obj) {
  return GC_general_register_disappearing_link(link, obj);
}
static double after_mark_ms(void) { return -1; }
#else
#include "gleaner.h"
#include "weakness.h"
#define COLLECTOR "gleaner"
static void init(void) {
  gc_config cfg = {.finalize_on_demand = 1};
  gc_init(&cfg);
}
static void *alloc(size_t n) { return gc_alloc(n); }
static void collect(void) { gc_collect(); }
static void disable(void) { gc_disable(); }
static void enable(void) { gc_enable(); }
static void reg(void *obj, void (*fn)(void *, void *), void *data) {
  gc_register_finalizer(obj, fn, data, NULL, NULL);
}
static size_t run_finalizers(void) { return gc_run_finalizers(); }
static int link_weak(void **link, void *obj) { return gc_weak_link(link, obj); }
static double after_mark_ms(void) { return weakness_ns_last() / 1e6; }
#endif

#define ROUNDS 3

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t finalized;
static void count_finalized(void *obj, void *data) {
  (void)obj;
  (void)data;
  finalized++;
}

__attribute__((noinline)) static void allocate_and_register(size_t n) {
  for (size_t i = 0; i < n; i++) {
    uintptr_t *p = alloc(32);
    p[0] = i;
    reg(p, count_finalized, NULL);
  }
}

__attribute__((noinline)) static void scrub(void) {
  volatile char buf[16384];
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = 0;
}

static double min(double a, double b) { return a < b ? a : b; }

/* quiet: collections disabled while registering (pure registration
 * cost, one collection then finds all N); otherwise the allocation
 * triggers collections as it goes, as in a real program. */
static void bench_finalizers(size_t n, int quiet, int rounds) {
  double best_reg = 1e30, best_collect = 1e30, best_run = 1e30, best_total = 1e30;
  size_t ran = 0;
  const char *v = quiet ? "quiet" : "natural";
  for (int r = 0; r < rounds; r++) {
    collect();
    run_finalizers();
    finalized = 0;
    double t0 = now_ms();
    if (quiet)
      disable();
    allocate_and_register(n);
    if (quiet)
      enable();
    scrub();
    double t1 = now_ms();
    collect();
    double t2 = now_ms();
    run_finalizers();
    double t3 = now_ms();
    best_reg = min(best_reg, t1 - t0);
    best_collect = min(best_collect, t2 - t1);
    best_run = min(best_run, t3 - t2);
    best_total = min(best_total, t3 - t0);
    ran = finalized;
  }
  printf("fin_%s_count %zu\n", v, n);
  printf("fin_%s_finalized_count %zu\n", v, ran);
  printf("fin_%s_alloc_register_ms %.2f\n", v, best_reg);
  printf("fin_%s_collect_ms %.2f\n", v, best_collect);
  printf("fin_%s_run_ms %.2f\n", v, best_run);
  printf("fin_%s_total_ms %.2f\n", v, best_total);
}

__attribute__((noinline)) static void make_linked(void **links, size_t n, int with_links) {
  for (size_t i = 0; i < n; i++) {
    void *p = alloc(32);
    links[i] = (void *)~(uintptr_t)p; /* hidden: the link is not a root */
    if (with_links && link_weak(&links[i], p) != 0) {
      fprintf(stderr, "link registration failed\n");
      exit(1);
    }
  }
}

/* One collection over n dead objects, with or without links to them. */
static double timed_collection(void **links, size_t n, int with_links, double *after_mark) {
  collect();
  disable(); /* every link must still be set at the timed collection */
  make_linked(links, n, with_links);
  enable();
  scrub();
  double t0 = now_ms();
  collect();
  double t = now_ms() - t0;
  *after_mark = after_mark_ms();
  if (with_links)
    for (size_t i = 0; i < n; i++)
      if (links[i]) {
        fprintf(stderr, "link %zu not cleared\n", i);
        exit(1);
      }
  return t;
}

static void bench_links(size_t n) {
  void **links = calloc(n, sizeof(void *));
  double best_with = 1e30, best_without = 1e30, best_pass = 1e30, pass;
  for (int r = 0; r < ROUNDS; r++) {
    best_without = min(best_without, timed_collection(links, n, 0, &pass));
    best_with = min(best_with, timed_collection(links, n, 1, &pass));
    best_pass = min(best_pass, pass);
  }
  printf("links_%zu_collect_without_ms %.3f\n", n, best_without);
  printf("links_%zu_collect_with_ms %.3f\n", n, best_with);
  printf("links_%zu_clearing_ms %.3f\n", n, best_with - best_without);
  if (best_pass >= 0)
    printf("links_%zu_after_mark_pass_ms %.3f\n", n, best_pass);
  free(links);
}

#ifndef USE_BOEHM
__attribute__((noinline)) static void make_weak_refs(gc_weak_ref **refs, size_t n) {
  for (size_t i = 0; i < n; i++)
    refs[i] = gc_weak_new(gc_alloc(32));
}

/* Weak reference objects (kept in a scanned array) to dead targets. */
static void bench_weak_refs(size_t n) {
  double best_pass = 1e30, best_collect = 1e30;
  for (int r = 0; r < ROUNDS; r++) {
    gc_weak_ref **refs = gc_alloc(n * sizeof *refs);
    collect();
    disable();
    make_weak_refs(refs, n);
    enable();
    scrub();
    double t0 = now_ms();
    collect();
    best_collect = min(best_collect, now_ms() - t0);
    best_pass = min(best_pass, after_mark_ms());
    for (size_t i = 0; i < n; i++)
      if (gc_weak_get(refs[i])) {
        fprintf(stderr, "weak ref %zu not cleared\n", i);
        exit(1);
      }
  }
  printf("weakrefs_%zu_collect_ms %.3f\n", n, best_collect);
  printf("weakrefs_%zu_after_mark_pass_ms %.3f\n", n, best_pass);
}

/* A chain of n ephemerons (value i names key i+1), created in reverse
 * chain order, the first key held: the after-mark pass must trace it all. */
typedef struct chain_node { struct chain_node *next; } chain_node;
static gc_ephemeron **volatile chain_ephs;
static void *volatile chain_root;

__attribute__((noinline)) static void make_chain(size_t n) {
  chain_node **keys = gc_alloc(n * sizeof *keys); /* scanned: keeps the keys */
  for (size_t i = 0; i < n; i++)
    keys[i] = gc_alloc(sizeof(chain_node));
  chain_ephs = gc_alloc(n * sizeof(gc_ephemeron *));
  for (size_t i = 0; i < n; i++) {
    chain_node *v = gc_alloc(sizeof(chain_node));
    v->next = i + 1 < n ? keys[i + 1] : NULL;
    chain_ephs[n - 1 - i] = gc_ephemeron_new(keys[i], v);
  }
  chain_root = keys[0];
}

static void bench_ephemeron_chain(size_t n) {
  double best = 1e30;
  for (int r = 0; r < ROUNDS; r++) {
    make_chain(n);
    collect();
    best = min(best, after_mark_ms());
    if (!gc_ephemeron_value(chain_ephs[0])) {
      fprintf(stderr, "ephemeron chain lost its last value\n");
      exit(1);
    }
    chain_root = NULL;
    chain_ephs = NULL;
    collect();
  }
  printf("ephemeron_chain_%zu_after_mark_pass_ms %.3f\n", n, best);
}
#endif

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
  init();
  printf("collector %s\n", COLLECTOR);
  bench_finalizers(n, 1, ROUNDS);
  bench_finalizers(n, 0, 1); /* one round: Boehm takes seconds here */
  for (size_t k = 10000; k <= 1000000; k *= 10)
    bench_links(k);
#ifndef USE_BOEHM
  for (size_t k = 10000; k <= 1000000; k *= 10)
    bench_weak_refs(k);
  for (size_t k = 10000; k <= 1000000; k *= 10)
    bench_ephemeron_chain(k);
#endif
  return 0;
}
