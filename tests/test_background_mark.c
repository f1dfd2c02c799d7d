/*
 * test_background_mark.c — marking by the helper threads between
 * incremental slices (gc/mark_parallel.c, mark_parallel_background_start)
 * while the program allocates and rewires a graph of several megabytes.
 *
 * The helpers set mark bits while the program allocates (black or white
 * slots claimed in the same bitmap words), frees (gc_free clears a bit),
 * stores into scanned objects, and while slices, pre-cleaning and the
 * remark stop them and take their work back.  GLEANER_VERIFY=1 checks
 * every cycle against an independent traversal (a reachable object left
 * white aborts the child), and a shadow model checks every node's
 * contents after each round: a node freed while reachable and reused
 * shows up as a wrong id or check word.
 *
 * Both barriers: the VM one on unmodified stores, the explicit one with
 * GC_STORE; make test runs it again on the mprotect fallback of the VM
 * barrier (test_background_mark_mprotect), where it found blocks taken
 * during a cycle's PROTECT phase left unprotected (objects lost).  Each runs in a child process with two markers; the test
 * fails if the helpers marked nothing in the background (the scenario
 * would then not test what it is for).
 */
#include <sched.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "gleaner.h"
#include "threads_util.h"

#define SLOTS 60000
#define ROUNDS 16
#define STEPS 100000

typedef struct node {
  struct node *next, *other;
  uint64_t id, other_id, check;
  void *payload; /* atomic buffer: white or black, never scanned */
} node;

static node **table;     /* gc_alloc'ed: the graph's only root is `table` */
static uint64_t *shadow; /* malloc'ed ids, no pointers: not a root */
static uint64_t next_id = 1;
static int explicit_barrier;

static uint64_t check_of(uint64_t id) { return id * 0x9E3779B97F4A7C15ull ^ 0x5bd1e995u; }

#define STORE(obj, field, value)                                                       \
  do {                                                                                 \
    if (explicit_barrier)                                                              \
      GC_STORE(obj, field, value);                                                     \
    else                                                                               \
      (field) = (value);                                                               \
  } while (0)

static node *new_node(uint64_t *rng) {
  node *n = gc_alloc(sizeof(node));
  if (!n)
    return NULL;
  n->id = next_id++;
  n->check = check_of(n->id);
  if (rng_next(rng) % 8 == 0) {
    void *payload = gc_alloc_atomic(64 + rng_next(rng) % 512);
    if (!payload)
      return NULL;
    STORE(n, n->payload, payload);
  }
  return n;
}

/* Replace a slot's node (the old one is kept as `next` or dies, unless
 * another node's `other` holds it), link a node to another (a store into an old,
 * possibly black object), or free a node no slot or link can reach. */
static int step(uint64_t *rng) {
  size_t i = rng_next(rng) % SLOTS, j = rng_next(rng) % SLOTS;
  switch (rng_next(rng) % 4) {
  case 0:
  case 1: {
    node *n = new_node(rng);
    if (!n)
      return -1;
    STORE(n, n->next, rng_next(rng) % 2 ? table[i] : NULL); /* chains of ~2 */
    STORE(table, table[i], n);
    shadow[i] = n->id;
    break;
  }
  case 2: {
    node *a = table[i], *b = table[j];
    STORE(a, a->other, b);
    a->other_id = b->id;
    break;
  }
  case 3: {
    node *n = new_node(rng); /* unreachable at once: freed explicitly */
    if (!n)
      return -1;
    gc_free(n);
    break;
  }
  }
  return 0;
}

static int check_graph(void) {
  for (size_t i = 0; i < SLOTS; i++) {
    const node *n = table[i];
    if (!n || n->id != shadow[i] || n->check != check_of(n->id)) {
      fprintf(stderr, "slot %zu: node %p lost (id %llu, expected %llu)\n", i, (const void *)n,
              n ? (unsigned long long)n->id : 0ull, (unsigned long long)shadow[i]);
      return -1;
    }
    if (n->other && (n->other->id != n->other_id || n->other->check != check_of(n->other_id))) {
      fprintf(stderr, "slot %zu: linked node %p lost\n", i, (const void *)n->other);
      return -1;
    }
    for (const node *c = n->next; c; c = c->next)
      if (c->id >= n->id || c->check != check_of(c->id)) {
        fprintf(stderr, "slot %zu: chained node %p lost (id %llu check %#llx, head id %llu)\n",
                i, (const void *)c, (unsigned long long)c->id, (unsigned long long)c->check,
                (unsigned long long)n->id);
        return -1;
      }
  }
  return 0;
}

static int scenario(void *barrier) {
  explicit_barrier = barrier != NULL;
  setenv("GLEANER_VERIFY", "1", 1);
  gc_config cfg = {.markers = 2,
                   .incremental = 1,
                   .barrier = explicit_barrier ? GC_BARRIER_EXPLICIT : GC_BARRIER_VM,
                   .pause_target_us = 200,
                   .initial_heap = 1 << 20,
                   .free_space_divisor = 16};
  gc_init(&cfg);
  uint64_t rng = test_seed(explicit_barrier ? "explicit barrier" : "VM barrier") | 1;
  table = gc_alloc(SLOTS * sizeof(node *));
  shadow = calloc(SLOTS, sizeof *shadow);
  CHECK(table && shadow);
  for (size_t i = 0; i < SLOTS; i++) {
    node *n = new_node(&rng);
    CHECK(n);
    STORE(table, table[i], n);
    shadow[i] = n->id;
  }
  for (int round = 0; round < ROUNDS; round++) {
    for (int s = 0; s < STEPS; s++)
      CHECK(step(&rng) == 0);
    CHECK(check_graph() == 0);
  }
  /* Ends the cycle under way (verified too): the graph must be intact after. */
  gc_collect();
  CHECK(check_graph() == 0);
  gc_stats st;
  gc_get_stats(&st);
  printf("# %s: %llu collections, %llu KiB marked in the background\n",
         explicit_barrier ? "explicit barrier" : "VM barrier",
         (unsigned long long)st.collections, (unsigned long long)st.background_mark_bytes >> 10);
  CHECK(st.collections >= 3); /* 10-20 on an idle machine, 3-4 under TSan and load */
  /* Background marking needs a core the program leaves idle, and is off
   * under valgrind (make test-valgrind sets GLEANER_VALGRIND), which runs
   * one thread at a time. */
  cpu_set_t cpus;
  bool idle_core = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) >= 2;
  if (idle_core && !getenv("GLEANER_VALGRIND"))
    CHECK(st.background_mark_bytes > 0);
  return 0;
}

static void background_marking_vm_barrier(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario, NULL), 0);
}

static void background_marking_explicit_barrier(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario, (void *)1), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(background_marking_vm_barrier),
      cmocka_unit_test(background_marking_explicit_barrier),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
