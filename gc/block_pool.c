/*
 * block_pool.c — the reservation and the pool of free blocks.
 *
 * The heap is one PROT_NONE reservation of max_heap bytes.  Blocks below
 * G->high_water have been made accessible; above it they are virgin (zero,
 * no pages).  G->free_map has one bit per block below high_water (1 = free)
 * and is searched address-ordered first-fit, which keeps the heap compact
 * at low addresses and lets the top be trimmed.
 *
 * Invariants
 *   P1. A run handed out is zero-filled: virgin and decommitted blocks are
 *       zero by the kernel, dirty free blocks are cleared with memset here.
 *       Except from block_alloc_unzeroed, which reports a dirty block
 *       instead of clearing it: a thread cursor clears it without the lock
 *       (alloc.c), flagged BF_NEEDS_ZEROING meanwhile.
 *   P2. blocks_in_use + blocks_free == high_water.
 */
#include "block_pool.h"
#include "vm_barrier.h"
#include "generational.h"
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define MAP_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
/* A freed run this long goes straight back to the OS: clearing it with
 * memset on reuse would cost more than the page faults. */
#define DECOMMIT_RUN_BLOCKS 16

/* A side table between two PROT_NONE guard pages: a linear overflow from
 * a neighbouring mapping (the heap reservation may be one) faults instead
 * of rewriting block metadata.  Small pages: the bitmaps on transparent
 * huge pages halved the flip of a 650 MB heap (0.23 -> 0.11 ms: a block's
 * bitmaps are 1.5 KiB apart, a TLB miss each), but with THP "defrag" at
 * "madvise" the first touch of each 2 MiB of them (85 MB of heap growth)
 * compacted memory in the program's allocation path: a 4.5-5 ms step
 * every 87,360 messages of the pause workload. */
#define GUARD ((size_t)4096)
static void *map_side_table(size_t bytes) {
  bytes = (bytes + GUARD - 1) & ~(GUARD - 1);
  char *p = mmap(NULL, bytes + 2 * GUARD, PROT_NONE, MAP_FLAGS, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  if (mprotect(p + GUARD, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(p, bytes + 2 * GUARD);
    return NULL;
  }
  return p + GUARD;
}

int heap_reserve(size_t max_heap) {
  /* Cap before rounding up: a max_heap near SIZE_MAX must not wrap to 0. */
  const size_t cap = (size_t)(UINT32_MAX / 2) * BLOCK_SIZE;
  size_t span = max_heap >= cap ? cap : (max_heap + BLOCK_SIZE - 1) & ~(BLOCK_SIZE - 1);
  /* Over-reserve one block to align the start to BLOCK_SIZE. */
  char *raw = mmap(NULL, span + BLOCK_SIZE, PROT_NONE, MAP_FLAGS, -1, 0);
  if (raw == MAP_FAILED)
    return -1;
  uintptr_t lo = ((uintptr_t)raw + BLOCK_SIZE - 1) & ~(uintptr_t)(BLOCK_SIZE - 1);
  G->heap_lo = lo;
  G->heap_span = span;
  G->blocks_reserved = (uint32_t)(span / BLOCK_SIZE);
  G->blocks = map_side_table(sizeof(block_meta) * G->blocks_reserved);
  G->bits = map_side_table(sizeof(block_bits) * G->blocks_reserved);
  G->free_map = map_side_table(sizeof(uint64_t) * (G->blocks_reserved / 64 + 1));
  G->count_stale = map_side_table(G->blocks_reserved);
  if (!G->blocks || !G->bits || !G->free_map || !G->count_stale)
    return -1;
  return 0;
}

static bool is_free(uint32_t i) { return bit_test(G->free_map, i); }

uint32_t block_pool_headroom(void) {
  size_t max_blocks = G->cfg.max_heap / BLOCK_SIZE;
  if (max_blocks > G->blocks_reserved)
    max_blocks = G->blocks_reserved;
  return G->blocks_in_use >= max_blocks ? 0 : (uint32_t)(max_blocks - G->blocks_in_use);
}

/* First-fit search below high_water for n consecutive free blocks, or a
 * free run touching high_water that can be extended. */
static uint32_t find_free_run(uint32_t n, uint32_t *extend_from) {
  uint32_t run_start = 0, run_len = 0;
  *extend_from = G->high_water;
  for (uint32_t w = G->free_hint; w * 64 < G->high_water; w++) {
    uint64_t word = G->free_map[w];
    if (word == 0) {
      run_len = 0;
      continue;
    }
    if (n == 1)
      return w * 64 + (uint32_t)__builtin_ctzll(word);
    for (uint32_t b = 0; b < 64 && w * 64 + b < G->high_water; b++) {
      if ((word >> b) & 1) {
        if (run_len++ == 0)
          run_start = w * 64 + b;
        if (run_len == n)
          return run_start;
      } else {
        run_len = 0;
      }
    }
  }
  if (run_len)
    *extend_from = run_start; /* a free tail run can grow into virgin space */
  return NO_BLOCK;
}

static void advance_free_hint(void) {
  uint32_t words = (G->high_water + 63) / 64;
  while (G->free_hint < words && G->free_map[G->free_hint] == 0)
    G->free_hint++;
}

/* The heap grows by at least COMMIT_AHEAD blocks at a time: one mprotect
 * per block of growth (a VMA split and merge each) sometimes stalled an
 * allocation for milliseconds.  Committed but untouched blocks cost no
 * memory; the heap limit still counts only blocks in use. */
#define COMMIT_AHEAD 32
static uint32_t commit_target(uint32_t need) {
  uint32_t ahead = G->high_water + COMMIT_AHEAD;
  uint32_t want = need > ahead ? need : ahead;
  return want < G->blocks_reserved ? want : G->blocks_reserved;
}

static bool commit_to(uint32_t new_high) {
  char *from = block_base(G->high_water);
  size_t bytes = (size_t)(new_high - G->high_water) * BLOCK_SIZE;
  if (mprotect(from, bytes, PROT_READ | PROT_WRITE) != 0)
    return false;
  G->blocks_free += new_high - G->high_water;
  if (G->high_water / 64 < G->free_hint)
    G->free_hint = G->high_water / 64; /* the new free blocks are searched */
  for (uint32_t i = G->high_water; i < new_high; i++) {
    bit_set(G->free_map, i);
    G->blocks[i] = (block_meta){0};
  }
  G->high_water = new_high;
  return true;
}

/* Returns whether a dirty block was left uncleared (zero == false). */
static bool take_run(uint32_t start, uint32_t n, bool zero) {
  bool dirty = false;
  vm_block_taken(start, n); /* before the memset below */
  generational_blocks_taken(start, n);
  for (uint32_t i = start; i < start + n; i++) {
    block_meta *b = &G->blocks[i];
    if (b->flags & BF_DIRTY_FREE) {
      if (zero)
        memset(block_base(i), 0, BLOCK_SIZE);
      else
        dirty = true;
    }
    if (b->flags & BF_DECOMMITTED)
      G->blocks_decommitted--;
    *b = (block_meta){0};
    memset(&G->bits[i], 0, sizeof(block_bits));
    bit_clear(G->free_map, i);
  }
  G->blocks_free -= n;
  G->blocks_in_use += n;
  advance_free_hint();
  return dirty;
}

static uint32_t alloc_run(uint32_t n, bool zero, bool *dirty) {
  if (n == 0 || n > block_pool_headroom())
    return NO_BLOCK;
  uint32_t extend_from;
  uint32_t start = find_free_run(n, &extend_from);
  if (start == NO_BLOCK) {
    if ((uint64_t)extend_from + n > G->blocks_reserved)
      return NO_BLOCK;
    if (extend_from + n > G->high_water && !commit_to(commit_target(extend_from + n)))
      return NO_BLOCK;
    start = extend_from;
  }
  *dirty = take_run(start, n, zero);
  return start;
}

uint32_t block_alloc_run(uint32_t n) {
  bool dirty;
  return alloc_run(n, true, &dirty);
}

uint32_t block_alloc_unzeroed(bool *dirty) { return alloc_run(1, false, dirty); }

/* Release the pages of the bitmap side table that lie wholly inside the
 * entries of blocks [index, index + n): decommitted blocks need no bits,
 * and take_run clears them again on reuse.  (1.5 KiB per block: on a
 * fragmented heap they were a tenth of the resident memory.) */
static void release_side_pages(uint32_t index, uint32_t n) {
  uintptr_t page = 4096;
  uintptr_t lo = (uintptr_t)&G->bits[index], hi = (uintptr_t)&G->bits[index + n];
  lo = (lo + page - 1) & ~(page - 1);
  hi &= ~(page - 1);
  if (hi > lo)
    madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void block_free_run(uint32_t index, uint32_t n) {
  /* Only a successful madvise makes the pages zero; if it fails the run
   * is dirty and take_run clears it (P1). */
  bool decommit = n >= DECOMMIT_RUN_BLOCKS &&
                  madvise(block_base(index), (size_t)n * BLOCK_SIZE, MADV_DONTNEED) == 0;
  if (decommit)
    release_side_pages(index, n);
  for (uint32_t i = index; i < index + n; i++) {
    G->blocks[i] = (block_meta){.state = BLOCK_FREE,
                                .flags = decommit ? BF_DECOMMITTED : BF_DIRTY_FREE};
    bit_set(G->free_map, i);
  }
  if (decommit)
    G->blocks_decommitted += n;
  G->blocks_in_use -= n;
  G->blocks_free += n;
  if (index / 64 < G->free_hint)
    G->free_hint = index / 64;
}

static bool is_decommitted_free(uint32_t i) {
  return is_free(i) && (G->blocks[i].flags & BF_DECOMMITTED);
}

static bool releasable(uint32_t i) {
  return G->blocks[i].state == BLOCK_FREE && is_free(i) &&
         !(G->blocks[i].flags & BF_DECOMMITTED);
}

/* Side-table pages over the maximal decommitted runs touching [lo, hi). */
static void release_side_pages_around(uint32_t lo, uint32_t hi) {
  for (uint32_t i = lo; i < hi;) {
    if (!is_decommitted_free(i)) {
      i++;
      continue;
    }
    uint32_t a = i, b = i;
    while (a > 0 && is_decommitted_free(a - 1))
      a--;
    while (b < G->high_water && is_decommitted_free(b))
      b++;
    release_side_pages(a, b - a);
    i = b;
  }
}

/* Release committed free blocks downward from *next until at most keep
 * remain or budget blocks were released; contiguous blocks go to the OS
 * in one madvise.  True when there is nothing more to do. */
static bool trim_down(uint32_t *next, uint32_t keep, uint32_t budget) {
  uint32_t committed_free = G->blocks_free - G->blocks_decommitted;
  uint32_t run_lo = UINT32_MAX, run_hi = 0; /* newly released, for side pages */
  bool done = true;
  uint32_t i = *next < G->high_water ? *next : G->high_water;
  while (i > 0 && committed_free > keep) {
    if (budget == 0) {
      done = false;
      break;
    }
    if (!releasable(i - 1)) {
      i--;
      continue;
    }
    uint32_t hi = i, lo = i - 1;
    uint32_t want = committed_free - keep < budget ? committed_free - keep : budget;
    while (lo > 0 && hi - lo < want && releasable(lo - 1))
      lo--;
    if (madvise(block_base(lo), (size_t)(hi - lo) * BLOCK_SIZE, MADV_DONTNEED) != 0)
      break; /* the blocks stay dirty (P1); the OS will not take pages now */
    for (uint32_t k = lo; k < hi; k++)
      G->blocks[k].flags = BF_DECOMMITTED;
    G->blocks_decommitted += hi - lo;
    committed_free -= hi - lo;
    budget -= hi - lo;
    if (lo < run_lo) run_lo = lo;
    if (hi > run_hi) run_hi = hi;
    i = lo;
  }
  *next = i;
  if (run_lo != UINT32_MAX)
    release_side_pages_around(run_lo, run_hi);
  return done;
}

void block_pool_trim(uint32_t keep) {
  /* Release from the top: allocation is first-fit from the bottom, so the
   * top blocks are the ones least likely to be wanted again. */
  uint32_t next = G->high_water;
  trim_down(&next, keep, UINT32_MAX);
  G->trim_pending = false;
}

void block_pool_trim_later(uint32_t keep) {
  G->trim_keep = keep;
  G->trim_next = G->high_water;
  G->trim_pending = true;
}

void block_pool_trim_step(uint32_t max_blocks) {
  if (G->trim_pending && trim_down(&G->trim_next, G->trim_keep, max_blocks))
    G->trim_pending = false;
}
