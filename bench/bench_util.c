/*
 * bench_util.c — implementation of the collector-independent helpers of
 * bench_util.h.  No allocation from the collector under test happens here.
 */
#include "bench_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long bench_peak_rss_kb(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return -1;
  return ru.ru_maxrss; /* Linux reports KiB */
}

void bench_fail(const char *workload, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "FAIL %s: ", workload);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
  exit(1);
}

uint64_t bench_mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t bench_rng_next(bench_rng *r) {
  r->state += 0x9e3779b97f4a7c15ull;
  return bench_mix64(r->state);
}

uint64_t bench_rng_below(bench_rng *r, uint64_t n) {
  return (uint64_t)(((unsigned __int128)bench_rng_next(r) * n) >> 64);
}

uint64_t bench_seed(const char *workload) {
  const char *s = getenv("BENCH_SEED");
  uint64_t seed = s ? bench_parse_u64(workload, "BENCH_SEED", s)
                    : bench_mix64(bench_now_ns());
  fprintf(stderr, "%s: seed %" PRIu64 " (replay with BENCH_SEED=%" PRIu64 ")\n",
          workload, seed, seed);
  return seed;
}

uint64_t bench_parse_u64(const char *workload, const char *opt, const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || *s == '-')
    bench_fail(workload, "bad value '%s' for %s", s, opt);
  return (uint64_t)v;
}
