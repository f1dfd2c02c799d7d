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
 * Heap stores go through GC_STORE, so the tests also hold under
 * GLEANER_INCREMENTAL=1 with the explicit barrier.
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
#include "precise_graph.h"

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
    GC_STORE(n, n->kids[0], i + 1 < CHAIN ? chain_at(f, i + 1) : NULL);
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
  compact_set_batch_bytes(1024); /* the chain crosses many batches */
  compact_now();
  compact_set_batch_bytes(0);
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
  GC_STORE(fr[0], ((node *)fr[0])->kids[0], fr[1]);
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
  GC_STORE(holder, holder[1], held);
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

/* ---- a root registered inside a precise object ------------------------- */

static __attribute__((noinline)) void build_root_holder(void **slot, uintptr_t *old_holder,
                                                        uintptr_t *old_target) {
  node *holder = new_node(400, 1);
  node *target = new_pair(401);
  GC_STORE(holder, holder->kids[0], target);
  gc_root_add((void **)&holder->kids[0]);
  *slot = holder;
  *old_holder = hide(holder);
  *old_target = hide(target);
}

static void test_root_inside_object_keeps_holder(void **state) {
  (void)state;
  void **slot = calloc(1, sizeof(void *));
  gc_root_add(slot);
  uintptr_t old_holder, old_target;
  build_root_holder(slot, &old_holder, &old_target);
  compact_now();
  node *holder = *slot;
  assert_ptr_equal(holder, unhide(old_holder)); /* the registration names it */
  check_node(holder, 400);
  check_node(holder->kids[0], 401);
  assert_ptr_not_equal(holder->kids[0], unhide(old_target)); /* its target moved */
  gc_root_remove((void **)&holder->kids[0]);
  gc_root_remove(slot);
  free(slot);
}

/* ---- the heap limit leaves no room for all targets ---------------------- */

#define LIMIT_N 100000
static __attribute__((noinline)) void build_long_chain(void **root) {
  for (int i = 0; i < LIMIT_N; i++) {
    node *n = new_pair((uint64_t)i);
    GC_STORE(n, n->kids[0], *root);
    *root = n;
    if (i % 16 == 0)
      gc_pin(n); /* pins all over: few candidates empty, targets run out */
  }
}

static void check_long_chain(void *root, bool unpin) {
  node *n = root;
  for (int i = LIMIT_N - 1; i >= 0; i--) {
    check_node(n, (uint64_t)i);
    node *next = n->kids[0];
    if (unpin && i % 16 == 0)
      gc_unpin(n);
    n = next;
  }
  assert_null(n);
}

static void test_heap_limit_stops_evacuation_cleanly(void **state) {
  (void)state;
  void **root = calloc(1, sizeof(void *));
  gc_root_add(root);
  build_long_chain(root);
  clear_stack();
  compact_set_threshold(0); /* measure only: moving now would sort the pins out */
  gc_collect();
  compact_set_threshold(100);
  size_t saved = G->cfg.max_heap;
  /* Room for a few target blocks beyond the per-class reserve. */
  gc_set_max_heap((size_t)(G->blocks_in_use + NUM_CLASSES + 4) * BLOCK_SIZE);
  compact_set_batch_bytes(4096);
  gc_stats s0, s1;
  gc_get_stats(&s0);
  clear_stack();
  gc_collect();
  gc_get_stats(&s1);
  compact_set_batch_bytes(0);
  gc_set_max_heap(saved);
  uint64_t moved = s1.objects_moved - s0.objects_moved;
  print_message("heap limit: %llu of %d moved\n", (unsigned long long)moved, LIMIT_N);
  assert_true(moved > 0);
  assert_true(moved < LIMIT_N * 3 / 4); /* the limit stopped it before the end */
  check_long_chain(*root, true);
  gc_root_remove(root);
  free(root);
}

static void test_random_graphs_under_stress(void **state) {
  (void)state;
  /* A collection (with compaction) every 5 allocations; the first half
   * with one batch per cycle, the second with 4 KiB batches, so that
   * references cross batches and freed blocks become targets. */
  assert_true(run_random_graphs(5, 0) > 0);
  compact_set_batch_bytes(4096);
  assert_true(run_random_graphs(5, 0) > 0);
  compact_set_batch_bytes(0);
}

/* ---- disappearing links: their targets never move ---------------------- */

#define LINKED 64
static __attribute__((noinline)) void build_linked(void **roots, void **links) {
  for (int i = 0; i < LINKED; i++) {
    roots[i] = new_pair((uint64_t)i);
    if (i % 2 == 0) {
      links[i] = roots[i]; /* the program stores the link's value itself */
      assert_int_equal(gc_weak_link(&links[i], roots[i]), 0);
    }
  }
}

static void test_weak_link_targets_stay(void **state) {
  (void)state;
  void **roots = calloc(LINKED, sizeof(void *));
  void **links = calloc(LINKED, sizeof(void *)); /* malloc: not scanned */
  uintptr_t old[LINKED];
  for (int i = 0; i < LINKED; i++)
    gc_root_add(&roots[i]);
  build_linked(roots, links);
  for (int i = 0; i < LINKED; i++)
    old[i] = hide(roots[i]);
  compact_now();
  int moved = 0;
  for (int i = 0; i < LINKED; i++) {
    check_node(roots[i], (uint64_t)i);
    if (i % 2 == 0) {
      /* The link still names the object: it was not moved. */
      assert_ptr_equal(links[i], roots[i]);
      assert_ptr_equal(roots[i], unhide(old[i]));
    } else if ((uintptr_t)roots[i] != (uintptr_t)unhide(old[i])) {
      moved++;
    }
  }
  assert_true(moved >= LINKED / 4); /* the unlinked ones did move */
  for (int i = 0; i < LINKED; i++) {
    if (i % 2 == 0)
      gc_weak_unlink(&links[i]);
    gc_root_remove(&roots[i]);
  }
  free(roots);
  free(links);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_weak_link_targets_stay),
      cmocka_unit_test(test_stack_and_exact_slot_pin),
      cmocka_unit_test(test_exact_only_moves_and_slots_follow),
      cmocka_unit_test(test_gc_frame_macro_slots_valid),
      cmocka_unit_test(test_conservative_reference_pins),
      cmocka_unit_test(test_pinned_survive_evacuation),
      cmocka_unit_test(test_pin_keeps_alive_and_nests),
      cmocka_unit_test(test_root_inside_object_keeps_holder),
      cmocka_unit_test(test_heap_limit_stops_evacuation_cleanly),
      cmocka_unit_test(test_random_graphs_under_stress),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
