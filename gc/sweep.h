/*
 * sweep.h — turning marks into free space (sweep.c).
 */
#ifndef GLEANER_SWEEP_H
#define GLEANER_SWEEP_H
#include "gc_state.h"

/* Lock held, after marking: alloc := mark for every block, free empty
 * blocks and unmarked large objects, list blocks with free slots (with
 * !list_partial, after a minor collection, only those at least half
 * free: see generational.c).
 * Returns the live bytes. */
size_t sweep_after_mark(bool list_partial);
/* Lock held, before marking: clear every mark bit. */
void sweep_clear_marks(void);
/* Zero the slots of bitmap word w of block bi given by mask (lazy sweep). */
void sweep_zero_slots(uint32_t bi, uint32_t w, uint64_t mask);
/* Next listed block with free slots of this kind and class, or NO_BLOCK. */
uint32_t sweep_pop_available(unsigned kind, unsigned cls);
/* A cursor let go of block bi: list it again if it has free slots. */
void sweep_block_released(uint32_t bi);
#endif
