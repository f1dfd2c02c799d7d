/*
 * test_realloc.c — gc_realloc keeps contents and kind.
 *
 *   - Growth through every regime (small size classes, large runs, 20 MiB)
 *     and shrinking back keep the first min(old, new) bytes, with
 *     collections between the steps while the object is referenced only by
 *     the test's local variable.
 *   - gc_realloc(NULL, n) allocates like gc_alloc (zeroed, conservative).
 *   - gc_realloc(p, 0) frees p and returns NULL: p is no longer an object
 *     (a later gc_free(p) is reported as a double free).
 *   - The kind survives a move: pointers in a reallocated conservative
 *     object keep their targets alive; pointers in a reallocated atomic
 *     object do not (seen through live_bytes over a 16 MiB target).
 *
 * "Freed" checks keep the test's own frames free of the addresses involved
 * (see test_big_objects.c): helpers use the global g_keep and hidden values.
 */
#include "shadow_model.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#define MiB ((size_t)1 << 20)
#define TARGET (16 * MiB)

/* volatile: only written by the test; stores must not be optimized away. */
static void *volatile g_keep[2];

static char g_warnings[8][512];
static unsigned g_nwarnings;
static void capture_warning(const char *msg) {
  if (g_nwarnings < 8) snprintf(g_warnings[g_nwarnings], sizeof g_warnings[0], "%s", msg);
  g_nwarnings++;
}

static unsigned char byte_at(uint64_t seed, size_t i) {
  return (unsigned char)(sm_mix(seed, i / 8) >> (8 * (i % 8)));
}
static void fill(void *p, size_t from, size_t to, uint64_t seed) {
  unsigned char *b = p;
  for (size_t i = from; i < to; i++) b[i] = byte_at(seed, i);
}
/* Index of the first byte in [0, n) that lost its pattern, or n. */
static size_t first_bad(const void *p, size_t n, uint64_t seed) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i] != byte_at(seed, i)) return i;
  return n;
}

static void check_object(const void *q, size_t n) {
  assert_non_null(q);
  assert_ptr_equal(gc_base(q), q);
  assert_true(gc_size(q) >= n);
  assert_ptr_equal(gc_base((const char *)q + n - 1), q);
}

/* Resizes through `sizes`, checking the kept prefix and refilling the rest;
 * collects between steps so the object must survive on the local alone. */
static void resize_chain(int atomic, const size_t *sizes, size_t count, uint64_t seed) {
  size_t old = sizes[0];
  char *p = atomic ? gc_alloc_atomic(old) : gc_alloc(old);
  check_object(p, old);
  fill(p, 0, old, seed);
  for (size_t i = 1; i < count; i++) {
    size_t n = sizes[i];
    char *q = gc_realloc(p, n);
    check_object(q, n);
    size_t keep = n < old ? n : old;
    size_t bad = first_bad(q, keep, seed);
    if (bad != keep)
      fail_msg("gc_realloc(%p, %zu) from %zu bytes: byte %zu of the %zu kept bytes changed",
               (void *)p, n, old, bad, keep);
    fill(q, keep, n, seed);
    p = q;
    old = n;
    gc_collect();
    bad = first_bad(p, n, seed);
    if (bad != n) fail_msg("after a collection, byte %zu of a %zu-byte reallocated object changed", bad, n);
  }
  sm_keep(p);
}

static const size_t growth[] = {1,    7,     16,    17,     100,     1000,         4000,    5000,
                                40000, 70000, 65536, 1 << 20, 20 * MiB + 5, 20 * MiB + 9};

static void growth_keeps_contents(void **state) {
  (void)state;
  resize_chain(0, growth, sizeof growth / sizeof *growth, 1);
  resize_chain(1, growth, sizeof growth / sizeof *growth, 2);
}

static void shrinking_keeps_contents(void **state) {
  (void)state;
  size_t shrink[sizeof growth / sizeof *growth];
  size_t count = sizeof growth / sizeof *growth;
  for (size_t i = 0; i < count; i++) shrink[i] = growth[count - 1 - i];
  resize_chain(0, shrink, count, 3);
  resize_chain(1, shrink, count, 4);
  /* Shrinking a little, then growing back to the old size. */
  size_t wobble[] = {4000, 3000, 2100, 4000, 200000, 150000, 200000};
  resize_chain(0, wobble, sizeof wobble / sizeof *wobble, 5);
}

static void realloc_same_size(void **state) {
  (void)state;
  char *p = gc_alloc(300);
  fill(p, 0, 300, 6);
  char *q = gc_realloc(p, 300);
  check_object(q, 300);
  assert_int_equal(first_bad(q, 300, 6), 300);
}

static void realloc_null_allocates(void **state) {
  (void)state;
  size_t sizes[] = {1, 48, 5000, 3 * MiB};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    unsigned char *p = gc_realloc(NULL, sizes[i]);
    check_object(p, sizes[i]);
    for (size_t k = 0; k < sizes[i]; k++) assert_int_equal(p[k], 0);
  }
}

static __attribute__((noinline)) uintptr_t alloc_and_zero_realloc(size_t n) {
  char *p = gc_alloc(n);
  assert_non_null(p);
  fill(p, 0, n, 7);
  errno = 0;
  assert_null(gc_realloc(p, 0));
  return sm_hide(p);
}

static void realloc_to_zero_frees(void **state) {
  (void)state;
  size_t sizes[] = {64, 70000};
  for (size_t i = 0; i < 2; i++) {
    uintptr_t h = alloc_and_zero_realloc(sizes[i]);
    void *p = sm_unhide(h);
    assert_null(gc_base(p));
    assert_int_equal(gc_size(p), 0);
    gc_warn_fn old = gc_set_warn_handler(capture_warning);
    g_nwarnings = 0;
    gc_free(p); /* freed already: must be reported, and change nothing */
    gc_set_warn_handler(old);
    assert_int_equal(g_nwarnings, 1);
    char addr[32];
    snprintf(addr, sizeof addr, "%p", p);
    assert_non_null(strstr(g_warnings[0], "gc_free"));
    assert_non_null(strstr(g_warnings[0], addr));
  }
}

/* Makes g_keep[slot] a reallocated (grown, so moved) object of the given
 * kind whose word 5 is the only reference to a fresh 16 MiB object. */
static __attribute__((noinline)) void realloc_holder(unsigned slot, int atomic) {
  void **p = atomic ? gc_alloc_atomic(32) : gc_alloc(32);
  assert_non_null(p);
  void **q = gc_realloc(p, 100000);
  assert_non_null(q);
  g_keep[slot] = q;
  void *target = gc_alloc_atomic(TARGET);
  assert_non_null(target);
  memset(target, 0x3C, TARGET);
  q[5] = target;
}

static void realloc_keeps_kind(void **state) {
  (void)state;
  size_t base = sm_live_after_collect();
  realloc_holder(0, 0);
  size_t with_scanned = sm_live_after_collect();
  assert_true(with_scanned >= base + TARGET);
  const unsigned char *t = ((void *const *)g_keep[0])[5];
  assert_ptr_equal(gc_base(t), t);
  assert_int_equal(t[TARGET - 1], 0x3C);
  t = NULL;
  realloc_holder(1, 1);
  size_t with_atomic = sm_live_after_collect();
  fprintf(stderr, "realloc kinds: live %zu -> %zu (conservative holder) -> %zu KiB (atomic holder)\n",
          base >> 10, with_scanned >> 10, with_atomic >> 10);
  if (!sm_under_valgrind()) /* the atomic holder kept nothing (see sm_under_valgrind) */
    assert_true(with_atomic < with_scanned + TARGET);
  g_keep[0] = g_keep[1] = NULL;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(growth_keeps_contents),   cmocka_unit_test(shrinking_keeps_contents),
      cmocka_unit_test(realloc_same_size),       cmocka_unit_test(realloc_null_allocates),
      cmocka_unit_test(realloc_to_zero_frees),   cmocka_unit_test(realloc_keeps_kind),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
