/*
 * test_ephemeron.c — ephemerons: the value lives exactly while the key is
 * reachable from elsewhere; chains (k1 → v1 names k2 → …) in an order
 * that needs many fixpoint rounds, cycles, a value naming its own key,
 * many ephemerons sharing one key, precise keys and values, a key kept
 * alive by its finalizer, and the registry forgetting dead ephemerons.
 * How objects are made unreachable: weak_test_support.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gc_state.h"
#include "ephemeron.h"
#include "weak_test_support.h"

typedef struct node {
  struct node *next;
  uintptr_t id;
} node;

/* Roots: a scanned array of ephemerons, and single kept objects. */
#define MAX_EPH 2048
static gc_ephemeron **volatile ephs;
static void *volatile kept_key;

__attribute__((noinline)) static node *new_node(uintptr_t id) {
  node *n = gc_alloc(sizeof(node));
  assert_non_null(n);
  n->id = id;
  return n;
}

__attribute__((noinline)) static void setup_roots(void) {
  ephs = gc_alloc(MAX_EPH * sizeof *ephs);
  assert_non_null(ephs);
  kept_key = NULL;
}

__attribute__((noinline)) static void store_unhidden(void *volatile *slot, uintptr_t h) {
  *slot = UNHIDE(h);
}

/* Value of ephs[i] is alive and intact (id), or the pair is cleared. */
__attribute__((noinline)) static int value_alive(size_t i, uintptr_t id) {
  node *v = gc_ephemeron_value(ephs[i]);
  node *k = gc_ephemeron_key(ephs[i]);
  if (!v) {
    assert_null(k); /* cleared together */
    return 0;
  }
  assert_non_null(k);
  assert_int_equal(v->id, id);
  return 1;
}

__attribute__((noinline)) static uintptr_t make_pair(size_t slot, uintptr_t id, int value_names_key) {
  node *k = new_node(id), *v = new_node(id + 1);
  if (value_names_key)
    v->next = k;
  ephs[slot] = gc_ephemeron_new(k, v);
  assert_non_null(ephs[slot]);
  return HIDE(k);
}

static void test_value_lives_while_key_does(void **state) {
  (void)state;
  setup_roots();
  gc_stats before, after;
  uintptr_t hk = make_pair(0, 100, 0);
  store_unhidden(&kept_key, hk);
  for (int i = 0; i < 3; i++) {
    collect_clean();
    assert_true(value_alive(0, 101));
  }
  gc_get_stats(&before);
  kept_key = NULL;
  collect_clean();
  assert_false(value_alive(0, 101));
  gc_get_stats(&after);
  assert_int_equal(after.weak_cleared - before.weak_cleared, 1);
}

static void test_value_naming_its_key_does_not_keep_it(void **state) {
  (void)state;
  setup_roots();
  make_pair(0, 200, 1);
  collect_clean();
  assert_false(value_alive(0, 201));
}

/* Chain: value i names key i+1.  Ephemerons are stored in reverse so the
 * marker meets them in the order that needs the most rounds. */
#define CHAIN 64
__attribute__((noinline)) static uintptr_t make_chain(uintptr_t id) {
  node *keys[CHAIN];
  for (int i = 0; i < CHAIN; i++)
    keys[i] = new_node(id + 2 * (uintptr_t)i);
  for (int i = 0; i < CHAIN; i++) {
    node *v = new_node(id + 2 * (uintptr_t)i + 1);
    v->next = i + 1 < CHAIN ? keys[i + 1] : NULL;
    ephs[CHAIN - 1 - i] = gc_ephemeron_new(keys[i], v);
    assert_non_null(ephs[CHAIN - 1 - i]);
  }
  uintptr_t first = HIDE(keys[0]), middle = HIDE(keys[CHAIN / 2]);
  memset(keys, 0, sizeof keys);
  __asm__ volatile("" : : "r"(keys) : "memory");
  store_unhidden(&kept_key, middle);
  return first;
}

static size_t chain_alive(uintptr_t id) {
  size_t alive = 0;
  for (int i = 0; i < CHAIN; i++)
    alive += (size_t)value_alive((size_t)(CHAIN - 1 - i), id + 2 * (uintptr_t)i + 1);
  return alive;
}

static void test_chain(void **state) {
  (void)state;
  setup_roots();
  uintptr_t first = make_chain(1000);
  collect_clean(); /* only the middle key is held: the second half lives */
  assert_int_equal(chain_alive(1000), CHAIN / 2);
  for (int i = 0; i < CHAIN / 2; i++)
    assert_false(value_alive((size_t)(CHAIN - 1 - i), 1000 + 2 * (uintptr_t)i + 1));
  (void)first;
  kept_key = NULL;
  collect_clean();
  assert_int_equal(chain_alive(1000), 0);
}

static void test_whole_chain_from_first_key(void **state) {
  (void)state;
  setup_roots();
  uintptr_t first = make_chain(3000);
  store_unhidden(&kept_key, first);
  collect_clean();
  assert_int_equal(chain_alive(3000), CHAIN);
  collect_clean();
  assert_int_equal(chain_alive(3000), CHAIN);
  kept_key = NULL;
  collect_clean();
  assert_int_equal(chain_alive(3000), 0);
}

/* Cycle: v0 names k1, v1 names k0. */
__attribute__((noinline)) static uintptr_t make_cycle(uintptr_t id) {
  node *k0 = new_node(id), *k1 = new_node(id + 2);
  node *v0 = new_node(id + 1), *v1 = new_node(id + 3);
  v0->next = k1;
  v1->next = k0;
  ephs[0] = gc_ephemeron_new(k0, v0);
  ephs[1] = gc_ephemeron_new(k1, v1);
  assert_non_null(ephs[0]);
  assert_non_null(ephs[1]);
  return HIDE(k0);
}

static void test_cycle(void **state) {
  (void)state;
  setup_roots();
  make_cycle(4000);
  collect_clean();
  assert_false(value_alive(0, 4001));
  assert_false(value_alive(1, 4003));
  store_unhidden(&kept_key, make_cycle(5000));
  collect_clean();
  assert_true(value_alive(0, 5001));
  assert_true(value_alive(1, 5003));
  kept_key = NULL;
  collect_clean();
  assert_false(value_alive(0, 5001));
  assert_false(value_alive(1, 5003));
}

/* Many ephemerons, one key. */
#define SHARED 1000
__attribute__((noinline)) static uintptr_t make_shared(uintptr_t id) {
  node *k = new_node(id);
  for (size_t i = 0; i < SHARED; i++) {
    node *v = new_node(id + 1 + i);
    ephs[i] = gc_ephemeron_new(k, v);
    assert_non_null(ephs[i]);
  }
  return HIDE(k);
}

static void test_many_share_a_key(void **state) {
  (void)state;
  setup_roots();
  store_unhidden(&kept_key, make_shared(10000));
  collect_clean();
  for (size_t i = 0; i < SHARED; i++)
    assert_true(value_alive(i, 10001 + i));
  kept_key = NULL;
  collect_clean();
  for (size_t i = 0; i < SHARED; i++)
    assert_false(value_alive(i, 10001 + i));
}

/* Precise key and value (exact slots, not conservative words). */
typedef struct pnode {
  struct pnode *next;
  uintptr_t id;
} pnode;
static const uint64_t pnode_bitmap[1] = {1};
static gc_type pnode_type = {.name = "pnode", .size = sizeof(pnode),
                             .pointer_bitmap = pnode_bitmap, .bitmap_words = 1};

__attribute__((noinline)) static uintptr_t make_precise_pair(uintptr_t id) {
  pnode *k = gc_alloc_typed(&pnode_type, sizeof(pnode));
  pnode *v = gc_alloc_typed(&pnode_type, sizeof(pnode));
  pnode *w = gc_alloc_typed(&pnode_type, sizeof(pnode));
  assert_non_null(k);
  assert_non_null(v);
  assert_non_null(w);
  k->id = id;
  v->id = id + 1;
  w->id = id + 2;
  v->next = w; /* reachable only through the value */
  ephs[0] = gc_ephemeron_new(k, v);
  assert_non_null(ephs[0]);
  return HIDE(k);
}

__attribute__((noinline)) static uintptr_t precise_tail_id(void) {
  pnode *v = gc_ephemeron_value(ephs[0]);
  return v ? v->next->id : 0;
}

static void test_precise_key_and_value(void **state) {
  (void)state;
  setup_roots();
  assert_int_equal(gc_type_register(&pnode_type), 0);
  store_unhidden(&kept_key, make_precise_pair(20000));
  collect_clean();
  for (int k = 0; k < 2000; k++) /* reuse any wrongly freed slot */
    assert_non_null(gc_alloc_typed(&pnode_type, sizeof(pnode)));
  scrub_stack();
  assert_int_equal(precise_tail_id(), 20002);
  kept_key = NULL;
  collect_clean();
  assert_int_equal(precise_tail_id(), 0);
}

/* A key kept alive by its finalizer keeps the value until it is gone. */
static int value_seen_by_finalizer;
static void look_at_value(void *obj, void *data) {
  (void)obj;
  node *v = gc_ephemeron_value(ephs[(uintptr_t)data]);
  value_seen_by_finalizer = v && v->id == 30001;
}

__attribute__((noinline)) static void make_finalizable_key(void) {
  node *k = new_node(30000), *v = new_node(30001);
  ephs[0] = gc_ephemeron_new(k, v);
  assert_non_null(ephs[0]);
  gc_register_finalizer(k, look_at_value, (void *)0, NULL, NULL);
}

static void test_finalizable_key(void **state) {
  (void)state;
  setup_roots();
  G->cfg.finalize_on_demand = 1;
  value_seen_by_finalizer = 0;
  make_finalizable_key();
  collect_clean();
  assert_true(gc_run_finalizers() >= 1);
  assert_true(value_seen_by_finalizer);
  scrub_stack();
  collect_clean();
  assert_false(value_alive(0, 30001));
}

static void test_dead_ephemerons_leave_the_registry(void **state) {
  (void)state;
  setup_roots();
  collect_clean();
  size_t before = ephemeron_registry_count();
  store_unhidden(&kept_key, make_shared(40000));
  assert_int_equal(ephemeron_registry_count(), before + SHARED);
  ephs = NULL; /* the ephemerons themselves die; their key lives */
  collect_clean();
  assert_int_equal(ephemeron_registry_count(), before);
  kept_key = NULL;
}

static void test_bad_input(void **state) {
  (void)state;
  node *n = new_node(1);
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  warnings_seen = 0;
  assert_null(gc_ephemeron_new(&n->id, n));
  assert_null(gc_ephemeron_new(n, &n->id));
  gc_set_warn_handler(old);
  assert_int_equal(warnings_seen, 2);
  assert_null(gc_ephemeron_key(NULL));
  assert_null(gc_ephemeron_value(NULL));
  n = NULL;
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_value_lives_while_key_does),
      cmocka_unit_test(test_value_naming_its_key_does_not_keep_it),
      cmocka_unit_test(test_chain),
      cmocka_unit_test(test_whole_chain_from_first_key),
      cmocka_unit_test(test_cycle),
      cmocka_unit_test(test_many_share_a_key),
      cmocka_unit_test(test_precise_key_and_value),
      cmocka_unit_test(test_finalizable_key),
      cmocka_unit_test(test_dead_ephemerons_leave_the_registry),
      cmocka_unit_test(test_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
