/*
 * init.c — start-up: the global state, the reservation, the main thread's
 * registration, and the exit-time statistics.  Any public entry point
 * initializes on first use, so a program that never calls gc_init works.
 */
#include "gc_state.h"
#include "stop_world.h"
#include "block_pool.h"
#include "collect.h"
#include "mark_parallel.h"
#include "stats.h"
#include "roots.h"
#include "usage_report.h"
#include <stdlib.h>
#include <sys/mman.h>

gc_state *G;
atomic_int gleaner_initialized;
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

static void print_stats_at_exit(void) {
  if (G && G->cfg.print_stats)
    stats_print(stderr, G->cfg.print_stats);
  if (G && G->cfg.print_stats > 1)
    usage_report_print(stderr); /* the leak and usage report */
}

static int init_locked(const gc_config *cfg) {
  gc_state *g = mmap(NULL, sizeof(gc_state), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (g == MAP_FAILED)
    return -1;
  G = g;
  pthread_mutex_init(&G->lock, NULL);
  settings_load(&G->cfg, cfg);
  size_classes_init();
  if (heap_reserve(G->cfg.max_heap) != 0) {
    gc_warnf("gc_init: cannot reserve %zu bytes of address space for the heap",
             G->cfg.max_heap);
    return -1;
  }
  G->trigger_bytes = G->cfg.initial_heap;
  stats_exclude_from_roots();
  stop_world_exclude_from_roots();
  mark_parallel_exclude_from_roots();
  atexit(print_stats_at_exit);
  return 0;
}

int gc_init(const gc_config *cfg) {
  if (atomic_load_explicit(&gleaner_initialized, memory_order_acquire))
    return 0;
  pthread_mutex_lock(&init_lock);
  int rc = 0;
  if (!atomic_load_explicit(&gleaner_initialized, memory_order_relaxed)) {
    rc = init_locked(cfg);
    if (rc == 0)
      atomic_store_explicit(&gleaner_initialized, 1, memory_order_release);
  }
  pthread_mutex_unlock(&init_lock);
  if (rc == 0)
    (void)mutator_current(); /* the initializing thread is a mutator */
  return rc;
}

void gc_ensure_init(void) {
  if (gc_init(NULL) != 0)
    gc_fatal("initialization failed: cannot reserve the heap");
}
