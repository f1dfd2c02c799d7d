/*
 * bench_util.h — helpers shared by every benchmark workload: a monotonic
 * clock, peak RSS, a small deterministic random generator, loud failure,
 * and the one-line result protocol the runner parses.
 *
 * Nothing here allocates from the collector under test, so the helpers cost
 * the same in every variant (Gleaner, Boehm GC, malloc/free).
 *
 * Result protocol: each workload prints exactly one line
 *   RESULT <workload> <variant> key=value key=value ...
 * on stdout when (and only when) its self-verification passed; anything
 * else the workload says goes to stderr.  scripts/bench-run.sh greps these.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Nanoseconds from CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);

/* CPU time (user + system, all threads) of this process in ns: unlike the
 * wall clock it does not grow when other processes take the cores. */
uint64_t bench_cpu_ns(void);

/* Peak resident set size of this process in KiB (getrusage ru_maxrss). */
long bench_peak_rss_kb(void);

/* Print "FAIL <workload>: message" to stderr and exit(1).  A benchmark of a
 * broken collector is worthless, so every verification failure ends here. */
void bench_fail(const char *workload, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

/* splitmix64: tiny, full-period, good enough to shape random graphs. */
typedef struct bench_rng {
  uint64_t state;
} bench_rng;
uint64_t bench_rng_next(bench_rng *r);
/* Uniform in [0, n) (n > 0), by multiply-high: no modulo bias worth noting. */
uint64_t bench_rng_below(bench_rng *r, uint64_t n);
/* A stateless hash of x (the splitmix64 finalizer), for recomputable data. */
uint64_t bench_mix64(uint64_t x);

/* Seed from the environment variable BENCH_SEED if set, else from the clock;
 * always printed to stderr so a failing run can be replayed. */
uint64_t bench_seed(const char *workload);

/* Parse an unsigned decimal option value or fail loudly. */
uint64_t bench_parse_u64(const char *workload, const char *opt, const char *s);

#endif /* BENCH_UTIL_H */
