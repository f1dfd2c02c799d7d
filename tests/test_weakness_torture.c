/*
 * test_weakness_torture.c — random object graphs with finalizers
 * (ordered, unordered, and the layer-only no-order and unreachable kinds),
 * short and long links and ephemerons, checked after one collection
 * against an independent model of the rules in docs/finalization.md:
 *   M1 = reach(roots)                       short links cleared ⇔ target ∉ M1
 *   U  = unordered finalizable ∉ M1
 *   M2 = reach(M1 ∪ contents of ordered and unreachable finalizable ∉ M1)
 *   O  = ordered and no-order finalizable ∉ M2
 *   M2'= reach(M2 ∪ U ∪ O)
 *   R  = unreachable finalizable ∉ M2'      finalizers run = U ∪ O ∪ R
 *   M3 = reach(M2' ∪ R)                     long links cleared ⇔ target ∉ M3
 *                                           ephemeron cleared ⇔ key ∉ M3
 * where reach() follows object slots and, for ephemerons, key → value.
 * Nodes are precise objects (exact slots only) so no stray word can keep
 * one alive; the test names them through hidden addresses
 * (weak_test_support.h).  Prints its seed; replay with TORTURE_SEED=n.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "finalize.h"
#include "gc_state.h"
#include "weak_test_support.h"

#define N 160
#define EDGES 3
#define EPHS 40
#define ROOTS 8
#define ROUNDS 25

typedef struct tnode {
  struct tnode *slot[EDGES];
  uintptr_t id;
} tnode;
static const uint64_t tnode_bitmap[1] = {(1u << EDGES) - 1};
static gc_type tnode_type = {.name = "tnode", .size = sizeof(tnode),
                             .pointer_bitmap = tnode_bitmap, .bitmap_words = 1};

enum { FIN_NONE, FIN_ORDERED, FIN_UNORDERED, FIN_NO_ORDER, FIN_UNREACHABLE };

/* The model (plain memory, never scanned). */
static struct {
  int edge[N][EDGES];          /* -1: no edge */
  int fin[N];
  int short_link[N], long_link[N];
  int eph_key[EPHS], eph_value[EPHS];
  int root[ROOTS];
} m;

static uintptr_t hidden[N];     /* node addresses, hidden */
static void **short_links, **long_links; /* malloc: one per node */
static uintptr_t id_base;
static unsigned char ran[N];

/* Roots the collector sees: a conservative array of root nodes and one of
 * ephemerons (kept in volatile statics so the stores stay). */
static tnode **volatile root_array;
static gc_ephemeron **volatile eph_array;
static tnode **volatile build_array; /* every node, while building */

static uint64_t rng_state;
static unsigned rnd(unsigned n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state % n);
}

static void record(void *obj, void *data) {
  uintptr_t id = (uintptr_t)data;
  assert_int_equal(((tnode *)obj)->id, id);
  if (id >= id_base && id < id_base + N)
    ran[id - id_base]++;
}

static void random_model(void) {
  for (int i = 0; i < N; i++) {
    for (int e = 0; e < EDGES; e++)
      m.edge[i][e] = rnd(3) ? (int)rnd(N) : -1;
    unsigned f = rnd(10);
    static const int kinds[10] = {FIN_ORDERED,     FIN_ORDERED, FIN_UNORDERED, FIN_NO_ORDER,
                                  FIN_UNREACHABLE, FIN_NONE,    FIN_NONE,      FIN_NONE,
                                  FIN_NONE,        FIN_NONE};
    m.fin[i] = kinds[f];
    m.short_link[i] = rnd(3) == 0;
    m.long_link[i] = rnd(3) == 0;
  }
  for (int k = 0; k < EPHS; k++) {
    m.eph_key[k] = (int)rnd(N);
    m.eph_value[k] = (int)rnd(N);
  }
  for (int r = 0; r < ROOTS; r++)
    m.root[r] = (int)rnd(N);
}

/* Everything stays reachable through build_array while it is made. */
__attribute__((noinline)) static void build(void) {
  build_array = gc_alloc(N * sizeof(tnode *));
  root_array = gc_alloc(ROOTS * sizeof(tnode *));
  eph_array = gc_alloc(EPHS * sizeof(gc_ephemeron *));
  assert_non_null(build_array);
  for (int i = 0; i < N; i++) {
    build_array[i] = gc_alloc_typed(&tnode_type, sizeof(tnode));
    assert_non_null(build_array[i]);
    build_array[i]->id = id_base + (uintptr_t)i;
    hidden[i] = HIDE(build_array[i]);
  }
  for (int i = 0; i < N; i++) {
    tnode *n = build_array[i];
    for (int e = 0; e < EDGES; e++)
      n->slot[e] = m.edge[i][e] < 0 ? NULL : build_array[m.edge[i][e]];
    void *data = (void *)n->id;
    if (m.fin[i] == FIN_ORDERED)
      gc_register_finalizer(n, record, data, NULL, NULL);
    else if (m.fin[i] == FIN_UNORDERED)
      gc_register_finalizer_unordered(n, record, data, NULL, NULL);
    else if (m.fin[i] == FIN_NO_ORDER)
      finalize_register_no_order(n, record, data, NULL, NULL);
    else if (m.fin[i] == FIN_UNREACHABLE)
      finalize_register_unreachable(n, record, data, NULL, NULL);
    short_links[i] = long_links[i] = n;
    if (m.short_link[i])
      assert_int_equal(gc_weak_link(&short_links[i], n), 0);
    if (m.long_link[i])
      assert_int_equal(gc_weak_link_long(&long_links[i], n), 0);
  }
  for (int k = 0; k < EPHS; k++) {
    eph_array[k] = gc_ephemeron_new(build_array[m.eph_key[k]], build_array[m.eph_value[k]]);
    assert_non_null(eph_array[k]);
  }
  for (int r = 0; r < ROOTS; r++)
    root_array[r] = build_array[m.root[r]];
  build_array = NULL;
}

/* reach(): closure over slots and ephemerons (key reached → value). */
static void reach(unsigned char *in) {
  int changed = 1;
  while (changed) {
    changed = 0;
    for (int i = 0; i < N; i++) {
      if (!in[i])
        continue;
      for (int e = 0; e < EDGES; e++)
        if (m.edge[i][e] >= 0 && !in[m.edge[i][e]])
          in[m.edge[i][e]] = changed = 1;
    }
    for (int k = 0; k < EPHS; k++)
      if (in[m.eph_key[k]] && !in[m.eph_value[k]])
        in[m.eph_value[k]] = changed = 1;
  }
}

static void expected(unsigned char *m1, unsigned char *m3, unsigned char *runs) {
  memset(m1, 0, N);
  for (int r = 0; r < ROOTS; r++)
    m1[m.root[r]] = 1;
  reach(m1);
  unsigned char m2[N];
  memcpy(m2, m1, N);
  for (int i = 0; i < N; i++)
    if ((m.fin[i] == FIN_ORDERED || m.fin[i] == FIN_UNREACHABLE) && !m1[i])
      for (int e = 0; e < EDGES; e++)
        if (m.edge[i][e] >= 0)
          m2[m.edge[i][e]] = 1;
  reach(m2);
  unsigned char m2q[N]; /* M2' */
  memcpy(m2q, m2, N);
  for (int i = 0; i < N; i++) {
    runs[i] = (m.fin[i] == FIN_UNORDERED && !m1[i]) ||
              ((m.fin[i] == FIN_ORDERED || m.fin[i] == FIN_NO_ORDER) && !m2[i]);
    if (runs[i])
      m2q[i] = 1;
  }
  reach(m2q);
  memcpy(m3, m2q, N);
  for (int i = 0; i < N; i++)
    if (m.fin[i] == FIN_UNREACHABLE && !m2q[i])
      runs[i] = m3[i] = 1;
  reach(m3);
}

__attribute__((noinline)) static int node_intact(int i) {
  tnode *n = UNHIDE(hidden[i]);
  return n->id == id_base + (uintptr_t)i;
}

__attribute__((noinline)) static uintptr_t eph_key_hidden(int k) {
  void *key = gc_ephemeron_key(eph_array[k]);
  return key ? HIDE(key) : 0;
}

__attribute__((noinline)) static uintptr_t eph_value_hidden(int k) {
  void *v = gc_ephemeron_value(eph_array[k]);
  return v ? HIDE(v) : 0;
}

static void check_round(void) {
  unsigned char m1[N], m3[N], runs[N];
  expected(m1, m3, runs);
  for (int i = 0; i < N; i++) {
    if (m.short_link[i]) {
      if (m1[i])
        assert_int_equal(HIDE(short_links[i]), hidden[i]);
      else
        assert_null(short_links[i]);
    }
    if (m.long_link[i]) {
      if (m3[i])
        assert_int_equal(HIDE(long_links[i]), hidden[i]);
      else
        assert_null(long_links[i]);
    }
    if (m3[i])
      assert_true(node_intact(i));
  }
  for (int k = 0; k < EPHS; k++) {
    if (m3[m.eph_key[k]]) {
      assert_int_equal(eph_key_hidden(k), hidden[m.eph_key[k]]);
      assert_int_equal(eph_value_hidden(k), hidden[m.eph_value[k]]);
    } else {
      assert_int_equal(eph_key_hidden(k), 0);
      assert_int_equal(eph_value_hidden(k), 0);
    }
  }
  gc_run_finalizers();
  for (int i = 0; i < N; i++)
    assert_int_equal(ran[i], runs[i]);
}

static void end_round(void) {
  for (int i = 0; i < N; i++) {
    gc_weak_unlink(&short_links[i]);
    gc_weak_unlink(&long_links[i]);
  }
  root_array = NULL;
  eph_array = NULL;
}

static void test_random_graphs(void **state) {
  (void)state;
  assert_int_equal(gc_type_register(&tnode_type), 0);
  G->cfg.finalize_on_demand = 1;
  gc_set_warn_handler(counting_warn); /* finalization cycles are expected */
  short_links = calloc(N, sizeof(void *));
  long_links = calloc(N, sizeof(void *));
  for (int round = 0; round < ROUNDS; round++) {
    id_base = 1000000 + (uintptr_t)round * N;
    memset(ran, 0, sizeof ran);
    random_model();
    build();
    collect_clean();
    check_round();
    end_round();
  }
  free(short_links);
  free(long_links);
}

int main(void) {
  const char *env = getenv("TORTURE_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
  printf("test_weakness_torture: seed %llu (TORTURE_SEED to replay)\n",
         (unsigned long long)seed);
  rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
  /* The model names nodes by their addresses, so nodes must not move;
   * weak tables under compaction: test_weak_visit, test_compact. */
  setenv("GLEANER_COMPACT", "0", 0);
  gc_init(NULL);
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_graphs)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
