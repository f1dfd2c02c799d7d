/*
 * block_pool.h — where blocks come from: the reservation, commit and
 * decommit, and allocation of single blocks and runs of blocks.
 */
#ifndef GLEANER_BLOCK_POOL_H
#define GLEANER_BLOCK_POOL_H
#include "gc_state.h"

#define NO_BLOCK UINT32_MAX

int heap_reserve(size_t max_heap);
/* A run of n zeroed blocks (state left BLOCK_FREE for the caller to set),
 * or NO_BLOCK when the heap limit or the OS says no.  Lock held. */
uint32_t block_alloc_run(uint32_t n);
/* One block like block_alloc_run(1), except that a dirty block is not
 * cleared: *dirty says so, and the caller must clear it (P1). */
uint32_t block_alloc_unzeroed(bool *dirty);
/* Return a run to the pool; its memory is dirty from now on. */
void block_free_run(uint32_t index, uint32_t n);
/* Release the pages of free blocks beyond what the allocator will soon
 * want again (keep: blocks to keep committed). */
void block_pool_trim(uint32_t keep);
/* The same release spread over many calls, so that no pause pays for it
 * (madvise costs ~10 us per block): block_pool_trim_later sets the target,
 * each block_pool_trim_step releases at most max_blocks.  Lock held. */
void block_pool_trim_later(uint32_t keep);
void block_pool_trim_step(uint32_t max_blocks);
/* Blocks the heap may still take before reaching max_heap. */
uint32_t block_pool_headroom(void);
#endif
