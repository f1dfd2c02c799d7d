/*
 * test_size_classes.c — the size-class table and the reciprocal slot
 * arithmetic, checked exhaustively (every class, every byte offset).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "size_classes.h"

static void classes_are_increasing_and_granular(void **state) {
  (void)state;
  size_classes_init();
  for (unsigned c = 0; c < NUM_CLASSES; c++) {
    assert_int_equal(gleaner_class_size[c] % GRANULE, 0);
    if (c)
      assert_true(gleaner_class_size[c] > gleaner_class_size[c - 1]);
    assert_true(gleaner_class_nslots[c] >= 2);
  }
  assert_int_equal(gleaner_class_size[NUM_CLASSES - 1], MAX_SMALL_SIZE);
}

static void every_size_maps_to_smallest_fitting_class(void **state) {
  (void)state;
  size_classes_init();
  for (size_t n = 0; n <= MAX_SMALL_SIZE; n++) {
    unsigned c = size_class_of(n);
    assert_true(gleaner_class_size[c] >= n);
    if (c > 0)
      assert_true(gleaner_class_size[c - 1] < (n ? n : 1));
  }
}

static void waste_is_bounded(void **state) {
  (void)state;
  size_classes_init();
  for (size_t n = 129; n <= MAX_SMALL_SIZE; n++) {
    unsigned c = size_class_of(n);
    /* four classes per power of two: at most 25 % above the request */
    assert_true(gleaner_class_size[c] * 4 <= (n + 15) / 16 * 16 * 5 + 64);
  }
}

static void reciprocal_slot_is_exact_for_every_offset(void **state) {
  (void)state;
  size_classes_init();
  for (unsigned c = 0; c < NUM_CLASSES; c++) {
    uint32_t size = gleaner_class_size[c], recip = gleaner_class_recip[c];
    for (uint32_t off = 0; off < BLOCK_SIZE; off++)
      if (slot_of_offset(off, recip) != off / size)
        fail_msg("class %u size %u offset %u: got slot %u, want %u", c, size, off,
                 slot_of_offset(off, recip), off / size);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(classes_are_increasing_and_granular),
      cmocka_unit_test(every_size_maps_to_smallest_fitting_class),
      cmocka_unit_test(waste_is_bounded),
      cmocka_unit_test(reciprocal_slot_is_exact_for_every_offset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
