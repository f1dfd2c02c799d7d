/*
 * pause.c — the pause workload: 1,000,000 messages of 1 KiB pass through a
 * window of 200,000 slots (about 200 MiB live); each new message overwrites
 * the oldest one.  Every step is timed with CLOCK_MONOTONIC, so the worst
 * step bounds the worst pause the program saw, whatever its cause.
 *
 * One step = check the message about to be evicted (the program "reads" it),
 * drop it (free under malloc), allocate and fill a new one, store it into
 * the window.  Messages are allocated as scanned memory (bench_alloc), as a
 * C program that swapped malloc for the collector's allocator would do, so
 * the collector must scan all 200 MiB; -a makes them pointer-free
 * (bench_alloc_atomic) instead.  The window itself is a scanned heap object
 * and the store goes through BENCH_STORE, so the explicit-barrier variant
 * exercises its barrier.
 *
 * Reported: loop time (wall and CPU), worst / p99 / p99.9 / median step, MMU at 1, 10 and
 * 100 ms (from the step times; see step_stats.h), peak RSS taken right after
 * the loop (before any statistics memory is allocated).
 *
 * Verification: every message carries its sequence number and a pattern
 * derived from it; a message is checked when it leaves the window and all
 * messages still in the window are checked at the end.  Any mismatch is a
 * FAIL.
 *
 * Options: -n messages (1000000), -w window (200000), -b message bytes
 *          (1024, a multiple of 8, >= 16), -a (pointer-free messages),
 *          -o FILE (write every step time in ns, one per line, for plots).
 * Env: BENCH_INJECT_FAULT=1 corrupts one message (proves the check works).
 */
#include "alloc_shim.h"
#include "bench_util.h"
#include "step_stats.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char W[] = "pause";

typedef struct params {
  size_t messages, window, words;
  int atomic;
  const char *steps_out;
} params;

/* Word k of message seq; cheap enough to fill and check at memory speed. */
static inline uint64_t pattern(uint64_t seq, size_t k) {
  return seq ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull);
}

static void fill(uint64_t *msg, size_t words, uint64_t seq) {
  for (size_t k = 0; k < words; k++)
    msg[k] = pattern(seq, k);
}

static void check(const uint64_t *msg, size_t words, uint64_t seq) {
  uint64_t bad = 0;
  for (size_t k = 0; k < words; k++)
    bad |= msg[k] ^ pattern(seq, k);
  if (bad) {
    for (size_t k = 0; k < words; k++)
      if (msg[k] != pattern(seq, k))
        bench_fail(W, "message %llu word %zu is %#llx, expected %#llx",
                   (unsigned long long)seq, k, (unsigned long long)msg[k],
                   (unsigned long long)pattern(seq, k));
  }
}

static void parse(int argc, char **argv, params *p) {
  *p = (params){1000000, 200000, 1024 / 8, 0, NULL};
  int c;
  while ((c = getopt(argc, argv, "n:w:b:ao:")) != -1) {
    switch (c) {
    case 'n': p->messages = bench_parse_u64(W, "-n", optarg); break;
    case 'w': p->window = bench_parse_u64(W, "-w", optarg); break;
    case 'b': p->words = bench_parse_u64(W, "-b", optarg) / 8; break;
    case 'a': p->atomic = 1; break;
    case 'o': p->steps_out = optarg; break;
    default: bench_fail(W, "usage: pause [-n msgs] [-w window] [-b bytes] [-a] "
                           "[-o steps-file]");
    }
  }
  if (p->messages < 1 || p->window < 1 || p->words < 2 ||
      p->messages > (1u << 30) || p->window > (1u << 28))
    bench_fail(W, "parameters out of range");
}

/* The timed loop.  steps[i] = duration of step i; steps are back to back. */
static void run(const params *p, uint64_t **window, uint64_t *steps,
                int inject_fault) {
  size_t bytes = p->words * 8;
  uint64_t prev = bench_now_ns();
  for (size_t i = 0; i < p->messages; i++) {
    size_t slot = i % p->window;
    uint64_t *old = window[slot];
    if (old) {
      check(old, p->words, i - p->window);
      bench_drop(old);
    }
    uint64_t *msg = bench_checked(
        W, p->atomic ? bench_alloc_atomic(bytes) : bench_alloc(bytes));
    fill(msg, p->words, i);
    if (inject_fault && i == p->window / 2)
      msg[p->words - 1] ^= 1;
    BENCH_STORE(window, window[slot], msg);
    uint64_t now = bench_now_ns();
    steps[i] = now - prev;
    prev = now;
  }
}

static void write_steps(const char *path, const uint64_t *steps, size_t n) {
  FILE *f = fopen(path, "w");
  if (!f)
    bench_fail(W, "cannot write %s", path);
  fprintf(f, "# pause %s: step durations in ns, one per line\n",
          BENCH_VARIANT);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%llu\n", (unsigned long long)steps[i]);
  if (fclose(f) != 0)
    bench_fail(W, "error writing %s", path);
}

static void report(const params *p, const uint64_t *steps, double loop_s,
                   double cpu_s, long rss_kb) {
  size_t n = p->messages;
  uint64_t *sorted = malloc(n * sizeof *sorted);
  if (!sorted)
    bench_fail(W, "malloc");
  steps_sort(steps, n, sorted);
  uint64_t median = steps_percentile(sorted, n, 50);
  mmu_timeline t;
  if (mmu_build(&t, steps, n, median) != 0)
    bench_fail(W, "malloc");
  printf("RESULT pause %s kind=%s time_s=%.4f cpu_s=%.4f worst_us=%.1f "
         "p999_us=%.2f "
         "p99_us=%.2f p50_us=%.3f mmu1ms=%.3f mmu10ms=%.3f mmu100ms=%.3f "
         "rss_kb=%ld",
         BENCH_VARIANT, p->atomic ? "atomic" : "scanned", loop_s, cpu_s,
         (double)sorted[n - 1] / 1e3,
         (double)steps_percentile(sorted, n, 99.9) / 1e3,
         (double)steps_percentile(sorted, n, 99) / 1e3, (double)median / 1e3,
         mmu_at(&t, 1000000), mmu_at(&t, 10000000), mmu_at(&t, 100000000),
         rss_kb);
  bench_collector_fields(stdout);
  printf("\n");
  mmu_free(&t);
  free(sorted);
}

int main(int argc, char **argv) {
  params p;
  parse(argc, argv, &p);
  const char *fault = getenv("BENCH_INJECT_FAULT");
  bench_gc_init();

  /* Step times live outside the collected heap; touch them now so that no
   * step pays a page fault for its own bookkeeping. */
  uint64_t *steps = malloc(p.messages * sizeof *steps);
  if (!steps)
    bench_fail(W, "malloc");
  memset(steps, 0, p.messages * sizeof *steps);

  uint64_t **window =
      bench_checked(W, bench_alloc(p.window * sizeof *window));
  for (size_t i = 0; i < p.window; i++)
    window[i] = NULL;

  uint64_t t0 = bench_now_ns(), cpu0 = bench_cpu_ns();
  run(&p, window, steps, fault && fault[0] == '1');
  double loop_s = (double)(bench_now_ns() - t0) / 1e9;
  double cpu_s = (double)(bench_cpu_ns() - cpu0) / 1e9;
  long rss_kb = bench_peak_rss_kb();

  /* Everything still in the window must be intact. */
  size_t live = p.messages < p.window ? p.messages : p.window;
  for (size_t k = 0; k < live; k++) {
    size_t seq = p.messages - live + k;
    check(window[seq % p.window], p.words, seq);
  }
  if (p.steps_out)
    write_steps(p.steps_out, steps, p.messages);
  report(&p, steps, loop_s, cpu_s, rss_kb);
  for (size_t i = 0; i < p.window; i++)
    bench_drop(window[i]);
  bench_drop(window);
  free(steps);
  return 0;
}
