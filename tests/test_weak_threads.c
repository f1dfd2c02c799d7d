/*
 * test_weak_threads.c — registrations from several threads at once: each
 * thread allocates objects and registers finalizers, short links and
 * ephemerons on them while the others do the same, keeping every other
 * object alive through a shared root array.  Collection is disabled while
 * the threads run (stopping other threads is not this module's concern);
 * afterwards one collection must finalize, clear and keep exactly the
 * right objects: no registration lost or duplicated under contention.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "gc_state.h"
#include "weak_test_support.h"

#define THREADS 4
#define PER_THREAD 5000
#define TOTAL (THREADS * PER_THREAD)

typedef struct node {
  uintptr_t id;
} node;

static void **links;                 /* malloc: one short link per object */
static void **volatile keep;         /* scanned: the odd-numbered objects */
static gc_ephemeron **volatile ephs; /* scanned: one ephemeron per object */
static unsigned char finalized[TOTAL];

static void on_finalize(void *obj, void *data) {
  uintptr_t id = (uintptr_t)data;
  assert_int_equal(((node *)obj)->id, id);
  finalized[id]++;
}

static void *worker(void *arg) {
  uintptr_t first = (uintptr_t)arg * PER_THREAD;
  if (gc_register_thread() != 0)
    return (void *)1;
  for (uintptr_t id = first; id < first + PER_THREAD; id++) {
    node *n = gc_alloc(sizeof(node));
    node *v = gc_alloc(sizeof(node));
    if (!n || !v)
      return (void *)2;
    n->id = id;
    v->id = id;
    links[id] = n;
    if (gc_weak_link(&links[id], n) != 0)
      return (void *)3;
    gc_register_finalizer(n, on_finalize, (void *)id, NULL, NULL);
    ephs[id] = gc_ephemeron_new(n, v);
    if (!ephs[id])
      return (void *)4;
    if (id % 2)
      keep[id] = n;
  }
  gc_unregister_thread();
  return NULL;
}

__attribute__((noinline)) static uintptr_t eph_value_id(size_t i) {
  node *v = gc_ephemeron_value(ephs[i]);
  return v ? v->id + 1 : 0;
}

static void test_concurrent_registration(void **state) {
  (void)state;
  G->cfg.finalize_on_demand = 1;
  links = calloc(TOTAL, sizeof(void *));
  keep = gc_alloc(TOTAL * sizeof(void *));
  ephs = gc_alloc(TOTAL * sizeof(gc_ephemeron *));
  assert_non_null(links);
  assert_non_null(keep);
  assert_non_null(ephs);
  gc_disable();
  pthread_t t[THREADS];
  for (uintptr_t i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
  for (int i = 0; i < THREADS; i++) {
    void *rc;
    assert_int_equal(pthread_join(t[i], &rc), 0);
    assert_null(rc);
  }
  gc_enable();
  collect_clean();
  gc_run_finalizers();
  /* Dead keys are being finalized: their ephemerons hold on (cleared only
   * when the key is reclaimed, docs/finalization.md); the next collection
   * reclaims them. */
  for (size_t i = 0; i < TOTAL; i++) {
    int dead = i % 2 == 0;
    assert_int_equal(finalized[i], dead);
    if (dead)
      assert_null(links[i]);
    else
      assert_ptr_equal(links[i], keep[i]);
    assert_int_equal(eph_value_id(i), i + 1);
  }
  collect_clean();
  for (size_t i = 0; i < TOTAL; i++)
    assert_int_equal(eph_value_id(i), i % 2 == 0 ? 0 : i + 1);
  for (size_t i = 1; i < TOTAL; i += 2) {
    assert_int_equal(gc_weak_unlink(&links[i]), 0);
    gc_register_finalizer(keep[i], NULL, NULL, NULL, NULL);
  }
  free(links);
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_concurrent_registration)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
