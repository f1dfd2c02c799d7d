/*
 * test_faults_marking.c — fault injection in collections and threads: the
 * grey stack cannot grow, the compactor gets no memory, marker threads
 * cannot be started, gc_pthread_create cannot make its thread (or its
 * registry record), gc_register_thread gets no record.  The collector must keep every reachable object (a
 * shadow list of the graph checks each one after the collection, and
 * gc_verify's independent mark agrees), degrade instead of dying, and stay
 * usable afterwards.
 *
 * Faults are injected by link-time wrapping (tests/fault_plan.h).  Every
 * scenario runs in a child process with a fresh collector (the parent
 * never initializes one): marker threads are started once per process,
 * and the first grey stack is mapped by the first collection.
 *
 * The graph ("comb"): a chain of nodes, each a 64-word conservative object
 * whose words 0..61 point to leaves (16-byte conservative objects holding
 * a tag) and whose last word points to the next node.  Scanning a node
 * pushes its 62 leaves and then the next node, which is popped first: the
 * grey stack grows by about 55 entries per node, so a chain of
 * capacity/40 nodes overflows a stack of `capacity` entries — with one
 * marker.  Two markers share the work unpredictably, so the graph also has
 * a "fan": a root range (malloc memory registered with gc_add_roots)
 * holding more leaves than the stack has entries, which overflows the
 * collecting thread's stack while the roots are marked, before any drain.
 * Collections are disabled while the graph is built, so the armed
 * collection is the first one when the test wants it to be.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "diag_util.h"
#include "fault_plan.h"
#include "gc_state.h"
#include "mark.h"
#include "threads_util.h"

#define LEAVES 62
#define NODE_WORDS 64
#define TAG 0x5eed0000u

void *comb_root; /* the graph's only root */

typedef struct shadow {
  uintptr_t *hidden; /* complemented addresses of every object (malloc: no root) */
  size_t count;
  void **fan;        /* the root range */
  size_t fan_count;
} shadow;

static uintptr_t leaf_tag(size_t node, size_t i) { return TAG + node * LEAVES + i; }

/* Builds a comb of n nodes into comb_root; the shadow lists every object. */
__attribute__((noinline)) static void build_comb(size_t n, shadow *sh) {
  sh->hidden = malloc(n * (LEAVES + 1) * sizeof(uintptr_t));
  sh->count = 0;
  void **prev = NULL;
  for (size_t k = 0; k < n; k++) {
    void **node = gc_alloc(NODE_WORDS * sizeof(void *));
    if (!node)
      abort();
    for (size_t i = 0; i < LEAVES; i++) {
      uintptr_t *leaf = gc_alloc(16);
      if (!leaf)
        abort();
      leaf[0] = leaf_tag(k, i);
      node[i] = leaf;
      sh->hidden[sh->count++] = hide(leaf);
    }
    sh->hidden[sh->count++] = hide(node);
    if (prev)
      prev[NODE_WORDS - 1] = node;
    else
      comb_root = node;
    prev = node;
  }
}

#define FAN_TAG 0xfa000000u
__attribute__((noinline)) static void build_fan(size_t n, shadow *sh) {
  sh->fan = malloc(n * sizeof(void *));
  sh->fan_count = n;
  sh->hidden = realloc(sh->hidden, (sh->count + n) * sizeof(uintptr_t));
  for (size_t i = 0; i < n; i++) {
    uintptr_t *leaf = gc_alloc(16);
    if (!leaf)
      abort();
    leaf[0] = FAN_TAG + i;
    sh->fan[i] = leaf;
    sh->hidden[sh->count++] = hide(leaf);
  }
  gc_add_roots(sh->fan, sh->fan + n);
}

static void drop_graph(shadow *sh) {
  comb_root = NULL;
  if (sh->fan) {
    gc_remove_roots(sh->fan, sh->fan + sh->fan_count);
    free(sh->fan);
  }
  free(sh->hidden);
}

/* Every object is still allocated, every leaf still holds its tag (a
 * reclaimed leaf would be freed, or zeroed and reused), and the chain has
 * its n nodes. */
__attribute__((noinline)) static int comb_intact(size_t n, const shadow *sh) {
  for (size_t i = 0; i < sh->count; i++) {
    void *p = reveal(sh->hidden[i]);
    if (gc_base(p) != p) {
      fprintf(stderr, "object %zu of the graph (%p) was reclaimed\n", i, p);
      return 0;
    }
  }
  size_t k = 0;
  for (void **node = comb_root; node; node = node[NODE_WORDS - 1], k++) {
    for (size_t i = 0; i < LEAVES; i++)
      if (((uintptr_t *)node[i])[0] != leaf_tag(k, i)) {
        fprintf(stderr, "leaf %zu of node %zu lost its contents\n", i, k);
        return 0;
      }
  }
  if (k != n) {
    fprintf(stderr, "the chain has %zu nodes, not %zu\n", k, n);
    return 0;
  }
  for (size_t i = 0; i < sh->fan_count; i++)
    if (((uintptr_t *)sh->fan[i])[0] != FAN_TAG + i) {
      fprintf(stderr, "leaf %zu of the fan lost its contents\n", i);
      return 0;
    }
  return 1;
}

/* Fill freed slots of the leaves' size class, so that a wrongly reclaimed
 * leaf is reused (and zeroed) before the check. */
__attribute__((noinline)) static void churn(size_t n) {
  for (size_t i = 0; i < n; i++)
    ((uintptr_t *)gc_alloc(16))[0] = 1;
}

/* Atomic ballast held by a global: pushes the heap past the size at which
 * a full drain uses several markers, without adding grey work. */
void *ballast[96];
__attribute__((noinline)) static void add_ballast(void) {
  for (size_t i = 0; i < sizeof ballast / sizeof *ballast; i++)
    ballast[i] = gc_alloc_atomic(60 * 1024);
}

/* ---- the grey stack cannot grow ------------------------------------------ */

typedef struct overflow_case {
  unsigned markers;
  bool first_collection; /* fail the first mapping of the stacks too */
  bool ballast;
  bool incremental;      /* an incremental cycle of slices, not gc_collect */
} overflow_case;

/* The armed collection: a full one, or an incremental cycle run to its
 * end in slices (the overflow is recovered inside a slice's drain, and the
 * cycle must not finish while dropped entries wait). */
static void collect(const overflow_case *c) {
  if (!c->incremental) {
    gc_collect();
    return;
  }
  unsigned slices = 1;
  while (gc_collect_a_little())
    slices++;
  printf("# incremental cycle of %u slices\n", slices);
}

static int overflow_scenario(void *arg) {
  const overflow_case *c = arg;
  gc_config cfg = {.markers = c->markers, .incremental = c->incremental ? 1 : 0,
                   .barrier = c->incremental ? GC_BARRIER_EXPLICIT : GC_BARRIER_DEFAULT};
  gc_init(&cfg);
  size_t nodes, fan;
  if (c->first_collection) {
    nodes = 80; /* the emergency stack holds 256 entries */
    fan = 1000;
  } else {
    gc_collect(); /* maps the grey stacks */
    nodes = mark_main_stack()->capacity / 40 + 64;
    fan = mark_main_stack()->capacity + 1000;
  }
  gc_disable();
  if (c->ballast)
    add_ballast();
  shadow sh;
  build_comb(nodes, &sh);
  build_fan(fan, &sh);
  gc_enable();
  scrub_stack();
  uint64_t overflows = mark_overflow_count(), rescans = mark_overflow_rescans();
  arm(F_MREMAP, 0, -1);
  if (c->first_collection)
    arm(F_MMAP, 0, -1);
  collect(c);
  disarm_all();
  gc_stats st;
  gc_get_stats(&st);
  printf("# markers %u%s: %llu growth failures, %llu heap rescans, %zu objects, markers "
         "used %u\n",
         c->markers, c->first_collection ? " (no stack at all)" : "",
         (unsigned long long)(mark_overflow_count() - overflows),
         (unsigned long long)(mark_overflow_rescans() - rescans), sh.count, st.markers_used);
  CHECK(mark_overflow_count() > overflows);
  CHECK(mark_overflow_rescans() > rescans);
  churn(sh.count);
  CHECK(comb_intact(nodes, &sh));
  CHECK(gc_verify() == 0);
  /* With memory again, the same graph needs no rescan. */
  rescans = mark_overflow_rescans();
  collect(c);
  CHECK(mark_overflow_rescans() == rescans);
  CHECK(comb_intact(nodes, &sh));
  drop_graph(&sh);
  return 0;
}

static void grey_stack_cannot_grow_one_marker(void **state) {
  (void)state;
  overflow_case c = {.markers = 1};
  assert_int_equal(run_in_child(overflow_scenario, &c), 0);
}

static void grey_stack_cannot_grow_two_markers(void **state) {
  (void)state;
  overflow_case c = {.markers = 2, .ballast = true};
  assert_int_equal(run_in_child(overflow_scenario, &c), 0);
}

static void grey_stack_cannot_grow_in_an_incremental_cycle(void **state) {
  (void)state;
  overflow_case c = {.markers = 1, .incremental = true};
  assert_int_equal(run_in_child(overflow_scenario, &c), 0);
  /* Slices drained by two markers until their deadline (mark_parallel.c). */
  overflow_case p = {.markers = 2, .incremental = true, .ballast = true};
  assert_int_equal(run_in_child(overflow_scenario, &p), 0);
}

static void no_grey_stack_at_all_uses_the_emergency_stack(void **state) {
  (void)state;
  overflow_case c = {.markers = 1, .first_collection = true};
  assert_int_equal(run_in_child(overflow_scenario, &c), 0);
  overflow_case p = {.markers = 2, .first_collection = true, .ballast = true};
  assert_int_equal(run_in_child(overflow_scenario, &p), 0);
}

/* ---- compaction without memory -------------------------------------------- */

/* Precise objects, nine in ten dropped, the rest held through the precise
 * fields of a holder (exact references: movable); the second collection
 * would evacuate the sparse blocks, but its forwarded-block table (one
 * mapping of a size no other table has: a bit per reserved block) cannot
 * be mapped: nothing moves, one warning, every object intact, and the
 * next collection compacts.  (Failing every mmap would only show that no
 * candidate can be recorded: the candidate list is mmapped too.) */
#define CELLS 40000
#define KEEP_EVERY 10
static uint64_t cell_bitmap[1] = {0}; /* cells hold no pointers */
static gc_type cell_type = {.name = "cell", .size = 32, .pointer_bitmap = cell_bitmap,
                            .bitmap_words = 1};
static uint64_t holder_bitmap[1] = {~(uint64_t)0};
static gc_type holder_type = {.name = "holder", .size = 8, .pointer_bitmap = holder_bitmap,
                              .bitmap_words = 1};
void **holder;

__attribute__((noinline)) static void build_cells(void) {
  holder = gc_alloc_typed(&holder_type, CELLS / KEEP_EVERY * sizeof(void *));
  for (size_t i = 0; i < CELLS; i++) {
    uint64_t *cell = gc_alloc_typed(&cell_type, 32);
    cell[0] = TAG + i;
    if (i % KEEP_EVERY == 0)
      holder[i / KEEP_EVERY] = cell;
  }
}

static int cells_intact(void) {
  for (size_t k = 0; k < CELLS / KEEP_EVERY; k++)
    if (((uint64_t *)holder[k])[0] != TAG + k * KEEP_EVERY)
      return 0;
  return 1;
}

static uint64_t objects_moved(void) {
  gc_stats st;
  gc_get_stats(&st);
  return st.objects_moved;
}

static int compaction_scenario(void *unused) {
  (void)unused;
  gc_config cfg = {.markers = 1, .compact = 1};
  gc_init(&cfg);
  CHECK(gc_type_register(&cell_type) == 0 && gc_type_register(&holder_type) == 0);
  gc_root_add((void **)&holder);
  gc_disable();
  build_cells();
  gc_enable();
  scrub_stack();
  warnings_capture();
  gc_collect(); /* the cells' blocks are now known to be sparse */
  CHECK(objects_moved() == 0);
  arm_mmap_of_length(((size_t)G->blocks_reserved / 64 + 1) * sizeof(uint64_t), -1);
  gc_collect();
  long failed = plan[F_MMAP].failed;
  disarm_all();
  printf("# compaction without memory: %ld mmap calls failed, %llu objects moved\n", failed,
         (unsigned long long)objects_moved());
  CHECK(failed >= 1);
  CHECK(objects_moved() == 0);
  CHECK(strstr(warnings, "compaction skipped") != NULL);
  CHECK(cells_intact());
  CHECK(gc_verify() == 0);
  gc_collect();
  printf("# with memory again: %llu objects moved\n", (unsigned long long)objects_moved());
  CHECK(objects_moved() > 0);
  CHECK(cells_intact());
  CHECK(gc_verify() == 0);
  gc_set_warn_handler(NULL);
  return 0;
}

static void compaction_without_memory_moves_nothing(void **state) {
  (void)state;
  assert_int_equal(run_in_child(compaction_scenario, NULL), 0);
}

/* ---- marker threads cannot be started ------------------------------------ */

static unsigned markers_of_last_collection(void) {
  gc_stats st;
  gc_get_stats(&st);
  return st.markers_used;
}

/* GLEANER_MARKERS=4; pthread_create lets `skip` calls through, then fails
 * `fail`: marking degrades to the helpers that started, with one warning,
 * keeps every object, and starts the missing helpers once threads can be
 * made.  How many helpers exist is counted at pthread_create (the wrapper);
 * how many join a drain depends on the scheduler (a drain does not wait for
 * a helper that wakes late), so markers_used is only bounded by it. */
typedef struct start_case {
  long skip, fail;
  unsigned collections;   /* armed collections */
  long expect_helpers;    /* started while armed */
} start_case;

static int marker_start_scenario(void *arg) {
  const start_case *c = arg;
  gc_config cfg = {.markers = 4};
  gc_init(&cfg);
  warnings_capture();
  gc_disable();
  add_ballast();
  shadow sh = {0};
  build_comb(200, &sh);
  gc_enable();
  scrub_stack();
  arm(F_PTHREAD, c->skip, c->fail);
  for (unsigned i = 0; i < c->collections; i++) {
    gc_collect();
    printf("# collection %u with pthread_create failing after %ld: %ld helpers, %u "
           "markers used\n",
           i, c->skip, threads_created, markers_of_last_collection());
    CHECK(threads_created == c->expect_helpers);
    CHECK(markers_of_last_collection() <= c->expect_helpers + 1);
  }
  long failed = plan[F_PTHREAD].failed;
  disarm_all();
  CHECK(failed >= 1);
  CHECK(warnings_count == 1);
  CHECK(strstr(warnings, "cannot start marker thread") != NULL);
  churn(sh.count);
  CHECK(comb_intact(200, &sh));
  gc_collect(); /* threads can be made again */
  CHECK(threads_created == 3);
  CHECK(comb_intact(200, &sh));
  CHECK(gc_verify() == 0);
  CHECK(warnings_count == 1);
  gc_set_warn_handler(NULL);
  drop_graph(&sh);
  return 0;
}

static void marker_start_failure_degrades_to_fewer_markers(void **state) {
  (void)state;
  start_case one_fails = {.skip = 1, .fail = 1, .collections = 1, .expect_helpers = 1};
  assert_int_equal(run_in_child(marker_start_scenario, &one_fails), 0);
  start_case all_fail = {.skip = 0, .fail = -1, .collections = 3, .expect_helpers = 0};
  assert_int_equal(run_in_child(marker_start_scenario, &all_fail), 0);
}

/* ---- gc_pthread_create cannot make its thread ------------------------------- */

static unsigned registered_threads(void) {
  unsigned n = 0;
  state_lock();
  for (mutator *m = G->mutators; m; m = m->next)
    n++;
  state_unlock();
  return n;
}

static size_t live_after_collection(void) {
  gc_collect();
  gc_stats st;
  gc_get_stats(&st);
  return st.live_bytes;
}

static void *thread_body(void *arg) {
  void **list = NULL;
  for (int i = 0; i < 20000; i++) {
    void **node = gc_alloc(32);
    node[0] = list;
    node[1] = arg;
    list = node;
  }
  gc_collect();
  size_t n = 0;
  for (void **p = list; p; p = p[0])
    n += p[1] == arg;
  return (void *)n;
}

void *create_arg; /* the argument object, a global: it stays alive */

static int pthread_create_scenario(void *unused) {
  (void)unused;
  gc_config cfg = {.markers = 1};
  gc_init(&cfg);
  create_arg = gc_alloc(64);
  unsigned threads = registered_threads();
  size_t live = live_after_collection();
  pthread_t t;
  arm(F_PTHREAD, 0, 1); /* the thread cannot be made */
  CHECK(gc_pthread_create(&t, NULL, thread_body, create_arg) == EAGAIN);
  CHECK(plan[F_PTHREAD].failed == 1);
  arm(F_MMAP, 0, 1); /* its registry record cannot be made */
  CHECK(gc_pthread_create(&t, NULL, thread_body, create_arg) == EAGAIN);
  CHECK(plan[F_MMAP].failed == 1);
  disarm_all();
  CHECK(registered_threads() == threads);
  CHECK(live_after_collection() == live); /* the start records were freed */
  CHECK(gc_verify() == 0);
  /* Threads can be made again, and work. */
  for (int round = 0; round < 3; round++) {
    CHECK(gc_pthread_create(&t, NULL, thread_body, create_arg) == 0);
    void *ret;
    CHECK(gc_pthread_join(t, &ret) == 0);
    CHECK((size_t)ret == 20000);
  }
  CHECK(registered_threads() == threads);
  CHECK(gc_verify() == 0);
  return 0;
}

/* gc_register_thread reports a missing record (-1, a warning) instead of
 * killing the process, and the thread can register later. */
static void *register_without_memory(void *unused) {
  (void)unused;
  arm(F_MMAP, 0, 1);
  int rc = gc_register_thread();
  disarm_all();
  if (rc != -1 || gc_thread_is_registered())
    return (void *)1;
  return gc_register_thread() == 0 && gc_unregister_thread() == 0 ? NULL : (void *)2;
}

static int register_scenario(void *unused) {
  (void)unused;
  gc_init(NULL);
  warnings_capture();
  pthread_t t;
  void *ret;
  CHECK(__real_pthread_create(&t, NULL, register_without_memory, NULL) == 0);
  CHECK(pthread_join(t, &ret) == 0);
  gc_set_warn_handler(NULL);
  CHECK(ret == NULL);
  CHECK(strstr(warnings, "gc_register_thread: no memory") != NULL);
  CHECK(gc_verify() == 0);
  return 0;
}

static void gc_pthread_create_failure_returns_the_error(void **state) {
  (void)state;
  assert_int_equal(run_in_child(pthread_create_scenario, NULL), 0);
  assert_int_equal(run_in_child(register_scenario, NULL), 0);
}

int main(void) {
  /* Full cycles only: what this test measures (grey-stack overflow, which needs a cycle that marks the whole
   * graph) is a property of
   * cycles that mark everything; minor cycles (gc/generational.c) are
   * tested by test_generational and the verified torture runs. */
  setenv("GLEANER_GENERATIONAL", "0", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(grey_stack_cannot_grow_one_marker),
      cmocka_unit_test(grey_stack_cannot_grow_two_markers),
      cmocka_unit_test(grey_stack_cannot_grow_in_an_incremental_cycle),
      cmocka_unit_test(no_grey_stack_at_all_uses_the_emergency_stack),
      cmocka_unit_test(compaction_without_memory_moves_nothing),
      cmocka_unit_test(marker_start_failure_degrades_to_fewer_markers),
      cmocka_unit_test(gc_pthread_create_failure_returns_the_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
