/*
 * test_stats.c — pause telemetry: the MMU computed from the pause log
 * (two-pointer, O(n)) against a brute-force evaluation of every candidate
 * window, and the percentiles against the recorded pauses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include "gc_state.h"
#include "stats.h"

#define N 400
static uint64_t starts[N], lens[N];

static uint64_t paused_in(uint64_t t, uint64_t w) {
  uint64_t sum = 0;
  for (int i = 0; i < N; i++) {
    uint64_t s = starts[i], e = s + lens[i];
    uint64_t lo = s > t ? s : t, hi = e < t + w ? e : t + w;
    if (hi > lo)
      sum += hi - lo;
  }
  return sum;
}

static double brute_mmu(uint64_t w) {
  uint64_t worst = 0;
  for (int i = 0; i < N; i++) {
    uint64_t a = paused_in(starts[i], w);
    uint64_t e = starts[i] + lens[i];
    uint64_t b = paused_in(e > w ? e - w : 0, w);
    if (a > worst) worst = a;
    if (b > worst) worst = b;
  }
  return worst >= w ? 0.0 : 1.0 - (double)worst / (double)w;
}

static void mmu_matches_brute_force(void **state) {
  (void)state;
  srand(12345);
  uint64_t t = 1000000000;
  for (int i = 0; i < N; i++) {
    t += 1000 + (uint64_t)(rand() % 3000000);   /* gap 1 µs .. 3 ms */
    starts[i] = t;
    lens[i] = 1000 + (uint64_t)(rand() % 900000); /* 1 µs .. 0.9 ms */
    t += lens[i];
    stats_record_pause(starts[i], starts[i] + lens[i]);
  }
  uint64_t windows[] = {100000, 1000000, 2500000, 10000000, 100000000};
  for (size_t k = 0; k < sizeof windows / sizeof *windows; k++) {
    double fast = stats_mmu(windows[k]), slow = brute_mmu(windows[k]);
    if (fast < slow - 1e-9 || fast > slow + 1e-9)
      fail_msg("window %llu ns: mmu %.6f, brute force %.6f", (unsigned long long)windows[k],
               fast, slow);
  }
  gc_stats s;
  gc_get_stats(&s);
  assert_int_equal(s.pause_count, N);
  uint64_t max = 0;
  for (int i = 0; i < N; i++)
    if (lens[i] > max)
      max = lens[i];
  assert_int_equal(s.pause_max_ns, max);
  assert_true(s.pause_p50_ns <= s.pause_p90_ns && s.pause_p90_ns <= s.pause_p99_ns &&
              s.pause_p99_ns <= s.pause_max_ns);
  /* p50 within one histogram bucket (6 %) of the true median */
  int below = 0;
  for (int i = 0; i < N; i++)
    below += lens[i] <= s.pause_p50_ns;
  assert_true(below >= N / 2 - N / 16 && below <= N / 2 + N / 16);
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {cmocka_unit_test(mmu_matches_brute_force)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
