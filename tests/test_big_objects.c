/*
 * test_big_objects.c — objects over 100 MiB, and what the kind of an object
 * (conservative or atomic) means for what it keeps alive.
 *
 *   - A big object (atomic and conservative) is zeroed, written, and reads
 *     back intact across collections; gc_base / gc_size answer for pointers
 *     anywhere inside it.
 *   - References stored only inside a big conservative object (in its middle
 *     and in its very last word) keep their targets alive; a big object
 *     referenced only by a pointer deep into its last blocks stays alive.
 *   - Dropping the only reference frees it: live_bytes and heap_bytes drop
 *     after a collection; allocating many big objects in turn reuses memory.
 *   - An atomic object's contents keep nothing alive, a conservative
 *     object's do (observed through live_bytes over 16 MiB targets).
 *
 * Method for "freed" checks: the test's own frames never hold a big
 * object's address.  Helpers keep the only reference in the global g_keep
 * and hand back hidden (XOR-ed) addresses; the stack is scrubbed before
 * collecting, so no stale copy can retain what the test expects to be freed.
 */
#include "shadow_model.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#define MiB ((size_t)1 << 20)
#define BIG (128 * MiB + 12345)
#define TARGET (16 * MiB)
#define SMALL 80

/* The only references to the objects under test.  volatile: the test never
 * reads them, and the compiler would otherwise delete the stores. */
static void *volatile g_keep[4];

static uint64_t pattern(uint64_t seed, size_t i) { return sm_mix(seed, i) | SM_PAYLOAD_BIT; }

/* Allocates n bytes of the given kind, checks they are zeroed, writes a
 * pattern (top bit set: never an address) over all of them and keeps a
 * pointer `keep_at` bytes into the object in g_keep[slot]. */
static __attribute__((noinline)) uintptr_t make_big_at(unsigned slot, int atomic, size_t n,
                                                       uint64_t seed, size_t keep_at) {
  uint64_t *p = atomic ? gc_alloc_atomic(n) : gc_alloc(n);
  if (!p) return 0;
  const unsigned char *b = (const unsigned char *)p;
  for (size_t i = 0; i < n / 8; i++)
    if (p[i]) return 0;
  for (size_t i = n / 8 * 8; i < n; i++)
    if (b[i]) return 0;
  for (size_t i = 0; i < n / 8; i++) p[i] = pattern(seed, i);
  g_keep[slot] = (char *)p + keep_at;
  return sm_hide(p);
}

static uintptr_t make_big(unsigned slot, int atomic, size_t n, uint64_t seed) {
  return make_big_at(slot, atomic, n, seed, 0);
}

static __attribute__((noinline)) int big_intact(uintptr_t h, size_t n, uint64_t seed) {
  const uint64_t *p = sm_unhide(h);
  if (gc_base(p) != p || gc_size(p) < n) return 0;
  for (size_t i = 0; i < n / 8; i++)
    if (p[i] != pattern(seed, i)) return 0;
  return 1;
}

static gc_stats stats_after_collect(void) {
  gc_stats st;
  sm_scrub_stack();
  gc_collect();
  gc_get_stats(&st);
  return st;
}

/* Small garbage between collections: if a referenced object had been freed,
 * its memory would be handed out and overwritten here. */
static __attribute__((noinline)) void churn(unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    uint64_t *p = gc_alloc(SMALL);
    if (p) memset(p, 0xEE, SMALL);
  }
}

static void roundtrip(int atomic) {
  uintptr_t h = make_big(0, atomic, BIG, 1);
  assert_true(h != 0);
  for (int round = 0; round < 3; round++) {
    stats_after_collect();
    churn(50000);
  }
  assert_true(big_intact(h, BIG, 1));
  char *p = sm_unhide(h);
  size_t offsets[] = {1, 4096, 65536, 100 * MiB, BIG - 8, BIG - 1};
  for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++)
    assert_ptr_equal(gc_base(p + offsets[i]), p);
  assert_true(gc_size(p + 100 * MiB) >= BIG);
  assert_ptr_not_equal(gc_base(p + gc_size(p)), p); /* one past the end is not this object */
  p = NULL;
  g_keep[0] = NULL;
}

static void big_atomic_roundtrip(void **state) {
  (void)state;
  roundtrip(1);
}

static void big_conservative_roundtrip(void **state) {
  (void)state;
  roundtrip(0);
}

/* Small objects referenced only from inside a big conservative object. */
static __attribute__((noinline)) void plant_small(uintptr_t big, uintptr_t *hidden, size_t where[2]) {
  void **slots = sm_unhide(big);
  for (int i = 0; i < 2; i++) {
    uint64_t *s = gc_alloc(SMALL);
    assert_non_null(s);
    for (size_t k = 0; k < SMALL / 8; k++) s[k] = pattern(100 + (uint64_t)i, k);
    slots[where[i] / 8] = s;
    hidden[i] = sm_hide(s);
  }
}

static void big_object_references_keep_targets(void **state) {
  (void)state;
  size_t n = 110 * MiB;
  uintptr_t big = make_big(0, 0, n, 2);
  assert_true(big != 0);
  uintptr_t hidden[2];
  size_t where[2] = {n / 2 + 8, n - 8}; /* a middle word and the very last word */
  plant_small(big, hidden, where);
  for (int round = 0; round < 3; round++) {
    stats_after_collect();
    churn(50000);
  }
  for (int i = 0; i < 2; i++) {
    const uint64_t *s = sm_unhide(hidden[i]);
    assert_ptr_equal(((void *const *)sm_unhide(big))[where[i] / 8], s);
    assert_ptr_equal(gc_base(s), s);
    for (size_t k = 0; k < SMALL / 8; k++) assert_true(s[k] == pattern(100 + (uint64_t)i, k));
  }
  g_keep[0] = NULL;
}

/* The only reference points deep into the last blocks of the object. */
static void big_object_kept_by_interior_pointer(void **state) {
  (void)state;
  size_t offsets[] = {100 * MiB + 4321, BIG - 1};
  for (int i = 0; i < 2; i++) {
    uintptr_t h = make_big_at(3, i, BIG, 20 + (uint64_t)i, offsets[i]);
    assert_true(h != 0);
    for (int round = 0; round < 2; round++) {
      stats_after_collect();
      churn(20000);
    }
    assert_true(big_intact(h, BIG, 20 + (uint64_t)i));
    assert_ptr_equal(gc_base(g_keep[3]), sm_unhide(h));
    g_keep[3] = NULL;
  }
}

/* Not under valgrind: see sm_under_valgrind. */
static void dropped_big_object_is_freed(void **state) {
  (void)state;
  if (sm_under_valgrind()) skip();
  gc_stats before = stats_after_collect();
  uintptr_t h = make_big(1, 1, BIG, 3);
  assert_true(h != 0);
  gc_stats with = stats_after_collect();
  assert_true(big_intact(h, BIG, 3));
  assert_true(with.live_bytes >= before.live_bytes + BIG);
  assert_true(with.heap_bytes >= BIG);
  g_keep[1] = NULL;
  gc_stats after = stats_after_collect();
  fprintf(stderr, "big object dropped: live %zu -> %zu KiB, heap %zu -> %zu KiB\n",
          with.live_bytes >> 10, after.live_bytes >> 10, with.heap_bytes >> 10,
          after.heap_bytes >> 10);
  assert_true(after.live_bytes + BIG <= with.live_bytes + MiB);
  assert_true(after.heap_bytes + BIG <= with.heap_bytes + 8 * MiB);
}

/* Ten 100 MiB objects in turn, each dropped before the next: the heap must
 * reuse their memory rather than grow to 1 GiB (not under valgrind, see
 * sm_under_valgrind). */
static void big_garbage_is_reused(void **state) {
  (void)state;
  size_t n = 100 * MiB;
  if (sm_under_valgrind()) skip();
  for (uint64_t i = 0; i < 10; i++) {
    assert_true(make_big(2, (int)(i & 1), n, 10 + i) != 0);
    g_keep[2] = NULL;
    sm_scrub_stack(); /* the next allocation collects: no stale copies */
  }
  gc_stats st;
  gc_get_stats(&st);
  fprintf(stderr, "ten 100 MiB objects in turn: heap %zu MiB, %" PRIu64 " collections\n",
          st.heap_bytes >> 20, st.collections);
  assert_true(st.heap_bytes <= 4 * n);
}

/* holder (atomic or conservative) gets the only reference to a fresh 16 MiB
 * object; returns the hidden holder. */
static __attribute__((noinline)) uintptr_t holder_with_target(unsigned slot, int atomic_holder) {
  void **holder = atomic_holder ? gc_alloc_atomic(64) : gc_alloc(64);
  assert_non_null(holder);
  g_keep[slot] = holder;
  void *target = gc_alloc_atomic(TARGET);
  assert_non_null(target);
  memset(target, 0x5A, TARGET);
  holder[3] = target;
  return sm_hide(holder);
}

static void atomic_contents_keep_nothing_alive(void **state) {
  (void)state;
  size_t base = stats_after_collect().live_bytes;
  uintptr_t atomic_holder = holder_with_target(0, 1);
  uintptr_t scanned_holder = holder_with_target(1, 0);
  size_t live = stats_after_collect().live_bytes;
  fprintf(stderr, "16 MiB targets: live %zu -> %zu KiB\n", base >> 10, live >> 10);
  /* The target behind the conservative holder is live ... */
  assert_true(live >= base + TARGET);
  void *kept = ((void **)sm_unhide(scanned_holder))[3];
  assert_ptr_equal(gc_base(kept), kept);
  /* ... the one behind the atomic holder is not (its pointer is just data;
   * not checked under valgrind, see sm_under_valgrind). */
  if (!sm_under_valgrind()) assert_true(live < base + 2 * TARGET);
  assert_ptr_equal(gc_base(sm_unhide(atomic_holder)), sm_unhide(atomic_holder));
  g_keep[0] = g_keep[1] = NULL;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(big_atomic_roundtrip),
      cmocka_unit_test(big_conservative_roundtrip),
      cmocka_unit_test(big_object_references_keep_targets),
      cmocka_unit_test(big_object_kept_by_interior_pointer),
      cmocka_unit_test(dropped_big_object_is_freed),
      cmocka_unit_test(big_garbage_is_reused),
      cmocka_unit_test(atomic_contents_keep_nothing_alive),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
