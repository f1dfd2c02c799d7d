/*
 * test_no_malloc_stopped.c — nothing in a collection calls malloc,
 * realloc, calloc or free while the world is stopped (a stopped thread may
 * hold the malloc lock: roots/stop_world.c, gc/meta_alloc.h).
 *
 * How: this program is linked with
 * -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc,--wrap=free
 * (tests/no_malloc.mk), so every call that the collector's objects (and
 * this file) make to those functions lands in the __wrap_ functions
 * below, which count the calls made while world_is_stopped() and
 * remember the first caller, then forward to the real ones.  (Calls made
 * inside glibc or libunwind are not redirected by --wrap; they are not
 * what this test checks.)
 *
 * The collections exercise everything that keeps tables: compaction (with
 * threshold 100 every precise block is evacuated), finalizers (queue and
 * the finalizer table, grown and shrunk), disappearing links inside
 * objects that move, weak references, ephemerons, the verifier after
 * every collection, gc_verify, gc_explain and the exit usage report —
 * with two other registered threads allocating, so the world really is
 * stopped, and two markers.  The first test shows the check can fail: a
 * malloc inside world_stopped_run is counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc_state.h"
#include "precise_helpers.h"
#include "stop_world.h"
#include "usage_report.h"

/* ---- precise objects: {id, value, nkids, kids[nkids]}, kids traced ---------- */

typedef struct node {
  uint64_t id;
  uint64_t value; /* not traced: holds a disappearing link in one test */
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

static node *new_node(uint64_t id, uint64_t nkids) {
  node *n = gc_alloc_typed(&node_type, sizeof(node) + nkids * sizeof(node *));
  assert_non_null(n);
  n->id = id;
  n->nkids = nkids;
  return n;
}

/* ---- the wrappers ---------------------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t c, size_t n);
void __real_free(void *p);

static atomic_long stopped_calls;
static const char *first_fn;
static void *first_site;

static void note(const char *fn, void *site) {
  if (!world_is_stopped())
    return;
  if (atomic_fetch_add(&stopped_calls, 1) == 0) {
    first_fn = fn;
    first_site = site;
  }
}

void *__wrap_malloc(size_t n) {
  note("malloc", __builtin_return_address(0));
  return __real_malloc(n);
}
void *__wrap_realloc(void *p, size_t n) {
  note("realloc", __builtin_return_address(0));
  return __real_realloc(p, n);
}
void *__wrap_calloc(size_t c, size_t n) {
  note("calloc", __builtin_return_address(0));
  return __real_calloc(c, n);
}
void __wrap_free(void *p) {
  note("free", __builtin_return_address(0));
  __real_free(p);
}

/* Each test checks (and resets) the calls made since the previous one. */
static void expect_no_stopped_calls(void) {
  long n = atomic_exchange(&stopped_calls, 0);
  if (n) {
    Dl_info info;
    bool found = dladdr(first_site, &info) != 0;
    fprintf(stderr, "%ld call(s) to the C allocator with the world stopped; first: %s from "
                    "%s+%#lx (addr2line -f -e %s %#lx)\n",
            n, first_fn, found && info.dli_sname ? info.dli_sname : "?",
            found ? (unsigned long)((char *)first_site - (char *)info.dli_fbase) : 0ul,
            found ? info.dli_fname : "?",
            found ? (unsigned long)((char *)first_site - (char *)info.dli_fbase) : 0ul);
  }
  assert_int_equal(n, 0);
}

/* ---- other mutators, so that collections stop someone ------------------------ */

static atomic_int stop_workers;
static gc_type leaf_type = {.name = "leaf", .size = 32};

static void *volatile worker_keep[2][64]; /* roots: the workers' live data */

static void *worker(void *arg) {
  void *volatile *keep = worker_keep[(uintptr_t)arg];
  for (unsigned i = 0; !atomic_load(&stop_workers); i++) {
    keep[i % 64] = (i & 1) ? gc_alloc(48) : gc_alloc_typed(&leaf_type, 32);
    if (i % 4096 == 0)
      gc_collect();
  }
  return NULL;
}

static pthread_t workers[2];

static int setup(void **state) {
  (void)state;
  gc_config cfg = {.verify = 1, .markers = 2};
  if (gc_init(&cfg) != 0 || gc_type_register(&node_type) || gc_type_register(&leaf_type))
    return -1;
  compact_set_threshold(100);
  for (uintptr_t i = 0; i < 2; i++)
    if (gc_pthread_create(&workers[i], NULL, worker, (void *)i) != 0)
      return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  atomic_store(&stop_workers, 1);
  for (int i = 0; i < 2; i++)
    gc_pthread_join(workers[i], NULL);
  return 0;
}

/* ---- the check can fail -------------------------------------------------------- */

static void malloc_in_stopped_section(void *arg) { *(void **)arg = malloc(16); }

static void test_detects_a_call(void **state) {
  (void)state;
  void *p = NULL;
  state_lock();
  world_stopped_run(malloc_in_stopped_section, &p);
  state_unlock();
  free(p);
  assert_true(atomic_load(&stopped_calls) >= 1);
  atomic_store(&stopped_calls, 0);
}

/* ---- collections that use every table ------------------------------------------ */

static atomic_int finalized;
static void count_final(void *obj, void *data) {
  (void)obj;
  (void)data;
  atomic_fetch_add(&finalized, 1);
}

/* Many finalizable objects, all dropped: the ready queue grows from empty
 * in a collection, and the finalizer table is rebuilt (and, after two
 * sparse rebuilds, shrunk) in the next ones. */
static __attribute__((noinline)) void make_finalizable(int n) {
  for (int i = 0; i < n; i++)
    gc_register_finalizer(gc_alloc(32), count_final, NULL, NULL, NULL);
}

static void test_finalizers(void **state) {
  (void)state;
  make_finalizable(20000);
  clear_stack();
  for (int i = 0; i < 4; i++)
    gc_collect();
  gc_run_finalizers();
  assert_true(atomic_load(&finalized) > 10000);
  expect_no_stopped_calls();
}

/* Holders (precise, exactly rooted: they move) whose `value` word is a
 * disappearing link to a target that half the time stays reachable. */
#define LINKS 3000
static void **holder_roots;
static void **target_roots;

static __attribute__((noinline)) void make_links(void) {
  holder_roots = calloc(LINKS, sizeof *holder_roots);
  target_roots = calloc(LINKS, sizeof *target_roots);
  for (int i = 0; i < LINKS; i++) {
    gc_root_add(&holder_roots[i]);
    gc_root_add(&target_roots[i]);
    node *h = new_node((uint64_t)i, 0);
    node *t = new_node((uint64_t)i + LINKS, 0);
    h->value = (uint64_t)(uintptr_t)t;
    assert_int_equal(gc_weak_link((void **)&h->value, t), 0);
    holder_roots[i] = h;
    if (i % 2)
      target_roots[i] = t;
  }
}

static void test_weak_links_that_move(void **state) {
  (void)state;
  make_links();
  compact_now();
  compact_now();
  int cleared = 0;
  for (int i = 0; i < LINKS; i++) {
    node *h = holder_roots[i];
    if (i % 2)
      assert_ptr_equal((void *)(uintptr_t)h->value, target_roots[i]);
    else
      cleared += h->value == 0;
  }
  assert_true(cleared > LINKS / 4);
  for (int i = 0; i < LINKS; i++) {
    gc_root_remove(&holder_roots[i]);
    gc_root_remove(&target_roots[i]);
  }
  free(holder_roots);
  free(target_roots);
  expect_no_stopped_calls();
}

static __attribute__((noinline)) void make_weak_refs_and_ephemerons(void **keep, int n) {
  for (int i = 0; i < n; i++) {
    void *key = gc_alloc(32);
    assert_non_null(gc_weak_new(key));
    gc_ephemeron *e = gc_ephemeron_new(key, gc_alloc(64));
    assert_non_null(e);
    if (i % 2)
      keep[i] = key;
  }
}

static void test_weak_refs_and_ephemerons(void **state) {
  (void)state;
  enum { N = 4000 };
  void **keep = gc_alloc(N * sizeof(void *));
  make_weak_refs_and_ephemerons(keep, N);
  clear_stack();
  gc_collect();
  compact_now();
  assert_non_null(keep[1]);
  expect_no_stopped_calls();
}

/* A live precise graph evacuated every cycle: the compactor's candidate
 * and slot tables grow in the pause. */
static void test_compaction(void **state) {
  (void)state;
  enum { N = 20000 };
  node **roots = gc_alloc_uncollectable(64 * sizeof(node *));
  for (int i = 0; i < N; i++) {
    node *n = new_node((uint64_t)i, 1);
    n->kids[0] = roots[i % 64];
    roots[i % 64] = n;
    if (i % 3 == 0)
      (void)new_node((uint64_t)i, 2); /* garbage between the live ones */
  }
  compact_totals before, after;
  compact_get_totals(&before);
  compact_now();
  compact_now();
  compact_get_totals(&after);
  assert_true(after.objects_moved > before.objects_moved);
  gc_free(roots);
  expect_no_stopped_calls();
}

static void test_verify_explain_report(void **state) {
  (void)state;
  FILE *devnull = fopen("/dev/null", "w");
  assert_non_null(devnull);
  void *volatile obj = gc_alloc(100);
  assert_int_equal(gc_verify(), 0);
  assert_int_equal(gc_explain(obj, devnull), 0);
  usage_report_print(devnull);
  fclose(devnull);
  expect_no_stopped_calls();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_detects_a_call),
      cmocka_unit_test(test_finalizers),
      cmocka_unit_test(test_weak_links_that_move),
      cmocka_unit_test(test_weak_refs_and_ephemerons),
      cmocka_unit_test(test_compaction),
      cmocka_unit_test(test_verify_explain_report),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
