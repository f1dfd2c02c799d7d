/*
 * test_weak_visit.c — the compactor's interface to finalization and
 * weakness: weak_tables_visit_slots must hand every stored object address
 * (finalizer table, queue, link targets, weak reference targets,
 * ephemeron keys and values) and every link location to the visitors, and
 * the tables must be found again under the new addresses afterwards.
 * A move is simulated: each object has a copy, and the visitors rewrite
 * old addresses to the copies.  Collection is disabled throughout, so the
 * objects need no protection from conservative-root effects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "gc_state.h"
#include "weakness.h"

#define PAIRS 8
static void *old_addr[PAIRS], *new_addr[PAIRS];
static size_t npairs, visited_start, visited_interior;

static void forward(void **slot) {
  for (size_t i = 0; i < npairs; i++) {
    if (*slot == old_addr[i]) {
      *slot = new_addr[i];
      return;
    }
    /* interior: link locations inside a moved object */
    uintptr_t off = (uintptr_t)*slot - (uintptr_t)old_addr[i];
    if (off < 64 && off != 0) {
      *slot = (char *)new_addr[i] + off;
      return;
    }
  }
}

static void visit_start(void **slot, void *ctx) {
  (void)ctx;
  visited_start++;
  forward(slot);
}

static void visit_interior(void **slot, void *ctx) {
  (void)ctx;
  visited_interior++;
  forward(slot);
}

static void *pair(size_t i, size_t size) {
  old_addr[i] = gc_alloc(size);
  new_addr[i] = gc_alloc(size);
  assert_non_null(old_addr[i]);
  assert_non_null(new_addr[i]);
  npairs = i + 1 > npairs ? i + 1 : npairs;
  return old_addr[i];
}

static void fin(void *obj, void *data) { (void)obj; (void)data; }

static void test_visit_moves_everything(void **state) {
  (void)state;
  gc_disable();
  void *a = pair(0, 32), *b = pair(1, 32), *c = pair(2, 32), *d = pair(3, 32);
  void *k = pair(4, 32), *v = pair(5, 32);
  void **holder = pair(6, 64); /* holds two links at offsets 8 and 16 */
  gc_register_finalizer(a, fin, NULL, NULL, NULL);
  assert_int_equal(gc_weak_link(&holder[1], b), 0);
  assert_int_equal(gc_weak_link_long(&holder[2], c), 0);
  gc_weak_ref *w = gc_weak_new(d);
  gc_ephemeron *e = gc_ephemeron_new(k, v);
  assert_non_null(w);
  assert_non_null(e);

  state_lock();
  weak_tables_visit_slots(visit_start, visit_interior, NULL);
  state_unlock();
  assert_true(visited_start >= 7);
  assert_true(visited_interior >= 2);

  gc_finalizer_fn old_fn = NULL;
  gc_register_finalizer(a, NULL, NULL, &old_fn, NULL);
  assert_null(old_fn); /* no longer under the old address */
  gc_register_finalizer(new_addr[0], NULL, NULL, &old_fn, NULL);
  assert_ptr_equal(old_fn, fin);

  void **new_holder = new_addr[6];
  assert_int_equal(gc_weak_unlink(&holder[1]), -1);
  assert_int_equal(gc_weak_link(&new_holder[1], new_addr[1]), 1); /* same target */
  assert_int_equal(gc_weak_link_long(&new_holder[2], new_addr[2]), 1);
  assert_int_equal(gc_weak_unlink(&new_holder[1]), 0);
  assert_int_equal(gc_weak_unlink(&new_holder[2]), 0);

  assert_ptr_equal(gc_weak_get(w), new_addr[3]);
  assert_ptr_equal(gc_ephemeron_key(e), new_addr[4]);
  assert_ptr_equal(gc_ephemeron_value(e), new_addr[5]);
  gc_enable();
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_visit_moves_everything),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
