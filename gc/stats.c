/*
 * stats.c — every pause is timed with CLOCK_MONOTONIC and recorded twice:
 * in a log-linear histogram (all pauses, for p50/p90/p99) and in a ring of
 * the most recent pauses (for minimum mutator utilization, Cheng &
 * Blelloch: the worst fraction of any window of length w left to the
 * mutator).
 */
#include "stats.h"
#include "gc_state.h"
#include "compact.h"
#include "mark_parallel.h"
#include "roots.h"
#include "stop_world.h"
#include "weakness.h"
#include <inttypes.h>
#include <string.h>
#include <time.h>

#define SUB_BUCKETS 16           /* 6 % resolution per power of two */
#define BUCKETS (64 * SUB_BUCKETS)
#define PAUSE_LOG 16384          /* recent pauses kept for MMU */

static struct {
  uint64_t histogram[BUCKETS];
  uint64_t count, total_ns, max_ns;
  uint64_t log_start[PAUSE_LOG], log_len[PAUSE_LOG];
  uint64_t first_ns;             /* when the collector started */
} pauses;

void stats_exclude_from_roots(void) { roots_exclude_own(&pauses, &pauses + 1); }

uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned bucket_of(uint64_t ns) {
  if (ns < SUB_BUCKETS)
    return (unsigned)ns;
  unsigned log = 63u - (unsigned)__builtin_clzll(ns);       /* >= 4 */
  unsigned sub = (unsigned)(ns >> (log - 4)) & (SUB_BUCKETS - 1);
  return (log - 3) * SUB_BUCKETS + sub;
}

static uint64_t bucket_upper(unsigned b) {
  if (b < SUB_BUCKETS)
    return b;
  unsigned log = b / SUB_BUCKETS + 3, sub = b % SUB_BUCKETS;
  return ((uint64_t)(SUB_BUCKETS + sub + 1) << (log - 4)) - 1;
}

void stats_record_pause(uint64_t start, uint64_t end) {
  uint64_t ns = end - start;
  if (!pauses.first_ns)
    pauses.first_ns = start;
  pauses.histogram[bucket_of(ns)]++;
  size_t i = pauses.count % PAUSE_LOG;
  pauses.log_start[i] = start;
  pauses.log_len[i] = ns;
  pauses.count++;
  pauses.total_ns += ns;
  if (ns > pauses.max_ns)
    pauses.max_ns = ns;
}

uint64_t stats_pause_total_ns(void) { return pauses.total_ns; }

static uint64_t percentile(double q) {
  if (!pauses.count)
    return 0;
  uint64_t want = (uint64_t)(q * (double)pauses.count + 0.5), seen = 0;
  if (want == 0)
    want = 1;
  for (unsigned b = 0; b < BUCKETS; b++) {
    seen += pauses.histogram[b];
    if (seen >= want)
      return bucket_upper(b) < pauses.max_ns ? bucket_upper(b) : pauses.max_ns;
  }
  return pauses.max_ns;
}

/* Pause k of the n logged ones, oldest first. */
static uint64_t log_s(size_t first, size_t k) { return pauses.log_start[(first + k) % PAUSE_LOG]; }
static uint64_t log_e(size_t first, size_t k) {
  size_t i = (first + k) % PAUSE_LOG;
  return pauses.log_start[i] + pauses.log_len[i];
}

/* The worst windows start where a pause starts or end where one ends.
 * Two monotone pointers over the (chronological, disjoint) pauses make it
 * O(n): `full` sums the pauses wholly inside the current window. */
static uint64_t worst_window_starting_at_pauses(size_t first, size_t n, uint64_t w) {
  uint64_t worst = 0, full = 0;
  size_t j = 0; /* pauses [k, j) end inside [s_k, s_k + w) */
  for (size_t k = 0; k < n; k++) {
    uint64_t t = log_s(first, k);
    if (j < k) { j = k; full = 0; }
    while (j < n && log_e(first, j) <= t + w)
      full += log_e(first, j) - log_s(first, j), j++;
    uint64_t partial = j < n && log_s(first, j) < t + w ? t + w - log_s(first, j) : 0;
    if (full + partial > worst) worst = full + partial;
    if (j > k) full -= log_e(first, k) - log_s(first, k);
  }
  return worst;
}

static uint64_t worst_window_ending_at_pauses(size_t first, size_t n, uint64_t w) {
  uint64_t worst = 0, full = 0;
  size_t i = 0; /* pauses [i, k] start inside [e_k - w, e_k) */
  for (size_t k = 0; k < n; k++) {
    uint64_t end = log_e(first, k);
    uint64_t t = end > w ? end - w : 0;
    full += log_e(first, k) - log_s(first, k);
    while (i <= k && log_s(first, i) < t)
      full -= log_e(first, i) - log_s(first, i), i++;
    uint64_t partial = i > 0 && log_e(first, i - 1) > t ? log_e(first, i - 1) - t : 0;
    if (full + partial > worst) worst = full + partial;
  }
  return worst;
}

double stats_mmu(uint64_t w) {
  size_t n = pauses.count < PAUSE_LOG ? pauses.count : PAUSE_LOG;
  size_t first = pauses.count < PAUSE_LOG ? 0 : pauses.count % PAUSE_LOG;
  uint64_t a = worst_window_starting_at_pauses(first, n, w);
  uint64_t b = worst_window_ending_at_pauses(first, n, w);
  uint64_t worst = a > b ? a : b;
  return worst >= w ? 0.0 : 1.0 - (double)worst / (double)w;
}

void gc_get_stats(gc_stats *out) {
  ensure_init();
  if (!out) {
    gc_warnf("gc_get_stats(NULL): no place to put the statistics (ignored)");
    return;
  }
  memset(out, 0, sizeof *out);
  state_lock();
  out->heap_bytes = (size_t)(G->blocks_in_use + G->blocks_free - G->blocks_decommitted) *
                    BLOCK_SIZE;
  out->live_bytes = G->live_bytes;
  out->free_bytes = out->heap_bytes > G->live_bytes ? out->heap_bytes - G->live_bytes : 0;
  out->allocated_bytes = G->allocated_bytes;
  out->bytes_since_gc = G->bytes_since_gc;
  out->collections = G->collections;
  out->minor_collections = G->minor_collections;
  out->mark_ns_total = G->mark_ns_total;
  out->markers_used = mark_markers_used();
  out->background_mark_bytes = mark_parallel_background_bytes();
  uint64_t stw_p50, stw_count;
  stw_summary(&stw_p50, &out->stw_max_ns, &stw_count);
  weakness_stats_fill(out);
  out->pause_total_ns = pauses.total_ns;
  out->pause_max_ns = pauses.max_ns;
  out->pause_count = pauses.count;
  out->pause_p50_ns = percentile(0.50);
  out->pause_p90_ns = percentile(0.90);
  out->pause_p99_ns = percentile(0.99);
  out->mmu_1ms = stats_mmu(1000000);
  out->mmu_10ms = stats_mmu(10000000);
  out->mmu_100ms = stats_mmu(100000000);
  compact_totals ct;
  compact_get_totals(&ct);
  out->objects_moved = ct.objects_moved;
  out->bytes_moved = ct.bytes_moved;
  state_unlock();
}

void stats_print(FILE *out, int detail) {
  gc_stats s;
  gc_get_stats(&s);
  fprintf(out,
          "gleaner: %" PRIu64 " collections (%" PRIu64 " minor), heap %zu KiB, live %zu KiB, allocated %" PRIu64
          " KiB\n"
          "gleaner: pauses %" PRIu64 ": total %.3f ms, max %.3f ms, p50 %.1f us, p90 %.1f us, "
          "p99 %.1f us\n"
          "gleaner: MMU 1ms %.3f, 10ms %.3f, 100ms %.3f\n",
          s.collections, s.minor_collections, s.heap_bytes >> 10, s.live_bytes >> 10, s.allocated_bytes >> 10,
          s.pause_count, s.pause_total_ns / 1e6, s.pause_max_ns / 1e6, s.pause_p50_ns / 1e3,
          s.pause_p90_ns / 1e3, s.pause_p99_ns / 1e3, s.mmu_1ms, s.mmu_10ms, s.mmu_100ms);
  if (detail > 1) {
    fprintf(out, "gleaner: mark time %.3f ms, %" PRIu64 " KiB marked in the background, "
            "objects moved %" PRIu64 "\n",
            s.mark_ns_total / 1e6, s.background_mark_bytes >> 10, s.objects_moved);
    uint64_t stw_p50, stw_max, stw_count;
    state_lock();
    stw_summary(&stw_p50, &stw_max, &stw_count);
    state_unlock();
    fprintf(out, "gleaner: stop-the-world %" PRIu64 ": p50 %.1f us, max %.1f us; markers %u\n",
            stw_count, stw_p50 / 1e3, stw_max / 1e3, s.markers_used);
  }
  compact_print(out);
}

void gc_print_stats(FILE *out) { stats_print(out ? out : stderr, 2); }
