/*
 * test_finalize.c — finalizers: ordering (chains, cycles, ignore-self,
 * unordered), resurrection, re-registration, finalizers that allocate,
 * collect and register finalizers, on-demand and safe-point running,
 * removal, bad input.  How objects are made unreachable under
 * conservative roots: weak_test_support.h.
 *
 * Each finalizer records the id it was given as data in `log_ids`
 * (static, but ids are small integers, never heap addresses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gc_state.h"
#include "finalize.h"
#include "weak_test_support.h"

typedef struct node {
  struct node *next;
  uintptr_t id;
  uintptr_t payload[2];
} node;

#define LOG_MAX 4096
static uintptr_t log_ids[LOG_MAX];
static size_t log_count;

static void record(void *obj, void *data) {
  node *n = obj;
  assert_int_equal(n->id, (uintptr_t)data); /* the object is intact */
  if (log_count < LOG_MAX)
    log_ids[log_count++] = (uintptr_t)data;
}

static void reset(int on_demand) {
  G->cfg.finalize_on_demand = on_demand;
  collect_clean();
  gc_run_finalizers();
  log_count = 0;
  warnings_seen = 0;
}

static size_t count_id(uintptr_t id) {
  size_t n = 0;
  for (size_t i = 0; i < log_count; i++)
    n += log_ids[i] == id;
  return n;
}

__attribute__((noinline)) static node *new_node(uintptr_t id) {
  node *n = gc_alloc(sizeof(node));
  assert_non_null(n);
  n->id = id;
  return n;
}

__attribute__((noinline)) static uintptr_t make_finalizable(uintptr_t id) {
  node *n = new_node(id);
  gc_register_finalizer(n, record, (void *)id, NULL, NULL);
  return HIDE(n);
}

/* Allocate garbage (the result is dropped on purpose). */
static void *volatile churn_sink;
__attribute__((noinline)) static void churn(size_t n) {
  churn_sink = gc_alloc(n);
  churn_sink = NULL;
}

/* Collect (cleanly) and run what is queued; returns finalizers run. */
__attribute__((noinline)) static size_t collect_and_run(void) {
  collect_clean();
  size_t n = gc_run_finalizers();
  scrub_stack();
  return n;
}

static void test_unreachable_object_is_finalized_once(void **state) {
  (void)state;
  reset(1);
  gc_stats before, after;
  gc_get_stats(&before);
  make_finalizable(1);
  collect_clean();
  assert_true(gc_finalizers_pending() >= 1);
  assert_int_equal(gc_run_finalizers(), 1);
  assert_int_equal(count_id(1), 1);
  for (int i = 0; i < 3; i++)
    collect_and_run();
  assert_int_equal(count_id(1), 1);
  gc_get_stats(&after);
  assert_int_equal(after.finalizers_queued - before.finalizers_queued, 1);
  assert_int_equal(after.finalizers_run - before.finalizers_run, 1);
}

static void *volatile keep_alive; /* volatile: a store never read would be dropped */

static void test_reachable_object_is_not_finalized(void **state) {
  (void)state;
  reset(1);
  keep_alive = UNHIDE(make_finalizable(2));
  for (int i = 0; i < 3; i++)
    collect_and_run();
  assert_int_equal(count_id(2), 0);
  keep_alive = NULL;
  collect_and_run();
  assert_int_equal(count_id(2), 1);
}

/* A → B → C, all ordered: one per collection, A first. */
__attribute__((noinline)) static void make_chain(uintptr_t first_id, int length) {
  node *prev = NULL;
  for (int i = length - 1; i >= 0; i--) {
    node *n = new_node(first_id + (uintptr_t)i);
    n->next = prev;
    gc_register_finalizer(n, record, (void *)(first_id + (uintptr_t)i), NULL, NULL);
    prev = n;
  }
}

static void test_chain_is_finalized_in_order(void **state) {
  (void)state;
  reset(1);
  make_chain(10, 3);
  assert_int_equal(collect_and_run(), 1);
  assert_int_equal(log_count, 1);
  assert_int_equal(log_ids[0], 10);
  for (int i = 0; i < 10 && log_count < 3; i++)
    collect_and_run();
  assert_int_equal(log_count, 3);
  assert_int_equal(log_ids[1], 11);
  assert_int_equal(log_ids[2], 12);
}

__attribute__((noinline)) static void make_pair_cycle(uintptr_t id, int unordered) {
  node *a = new_node(id), *b = new_node(id + 1);
  a->next = b;
  b->next = a;
  if (unordered) {
    gc_register_finalizer_unordered(a, record, (void *)id, NULL, NULL);
    gc_register_finalizer_unordered(b, record, (void *)(id + 1), NULL, NULL);
  } else {
    gc_register_finalizer(a, record, (void *)id, NULL, NULL);
    gc_register_finalizer(b, record, (void *)(id + 1), NULL, NULL);
  }
}

static void test_ordered_cycle_is_never_finalized_and_reported(void **state) {
  (void)state;
  reset(1);
  size_t registered = finalize_registered_count();
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  make_pair_cycle(20, 0);
  for (int i = 0; i < 4; i++)
    collect_and_run();
  gc_set_warn_handler(old);
  assert_int_equal(count_id(20) + count_id(21), 0);
  assert_int_equal(finalize_registered_count(), registered + 2);
  assert_true(warnings_seen >= 1);
  assert_non_null(strstr(last_warning, "finalization cycle"));
}

static void test_unordered_cycle_is_finalized(void **state) {
  (void)state;
  reset(1);
  make_pair_cycle(30, 1);
  collect_and_run();
  assert_int_equal(count_id(30), 1);
  assert_int_equal(count_id(31), 1);
}

__attribute__((noinline)) static void make_self_loop(uintptr_t id, int ignore_self) {
  node *a = new_node(id);
  a->next = a;
  a->payload[0] = (uintptr_t)&a->payload[1]; /* interior self-pointer */
  if (ignore_self)
    gc_register_finalizer_ignore_self(a, record, (void *)id, NULL, NULL);
  else
    gc_register_finalizer(a, record, (void *)id, NULL, NULL);
}

static void test_ignore_self_finalizes_self_loop(void **state) {
  (void)state;
  reset(1);
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  make_self_loop(40, 1);
  make_self_loop(41, 0);
  for (int i = 0; i < 3; i++)
    collect_and_run();
  gc_set_warn_handler(old);
  assert_int_equal(count_id(40), 1);
  assert_int_equal(count_id(41), 0); /* ordered: a self-loop is a cycle */
  assert_true(warnings_seen >= 1);
}

/* The same with precise objects (exact slots through a pointer bitmap and
 * through a trace function). */
typedef struct pnode {
  struct pnode *self;
  uintptr_t id;
} pnode;
static const uint64_t pnode_bitmap[1] = {1};
static gc_type pnode_bitmap_type = {.name = "pnode-bitmap", .size = sizeof(pnode),
                                    .pointer_bitmap = pnode_bitmap, .bitmap_words = 1};
static void pnode_trace(void *obj, gc_visit_fn visit, void *ctx) {
  visit((void **)&((pnode *)obj)->self, ctx);
}
static gc_type pnode_traced_type = {.name = "pnode-traced", .size = sizeof(pnode),
                                    .trace = pnode_trace};

static void record_pnode(void *obj, void *data) {
  assert_int_equal(((pnode *)obj)->id, (uintptr_t)data);
  if (log_count < LOG_MAX)
    log_ids[log_count++] = (uintptr_t)data;
}

__attribute__((noinline)) static void make_precise_self_loop(gc_type *t, uintptr_t id,
                                                             int ignore_self) {
  pnode *p = gc_alloc_typed(t, sizeof(pnode));
  assert_non_null(p);
  p->self = p;
  p->id = id;
  if (ignore_self)
    gc_register_finalizer_ignore_self(p, record_pnode, (void *)id, NULL, NULL);
  else
    gc_register_finalizer(p, record_pnode, (void *)id, NULL, NULL);
}

static void test_ignore_self_precise(void **state) {
  (void)state;
  reset(1);
  assert_int_equal(gc_type_register(&pnode_bitmap_type), 0);
  assert_int_equal(gc_type_register(&pnode_traced_type), 0);
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  make_precise_self_loop(&pnode_bitmap_type, 42, 1);
  make_precise_self_loop(&pnode_traced_type, 43, 1);
  make_precise_self_loop(&pnode_bitmap_type, 44, 0);
  make_precise_self_loop(&pnode_traced_type, 45, 0);
  for (int i = 0; i < 3; i++)
    collect_and_run();
  gc_set_warn_handler(old);
  assert_int_equal(count_id(42), 1);
  assert_int_equal(count_id(43), 1);
  assert_int_equal(count_id(44), 0);
  assert_int_equal(count_id(45), 0);
}

/* Resurrection: the finalizer stores its object in a root. */
static void *volatile resurrected;
static void resurrect(void *obj, void *data) {
  record(obj, data);
  resurrected = obj;
}

__attribute__((noinline)) static void make_resurrecting(uintptr_t id) {
  node *a = new_node(id), *b = new_node(id + 1);
  a->next = b; /* b has no finalizer: it must survive with a */
  b->payload[0] = 0xB0B;
  gc_register_finalizer(a, resurrect, (void *)id, NULL, NULL);
}

static void test_resurrected_object_survives_and_is_not_finalized_again(void **state) {
  (void)state;
  reset(1);
  make_resurrecting(50);
  collect_and_run();
  assert_int_equal(count_id(50), 1);
  assert_non_null(resurrected);
  for (int i = 0; i < 3; i++)
    collect_and_run();
  node *a = resurrected;
  assert_int_equal(a->id, 50);
  assert_non_null(a->next);
  assert_int_equal(a->next->id, 51);
  assert_int_equal(a->next->payload[0], 0xB0B);
  a = NULL;
  resurrected = NULL;
  for (int i = 0; i < 3; i++)
    collect_and_run();
  assert_int_equal(count_id(50), 1);
}

/* Re-registration: the finalizer registers itself again, three times. */
static void reregister(void *obj, void *data) {
  record(obj, data);
  if (count_id((uintptr_t)data) < 3)
    gc_register_finalizer(obj, reregister, data, NULL, NULL);
}

__attribute__((noinline)) static void make_reregistering(uintptr_t id) {
  node *n = new_node(id);
  gc_register_finalizer(n, reregister, (void *)id, NULL, NULL);
}

static void test_reregistered_finalizer_runs_again(void **state) {
  (void)state;
  reset(1);
  make_reregistering(60);
  for (int i = 1; i <= 3; i++) {
    collect_and_run();
    assert_int_equal(count_id(60), (size_t)i);
  }
  for (int i = 0; i < 3; i++)
    collect_and_run();
  assert_int_equal(count_id(60), 3);
}

/* A finalizer that allocates a lot (triggering collections) and collects. */
static size_t heavy_runs;
static void heavy(void *obj, void *data) {
  record(obj, data);
  size_t chunks = G->cfg.stress ? 2000 : 100000;
  node *list = NULL;
  for (size_t i = 0; i < chunks; i++) {
    node *n = gc_alloc(sizeof(node));
    assert_non_null(n);
    n->id = i;
    n->next = list;
    list = n;
  }
  gc_collect();
  size_t i = chunks;
  for (node *n = list; n; n = n->next)
    assert_int_equal(n->id, --i);
  assert_int_equal(i, 0);
  heavy_runs++;
}

__attribute__((noinline)) static void make_heavy(uintptr_t id, int count) {
  for (int i = 0; i < count; i++) {
    node *n = new_node(id + (uintptr_t)i);
    gc_register_finalizer(n, heavy, (void *)(id + (uintptr_t)i), NULL, NULL);
  }
}

static void test_finalizer_allocating_and_collecting(void **state) {
  (void)state;
  reset(1);
  heavy_runs = 0;
  make_heavy(1000, 5);
  make_chain(2000, 4); /* ordered chain across the nested collections */
  for (int i = 0; i < 20 && log_count < 9; i++)
    collect_and_run();
  assert_int_equal(heavy_runs, 5);
  for (int i = 0; i < 5; i++)
    assert_int_equal(count_id(1000 + (uintptr_t)i), 1);
  for (int i = 0; i < 4; i++)
    assert_int_equal(count_id(2000 + (uintptr_t)i), 1);
  size_t pos[4] = {0};
  for (size_t k = 0; k < log_count; k++)
    if (log_ids[k] >= 2000 && log_ids[k] < 2004)
      pos[log_ids[k] - 2000] = k;
  assert_true(pos[0] < pos[1] && pos[1] < pos[2] && pos[2] < pos[3]);
}

/* A finalizer that creates and registers another finalizable object. */
static void spawn(void *obj, void *data) {
  record(obj, data);
  make_finalizable((uintptr_t)data + 1);
}

__attribute__((noinline)) static void make_spawning(uintptr_t id) {
  node *n = new_node(id);
  gc_register_finalizer(n, spawn, (void *)id, NULL, NULL);
}

static void test_finalizer_registering_a_finalizer(void **state) {
  (void)state;
  reset(1);
  make_spawning(70);
  collect_and_run();
  assert_int_equal(count_id(70), 1);
  for (int i = 0; i < 5 && !count_id(71); i++)
    collect_and_run();
  assert_int_equal(count_id(71), 1);
}

/* Default mode: explicit collections and allocation slow paths run them. */
static void test_safe_points_run_finalizers(void **state) {
  (void)state;
  reset(0);
  make_finalizable(80);
  collect_clean(); /* gc_collect ends at a safe point */
  assert_int_equal(count_id(80), 1);
  assert_int_equal(gc_finalizers_pending(), 0);
  for (uintptr_t i = 0; i < 200; i++)
    make_finalizable(100 + i);
  scrub_stack();
  /* Only allocation from here: collections triggered by allocation queue
   * them, later slow paths run them. */
  for (int round = 0; round < 4000 && log_count < 201; round++) {
    for (int k = 0; k < 256; k++)
      churn(512);
    scrub_stack();
  }
  assert_int_equal(log_count, 201);
  G->cfg.finalize_on_demand = 1;
}

static void test_on_demand_leaves_them_queued(void **state) {
  (void)state;
  reset(1);
  make_finalizable(90);
  collect_clean();
  for (int k = 0; k < 10000; k++)
    churn(64);
  assert_int_equal(count_id(90), 0);
  assert_int_equal(gc_finalizers_pending(), 1);
  assert_int_equal(gc_run_finalizers(), 1);
  assert_int_equal(count_id(90), 1);
}

static void other(void *obj, void *data) { (void)obj; (void)data; }

__attribute__((noinline)) static uintptr_t make_replaced(uintptr_t id) {
  node *n = new_node(id);
  gc_finalizer_fn old_fn = NULL;
  void *old_data = NULL;
  gc_register_finalizer(n, other, (void *)1, &old_fn, &old_data);
  assert_null(old_fn);
  gc_register_finalizer(n, record, (void *)id, &old_fn, &old_data);
  assert_ptr_equal(old_fn, other);
  assert_ptr_equal(old_data, (void *)1);
  return HIDE(n);
}

__attribute__((noinline)) static void remove_finalizer(uintptr_t h) {
  gc_finalizer_fn old_fn = NULL;
  gc_register_finalizer(UNHIDE(h), NULL, NULL, &old_fn, NULL);
  assert_ptr_equal(old_fn, record);
}

static void test_replace_and_remove(void **state) {
  (void)state;
  reset(1);
  make_replaced(110);
  uintptr_t h = make_replaced(111);
  remove_finalizer(h);
  for (int i = 0; i < 2; i++)
    collect_and_run();
  assert_int_equal(count_id(110), 1);
  assert_int_equal(count_id(111), 0);
}

/* The data of a registration is a root: it is intact when the finalizer runs. */
static uintptr_t data_payload_seen;
static void check_data(void *obj, void *data) {
  (void)obj;
  data_payload_seen = ((node *)data)->payload[1];
}

__attribute__((noinline)) static void make_with_data(void) {
  node *n = new_node(120), *d = new_node(121);
  d->payload[1] = 0xDA7A;
  gc_register_finalizer(n, check_data, d, NULL, NULL);
}

static void test_data_is_kept_alive(void **state) {
  (void)state;
  reset(1);
  data_payload_seen = 0;
  make_with_data();
  for (int i = 0; i < 3; i++) {
    scrub_stack();
    for (int k = 0; k < 5000; k++)
      churn(sizeof(node)); /* reuse dead slots if any */
  }
  collect_and_run();
  assert_int_equal(data_payload_seen, 0xDA7A);
}

__attribute__((noinline)) static void make_freed(uintptr_t id) {
  node *n = new_node(id);
  gc_register_finalizer(n, record, (void *)id, NULL, NULL);
  gc_free(n);
}

static void test_freed_object_forgets_its_finalizer(void **state) {
  (void)state;
  reset(1);
  size_t registered = finalize_registered_count();
  make_freed(130);
  assert_int_equal(finalize_registered_count(), registered);
  collect_and_run();
  assert_int_equal(count_id(130), 0);
}

static void test_bad_input_is_reported(void **state) {
  (void)state;
  reset(1);
  static int not_heap;
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  gc_register_finalizer(&not_heap, record, NULL, NULL, NULL);
  gc_register_finalizer(NULL, record, NULL, NULL, NULL);
  node *n = new_node(140);
  gc_register_finalizer(&n->id, record, NULL, NULL, NULL); /* interior */
  gc_set_warn_handler(old);
  assert_int_equal(warnings_seen, 3);
  n = NULL;
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unreachable_object_is_finalized_once),
      cmocka_unit_test(test_reachable_object_is_not_finalized),
      cmocka_unit_test(test_chain_is_finalized_in_order),
      cmocka_unit_test(test_ordered_cycle_is_never_finalized_and_reported),
      cmocka_unit_test(test_unordered_cycle_is_finalized),
      cmocka_unit_test(test_ignore_self_finalizes_self_loop),
      cmocka_unit_test(test_ignore_self_precise),
      cmocka_unit_test(test_resurrected_object_survives_and_is_not_finalized_again),
      cmocka_unit_test(test_reregistered_finalizer_runs_again),
      cmocka_unit_test(test_finalizer_allocating_and_collecting),
      cmocka_unit_test(test_finalizer_registering_a_finalizer),
      cmocka_unit_test(test_safe_points_run_finalizers),
      cmocka_unit_test(test_on_demand_leaves_them_queued),
      cmocka_unit_test(test_replace_and_remove),
      cmocka_unit_test(test_data_is_kept_alive),
      cmocka_unit_test(test_freed_object_forgets_its_finalizer),
      cmocka_unit_test(test_bad_input_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
