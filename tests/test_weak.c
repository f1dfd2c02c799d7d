/*
 * test_weak.c — disappearing links (short and long) and weak reference
 * objects: cleared exactly when the target dies and not before, the
 * short/long order around finalization, unlink, move, duplicates, links
 * stored in dying objects, many links at once, bad input.  How objects
 * are made unreachable under conservative roots: weak_test_support.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "gc_state.h"
#include "weak.h"
#include "weak_test_support.h"

typedef struct node {
  struct node *next;
  uintptr_t id;
} node;

static void *volatile keep_alive; /* a root (volatile: the store is kept) */

__attribute__((noinline)) static node *new_node(uintptr_t id) {
  node *n = gc_alloc(sizeof(node));
  assert_non_null(n);
  n->id = id;
  return n;
}

/* Unhiding happens in noinline helpers: in the test body the compiler
 * could keep the unhidden address in a callee-saved register, which
 * every deeper frame saves on the stack (a stale root). */
__attribute__((noinline)) static void store_unhidden(void *volatile *slot, uintptr_t h) {
  *slot = UNHIDE(h);
}

/* Links live in malloc memory: never scanned. */
static void **new_links(size_t n) {
  void **l = calloc(n, sizeof(void *));
  assert_non_null(l);
  return l;
}

__attribute__((noinline)) static uintptr_t make_linked(void **link, uintptr_t id, int is_long) {
  node *n = new_node(id);
  *link = n;
  assert_int_equal(is_long ? gc_weak_link_long(link, n) : gc_weak_link(link, n), 0);
  return HIDE(n);
}

static void test_short_link_cleared_exactly_when_target_dies(void **state) {
  (void)state;
  void **link = new_links(1);
  gc_stats before, after;
  gc_get_stats(&before);
  uintptr_t h = make_linked(link, 1, 0);
  store_unhidden(&keep_alive, h);
  for (int i = 0; i < 3; i++) {
    collect_clean();
    assert_int_equal(HIDE(*link), h); /* not before */
  }
  keep_alive = NULL;
  collect_clean();
  assert_null(*link);
  gc_get_stats(&after);
  assert_int_equal(after.weak_cleared - before.weak_cleared, 1);
  free(link);
}

/* Short links are cleared before the finalizer runs; long ones after the
 * object is reclaimed. */
static void **order_links;
static int short_was_null, long_was_set;
static void check_links(void *obj, void *data) {
  (void)data;
  short_was_null = order_links[0] == NULL;
  long_was_set = order_links[1] == obj;
}

__attribute__((noinline)) static void make_linked_finalizable(void) {
  node *n = new_node(2);
  order_links[0] = order_links[1] = n;
  assert_int_equal(gc_weak_link(&order_links[0], n), 0);
  assert_int_equal(gc_weak_link_long(&order_links[1], n), 0);
  gc_register_finalizer(n, check_links, NULL, NULL, NULL);
}

static void test_short_before_finalizer_long_after(void **state) {
  (void)state;
  G->cfg.finalize_on_demand = 1;
  order_links = new_links(2);
  make_linked_finalizable();
  collect_clean();
  assert_null(order_links[0]);
  assert_non_null(order_links[1]); /* object kept for its finalizer */
  assert_int_equal(gc_run_finalizers(), 1);
  assert_true(short_was_null);
  assert_true(long_was_set);
  scrub_stack();
  collect_clean();
  assert_null(order_links[1]);
  free(order_links);
}

__attribute__((noinline)) static uintptr_t make_weak_ref(gc_weak_ref **out, uintptr_t id) {
  node *n = new_node(id);
  *out = gc_weak_new(n);
  assert_non_null(*out);
  assert_ptr_equal(gc_weak_get(*out), n);
  return HIDE(n);
}

static gc_weak_ref *volatile weak_root;

__attribute__((noinline)) static uintptr_t weak_get_hidden(void) {
  return HIDE(gc_weak_get(weak_root));
}

static void test_weak_ref_object(void **state) {
  (void)state;
  gc_weak_ref *w;
  uintptr_t h = make_weak_ref(&w, 3);
  weak_root = w;
  w = NULL;
  store_unhidden(&keep_alive, h);
  for (int i = 0; i < 3; i++) {
    collect_clean();
    assert_int_equal(weak_get_hidden(), h);
  }
  keep_alive = NULL;
  collect_clean();
  assert_null(gc_weak_get(weak_root)); /* the ref survives, the target not */
  assert_null(gc_weak_get(NULL));
  weak_root = NULL;
}

__attribute__((noinline)) static int relink_hidden(void **link, uintptr_t h) {
  return gc_weak_link(link, UNHIDE(h));
}

static void test_unlink_and_duplicates(void **state) {
  (void)state;
  void **link = new_links(1);
  uintptr_t h = make_linked(link, 4, 0);
  assert_int_equal(relink_hidden(link, h), 1); /* duplicate */
  assert_int_equal(gc_weak_unlink(link), 0);
  assert_int_equal(gc_weak_unlink(link), -1);
  collect_clean();
  assert_int_equal(HIDE(*link), h); /* no longer cleared */
  free(link);
}

static void *volatile kept[3]; /* roots while the links are moved */

static void test_move_link(void **state) {
  (void)state;
  void **links = new_links(4);
  /* Kept alive while moving: under GLEANER_STRESS any allocation here
   * collects, and a dead target would take its link with it. */
  uintptr_t h = make_linked(&links[0], 5, 0);
  store_unhidden(&kept[0], h);
  store_unhidden(&kept[1], make_linked(&links[2], 6, 1));
  assert_int_equal(gc_weak_move_link(&links[0], &links[1]), 0);
  assert_int_equal(gc_weak_move_link(&links[0], &links[1]), -1); /* gone */
  assert_int_equal(gc_weak_move_link(&links[2], &links[3]), 0);
  store_unhidden(&kept[2], make_linked(&links[2], 7, 1));
  assert_int_equal(gc_weak_move_link(&links[2], &links[3]), 1); /* taken */
  store_unhidden((void *volatile *)&links[1], h);
  store_unhidden((void *volatile *)&links[3], HIDE(kept[1]));
  kept[0] = kept[1] = kept[2] = NULL;
  collect_clean();
  assert_int_equal(HIDE(links[0]), h); /* the old location is left alone */
  assert_null(links[1]);
  assert_null(links[2]);
  assert_null(links[3]);
  free(links);
}

/* A link stored inside an atomic heap object that dies is forgotten. */
__attribute__((noinline)) static void make_link_in_dying_object(void) {
  void **holder = gc_alloc_atomic(4 * sizeof(void *));
  assert_non_null(holder);
  node *target = new_node(8);
  keep_alive = target;
  holder[1] = target;
  assert_int_equal(gc_weak_link(&holder[1], target), 0);
}

static void test_link_in_dead_storage_is_forgotten(void **state) {
  (void)state;
  size_t links = weak_link_count(0);
  make_link_in_dying_object();
  assert_int_equal(weak_link_count(0), links + 1);
  collect_clean();
  assert_int_equal(weak_link_count(0), links);
  keep_alive = NULL;
  collect_clean();
}

/* Many links: exactly the dead half is cleared. */
#define MANY 10000
static void **volatile survivors; /* scanned: an atomic-free root array */

__attribute__((noinline)) static void make_many(void **links) {
  survivors = gc_alloc(MANY / 2 * sizeof(void *));
  assert_non_null(survivors);
  for (size_t i = 0; i < MANY; i++) {
    node *n = new_node(i);
    links[i] = n;
    assert_int_equal(gc_weak_link(&links[i], n), 0);
    if (i % 2 == 0)
      survivors[i / 2] = n;
  }
}

static void test_many_links(void **state) {
  (void)state;
  void **links = new_links(MANY);
  make_many(links);
  collect_clean();
  for (size_t i = 0; i < MANY; i++) {
    if (i % 2 == 0) {
      assert_ptr_equal(links[i], survivors[i / 2]);
      assert_int_equal(((node *)links[i])->id, i);
    } else {
      assert_null(links[i]);
    }
  }
  for (size_t i = 0; i < MANY; i += 2)
    assert_int_equal(gc_weak_unlink(&links[i]), 0);
  survivors = NULL;
  free(links);
}

__attribute__((noinline)) static void make_freed_target(void **link) {
  node *n = new_node(9);
  *link = n;
  assert_int_equal(gc_weak_link(link, n), 0);
  gc_free(n);
}

static void test_freed_target_clears_link(void **state) {
  (void)state;
  void **link = new_links(1);
  make_freed_target(link);
  collect_clean();
  assert_null(*link);
  free(link);
}

static void test_bad_input(void **state) {
  (void)state;
  static int not_heap;
  void **link = new_links(2);
  node *n = new_node(10);
  gc_warn_fn old = gc_set_warn_handler(counting_warn);
  warnings_seen = 0;
  assert_int_equal(gc_weak_link(NULL, n), -1);
  assert_int_equal(gc_weak_link((void **)((char *)link + 1), n), -1);
  assert_int_equal(gc_weak_link(link, &not_heap), -1);
  assert_int_equal(gc_weak_link(link, &n->id), -1); /* interior */
  assert_int_equal(gc_weak_move_link(link, NULL), -1);
  assert_null(gc_weak_new(&n->id));
  gc_set_warn_handler(old);
  assert_int_equal(warnings_seen, 6);
  assert_int_equal(gc_weak_unlink(link), -1);
  free(link);
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_short_link_cleared_exactly_when_target_dies),
      cmocka_unit_test(test_short_before_finalizer_long_after),
      cmocka_unit_test(test_weak_ref_object),
      cmocka_unit_test(test_unlink_and_duplicates),
      cmocka_unit_test(test_move_link),
      cmocka_unit_test(test_link_in_dead_storage_is_forgotten),
      cmocka_unit_test(test_many_links),
      cmocka_unit_test(test_freed_target_clears_link),
      cmocka_unit_test(test_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
