/*
 * test_hardening.c — no data leaks between objects (memory is zero when
 * handed out again, whichever way it was freed: explicit free, collection,
 * realloc, large runs), size arithmetic that overflows is refused with
 * NULL/ENOMEM and a warning instead of wrapping into a small allocation,
 * and every public entry point refuses bad arguments with a warning that
 * names the call, leaving the heap intact (gc_verify after each group).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/valgrind.h>
#include "diag_util.h"
#include "gc_state.h"

static bool all_zero(const void *p, size_t n) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++)
    if (c[i])
      return false;
  return true;
}

static void assert_warned(const char *needle) {
  if (!strstr(warnings, needle))
    fail_msg("expected a warning containing \"%s\"; got:\n%s", needle, warnings);
}

/* Fill `count` objects of n bytes with 0xEE, free every other one
 * explicitly and drop the rest. */
__attribute__((noinline)) static void dirty_then_drop(size_t n, unsigned count, bool atomic) {
  for (unsigned i = 0; i < count; i++) {
    char *p = atomic ? gc_alloc_atomic(n) : gc_alloc(n);
    assert_non_null(p);
    memset(p, 0xEE, n);
    if (i % 2)
      gc_free(p);
  }
}

static void reused_memory_is_zero(size_t n, bool atomic) {
  dirty_then_drop(n, 2000, atomic);
  scrub_stack();
  gc_collect();
  for (unsigned i = 0; i < 4000; i++) {
    char *p = atomic ? gc_alloc_atomic(n) : gc_alloc(n);
    assert_non_null(p);
    if (!all_zero(p, n))
      fail_msg("object %u of %zu bytes at %p handed out with old data", i, n, (void *)p);
  }
}

static void freed_memory_is_zeroed_before_reuse(void **state) {
  (void)state;
  reused_memory_is_zero(48, false);
  reused_memory_is_zero(48, true);
  reused_memory_is_zero(3000, false);
  reused_memory_is_zero(200 * 1024, true); /* large runs */
  assert_int_equal(gc_verify(), 0);
}

static void explicit_free_zeroes_at_once(void **state) {
  (void)state;
  char *p = gc_alloc(256);
  memset(p, 0x77, 256);
  gc_free(p);
  /* The slot is free: its bytes are already zero, before any reuse. */
  assert_true(all_zero(p, 256));
  char *q = gc_alloc(256);
  assert_true(all_zero(q, 256));
}

static void realloc_never_exposes_old_bytes(void **state) {
  (void)state;
  char *p = gc_alloc(1000);
  memset(p, 0x55, 1000);
  size_t cap = gc_size(p);
  char *q = gc_realloc(p, 600); /* shrinks in place */
  assert_ptr_equal(q, p);
  assert_true(all_zero(q + 600, cap - 600));
  char *r = gc_realloc(q, 5000); /* grows: a new object */
  assert_non_null(r);
  for (int i = 0; i < 600; i++)
    assert_int_equal((unsigned char)r[i], 0x55);
  assert_true(all_zero(r + 600, gc_size(r) - 600));
}

static void size_overflow_is_refused(void **state) {
  (void)state;
  warnings_capture();
  errno = 0;
  assert_null(gc_calloc(SIZE_MAX / 2 + 1, 2));
  assert_int_equal(errno, ENOMEM);
  assert_warned("gc_calloc");
  errno = 0;
  assert_null(gc_alloc(SIZE_MAX));
  assert_int_equal(errno, ENOMEM);
  errno = 0;
  assert_null(gc_alloc_atomic(SIZE_MAX - BLOCK_SIZE + 2)); /* would round up to 0 blocks */
  assert_int_equal(errno, ENOMEM);
  assert_null(gc_alloc_uncollectable(SIZE_MAX));
  assert_null(gc_alloc_aligned(64, SIZE_MAX));
  static gc_type blob = {.name = "blob", .size = 8};
  assert_int_equal(gc_type_register(&blob), 0);
  errno = 0;
  assert_null(gc_alloc_typed(&blob, SIZE_MAX - 4)); /* + header would wrap */
  assert_int_equal(errno, ENOMEM);
  char *p = gc_alloc(32);
  strcpy(p, "intact");
  assert_null(gc_realloc(p, SIZE_MAX));
  assert_string_equal(p, "intact");
  /* A type whose bitmap period (bitmap_words * 64) would wrap to zero. */
  static const uint64_t one = 1;
  static gc_type huge_bitmap = {.name = "huge", .size = 8, .pointer_bitmap = &one,
                                .bitmap_words = (SIZE_MAX >> 6) + 1};
  assert_int_equal(gc_type_register(&huge_bitmap), -1);
  assert_warned("bitmap_words");
  /* Expanding the heap target by SIZE_MAX saturates instead of wrapping. */
  uint64_t before = G->trigger_bytes;
  assert_int_equal(gc_expand_heap(SIZE_MAX), 0);
  assert_true(G->trigger_bytes >= before);
  G->trigger_bytes = before;
  gc_set_warn_handler(NULL);
  assert_int_equal(gc_verify(), 0);
}

static void bad_object_arguments_are_reported(void **state) {
  (void)state;
  warnings_capture();
  int local = 0;
  gc_free(&local);
  assert_warned("gc_free(");
  assert_warned("not a heap object");
  char *p = gc_alloc(64);
  gc_free(p + 8);
  assert_warned("interior pointer");
  gc_free(p);
  warnings_reset();
  gc_free(p);
  assert_warned("double free");
  errno = 0;
  assert_null(gc_realloc(&local, 10));
  assert_int_equal(errno, EINVAL);
  assert_warned("gc_realloc(");
  assert_null(gc_base(NULL));
  assert_int_equal(gc_size(&local), 0);
  assert_int_equal(gc_explain(NULL, NULL), -1);
  assert_warned("gc_explain(NULL)");
  gc_set_warn_handler(NULL);
  assert_int_equal(gc_verify(), 0);
}

static void bad_allocation_arguments_are_reported(void **state) {
  (void)state;
  warnings_capture();
  errno = 0;
  assert_null(gc_alloc_aligned(48, 100));
  assert_int_equal(errno, EINVAL);
  assert_warned("not a power of two");
  assert_null(gc_alloc_aligned(BLOCK_SIZE * 2, 100));
  assert_warned("not supported");
  static gc_type unregistered = {.name = "unregistered", .size = 16};
  assert_null(gc_alloc_typed(&unregistered, 16));
  assert_warned("not registered");
  static gc_type small = {.name = "small", .size = 64};
  assert_int_equal(gc_type_register(&small), 0);
  assert_null(gc_alloc_typed(&small, 8));
  assert_warned("smaller than the type's size");
  assert_int_equal(gc_type_register(NULL), -1);
  static gc_type sizeless = {.name = "sizeless"};
  assert_int_equal(gc_type_register(&sizeless), -1);
  assert_warned("neither a fixed size");
  gc_set_warn_handler(NULL);
}

static void bad_root_arguments_are_reported(void **state) {
  (void)state;
  warnings_capture();
  char buf[64];
  gc_add_roots(buf + 32, buf);
  assert_warned("gc_add_roots(");
  assert_warned("inverted");
  gc_remove_roots(buf, buf + 8);
  assert_warned("no root range registered");
  gc_exclude_roots(buf + 8, buf);
  assert_warned("gc_exclude_roots(");
  gc_root_add(NULL);
  assert_warned("gc_root_add(NULL)");
  void *slot;
  gc_root_remove(&slot);
  assert_warned("not a registered root");
  gc_enable(); /* not disabled */
  assert_warned("gc_enable");
  gc_get_stats(NULL);
  assert_warned("gc_get_stats(NULL)");
  assert_int_equal(gc_set_max_heap(SIZE_MAX), -1);
  assert_warned("gc_set_max_heap(");
  /* 0 lifts the limit to the reservation (as gc_config.max_heap = 0), it
   * does not make every allocation fail. */
  assert_int_equal(gc_set_max_heap(0), 0);
  void *after_zero = gc_alloc(100000);
  assert_non_null(after_zero);
  gc_set_free_space_divisor(0);
  assert_true(gc_get_free_space_divisor() >= 1);
  gc_set_free_space_divisor(2);
  gc_set_warn_handler(NULL);
  assert_int_equal(gc_verify(), 0);
}

/* Touch the byte just before or after a side table in a child process:
 * it must die of SIGSEGV (a guard page), not read or write metadata. */
static int probe_in_child(volatile char *addr, bool write) {
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL); /* not cmocka's handler */
    if (write)
      *addr = 1;
    else
      (void)*addr;
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

static void metadata_sits_between_guard_pages(void **state) {
  (void)state;
  if (RUNNING_ON_VALGRIND)
    skip(); /* memcheck would narrate each deliberate fault */
  size_t meta_bytes = ((sizeof(block_meta) * G->blocks_reserved) + 4095) & ~(size_t)4095;
  size_t bits_bytes = ((sizeof(block_bits) * G->blocks_reserved) + 4095) & ~(size_t)4095;
  char *meta = (char *)G->blocks, *bits = (char *)G->bits;
  assert_int_equal(probe_in_child(meta - 1, false), SIGSEGV);
  assert_int_equal(probe_in_child(meta + meta_bytes, true), SIGSEGV);
  assert_int_equal(probe_in_child(bits - 1, true), SIGSEGV);
  assert_int_equal(probe_in_child(bits + bits_bytes, false), SIGSEGV);
  assert_int_equal(probe_in_child((char *)G->free_map - 1, true), SIGSEGV);
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(freed_memory_is_zeroed_before_reuse),
      cmocka_unit_test(explicit_free_zeroes_at_once),
      cmocka_unit_test(realloc_never_exposes_old_bytes),
      cmocka_unit_test(size_overflow_is_refused),
      cmocka_unit_test(bad_object_arguments_are_reported),
      cmocka_unit_test(bad_allocation_arguments_are_reported),
      cmocka_unit_test(bad_root_arguments_are_reported),
      cmocka_unit_test(metadata_sits_between_guard_pages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
