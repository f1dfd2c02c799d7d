/*
 * test_verify_incremental.c — gc_verify() in the middle of an incremental
 * cycle whose slices are drained by several markers.
 *
 * Parallel slice drains leave the per-block marked counts to a recount at
 * the end of the cycle (mark_parallel.c).  gc_verify's metadata pass used
 * to read them as they were and reported "marked count 0 but N mark bits"
 * for a healthy heap; it now recounts first.  The scenario runs in a child
 * process, so that the collector starts with two markers, incremental
 * marking and the explicit barrier (the graph is not changed during the
 * cycle, so no barrier call is needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "gleaner.h"
#include "threads_util.h"

#define NODES 200000
void *graph_root;
void *ballast[96];

/* A linked list plus atomic ballast: enough grey work and enough blocks in
 * use for the slices to be drained in parallel (mark_parallel_wanted). */
__attribute__((noinline)) static void build(void) {
  void **list = NULL;
  for (int i = 0; i < NODES; i++) {
    void **node = gc_alloc(32);
    node[0] = list;
    list = node;
  }
  graph_root = list;
  for (size_t i = 0; i < sizeof ballast / sizeof *ballast; i++)
    ballast[i] = gc_alloc_atomic(60 * 1024);
}

static int verify_mid_cycle(void *unused) {
  (void)unused;
  gc_config cfg = {.markers = 2, .incremental = 1, .barrier = GC_BARRIER_EXPLICIT,
                   .pause_target_us = 100};
  gc_init(&cfg);
  gc_disable();
  build();
  gc_enable();
  /* Each round: start a cycle, mark a few slices of it, verify (which
   * ends the cycle with a full collection). */
  int verified = 0;
  for (int round = 0; round < 3; round++) {
    CHECK(gc_collect_a_little() == 1); /* starts a cycle */
    int slices = 0;
    while (slices < 3 && gc_collect_a_little())
      slices++;
    CHECK(gc_verify() == 0);
    verified++;
  }
  printf("# %d verifications during incremental cycles\n", verified);
  CHECK(verified > 0);
  size_t n = 0;
  for (void **p = graph_root; p; p = p[0])
    n++;
  CHECK(n == NODES);
  return 0;
}

static void verify_during_parallel_incremental_cycle(void **state) {
  (void)state;
  assert_int_equal(run_in_child(verify_mid_cycle, NULL), 0);
}

int main(void) {
  /* Full cycles only: what this test measures (a cycle long enough to verify in its middle) is a property of
   * cycles that mark everything; minor cycles (gc/generational.c) are
   * tested by test_generational and the verified torture runs. */
  setenv("GLEANER_GENERATIONAL", "0", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(verify_during_parallel_incremental_cycle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
