/*
 * size_classes.h — segregated size classes on a 16-byte granule.
 *
 * Classes: 16..128 step 16, then four per power of two up to 32 KiB
 * (160, 192, 224, 256, 320, …, 32768).  Worst internal fragmentation is
 * 25 % above 128 bytes.  Lookup is one table load indexed by granules, so
 * the allocation fast path never loops or divides.
 */
#ifndef GLEANER_SIZE_CLASSES_H
#define GLEANER_SIZE_CLASSES_H

#include "heap_layout.h"

#define NUM_CLASSES 40
#define GRANULES_MAX (MAX_SMALL_SIZE / GRANULE)

extern uint8_t gleaner_class_of_granules[GRANULES_MAX + 1] __attribute__((visibility("hidden")));
extern uint32_t gleaner_class_size[NUM_CLASSES];
extern uint32_t gleaner_class_recip[NUM_CLASSES];
extern uint32_t gleaner_class_nslots[NUM_CLASSES];

void size_classes_init(void);

/* n must be <= MAX_SMALL_SIZE. */
static inline unsigned size_class_of(size_t n) {
  return gleaner_class_of_granules[(n + GRANULE - 1) >> GRANULE_SHIFT];
}

_Static_assert(NUM_CLASSES <= NUM_SIZE_CLASSES, "class table fits");
#endif
