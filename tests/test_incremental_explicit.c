/*
 * test_incremental_explicit.c — incremental marking with the explicit
 * barrier (GC_STORE): the lost-object scenarios, and a control showing
 * that a store which bypasses the barrier does lose the object (so the
 * scenario really exercises the barrier).
 */
#include <stdlib.h>
#include "incremental_scenarios.h"

static void lost_object_into_black_object(void **state) {
  (void)state;
  scenario(INTO_BLACK_OBJECT, 1, 1);
}

static void control_without_barrier_loses_object(void **state) {
  (void)state;
  scenario(INTO_BLACK_OBJECT, 0, 0);
}

int main(void) {
  /* Full cycles only: what this test measures (the control: an object lost without the barrier, which a minor
   * cycle may keep as old) is a property of
   * cycles that mark everything; minor cycles (gc/generational.c) are
   * tested by test_generational and the verified torture runs. */
  setenv("GLEANER_GENERATIONAL", "0", 1);
  setenv("GLEANER_INCREMENTAL", "1", 1);
  setenv("GLEANER_BARRIER", "explicit", 1);
  setenv("GLEANER_PAUSE_TARGET_US", "50", 1);
  /* One marker: the scenarios decide step by step what is black when the
   * reference moves; a background marker running between the steps could
   * mark the object first, and the control would keep it (background
   * marking with both barriers: tests/test_background_mark.c). */
  setenv("GLEANER_MARKERS", "1", 1);
  gc_init(NULL);
  if (!gc_is_incremental()) {
    fprintf(stderr, "incremental mode did not start\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lost_object_into_black_object),
      cmocka_unit_test(lost_object_through_global),
      cmocka_unit_test(lost_object_through_stack),
      cmocka_unit_test(control_without_barrier_loses_object),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
