/*
 * size_classes.c — builds the size-class tables at start-up.
 *
 * The reciprocal recip = ceil(2^32 / size) makes slot = offset*recip >> 32
 * exact for every offset below BLOCK_SIZE: the rounding error of recip is
 * below 1, times offset < 2^16, divided by 2^32 stays below 1/size's gap
 * (tests/test_size_classes.c checks every class and every offset).
 */
#include "size_classes.h"

uint8_t gleaner_class_of_granules[GRANULES_MAX + 1];
uint32_t gleaner_class_size[NUM_CLASSES];
uint32_t gleaner_class_recip[NUM_CLASSES];
uint32_t gleaner_class_nslots[NUM_CLASSES];

static unsigned build_class_sizes(void) {
  unsigned n = 0;
  for (uint32_t s = 16; s <= 128; s += 16)
    gleaner_class_size[n++] = s;
  for (uint32_t base = 128; base < MAX_SMALL_SIZE; base *= 2)
    for (uint32_t q = 1; q <= 4; q++)
      gleaner_class_size[n++] = base + q * (base / 4);
  return n;
}

void size_classes_init(void) {
  unsigned n = build_class_sizes();
  unsigned c = 0;
  for (unsigned g = 0; g <= GRANULES_MAX; g++) {
    uint32_t bytes = g == 0 ? GRANULE : g * GRANULE;
    while (gleaner_class_size[c] < bytes)
      c++;
    gleaner_class_of_granules[g] = (uint8_t)c;
  }
  for (unsigned i = 0; i < n; i++) {
    uint32_t s = gleaner_class_size[i];
    gleaner_class_recip[i] = (uint32_t)((((uint64_t)1 << 32) + s - 1) / s);
    gleaner_class_nslots[i] = (uint32_t)(BLOCK_SIZE / s);
  }
}
