/*
 * test_block_trim.c — releasing free blocks to the OS (block_pool.c), at
 * once and in steps.
 *
 * Incremental mode does not release memory in its pauses: the collection
 * only sets a target (block_pool_trim_later) and the allocation slow path
 * releases a few blocks at a time (block_pool_trim_step).  Checked here on
 * the block pool itself: a step releases at most its budget, the steps
 * end exactly where a one-shot trim ends (same blocks, highest first, the
 * target number kept), released blocks read back as zero and are handed
 * out zeroed again, allocation in between is not disturbed, and the heap
 * verifies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include "block_pool.h"
#include "gc_state.h"

enum { RUN = 4, RUNS = 40 }; /* runs below the size freed with madvise at once */

static uint32_t runs[RUNS];

static uint32_t committed_free(void) { return G->blocks_free - G->blocks_decommitted; }

/* RUNS runs of RUN blocks, written all over and freed again: dirty free
 * blocks, as a collection leaves them. */
static void make_dirty_free_blocks(void) {
  for (int r = 0; r < RUNS; r++) {
    runs[r] = block_alloc_run(RUN);
    assert_int_not_equal(runs[r], NO_BLOCK);
    memset(block_base(runs[r]), 0xab, (size_t)RUN * BLOCK_SIZE);
  }
  for (int r = 0; r < RUNS; r++)
    block_free_run(runs[r], RUN);
}

static bool decommitted(uint32_t i) { return (G->blocks[i].flags & BF_DECOMMITTED) != 0; }

static void snapshot(bool *out) {
  for (uint32_t i = 0; i < G->high_water; i++)
    out[i] = decommitted(i);
}

static void steps_end_where_one_trim_ends(void **state) {
  (void)state;
  assert_int_equal(gc_init(NULL), 0);
  state_lock();
  block_pool_trim(0); /* start from nothing committed and free */
  make_dirty_free_blocks();
  uint32_t keep = committed_free() / 3;
  assert_true(committed_free() - keep > 3 * 8);

  /* Reference: one trim. */
  block_pool_trim(keep);
  assert_int_equal(committed_free(), keep);
  static bool once[1 << 16], stepped[1 << 16];
  assert_true(G->high_water <= (1u << 16));
  snapshot(once);

  /* Same start again, then steps of 3 blocks. */
  make_dirty_free_blocks();
  uint32_t before = committed_free();
  block_pool_trim_later(keep);
  unsigned steps = 0;
  while (G->trim_pending) {
    uint32_t c = committed_free();
    block_pool_trim_step(3);
    assert_true(c - committed_free() <= 3);
    steps++;
    assert_true(steps < 10000);
  }
  assert_int_equal(committed_free(), keep);
  assert_true(steps >= (before - keep) / 3);
  snapshot(stepped);
  for (uint32_t i = 0; i < G->high_water; i++)
    if (once[i] != stepped[i])
      fail_msg("block %u: released by %s only", i, once[i] ? "the one-shot trim" : "the steps");

  /* Released blocks read zero, and come back zeroed. */
  for (uint32_t i = 0; i < G->high_water; i++) {
    if (!stepped[i])
      continue;
    const uint64_t *w = (const uint64_t *)block_base(i);
    for (size_t k = 0; k < BLOCK_SIZE / 8; k += 512)
      assert_int_equal(w[k], 0);
  }
  for (int r = 0; r < RUNS; r++) {
    uint32_t b = block_alloc_run(RUN);
    assert_int_not_equal(b, NO_BLOCK);
    const uint64_t *w = (const uint64_t *)block_base(b);
    for (size_t k = 0; k < (size_t)RUN * BLOCK_SIZE / 8; k++)
      if (w[k])
        fail_msg("block run %u word %zu is %#llx after reuse", b, k, (unsigned long long)w[k]);
    runs[r] = b;
  }
  for (int r = 0; r < RUNS; r++)
    block_free_run(runs[r], RUN);
  state_unlock();
  assert_int_equal(gc_verify(), 0);
}

/* Allocation while a stepped trim is pending takes blocks the trim then
 * no longer sees as free; the trim still stops at its target. */
static void allocation_between_steps(void **state) {
  (void)state;
  state_lock();
  block_pool_trim(0);
  make_dirty_free_blocks();
  uint32_t keep = committed_free() / 2;
  block_pool_trim_later(keep);
  uint32_t taken[RUNS];
  int n = 0;
  while (G->trim_pending) {
    block_pool_trim_step(2);
    if (n < RUNS) {
      taken[n] = block_alloc_run(1);
      assert_int_not_equal(taken[n], NO_BLOCK);
      memset(block_base(taken[n]), 0xcd, BLOCK_SIZE);
      n++;
    }
  }
  assert_true(committed_free() <= keep);
  for (int i = 0; i < n; i++) {
    assert_int_equal(G->blocks[taken[i]].flags & BF_DECOMMITTED, 0);
    const unsigned char *p = (const unsigned char *)block_base(taken[i]);
    assert_int_equal(p[0], 0xcd);
    assert_int_equal(p[BLOCK_SIZE - 1], 0xcd);
    block_free_run(taken[i], 1);
  }
  state_unlock();
  assert_int_equal(gc_verify(), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(steps_end_where_one_trim_ends),
      cmocka_unit_test(allocation_between_steps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
