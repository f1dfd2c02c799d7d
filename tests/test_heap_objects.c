/*
 * test_heap_objects.c — block table, block pool and address → object
 * identification: interior pointers, out-of-heap words, unallocated slots,
 * large-object tails, zeroing of reused memory, and lazy sweeping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include "block_pool.h"
#include "object_map.h"
#include "test_util.h"

static void *keep[8];

static void small_object_interior_pointers_map_to_start(void **state) {
  (void)state;
  for (size_t n = 1; n <= 4096; n = n * 3 + 1) {
    char *p = gc_alloc(n);
    keep[0] = p;
    size_t size = gc_size(p);
    assert_true(size >= n);
    for (size_t off = 0; off < size; off += 7)
      assert_ptr_equal(gc_base(p + off), p);
    /* one past the end belongs to the next slot, never to p */
    assert_ptr_not_equal(gc_base(p + size), p);
  }
}

static void foreign_addresses_are_not_objects(void **state) {
  (void)state;
  int local = 0;
  static int global;
  void *m = malloc(16);
  assert_null(gc_base(&local));
  assert_null(gc_base(&global));
  assert_null(gc_base(m));
  assert_null(gc_base(NULL));
  assert_int_equal(gc_size(m), 0);
  free(m);
  /* inside the reservation but in a never-used block */
  assert_null(gc_base((void *)(G->heap_lo + G->heap_span - 8)));
}

static void large_object_tail_blocks_point_at_head(void **state) {
  (void)state;
  size_t n = 5 * BLOCK_SIZE + 123;
  char *p = gc_alloc(n);
  keep[1] = p;
  assert_non_null(p);
  assert_true(gc_size(p) >= n);
  assert_ptr_equal(gc_base(p + n - 1), p);
  assert_ptr_equal(gc_base(p + 3 * BLOCK_SIZE + 17), p);
  uint32_t head = block_index((uintptr_t)p);
  assert_int_equal(G->blocks[head].state, BLOCK_LARGE_HEAD);
  assert_int_equal(G->blocks[head].run_blocks, 6);
  for (uint32_t i = 1; i < 6; i++) {
    assert_int_equal(G->blocks[head + i].state, BLOCK_LARGE_TAIL);
    assert_int_equal(G->blocks[head + i].head, head);
  }
  keep[1] = NULL;
}

static void unallocated_slot_is_not_an_object(void **state) {
  (void)state;
  keep[3] = gc_alloc(64); /* a neighbour keeps the block in use */
  uintptr_t h = alloc_hidden(64, 0, 0x11);
  collect_clean();
  assert_int_equal(block_index((uintptr_t)keep[3]), block_index(h ^ HIDE_MASK));
  /* freed: its slot still exists but is not allocated */
  object_ref r = {0};
  assert_true(slot_find((uintptr_t)reveal(h), &r));
  assert_false(slot_is_allocated(&r));
  assert_null(gc_base(reveal(h)));
}

static void reused_memory_is_zero(void **state) {
  (void)state;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 20000; i++) {
      unsigned char *p = gc_alloc(48);
      for (int j = 0; j < 48; j++)
        if (p[j] != 0)
          fail_msg("round %d: reused object %p not zero at byte %d", round, (void *)p, j);
      memset(p, 0xAB, 48);
    }
    collect_clean();
  }
}

static void freed_object_is_zeroed_and_reusable(void **state) {
  (void)state;
  unsigned char *p = gc_alloc(100);
  memset(p, 0xCD, 100);
  gc_free(p);
  assert_null(gc_base(p));
  for (int j = 0; j < 100; j++)
    assert_int_equal(p[j], 0);
}

static void block_runs_are_first_fit_and_reused(void **state) {
  (void)state;
  state_lock();
  uint32_t a = block_alloc_run(3);
  uint32_t b = block_alloc_run(1);
  assert_int_not_equal(a, NO_BLOCK);
  assert_int_not_equal(b, NO_BLOCK);
  memset(block_base(a), 0x77, 3 * BLOCK_SIZE);
  uint32_t in_use = G->blocks_in_use;
  block_free_run(a, 3);
  assert_int_equal(G->blocks_in_use, in_use - 3);
  uint32_t c = block_alloc_run(2);
  assert_true(c <= a + 1); /* first fit reuses the hole */
  for (size_t i = 0; i < 2 * BLOCK_SIZE; i++)
    if (block_base(c)[i] != 0)
      fail_msg("reused block not zero at %zu", i);
  block_free_run(c, 2);
  block_free_run(b, 1);
  assert_int_equal(G->blocks_in_use + G->blocks_free, G->high_water);
  state_unlock();
}

static void garbage_is_reused_heap_stays_bounded(void **state) {
  (void)state;
  gc_stats s;
  size_t max_heap = 0;
  for (int round = 0; round < 60; round++) {
    for (int i = 0; i < 50000; i++)
      keep[2] = gc_alloc(16 + (i % 200));
    gc_get_stats(&s);
    if (round > 10 && s.heap_bytes > max_heap)
      max_heap = s.heap_bytes;
  }
  /* ~6 MiB allocated per round, ~nothing live: the heap must not grow
   * with the number of rounds */
  assert_true(max_heap < (size_t)64 << 20);
  assert_true(s.collections > 10);
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(small_object_interior_pointers_map_to_start),
      cmocka_unit_test(foreign_addresses_are_not_objects),
      cmocka_unit_test(large_object_tail_blocks_point_at_head),
      cmocka_unit_test(unallocated_slot_is_not_an_object),
      cmocka_unit_test(reused_memory_is_zero),
      cmocka_unit_test(freed_object_is_zeroed_and_reusable),
      cmocka_unit_test(block_runs_are_first_fit_and_reused),
      cmocka_unit_test(garbage_is_reused_heap_stays_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
