/*
 * test_threads_torture.c — N mutator threads (2 to 16) building and
 * mutating private and shared graphs against a shadow model, with
 * collections started from every thread, in normal and stress mode.
 *
 * The model.  Every node carries its id, a version and a payload that is
 * a hash of both, and for each edge the id of the node it should reach.
 * A node is private to its creating thread (which may relink or modify
 * it; its expected version is in that thread's shadow table) until it is
 * published: publishing makes the node and everything it reaches
 * immutable, and only then is it stored in the shared table (under a
 * mutex), from which any thread may fetch it.  Each thread walks its
 * reachable graph now and then and checks every node against the model:
 * a node reclaimed while reachable is reused by a later allocation (or
 * zeroed), so its id, payload or version stops matching.
 *
 * Seed: printed; GLEANER_TEST_SEED=n replays.  Each scenario runs in a
 * child process with its own collector configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "threads_util.h"

#define SLOTS 48
#define SHARED 64
#define EDGES 3

typedef struct node {
  uint64_t id;
  uint64_t version;
  uint64_t payload[2];
  struct node *edge[EDGES];
  uint64_t edge_id[EDGES];
  uint64_t published;
} node;

typedef struct scenario {
  unsigned threads;
  unsigned ops;
  unsigned stress;
  unsigned collect_one_in; /* each op collects with probability 1/n */
} scenario;

static node **shared;          /* in the heap; the pointer is in .bss: a root */
static uint64_t shared_id[SHARED];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long base_seed;
static const scenario *current;

/* Under ThreadSanitizer a thread blocked in pthread_mutex_lock cannot take
 * the collector's suspend signal (TSan delivers signals only on leaving an
 * intercepted call), so it would wait forever for a holder that is itself
 * stopped: TSan builds wait with trylock and a sleep (tests/threads.mk). */
static void lock_shared(void) {
#if defined(__SANITIZE_THREAD__)
  while (pthread_mutex_trylock(&shared_lock) != 0)
    usleep(10);
#else
  pthread_mutex_lock(&shared_lock);
#endif
}

static uint64_t hash2(uint64_t a, uint64_t b) {
  uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
  x ^= x >> 31;
  return x * 0xBF58476D1CE4E5B9ull;
}

typedef struct worker {
  unsigned index;
  uint64_t rng;
  uint64_t serial;
  uint64_t *versions;   /* shadow: expected version per serial (malloc) */
  uint64_t capacity;
  uint64_t slot_id[SLOTS];
  /* verification scratch (malloc: never scanned) */
  node **stack;
  size_t stack_cap;
  uintptr_t *seen;
  size_t seen_cap;
  unsigned long failures;
  char message[256];
} worker;

static void model_fail(worker *w, const char *fmt, unsigned long long a, unsigned long long b) {
  if (w->failures++ == 0)
    snprintf(w->message, sizeof w->message, fmt, a, b);
}

static unsigned owner_of(uint64_t id) { return (unsigned)(id >> 40) - 1; }
static uint64_t serial_of(uint64_t id) { return id & ((1ull << 40) - 1); }

static node *new_node(worker *w) {
  node *n = gc_alloc(sizeof(node));
  if (!n)
    return NULL;
  uint64_t serial = ++w->serial;
  if (serial >= w->capacity) {
    w->capacity = w->capacity ? w->capacity * 2 : 4096;
    w->versions = realloc(w->versions, w->capacity * sizeof(uint64_t));
  }
  w->versions[serial] = 0;
  n->id = ((uint64_t)(w->index + 1) << 40) | serial;
  n->payload[0] = hash2(n->id, 0);
  n->payload[1] = ~n->payload[0];
  return n;
}

static bool mine_and_private(worker *w, node *n) {
  return n && !n->published && owner_of(n->id) == w->index;
}

/* Make n and everything it reaches immutable (only w's own private nodes
 * can be reached that are not published yet). */
static void publish(worker *w, node *root) {
  size_t top = 0;
  w->stack[top++] = root;
  while (top) {
    node *n = w->stack[--top];
    if (!n || n->published)
      continue;
    n->published = 1;
    for (int e = 0; e < EDGES; e++) {
      if (top == w->stack_cap) {
        w->stack_cap *= 2;
        w->stack = realloc(w->stack, w->stack_cap * sizeof(node *));
      }
      w->stack[top++] = n->edge[e];
    }
  }
}

/* Visited set: open addressing on addresses, cleared per walk. */
static bool visit(worker *w, node *n, size_t *used) {
  if (*used * 2 >= w->seen_cap) {
    /* grow: rehash */
    size_t old_cap = w->seen_cap;
    uintptr_t *old = w->seen;
    w->seen_cap *= 2;
    w->seen = calloc(w->seen_cap, sizeof(uintptr_t));
    for (size_t i = 0; i < old_cap; i++) {
      if (!old[i])
        continue;
      size_t h = (size_t)(hash2(old[i], 1) & (w->seen_cap - 1));
      while (w->seen[h])
        h = (h + 1) & (w->seen_cap - 1);
      w->seen[h] = old[i];
    }
    free(old);
  }
  uintptr_t key = (uintptr_t)n;
  size_t h = (size_t)(hash2(key, 1) & (w->seen_cap - 1));
  while (w->seen[h]) {
    if (w->seen[h] == key)
      return false;
    h = (h + 1) & (w->seen_cap - 1);
  }
  w->seen[h] = key;
  (*used)++;
  return true;
}

static void check_node(worker *w, node *n, uint64_t expect_id) {
  if (n->id != expect_id) {
    model_fail(w, "node id %llx, expected %llx (reclaimed while reachable?)",
         (unsigned long long)n->id, (unsigned long long)expect_id);
    return;
  }
  if (n->payload[0] != hash2(n->id, n->version) || n->payload[1] != ~n->payload[0])
    model_fail(w, "node %llx: payload does not match version %llu", (unsigned long long)n->id,
         (unsigned long long)n->version);
  if (!n->published && owner_of(n->id) == w->index &&
      w->versions[serial_of(n->id)] != n->version)
    model_fail(w, "node %llx: version %llu differs from the model", (unsigned long long)n->id,
         (unsigned long long)n->version);
}

static void verify(worker *w, node **slots) {
  memset(w->seen, 0, w->seen_cap * sizeof(uintptr_t));
  size_t used = 0, top = 0;
  for (int i = 0; i < SLOTS; i++) {
    if (!slots[i])
      continue;
    check_node(w, slots[i], w->slot_id[i]);
    w->stack[top++] = slots[i];
    while (top) {
      node *n = w->stack[--top];
      if (!visit(w, n, &used))
        continue;
      for (int e = 0; e < EDGES; e++) {
        node *t = n->edge[e];
        if (!t)
          continue;
        check_node(w, t, n->edge_id[e]);
        if (top == w->stack_cap) {
          w->stack_cap *= 2;
          w->stack = realloc(w->stack, w->stack_cap * sizeof(node *));
        }
        w->stack[top++] = t;
      }
    }
  }
}

static void step(worker *w, node **slots) {
  uint64_t r = rng_next(&w->rng);
  unsigned a = (unsigned)(r >> 8) % SLOTS, b = (unsigned)(r >> 20) % SLOTS;
  unsigned e = (unsigned)(r >> 32) % EDGES, s = (unsigned)(r >> 40) % SHARED;
  switch ((unsigned)r % 100) {
  case 0 ... 24: {
    node *n = new_node(w);
    if (!n) {
      model_fail(w, "allocation failed (%llu, %llu)", 0, 0);
      return;
    }
    slots[a] = n;
    w->slot_id[a] = n->id;
    break;
  }
  case 25 ... 44:
    if (mine_and_private(w, slots[a])) {
      slots[a]->edge[e] = slots[b];
      slots[a]->edge_id[e] = slots[b] ? w->slot_id[b] : 0;
    }
    break;
  case 45 ... 54:
    if (mine_and_private(w, slots[a])) {
      node *n = slots[a];
      n->version++;
      n->payload[0] = hash2(n->id, n->version);
      n->payload[1] = ~n->payload[0];
      w->versions[serial_of(n->id)] = n->version;
    }
    break;
  case 55 ... 59:
    slots[a] = NULL;
    w->slot_id[a] = 0;
    break;
  case 60 ... 64:
    if (slots[a] && slots[a]->edge[e]) {
      w->slot_id[a] = slots[a]->edge_id[e];
      slots[a] = slots[a]->edge[e];
    }
    break;
  case 65 ... 71:
    if (slots[a]) {
      publish(w, slots[a]);
      lock_shared();
      shared[s] = slots[a];
      shared_id[s] = w->slot_id[a];
      pthread_mutex_unlock(&shared_lock);
    }
    break;
  case 72 ... 79:
    lock_shared();
    slots[a] = shared[s];
    w->slot_id[a] = shared_id[s];
    pthread_mutex_unlock(&shared_lock);
    break;
  case 80:
    verify(w, slots);
    break;
  default: {
    /* garbage of assorted sizes, some large */
    size_t n = 16 + (size_t)(r >> 48) % (r & 0x100 ? 40000 : 600);
    char *g = (r & 0x200) ? gc_alloc_atomic(n) : gc_alloc(n);
    if (g)
      g[n - 1] = 1;
    break;
  }
  }
  if (current->collect_one_in && rng_next(&w->rng) % current->collect_one_in == 0)
    gc_collect();
}

static void *worker_main(void *arg) {
  worker *w = arg;
  node **slots = gc_alloc(SLOTS * sizeof(node *)); /* only this stack holds it */
  for (unsigned i = 0; i < current->ops && w->failures == 0; i++)
    step(w, slots);
  verify(w, slots);
  return NULL;
}

static int run_scenario(void *arg) {
  current = arg;
  gc_config cfg = {.stress = current->stress, .max_heap = (size_t)1 << 30};
  if (gc_init(&cfg) != 0)
    return 2;
  shared = gc_alloc(SHARED * sizeof(node *));
  unsigned n = current->threads;
  pthread_t tid[16];
  worker *w = calloc(n, sizeof(worker));
  for (unsigned i = 0; i < n; i++) {
    w[i].index = i;
    w[i].rng = hash2(base_seed, i + 1) | 1;
    w[i].stack_cap = 1024;
    w[i].stack = malloc(w[i].stack_cap * sizeof(node *));
    w[i].seen_cap = 4096;
    w[i].seen = calloc(w[i].seen_cap, sizeof(uintptr_t));
    if (gc_pthread_create(&tid[i], NULL, worker_main, &w[i]) != 0)
      return 3;
  }
  int rc = 0;
  for (unsigned i = 0; i < n; i++) {
    gc_pthread_join(tid[i], NULL);
    if (w[i].failures) {
      fprintf(stderr, "thread %u: %lu failures; first: %s\n", i, w[i].failures, w[i].message);
      rc = 1;
    }
  }
  /* The shared table, checked once more by one thread after everything. */
  worker check = {.index = 99, .stack_cap = 1024, .seen_cap = 4096};
  check.stack = malloc(check.stack_cap * sizeof(node *));
  check.seen = calloc(check.seen_cap, sizeof(uintptr_t));
  gc_collect();
  for (int i = 0; i < SHARED; i += SLOTS) {
    node *slots[SLOTS] = {0};
    for (int j = 0; j < SLOTS && i + j < SHARED; j++) {
      slots[j] = shared[i + j];
      check.slot_id[j] = shared_id[i + j];
    }
    verify(&check, slots);
  }
  if (check.failures) {
    fprintf(stderr, "shared table: %lu failures; first: %s\n", check.failures, check.message);
    rc = 1;
  }
  gc_stats st;
  gc_get_stats(&st);
  printf("# %u threads, stress %u: %llu collections, stop-the-world max %.1f us, markers %u\n",
         n, current->stress, (unsigned long long)st.collections, st.stw_max_ns / 1e3,
         st.markers_used);
  if (st.collections == 0)
    rc = 4;
  return rc;
}

#define SCENARIO(name, ...)                                                  \
  static void name(void **state) {                                          \
    (void)state;                                                            \
    static const scenario s = {__VA_ARGS__};                                \
    assert_int_equal(run_in_child(run_scenario, (void *)&s), 0);            \
  }

SCENARIO(torture_2_threads, .threads = 2, .ops = 60000, .collect_one_in = 200)
SCENARIO(torture_4_threads, .threads = 4, .ops = 40000, .collect_one_in = 200)
SCENARIO(torture_8_threads, .threads = 8, .ops = 20000, .collect_one_in = 200)
SCENARIO(torture_16_threads, .threads = 16, .ops = 10000, .collect_one_in = 250)
SCENARIO(torture_4_threads_stress, .threads = 4, .ops = 10000, .stress = 40)
SCENARIO(torture_16_threads_stress, .threads = 16, .ops = 4000, .stress = 100)

int main(void) {
  base_seed = test_seed("test_threads_torture");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(torture_2_threads),        cmocka_unit_test(torture_4_threads),
      cmocka_unit_test(torture_8_threads),        cmocka_unit_test(torture_16_threads),
      cmocka_unit_test(torture_4_threads_stress), cmocka_unit_test(torture_16_threads_stress),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
