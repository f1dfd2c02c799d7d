/*
 * test_step_stats.c — cmocka tests of the statistics the pause benchmark
 * reports (step_stats.c): nearest-rank percentiles, and MMU checked against
 * a brute-force sweep over every window position on small random
 * timelines.  Seeded; prints the seed; BENCH_SEED=N replays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "step_stats.h"

static uint64_t rng_state;
static uint64_t rng(void) {
  rng_state += 0x9e3779b97f4a7c15ull;
  uint64_t x = rng_state;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static void test_percentiles(void **state) {
  (void)state;
  uint64_t steps[100], sorted[100];
  for (int i = 0; i < 100; i++)
    steps[i] = (uint64_t)(100 - i); /* 100 .. 1, unsorted */
  steps_sort(steps, 100, sorted);
  assert_int_equal(sorted[0], 1);
  assert_int_equal(sorted[99], 100);
  assert_int_equal(steps_percentile(sorted, 100, 50), 50);
  assert_int_equal(steps_percentile(sorted, 100, 99), 99);
  assert_int_equal(steps_percentile(sorted, 100, 99.9), 100);
  assert_int_equal(steps_percentile(sorted, 100, 100), 100);
  assert_int_equal(steps_percentile(sorted, 100, 0.5), 1);
  assert_int_equal(steps_percentile(sorted, 1, 99.9), 1);
}

static void test_mmu_no_loss(void **state) {
  (void)state;
  uint64_t steps[10] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
  mmu_timeline t;
  assert_int_equal(mmu_build(&t, steps, 10, 5), 0);
  assert_int_equal(t.count, 0);
  assert_true(mmu_at(&t, 7) == 1.0);
  mmu_free(&t);
}

static void test_mmu_one_pause(void **state) {
  (void)state;
  /* 10 steps of 10 ns, one of 110 ns: 100 ns lost at the end of step 5. */
  uint64_t steps[11] = {10, 10, 10, 10, 10, 110, 10, 10, 10, 10, 10};
  mmu_timeline t;
  assert_int_equal(mmu_build(&t, steps, 11, 10), 0);
  assert_int_equal(t.count, 1);
  assert_int_equal(t.total_ns, 210);
  assert_true(mmu_at(&t, 50) == 0.0);        /* fits inside the pause */
  assert_true(mmu_at(&t, 200) == 0.5);       /* 100 of 200 lost */
  assert_true(mmu_at(&t, 1000) == 1.0 - 100.0 / 210.0); /* whole run */
  mmu_free(&t);
}

/* Utilization of the worst window, by trying every integer position. */
static double brute_mmu(const uint64_t *steps, size_t n, uint64_t base,
                        uint64_t w) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += steps[i];
  if (w > total)
    w = total;
  unsigned char *lost = calloc(total, 1);
  assert_non_null(lost);
  uint64_t now = 0;
  for (size_t i = 0; i < n; i++) {
    now += steps[i];
    if (steps[i] > base)
      for (uint64_t x = now - (steps[i] - base); x < now; x++)
        lost[x] = 1;
  }
  uint64_t cur = 0, worst;
  for (uint64_t x = 0; x < w; x++)
    cur += lost[x];
  worst = cur;
  for (uint64_t a = 1; a + w <= total; a++) {
    cur += lost[a + w - 1];
    cur -= lost[a - 1];
    worst = cur > worst ? cur : worst;
  }
  free(lost);
  return 1.0 - (double)worst / (double)w;
}

static void test_mmu_matches_brute_force(void **state) {
  (void)state;
  const char *s = getenv("BENCH_SEED");
  uint64_t seed = s ? strtoull(s, NULL, 10) : 12345;
  printf("test_mmu_matches_brute_force: seed %llu (BENCH_SEED replays)\n",
         (unsigned long long)seed);
  rng_state = seed;
  for (int trial = 0; trial < 500; trial++) {
    uint64_t steps[64];
    size_t n = 1 + rng() % 64;
    for (size_t i = 0; i < n; i++)
      steps[i] = 5 + (rng() % 4 == 0 ? rng() % 200 : rng() % 5);
    uint64_t base = 5 + rng() % 4;
    mmu_timeline t;
    assert_int_equal(mmu_build(&t, steps, n, base), 0);
    for (int k = 0; k < 6; k++) {
      uint64_t w = 1 + rng() % 500;
      double fast = mmu_at(&t, w), slow = brute_mmu(steps, n, base, w);
      if (fast != slow)
        fail_msg("trial %d window %llu: mmu %f, brute force %f", trial,
                 (unsigned long long)w, fast, slow);
    }
    mmu_free(&t);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percentiles),
      cmocka_unit_test(test_mmu_no_loss),
      cmocka_unit_test(test_mmu_one_pause),
      cmocka_unit_test(test_mmu_matches_brute_force),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
