/*
 * test_roots.c — each root source keeps its objects alive, and stops
 * keeping them when the reference goes away: data segments, explicit
 * ranges, exact roots, shadow-stack frames, the stack and registers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include "test_util.h"

static void *global_slot;
static char global_bytes[64];

static void global_keeps_object(void **state) {
  (void)state;
  uintptr_t h = alloc_hidden(100, 0, 7);
  store_revealed(&global_slot, h, 0);
  collect_clean();
  assert_true(is_live(h));
  assert_int_equal(((unsigned char *)reveal(h))[99], 7);
  global_slot = NULL;
  collect_clean();
  assert_false(is_live(h));
}

static void interior_pointer_in_global_keeps_object(void **state) {
  (void)state;
  uintptr_t h = alloc_hidden(1000, 1, 1);
  store_revealed(&global_slot, h, 517);
  collect_clean();
  assert_true(is_live(h));
  global_slot = NULL;
  collect_clean();
  assert_false(is_live(h));
}

static void unaligned_global_word_is_not_a_root(void **state) {
  (void)state;
  uintptr_t h = alloc_hidden(64, 1, 1);
  void *p;
  store_revealed(&p, h, 0);
  memcpy(global_bytes + 3, &p, sizeof p); /* misaligned: not a candidate */
  p = NULL;
  __asm__ volatile("" ::"r"(&p) : "memory");
  collect_clean();
  assert_false(is_live(h));
  memset(global_bytes, 0, sizeof global_bytes);
}

static void explicit_range_keeps_object_until_removed(void **state) {
  (void)state;
  void **table = calloc(16, sizeof(void *)); /* malloc memory is not a root */
  uintptr_t h = alloc_hidden(48, 0, 3);
  store_revealed(&table[5], h, 0);
  collect_clean();
  assert_false(is_live(h));
  h = alloc_hidden(48, 0, 3);
  store_revealed(&table[5], h, 0);
  gc_add_roots(table, table + 16);
  collect_clean();
  assert_true(is_live(h));
  gc_remove_roots(table, table + 16);
  collect_clean();
  assert_false(is_live(h));
  free(table);
}

static void exact_root_keeps_object(void **state) {
  (void)state;
  static void *slot; /* in .bss: hide it from the data-segment scan */
  void **heap_slot = malloc(sizeof(void *));
  uintptr_t h = alloc_hidden(32, 1, 9);
  store_revealed(heap_slot, h, 0);
  gc_root_add(heap_slot);
  collect_clean();
  assert_true(is_live(h));
  gc_root_remove(heap_slot);
  collect_clean();
  assert_false(is_live(h));
  free(heap_slot);
  (void)slot;
}

static __attribute__((noinline)) int frame_user(uintptr_t *out) {
  GC_FRAME(f, 2);
  f[1] = reveal(alloc_hidden(200, 1, 4));
  *out = hide(f[1]);
  collect_clean();
  int live = is_live(*out);
  GC_FRAME_END(f);
  return live;
}

static void shadow_frame_keeps_object(void **state) {
  (void)state;
  uintptr_t h;
  assert_true(frame_user(&h));
}

static void atomic_contents_are_not_scanned(void **state) {
  (void)state;
  void **holder = gc_alloc_atomic(64);
  uintptr_t h = alloc_hidden(64, 0, 2);
  store_revealed(&holder[0], h, 0);
  global_slot = holder;
  collect_clean();
  assert_true(is_live(hide(holder)));
  assert_false(is_live(h));
  void **scanned = gc_alloc(64);
  h = alloc_hidden(64, 0, 2);
  store_revealed(&scanned[3], h, 0);
  global_slot = scanned;
  collect_clean();
  assert_true(is_live(h));
  global_slot = NULL;
}

static __attribute__((noinline)) int deep(int depth, uintptr_t h) {
  if (depth > 0) {
    int r = deep(depth - 1, h);
    __asm__ volatile("" ::: "memory");
    return r;
  }
  void *volatile local = reveal(h); /* only reference: in this frame */
  collect_clean();
  int live = is_live(h);
  local = NULL;
  (void)local;
  return live;
}

static void stack_local_keeps_object(void **state) {
  (void)state;
  uintptr_t h = alloc_hidden(80, 0, 5);
  assert_true(deep(50, h));
}

static __attribute__((noinline)) int only_in_register(uintptr_t h) {
  uintptr_t back;
  /* The pointer lives only in r12 (callee-saved) across the collection:
   * found in the registers captured by unw_getcontext or where a callee
   * spilled them. */
  __asm__ volatile("mov %1, %%r12\n\t"
                   "xor %2, %%r12\n\t"
                   "call gc_collect\n\t"
                   "mov %%r12, %0"
                   : "=r"(back)
                   : "r"(h), "r"(HIDE_MASK)
                   : "r12", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
                     "memory", "cc");
  return gc_base((void *)back) != NULL;
}

static void register_keeps_object(void **state) {
  (void)state;
  uintptr_t h = alloc_hidden(96, 0, 6);
  clear_stack_below();
  assert_true(only_in_register(h));
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(global_keeps_object),
      cmocka_unit_test(interior_pointer_in_global_keeps_object),
      cmocka_unit_test(unaligned_global_word_is_not_a_root),
      cmocka_unit_test(explicit_range_keeps_object_until_removed),
      cmocka_unit_test(exact_root_keeps_object),
      cmocka_unit_test(shadow_frame_keeps_object),
      cmocka_unit_test(atomic_contents_are_not_scanned),
      cmocka_unit_test(stack_local_keeps_object),
      cmocka_unit_test(register_keeps_object),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
