/*
 * layer_queries.c — answers for layers built on the core (rules in
 * layer_queries.h).  Each reads one field its owner keeps: the collection
 * count (collect.c, written under the lock, so read under it), the heap
 * span (block_pool.c, fixed at initialization), the suspend signal
 * (stop_world.c, fixed at initialization, which a layer may choose
 * before).
 */
#include "layer_queries.h"
#include "gc_state.h"
#include "stop_world.h"

uint64_t layer_collection_count(void) {
  ensure_init();
  state_lock();
  uint64_t n = G->collections;
  state_unlock();
  return n;
}

size_t layer_heap_reservation(void) {
  ensure_init();
  return G->heap_span;
}

int layer_suspend_signal(void) {
  ensure_init();
  return stop_world_signal();
}

int layer_prefer_suspend_signal(int sig) { return stop_world_prefer_signal(sig) ? 0 : -1; }
