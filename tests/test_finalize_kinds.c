/*
 * test_finalize_kinds.c — the two finalizer kinds only the Boehm layer
 * registers (finalize.h):
 *   - "unreachable" (finalize_register_unreachable, Boehm GC's
 *     GC_register_finalizer_unreachable): ordered, and it also waits for
 *     the unordered or no-order finalizable objects that reach it;
 *   - "no-order" (finalize_register_no_order, Boehm GC's
 *     GC_register_finalizer_no_order): what it points to does not delay
 *     it, an unreached ordered object that reaches it does;
 * and finalize_queue_all (Boehm GC's GC_finalize_all).
 *
 * Each case has its control: the same graph with an ordered finalizer on
 * the target, where the target is finalized together with the unordered
 * object that reaches it.  How objects are made unreachable under
 * conservative roots: weak_test_support.h.  Finalizers record the id they
 * were given as data (small integers, never heap addresses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "gc_state.h"
#include "finalize.h"
#include "weak_test_support.h"

typedef struct node {
  struct node *next;
  uintptr_t id;
} node;

#define LOG_MAX 256
static uintptr_t log_ids[LOG_MAX];
static size_t log_count;

static void record(void *obj, void *data) {
  assert_int_equal(((node *)obj)->id, (uintptr_t)data); /* the object is intact */
  if (log_count < LOG_MAX)
    log_ids[log_count++] = (uintptr_t)data;
}

static size_t count_id(uintptr_t id) {
  size_t n = 0;
  for (size_t i = 0; i < log_count; i++)
    n += log_ids[i] == id;
  return n;
}

static void reset(void) {
  G->cfg.finalize_on_demand = 1;
  collect_clean();
  gc_run_finalizers();
  log_count = 0;
  warnings_seen = 0;
}

/* Collect (cleanly) and run what is queued; returns finalizers run. */
__attribute__((noinline)) static size_t collect_and_run(void) {
  collect_clean();
  size_t n = gc_run_finalizers();
  scrub_stack();
  return n;
}

__attribute__((noinline)) static node *new_node(uintptr_t id) {
  node *n = gc_alloc(sizeof(node));
  assert_non_null(n);
  n->id = id;
  return n;
}

typedef enum target_kind {
  TARGET_UNREACHABLE,
  TARGET_ORDERED,
  TARGET_NO_ORDER,
  TARGET_UNORDERED
} target_kind;

static void register_target(node *t, target_kind kind) {
  void *id = (void *)t->id;
  switch (kind) {
  case TARGET_UNREACHABLE:
    finalize_register_unreachable(t, record, id, NULL, NULL);
    break;
  case TARGET_ORDERED:
    gc_register_finalizer(t, record, id, NULL, NULL);
    break;
  case TARGET_NO_ORDER:
    finalize_register_no_order(t, record, id, NULL, NULL);
    break;
  case TARGET_UNORDERED:
    gc_register_finalizer_unordered(t, record, id, NULL, NULL);
    break;
  }
}

/* N (unordered) -> [plain ->] T, all dead. */
__attribute__((noinline)) static void make_unordered_over(uintptr_t id, target_kind kind,
                                                           int through_plain) {
  node *n = new_node(id), *t = new_node(id + 1);
  if (through_plain) {
    node *p = new_node(0);
    n->next = p;
    p->next = t;
  } else {
    n->next = t;
  }
  gc_register_finalizer_unordered(n, record, (void *)id, NULL, NULL);
  register_target(t, kind);
}

static void test_waits_for_unordered_object(void **state) {
  (void)state;
  reset();
  make_unordered_over(10, TARGET_UNREACHABLE, 0);
  collect_and_run();
  assert_int_equal(count_id(10), 1);
  assert_int_equal(count_id(11), 0);
  collect_and_run();
  assert_int_equal(count_id(11), 1);
  collect_and_run();
  assert_int_equal(log_count, 2);
}

static void test_control_ordered_target_goes_with_unordered(void **state) {
  (void)state;
  reset();
  make_unordered_over(20, TARGET_ORDERED, 0);
  collect_and_run();
  assert_int_equal(count_id(20), 1);
  assert_int_equal(count_id(21), 1);
}

static void test_waits_through_plain_object(void **state) {
  (void)state;
  reset();
  make_unordered_over(30, TARGET_UNREACHABLE, 1);
  collect_and_run();
  assert_int_equal(count_id(30), 1);
  assert_int_equal(count_id(31), 0);
  collect_and_run();
  assert_int_equal(count_id(31), 1);
}

/* A (ordered) -> U: A first, as for an ordered U; a lone U at once. */
__attribute__((noinline)) static void make_after_ordered(uintptr_t id) {
  node *a = new_node(id), *u = new_node(id + 1), *lone = new_node(id + 2);
  a->next = u;
  gc_register_finalizer(a, record, (void *)id, NULL, NULL);
  register_target(u, TARGET_UNREACHABLE);
  register_target(lone, TARGET_UNREACHABLE);
}

static void test_after_ordered_object_and_alone(void **state) {
  (void)state;
  reset();
  make_after_ordered(40);
  collect_and_run();
  assert_int_equal(count_id(40), 1);
  assert_int_equal(count_id(42), 1);
  assert_int_equal(count_id(41), 0);
  collect_and_run();
  assert_int_equal(count_id(41), 1);
}

static void *volatile keep_alive;

__attribute__((noinline)) static void make_kept(uintptr_t id) {
  node *u = new_node(id);
  register_target(u, TARGET_UNREACHABLE);
  keep_alive = u;
}

static void test_reachable_is_not_finalized(void **state) {
  (void)state;
  reset();
  make_kept(50);
  for (int i = 0; i < 3; i++)
    collect_and_run();
  assert_int_equal(count_id(50), 0);
  keep_alive = NULL;
  collect_and_run();
  assert_int_equal(count_id(50), 1);
}

__attribute__((noinline)) static void make_self_loop(uintptr_t id) {
  node *u = new_node(id);
  u->next = u;
  register_target(u, TARGET_UNREACHABLE);
}

static void test_self_loop_is_a_cycle(void **state) {
  (void)state;
  reset();
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  make_self_loop(60);
  for (int i = 0; i < 3; i++)
    collect_and_run();
  gc_set_warn_handler(old);
  assert_int_equal(count_id(60), 0);
  assert_true(warnings_seen >= 1);
  assert_non_null(strstr(last_warning, "finalization cycle"));
}

/* While U waits for N, a short link to U is cleared (U was unreached at
 * step 2) but a long link stays until U is really gone. */
static void **short_link, **long_link; /* malloc memory: never scanned */

__attribute__((noinline)) static void make_linked_pair(uintptr_t id) {
  node *n = new_node(id), *u = new_node(id + 1);
  n->next = u;
  gc_register_finalizer_unordered(n, record, (void *)id, NULL, NULL);
  register_target(u, TARGET_UNREACHABLE);
  *short_link = u;
  *long_link = u;
  assert_int_equal(gc_weak_link(short_link, u), 0);
  assert_int_equal(gc_weak_link_long(long_link, u), 0);
}

static void test_links_of_a_waiting_object(void **state) {
  (void)state;
  reset();
  short_link = malloc(sizeof *short_link);
  long_link = malloc(sizeof *long_link);
  assert_non_null(short_link);
  assert_non_null(long_link);
  make_linked_pair(70);
  collect_and_run();
  assert_int_equal(count_id(70), 1);
  assert_null(*short_link);
  assert_non_null(*long_link);
  collect_and_run(); /* U finalized, resurrected for its finalizer */
  assert_int_equal(count_id(71), 1);
  collect_and_run(); /* now gone */
  assert_null(*long_link);
  free(short_link);
  free(long_link);
}

__attribute__((noinline)) static uintptr_t make_replaced(uintptr_t id) {
  node *u = new_node(id);
  gc_finalizer_fn old_fn = NULL;
  void *old_data = NULL;
  gc_register_finalizer(u, record, (void *)1, NULL, NULL);
  finalize_register_unreachable(u, record, (void *)id, &old_fn, &old_data);
  assert_ptr_equal(old_fn, record);
  assert_ptr_equal(old_data, (void *)1);
  return HIDE(u);
}

__attribute__((noinline)) static void remove_finalizer(uintptr_t h) {
  gc_finalizer_fn old_fn = NULL;
  void *old_data = NULL;
  finalize_register_unreachable(UNHIDE(h), NULL, NULL, &old_fn, &old_data);
  assert_ptr_equal(old_fn, record);
  assert_ptr_equal(old_data, (void *)81);
}

static void test_replace_and_remove(void **state) {
  (void)state;
  reset();
  make_replaced(80);
  remove_finalizer(make_replaced(81));
  for (int i = 0; i < 2; i++)
    collect_and_run();
  assert_int_equal(count_id(80), 1);
  assert_int_equal(count_id(81), 0);
  assert_int_equal(count_id(1), 0);
}

/* ---- no-order ------------------------------------------------------- */

/* A (kind_a) -> B (kind_b), both dead. */
__attribute__((noinline)) static void make_pair(uintptr_t id, target_kind kind_a,
                                                target_kind kind_b) {
  node *a = new_node(id), *b = new_node(id + 1);
  a->next = b;
  register_target(a, kind_a);
  register_target(b, kind_b);
}

static void test_no_order_waits_for_ordered_object(void **state) {
  (void)state;
  reset();
  make_pair(100, TARGET_ORDERED, TARGET_NO_ORDER);
  collect_and_run();
  assert_int_equal(count_id(100), 1);
  assert_int_equal(count_id(101), 0);
  collect_and_run();
  assert_int_equal(count_id(101), 1);
}

static void test_control_unordered_does_not_wait(void **state) {
  (void)state;
  reset();
  make_pair(110, TARGET_ORDERED, TARGET_UNORDERED);
  collect_and_run();
  assert_int_equal(count_id(110), 1);
  assert_int_equal(count_id(111), 1);
}

static void test_no_order_does_not_wait_for_its_contents(void **state) {
  (void)state;
  reset();
  make_pair(120, TARGET_NO_ORDER, TARGET_ORDERED);
  collect_and_run();
  assert_int_equal(count_id(120), 1);
  assert_int_equal(count_id(121), 1);
}

__attribute__((noinline)) static void make_no_order_cycle(uintptr_t id) {
  node *a = new_node(id), *b = new_node(id + 1), *self = new_node(id + 2);
  a->next = b;
  b->next = a;
  self->next = self;
  register_target(a, TARGET_NO_ORDER);
  register_target(b, TARGET_NO_ORDER);
  register_target(self, TARGET_NO_ORDER);
}

static void test_no_order_cycles_are_finalized(void **state) {
  (void)state;
  reset();
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  make_no_order_cycle(130);
  collect_and_run();
  gc_set_warn_handler(old);
  assert_int_equal(count_id(130), 1);
  assert_int_equal(count_id(131), 1);
  assert_int_equal(count_id(132), 1);
  assert_int_equal(warnings_seen, 0);
}

static void test_unreachable_waits_for_no_order_object(void **state) {
  (void)state;
  reset();
  make_pair(140, TARGET_NO_ORDER, TARGET_UNREACHABLE);
  collect_and_run();
  assert_int_equal(count_id(140), 1);
  assert_int_equal(count_id(141), 0);
  collect_and_run();
  assert_int_equal(count_id(141), 1);
}

/* ---- finalize_queue_all ---------------------------------------------- */

static void *volatile kept_for_all;

__attribute__((noinline)) static void make_for_all(uintptr_t id) {
  node *reachable = new_node(id), *dead = new_node(id + 1);
  kept_for_all = reachable;
  register_target(reachable, TARGET_ORDERED);
  register_target(dead, TARGET_NO_ORDER);
}

static void test_queue_all_runs_reachable_ones_too(void **state) {
  (void)state;
  reset();
  make_for_all(200);
  size_t registered = finalize_registered_count(); /* earlier tests' cycles too */
  assert_true(registered >= 2);
  assert_int_equal(finalize_queue_all(), registered);
  assert_int_equal(finalize_registered_count(), 0);
  collect_and_run(); /* the queue keeps them alive until they have run */
  assert_int_equal(count_id(200), 1);
  assert_int_equal(count_id(201), 1);
  assert_int_equal(((node *)kept_for_all)->id, 200);
  kept_for_all = NULL;
  assert_int_equal(finalize_queue_all(), 0);
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_waits_for_unordered_object),
      cmocka_unit_test(test_control_ordered_target_goes_with_unordered),
      cmocka_unit_test(test_waits_through_plain_object),
      cmocka_unit_test(test_after_ordered_object_and_alone),
      cmocka_unit_test(test_reachable_is_not_finalized),
      cmocka_unit_test(test_self_loop_is_a_cycle),
      cmocka_unit_test(test_links_of_a_waiting_object),
      cmocka_unit_test(test_replace_and_remove),
      cmocka_unit_test(test_no_order_waits_for_ordered_object),
      cmocka_unit_test(test_control_unordered_does_not_wait),
      cmocka_unit_test(test_no_order_does_not_wait_for_its_contents),
      cmocka_unit_test(test_no_order_cycles_are_finalized),
      cmocka_unit_test(test_unreachable_waits_for_no_order_object),
      cmocka_unit_test(test_queue_all_runs_reachable_ones_too),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
