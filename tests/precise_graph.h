/*
 * precise_graph.h — shared by the compaction tests: two precise node types
 * (one traced by a function, one by a bitmap), and random graphs of them
 * mutated against a shadow model (contents, graph shape and identity: a
 * node reached twice must be the same address both times).  The seed is
 * printed; COMPACT_SEED=n replays a run.
 */
#ifndef PRECISE_GRAPH_H
#define PRECISE_GRAPH_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "gc_state.h"
#include "precise_helpers.h"

/* node: {id, value, nkids, kids[nkids]} traced by a function; pair: the
 * same layout with two kids, described by a bitmap. */
typedef struct node {
  uint64_t id;
  uint64_t value;
  uint64_t nkids;
  struct node *kids[];
} node;

static size_t node_size(const void *o) {
  return sizeof(node) + ((const node *)o)->nkids * sizeof(node *);
}
static void node_trace(void *o, gc_visit_fn visit, void *ctx) {
  node *n = o;
  for (uint64_t i = 0; i < n->nkids; i++)
    visit((void **)&n->kids[i], ctx);
}
static gc_type node_type = {.name = "node", .size = sizeof(node), .size_fn = node_size,
                            .trace = node_trace};
static const uint64_t pair_bitmap[1] = {(1u << 3) | (1u << 4)};
static gc_type pair_type = {.name = "pair", .size = sizeof(node) + 2 * sizeof(node *),
                            .pointer_bitmap = pair_bitmap, .bitmap_words = 1};

static node *new_node(uint64_t id, uint64_t nkids) {
  node *n = gc_alloc_typed(&node_type, sizeof(node) + nkids * sizeof(node *));
  assert_non_null(n);
  n->id = id;
  n->value = id * 7919 + 13;
  n->nkids = nkids;
  return n;
}

static node *new_pair(uint64_t id) {
  node *n = gc_alloc_typed(&pair_type, pair_type.size);
  assert_non_null(n);
  n->id = id;
  n->value = id * 7919 + 13;
  n->nkids = 2;
  return n;
}

static void check_node(const node *n, uint64_t id) {
  assert_non_null(n);
  assert_int_equal(n->id, id);
  assert_int_equal(n->value, id * 7919 + 13);
  assert_ptr_equal(gc_base(n), n);
  const gc_type *t = gc_type_of(n);
  assert_true(t == &node_type || t == &pair_type);
}


#define R_NODES 20000
#define R_ROOTS 48
#define R_OPS 30000
#define MAX_KIDS 4

typedef struct shadow {
  int64_t kids[R_NODES][MAX_KIDS];
  uint64_t nkids[R_NODES];
  uint64_t hash[R_NODES];     /* 0: not asked yet */
  int64_t root[R_ROOTS];      /* node id or -1 */
  uint64_t count;             /* nodes created */
  node *seen[R_NODES];        /* verification: id -> address this pass */
  unsigned seen_pass[R_NODES];
  unsigned pass;
} shadow;

static uint64_t rng_state;
static inline uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Verify the subgraph reachable from n against the model; returns the
 * number of nodes visited.  Shared nodes must be the same address
 * (identity), and every kid must match. */
static size_t verify_from(shadow *sh, node *start, int64_t id, node **stack, int64_t *ids) {
  size_t top = 0, visited = 0;
  stack[top] = start;
  ids[top++] = id;
  while (top) {
    node *n = stack[--top];
    int64_t nid = ids[top];
    if (nid < 0) {
      assert_null(n);
      continue;
    }
    assert_non_null(n);
    if (sh->seen_pass[nid] == sh->pass) {
      assert_ptr_equal(sh->seen[nid], n);
      continue;
    }
    sh->seen_pass[nid] = sh->pass;
    sh->seen[nid] = n;
    visited++;
    check_node(n, (uint64_t)nid);
    assert_int_equal(n->nkids, sh->nkids[nid]);
    if (sh->hash[nid])
      assert_int_equal(gc_identity_hash(n), sh->hash[nid]);
    for (uint64_t k = 0; k < n->nkids; k++) {
      stack[top] = n->kids[k];
      ids[top++] = sh->kids[nid][k];
    }
  }
  return visited;
}

static void verify_all(shadow *sh, void **roots, node **stack, int64_t *ids) {
  sh->pass++;
  for (int r = 0; r < R_ROOTS; r++)
    verify_from(sh, roots[r], sh->root[r], stack, ids);
}

/* One random mutation.  Addresses read into locals are pinned while they
 * sit on the stack, which is exactly the rule under test. */
static void random_op(shadow *sh, void **roots) {
  int r = (int)(rnd() % R_ROOTS);
  uint64_t op = rnd() % 10;
  if (op < 5 && sh->count < R_NODES) { /* new node, kids from roots */
    uint64_t id = sh->count++;
    bool pair = rnd() % 3 == 0;
    uint64_t nk = pair ? 2 : rnd() % (MAX_KIDS + 1);
    node *n = pair ? new_pair(id) : new_node(id, nk);
    for (uint64_t k = 0; k < nk; k++) {
      int from = (int)(rnd() % R_ROOTS);
      GC_STORE(n, n->kids[k], roots[from]);
      sh->kids[id][k] = sh->root[from];
    }
    sh->nkids[id] = nk;
    if (rnd() % 4 == 0)
      sh->hash[id] = gc_identity_hash(n);
    roots[r] = n;
    sh->root[r] = (int64_t)id;
  } else if (op < 7) { /* root := kid of another root */
    int from = (int)(rnd() % R_ROOTS);
    node *f = roots[from];
    if (f && f->nkids) {
      uint64_t k = rnd() % f->nkids;
      roots[r] = f->kids[k];
      sh->root[r] = sh->kids[sh->root[from]][k];
    }
  } else if (op < 9) { /* edge := another root */
    node *t = roots[r];
    if (t && t->nkids) {
      int from = (int)(rnd() % R_ROOTS);
      uint64_t k = rnd() % t->nkids;
      GC_STORE(t, t->kids[k], roots[from]);
      sh->kids[sh->root[r]][k] = sh->root[from];
    }
  } else { /* drop */
    roots[r] = NULL;
    sh->root[r] = -1;
  }
}

/* The random-graph run: R_OPS mutations checked against the model every
 * 200; `stress` collections every that many allocations (0: normal
 * pacing), `garbage` bytes of garbage allocated per mutation (to drive
 * the pacer and incremental cycles).  Returns the objects moved before
 * the final full collections. */
static uint64_t run_random_graphs(unsigned stress, size_t garbage) {
  const char *env = getenv("COMPACT_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 10)
                      : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
  print_message("random graphs: seed %llu (replay with COMPACT_SEED=%llu)\n",
                (unsigned long long)seed, (unsigned long long)seed);
  rng_state = seed * 2654435761u + 1;
  shadow *sh = calloc(1, sizeof *sh);
  for (int r = 0; r < R_ROOTS; r++)
    sh->root[r] = -1;
  /* Half the roots in an off-stack shadow frame, half as gc_root_add. */
  void **roots = calloc(R_ROOTS, sizeof(void *));
  gc_frame **top = gc_frame_top();
  gc_frame frame = {*top, R_ROOTS / 2, roots};
  *top = &frame;
  for (int r = R_ROOTS / 2; r < R_ROOTS; r++)
    gc_root_add(&roots[r]);
  node **stack = malloc(sizeof(node *) * R_NODES * (MAX_KIDS + 1));
  int64_t *ids = malloc(sizeof(int64_t) * R_NODES * (MAX_KIDS + 1));

  gc_stats s0, s1;
  gc_get_stats(&s0);
  unsigned saved_stress = G->cfg.stress;
  G->cfg.stress = stress;
  for (int i = 0; i < R_OPS; i++) {
    random_op(sh, roots);
    if (garbage) {
      node *junk = gc_alloc_typed(&node_type, garbage);
      assert_non_null(junk);
    }
    if (i % 200 == 199)
      verify_all(sh, roots, stack, ids);
  }
  G->cfg.stress = saved_stress;
  gc_stats mid;
  gc_get_stats(&mid);
  compact_now();
  verify_all(sh, roots, stack, ids);
  gc_get_stats(&s1);
  print_message("random graphs: %llu nodes, %llu objects moved\n",
                (unsigned long long)sh->count,
                (unsigned long long)(s1.objects_moved - s0.objects_moved));
  assert_true(s1.objects_moved > s0.objects_moved);

  *top = frame.prev;
  for (int r = R_ROOTS / 2; r < R_ROOTS; r++)
    gc_root_remove(&roots[r]);
  free(roots);
  free(stack);
  free(ids);
  free(sh);
  return mid.objects_moved - s0.objects_moved;
}

#endif
