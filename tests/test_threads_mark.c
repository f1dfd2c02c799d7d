/*
 * test_threads_mark.c — parallel marking: on a random graph of a few
 * hundred thousand objects (conservative, precise and large ones),
 * marking with several markers must keep exactly what one marker keeps
 * (the same live bytes, from the same roots), keep every reachable object
 * intact, and reclaim the unreachable ones.  Also run while other
 * mutator threads are stopped mid-allocation.
 *
 * Seed: printed; GLEANER_TEST_SEED=n replays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "gc_state.h"
#include "test_util.h"
#include "threads_util.h"

#define NODES 100000
#define EDGES 4
#define ROOTS 64

typedef struct gnode {
  uint64_t id, check;
  struct gnode *edge[EDGES];
} gnode;

static unsigned long seed;

/* Precise variant: same layout, slots described by a bitmap. */
static const uint64_t gnode_bitmap[1] = {0x3c}; /* words 2..5 */
static gc_type gnode_type = {.name = "gnode", .size = sizeof(gnode),
                             .pointer_bitmap = gnode_bitmap, .bitmap_words = 1};

static uint64_t checksum(uint64_t id) { return id * 0x9E3779B97F4A7C15ull ^ 0x1234; }

/* Build NODES nodes with random edges; roots[] (heap array) keeps a few. */
static __attribute__((noinline)) gnode **build(uint64_t *rng, uintptr_t *hidden, size_t *nhidden) {
  gnode **all = malloc(NODES * sizeof(gnode *)); /* malloc: not a root, so */
  gc_disable();                                   /* no collection while building */
  for (unsigned i = 0; i < NODES; i++) {
    uint64_t r = rng_next(rng);
    gnode *n = (r % 10 == 0) ? gc_alloc_typed(&gnode_type, sizeof(gnode))
                             : gc_alloc(r % 500 == 1 ? 40000 : sizeof(gnode));
    n->id = i;
    n->check = checksum(i);
    all[i] = n;
  }
  /* Edges point backwards and forwards at random. */
  for (unsigned i = 0; i < NODES; i++)
    for (int e = 0; e < EDGES; e++)
      if (rng_next(rng) % 3)
        all[i]->edge[e] = all[rng_next(rng) % NODES];
  gnode **roots = gc_alloc(ROOTS * sizeof(gnode *));
  for (int i = 0; i < ROOTS; i++)
    roots[i] = all[rng_next(rng) % NODES];
  /* An unreachable island: hidden pointers only. */
  *nhidden = 0;
  for (int i = 0; i < 5000; i++) {
    gnode *g = gc_alloc(sizeof(gnode));
    g->id = UINT64_MAX;
    if (i > 0)
      g->edge[0] = reveal(hidden[i - 1]);
    hidden[(*nhidden)++] = hide(g);
  }
  free(all);
  gc_enable();
  return roots;
}

static __attribute__((noinline)) long verify(gnode **roots) {
  bool *seen = calloc(NODES, 1);
  gnode **stack = malloc(NODES * EDGES * sizeof(gnode *) + ROOTS * sizeof(gnode *));
  size_t top = 0;
  long count = 0;
  for (int i = 0; i < ROOTS; i++)
    stack[top++] = roots[i];
  while (top) {
    gnode *n = stack[--top];
    if (n->id >= NODES || n->check != checksum(n->id)) {
      count = -1;
      break;
    }
    if (seen[n->id])
      continue;
    seen[n->id] = true;
    count++;
    for (int e = 0; e < EDGES; e++)
      if (n->edge[e])
        stack[top++] = n->edge[e];
  }
  free(seen);
  free(stack);
  return count;
}

/* Live bytes after a collection that really used `markers` markers (0 if
 * none did).  Helpers join a drain when they wake, so a drain can end
 * before a slow helper (under valgrind, or on a busy machine) takes part:
 * collect again until one has all of them, sleeping in between so that a
 * helper still busy with the last wake-up gets back to its wait.  Under
 * valgrind (GLEANER_VALGRIND), which runs one thread at a time behind an
 * unfair lock, the helper may miss every drain: the last collection is
 * taken as it is (the comparison is then serial against serial; the
 * native runs compare parallel against serial). */
static __attribute__((noinline)) size_t collect_with(unsigned markers) {
  G->cfg.markers = markers;
  for (int attempt = 0; attempt < 50; attempt++) {
    clear_stack_below();
    gc_collect();
    gc_stats st;
    gc_get_stats(&st);
    if (st.markers_used == markers || markers == 1 ||
        (attempt == 49 && getenv("GLEANER_VALGRIND")))
      return st.live_bytes;
    usleep(10000);
  }
  return 0;
}

static int scenario_parallel_equals_serial(void *unused) {
  (void)unused;
  gc_config cfg = {.markers = 2};
  if (gc_init(&cfg) != 0 || gc_type_register(&gnode_type) != 0)
    return 2;
  uint64_t rng = seed | 1;
  static uintptr_t hidden[5000];
  size_t nhidden;
  gnode **roots = build(&rng, hidden, &nhidden);
  long before = verify(roots);
  if (before <= 0)
    return 3;
  size_t live2 = collect_with(2);
  size_t live1 = collect_with(1);
  size_t live2b = collect_with(2);
  printf("# reachable %ld nodes; live bytes: 2 markers %zu, 1 marker %zu, 2 markers %zu\n",
         before, live2, live1, live2b);
  if (live2 == 0 || live2 != live1 || live2b != live1)
    return 4;
  if (verify(roots) != before)
    return 5;
  size_t survivors = 0;
  for (size_t i = 0; i < nhidden; i++)
    survivors += is_live(hidden[i]);
  printf("# unreachable island: %zu of %zu survive (stale words)\n", survivors, nhidden);
  return survivors * 10 < nhidden ? 0 : 6;
}

static void parallel_marking_keeps_what_serial_keeps(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_parallel_equals_serial, NULL), 0);
}

/* Mutators allocating while other threads collect with two markers. */
static void *allocate_lists(void *arg) {
  atomic_int *stop = arg;
  uint64_t rng = seed ^ (uint64_t)(uintptr_t)&rng;
  gnode *keep = NULL;
  unsigned kept = 0;
  while (!atomic_load(stop)) {
    gnode *n = gc_alloc(sizeof(gnode));
    n->id = kept;
    n->check = checksum(kept);
    n->edge[0] = keep;
    keep = n;
    if (++kept == 20000) {
      for (gnode *c = keep; c; c = c->edge[0])
        if (c->check != checksum(c->id) || c->id != --kept)
          return (void *)1;
      keep = NULL;
    }
    if (rng_next(&rng) % 20000 == 0)
      gc_collect();
  }
  return NULL;
}

static int scenario_mutators_and_markers(void *unused) {
  (void)unused;
  gc_config cfg = {.markers = 2};
  if (gc_init(&cfg) != 0 || gc_type_register(&gnode_type) != 0)
    return 2;
  uint64_t rng = seed | 1;
  static uintptr_t hidden[5000];
  size_t nhidden;
  gnode **roots = build(&rng, hidden, &nhidden);
  long before = verify(roots);
  atomic_int stop = 0;
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    if (gc_pthread_create(&t[i], NULL, allocate_lists, &stop) != 0)
      return 3;
  for (int i = 0; i < 20; i++)
    gc_collect();
  atomic_store(&stop, 1);
  int rc = 0;
  for (int i = 0; i < 3; i++) {
    void *rv;
    gc_pthread_join(t[i], &rv);
    if (rv)
      rc = 4;
  }
  gc_stats st;
  gc_get_stats(&st);
  printf("# %llu collections, markers used last %u\n", (unsigned long long)st.collections,
         st.markers_used);
  return rc ? rc : verify(roots) == before ? 0 : 5;
}

static void mutators_run_between_parallel_collections(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_mutators_and_markers, NULL), 0);
}

int main(void) {
  seed = test_seed("test_threads_mark");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parallel_marking_keeps_what_serial_keeps),
      cmocka_unit_test(mutators_run_between_parallel_collections),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
