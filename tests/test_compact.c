/*
 * test_compact.c — the compactor and pinning rules.
 *
 * Every test runs with the candidate threshold at 100 %, so every precise
 * block measured by the previous cycle is evacuated: anything that may
 * move does move, and anything that must stay is put to the test.
 *
 *   - named from the stack and from an exact slot: never moves;
 *   - named only exactly (heap slots, gc_root_add slots, shadow-stack
 *     frames): moves, and every slot follows;
 *   - named from inside a conservative gc_alloc object: never moves;
 *   - gc_pin'ed objects stay put (and alive) while their neighbours leave;
 *   - random graphs under stress mode with compaction every cycle, checked
 *     against a shadow model (seed printed; COMPACT_SEED=n replays).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

static int setup(void **state) {
  (void)state;
  gc_init(NULL);
  assert_int_equal(gc_type_register(&node_type), 0);
  assert_int_equal(gc_type_register(&pair_type), 0);
  compact_set_threshold(100);
  return 0;
}

/* ---- named from the stack and an exact slot: never moves -------------- */

static void test_stack_and_exact_slot_pin(void **state) {
  (void)state;
  void **root = calloc(1, sizeof *root);
  gc_root_add(root);
  node *volatile on_stack = new_node(1, 0);
  *root = on_stack;
  node *before = on_stack;
  gc_stats s0, s1;
  gc_get_stats(&s0);
  compact_now();
  gc_get_stats(&s1);
  assert_ptr_equal(on_stack, before);
  assert_ptr_equal(*root, before);
  check_node(on_stack, 1);
  gc_root_remove(root);
  free(root);
}

/* ---- named only exactly: moves, and every slot follows ----------------- */

#define CHAIN 200
typedef struct exact_fixture {
  void **roots;          /* gc_root_add slots, malloc memory */
  void **frame_slots;    /* slots of an off-stack shadow-stack frame */
  gc_frame frame;
  uintptr_t old[CHAIN];  /* hidden old addresses */
  uint64_t hash[CHAIN];  /* identity hashes */
} exact_fixture;

static node *chain_at(exact_fixture *f, int i) {
  return i % 2 ? f->frame_slots[i] : f->roots[i];
}

/* Builds a chain i -> i+1 of pairs, each also named by a root slot (even i)
 * or a frame slot (odd i); leaves no address on the live stack. */
static __attribute__((noinline)) void build_chain(exact_fixture *f) {
  for (int i = CHAIN - 1; i >= 0; i--) {
    node *n = new_pair((uint64_t)i);
    n->kids[0] = i + 1 < CHAIN ? chain_at(f, i + 1) : NULL;
    if (i % 2)
      f->frame_slots[i] = n;
    else
      f->roots[i] = n;
    f->old[i] = hide(n);
    f->hash[i] = gc_identity_hash(n);
  }
}

static void test_exact_only_moves_and_slots_follow(void **state) {
  (void)state;
  exact_fixture *f = calloc(1, sizeof *f);
  f->roots = calloc(CHAIN, sizeof(void *));
  f->frame_slots = calloc(CHAIN, sizeof(void *));
  for (int i = 0; i < CHAIN; i += 2)
    gc_root_add(&f->roots[i]);
  gc_frame **top = gc_frame_top();
  f->frame = (gc_frame){*top, CHAIN, f->frame_slots};
  *top = &f->frame;

  build_chain(f);
  gc_stats s0, s1;
  gc_get_stats(&s0);
  compact_now();
  gc_get_stats(&s1);

  int moved = 0;
  for (int i = 0; i < CHAIN; i++) {
    node *n = chain_at(f, i);
    check_node(n, (uint64_t)i);
    if ((uintptr_t)n != (uintptr_t)unhide(f->old[i]))
      moved++;
    /* The heap slot of the predecessor follows too. */
    if (i > 0)
      assert_ptr_equal(chain_at(f, i - 1)->kids[0], n);
    assert_int_equal(gc_identity_hash(n), f->hash[i]);
  }
  /* A few may be pinned by stale register copies; nearly all must move. */
  print_message("exact-only: %d of %d moved\n", moved, CHAIN);
  assert_true(moved >= CHAIN * 9 / 10);
  assert_true(s1.objects_moved - s0.objects_moved >= (uint64_t)moved);

  *top = f->frame.prev;
  for (int i = 0; i < CHAIN; i += 2)
    gc_root_remove(&f->roots[i]);
  free(f->roots);
  free(f->frame_slots);
  free(f);
}

/* GC_FRAME itself: its slots live on the C stack.  Whether the object
 * moves depends on whether the stack scan also sees that word (the core
 * scans it conservatively today, which pins); either way the slot must
 * name the intact object afterwards. */
static void test_gc_frame_macro_slots_valid(void **state) {
  (void)state;
  GC_FRAME(fr, 3);
  fr[0] = new_node(10, 1);
  fr[1] = new_pair(11);
  ((node *)fr[0])->kids[0] = fr[1];
  compact_now();
  check_node(fr[0], 10);
  check_node(fr[1], 11);
  assert_ptr_equal(((node *)fr[0])->kids[0], fr[1]);
  GC_FRAME_END(fr);
}

/* ---- named from inside a conservative object: never moves -------------- */

static __attribute__((noinline)) void build_conservative_holder(void **root, uintptr_t *old,
                                                                void **exact_root,
                                                                uintptr_t *neighbour) {
  void **holder = gc_alloc(4 * sizeof(void *));
  node *held = new_pair(20);
  node *other = new_pair(21); /* same block, named only exactly */
  holder[1] = held;
  *root = holder;
  *exact_root = other;
  *old = hide(held);
  *neighbour = hide(other);
}

static void test_conservative_reference_pins(void **state) {
  (void)state;
  void **roots = calloc(2, sizeof(void *));
  gc_root_add(&roots[0]);
  gc_root_add(&roots[1]);
  uintptr_t old_held, old_other;
  build_conservative_holder(&roots[0], &old_held, &roots[1], &old_other);
  compact_now();
  void **holder = roots[0];
  assert_ptr_equal(holder[1], unhide(old_held));
  check_node(holder[1], 20);
  check_node(roots[1], 21);
  /* The block was evacuated around it: its exact-only neighbour left. */
  assert_ptr_not_equal(roots[1], unhide(old_other));
  gc_root_remove(&roots[0]);
  gc_root_remove(&roots[1]);
  free(roots);
}

/* ---- gc_pin: pinned objects stay while their neighbours are evacuated -- */

#define PIN_N 128
static __attribute__((noinline)) void build_pin_set(void **slots, uintptr_t *old) {
  for (int i = 0; i < PIN_N; i++) {
    node *n = new_node((uint64_t)(100 + i), 0);
    slots[i] = n;
    old[i] = hide(n);
    if (i % 8 == 0)
      gc_pin(n);
  }
}

static __attribute__((noinline)) void unpin_set(void **slots) {
  for (int i = 0; i < PIN_N; i += 8)
    gc_unpin(slots[i]);
}

static void test_pinned_survive_evacuation(void **state) {
  (void)state;
  void **slots = calloc(PIN_N, sizeof(void *));
  uintptr_t *old = calloc(PIN_N, sizeof(uintptr_t));
  for (int i = 0; i < PIN_N; i++)
    gc_root_add(&slots[i]);
  build_pin_set(slots, old);
  compact_now();
  int neighbours_moved = 0;
  for (int i = 0; i < PIN_N; i++) {
    check_node(slots[i], (uint64_t)(100 + i));
    if (i % 8 == 0)
      assert_ptr_equal(slots[i], unhide(old[i]));
    else if (slots[i] != unhide(old[i]))
      neighbours_moved++;
  }
  assert_true(neighbours_moved >= (PIN_N - PIN_N / 8) * 9 / 10);
  /* Unpinned, the same objects are free to move. */
  unpin_set(slots);
  for (int i = 0; i < PIN_N; i++)
    old[i] = hide(slots[i]);
  compact_now();
  int freed_moved = 0;
  for (int i = 0; i < PIN_N; i++) {
    check_node(slots[i], (uint64_t)(100 + i));
    if (i % 8 == 0 && slots[i] != unhide(old[i]))
      freed_moved++;
  }
  assert_true(freed_moved >= PIN_N / 8 / 2);
  for (int i = 0; i < PIN_N; i++)
    gc_root_remove(&slots[i]);
  free(slots);
  free(old);
}

/* A pin alone keeps its object alive (and in place). */
static __attribute__((noinline)) uintptr_t make_pinned_orphan(void) {
  node *n = new_node(300, 0);
  gc_pin(n);
  gc_pin(n); /* nests */
  return hide(n);
}

static void test_pin_keeps_alive_and_nests(void **state) {
  (void)state;
  uintptr_t h = make_pinned_orphan();
  compact_now();
  check_node(unhide(h), 300);
  gc_unpin(unhide(h));
  compact_now();
  check_node(unhide(h), 300); /* still pinned once */
  gc_unpin(unhide(h));
  capture_begin();
  gc_unpin(unhide(h)); /* one too many */
  capture_end();
  assert_true(captured("without a matching gc_pin"));
}

/* ---- random graphs under stress, against a shadow model ---------------- */

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
static uint64_t rnd(void) {
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
      n->kids[k] = roots[from];
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
      t->kids[k] = roots[from];
      sh->kids[sh->root[r]][k] = sh->root[from];
    }
  } else { /* drop */
    roots[r] = NULL;
    sh->root[r] = -1;
  }
}

static void test_random_graphs_under_stress(void **state) {
  (void)state;
  const char *env = getenv("COMPACT_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
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
  G->cfg.stress = 5; /* a collection (with compaction) every 5 allocations */
  for (int i = 0; i < R_OPS; i++) {
    random_op(sh, roots);
    if (i % 200 == 199)
      verify_all(sh, roots, stack, ids);
  }
  G->cfg.stress = saved_stress;
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
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stack_and_exact_slot_pin),
      cmocka_unit_test(test_exact_only_moves_and_slots_follow),
      cmocka_unit_test(test_gc_frame_macro_slots_valid),
      cmocka_unit_test(test_conservative_reference_pins),
      cmocka_unit_test(test_pinned_survive_evacuation),
      cmocka_unit_test(test_pin_keeps_alive_and_nests),
      cmocka_unit_test(test_random_graphs_under_stress),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
