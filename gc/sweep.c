/*
 * sweep.c — where blocks are swept.
 *
 * Sweeping is split so that no pause pays for it per object:
 *   - at the end of marking, sweep_after_mark() flips each block in O(1)
 *     words (alloc := mark), frees blocks and large objects with nothing
 *     marked, and lists blocks that have free slots;
 *   - the dead slots themselves are zeroed lazily, one bitmap word at a
 *     time, when an allocation cursor takes that word (sweep_zero_slots),
 *     so the memory is touched just before it is reused.
 * Invariant: a slot whose alloc bit is 0 is zero, or its block carries
 * BF_NEEDS_ZEROING (heap_layout.h, I2).
 */
#include "sweep.h"
#include "block_pool.h"
#include <string.h>

void sweep_zero_slots(uint32_t bi, uint32_t w, uint64_t mask) {
  block_meta *b = &G->blocks[bi];
  char *word_base = block_base(bi) + (size_t)w * 64 * b->obj_size;
  while (mask) {
    unsigned first = (unsigned)__builtin_ctzll(mask);
    uint64_t shifted = mask >> first;
    unsigned run = shifted == ~(uint64_t)0 ? 64 : (unsigned)__builtin_ctzll(~shifted);
    memset(word_base + (size_t)first * b->obj_size, 0, (size_t)run * b->obj_size);
    mask = run + first >= 64 ? 0 : mask & ~((((uint64_t)1 << run) - 1) << first);
  }
}

static void list_available(uint32_t bi) {
  block_meta *b = &G->blocks[bi];
  if (b->flags & (BF_LISTED | BF_OWNED))
    return;
  b->flags |= BF_LISTED;
  b->next = G->available[b->kind][b->size_class];
  G->available[b->kind][b->size_class] = bi + 1;
}

uint32_t sweep_pop_available(unsigned kind, unsigned cls) {
  uint32_t head = G->available[kind][cls];
  if (!head)
    return NO_BLOCK;
  block_meta *b = &G->blocks[head - 1];
  G->available[kind][cls] = b->next;
  b->flags &= ~BF_LISTED;
  b->next = 0;
  return head - 1;
}

void sweep_block_released(uint32_t bi) {
  block_meta *b = &G->blocks[bi];
  if (b->allocated < b->nslots)
    list_available(bi);
}

void sweep_clear_marks(void) {
  for (uint32_t i = 0; i < G->high_water; i++) {
    block_meta *b = &G->blocks[i];
    if (b->state != BLOCK_SMALL && b->state != BLOCK_LARGE_HEAD)
      continue;
    block_bits *bits = &G->bits[i];
    size_t words = (b->nslots + 63) / 64;
    memset(bits->mark, 0, words * sizeof(uint64_t));
    memset(bits->pin, 0, words * sizeof(uint64_t));
    b->marked = 0;
    b->pinned = 0;
  }
}

static size_t flip_small(uint32_t bi, bool list_partial) {
  block_meta *b = &G->blocks[bi];
  if (b->marked == 0 && !(b->flags & BF_OWNED)) {
    block_free_run(bi, 1);
    return 0;
  }
  block_bits *bits = &G->bits[bi];
  /* A slot dies when it was allocated and is not marked: decided from the
   * bitmaps themselves, not from counters that concurrent cursors and
   * parallel markers update separately. */
  uint64_t died = 0;
  uint32_t live = 0;
  for (uint32_t w = 0; w < (b->nslots + 63) / 64; w++) {
    died |= bits->alloc[w] & ~bits->mark[w];
    bits->alloc[w] = bits->mark[w];
    live += (uint32_t)__builtin_popcountll(bits->mark[w]);
  }
  if (died)
    b->flags |= BF_NEEDS_ZEROING;
  b->marked = b->allocated = live;
  if (list_partial ? b->marked < b->nslots : b->marked <= b->nslots / 2)
    list_available(bi);
  return (size_t)b->marked * b->obj_size;
}

static size_t flip_large(uint32_t bi) {
  block_meta *b = &G->blocks[bi];
  if (b->marked)
    return (size_t)b->run_blocks * BLOCK_SIZE;
  block_free_run(bi, b->run_blocks);
  return 0;
}

size_t sweep_after_mark(bool list_partial) {
  size_t live = 0;
  for (unsigned k = 0; k < NUM_KINDS; k++)
    for (unsigned c = 0; c < NUM_CLASSES; c++)
      G->available[k][c] = 0;
  for (uint32_t i = 0; i < G->high_water; i++) {
    block_meta *b = &G->blocks[i];
    b->flags &= ~BF_LISTED;
    if (b->state == BLOCK_SMALL)
      live += flip_small(i, list_partial);
    else if (b->state == BLOCK_LARGE_HEAD)
      live += flip_large(i);
  }
  return live;
}
