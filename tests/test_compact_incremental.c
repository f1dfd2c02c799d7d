/*
 * test_compact_incremental.c — compaction at the end of incremental
 * cycles (explicit barrier; COMPACT_BARRIER=vm selects the virtual-memory
 * barrier, see tests/compact.mk): candidates are chosen in the start pause,
 * the mutator runs between slices (allocating, storing with GC_STORE),
 * and evacuation happens in the remark pause.  Random graphs against the
 * shadow model, with garbage allocation driving the pacer instead of
 * stress mode.  Seed printed; COMPACT_SEED=n replays.
 */
#include "precise_graph.h"

static void test_random_graphs_incremental(void **state) {
  (void)state;
  gc_stats s0, s1;
  gc_get_stats(&s0);
  uint64_t moved = run_random_graphs(0, 1024);
  gc_get_stats(&s1);
  print_message("incremental: %llu collections, %llu pauses, %llu moved in cycles\n",
                (unsigned long long)(s1.collections - s0.collections),
                (unsigned long long)(s1.pause_count - s0.pause_count),
                (unsigned long long)moved);
  assert_true(moved > 0);
  /* The pacer ran whole incremental cycles (several pauses each). */
  assert_true(s1.collections - s0.collections >= 3);
  assert_true(s1.pause_count - s0.pause_count > s1.collections - s0.collections);
}

int main(void) {
  /* Full cycles only: what this test measures (compaction, which only full cycles do) is a property of
   * cycles that mark everything; minor cycles (gc/generational.c) are
   * tested by test_generational and the verified torture runs. */
  setenv("GLEANER_GENERATIONAL", "0", 1);
  setenv("GLEANER_INCREMENTAL", "1", 1);
  const char *barrier = getenv("COMPACT_BARRIER");
  setenv("GLEANER_BARRIER", barrier ? barrier : "explicit", 1);
  setenv("GLEANER_PAUSE_TARGET_US", "50", 1);
  gc_init(NULL);
  if (!gc_is_incremental()) {
    fprintf(stderr, "incremental mode did not start\n");
    return 1;
  }
  gc_type_register(&node_type);
  gc_type_register(&pair_type);
  compact_set_threshold(100);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_graphs_incremental),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
