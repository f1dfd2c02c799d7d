/*
 * step_stats.c — percentiles and minimum mutator utilization over a timed
 * run of steps (see step_stats.h for the model).
 *
 * MMU(w) is a minimum over all windows [a, a+w] inside the run.  The lost
 * time inside a window only grows while the window's edges sweep over lost
 * intervals, so the minimum utilization is reached by a window that starts
 * at the start of a lost interval or ends at the end of one (or touches an
 * end of the run).  Both families are swept with two monotone pointers, so
 * a query costs O(number of lost intervals).
 */
#include "step_stats.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

void steps_sort(const uint64_t *steps, size_t n, uint64_t *sorted) {
  memcpy(sorted, steps, n * sizeof *steps);
  qsort(sorted, n, sizeof *sorted, cmp_u64);
}

uint64_t steps_percentile(const uint64_t *sorted, size_t n, double p) {
  if (n == 0)
    return 0;
  double rank = p / 100.0 * (double)n;
  size_t k = (size_t)rank;
  if ((double)k < rank)
    k++; /* ceil */
  if (k == 0)
    k = 1;
  if (k > n)
    k = n;
  return sorted[k - 1];
}

int mmu_build(mmu_timeline *t, const uint64_t *steps, size_t n,
              uint64_t baseline_ns) {
  memset(t, 0, sizeof *t);
  t->start = malloc((n + 1) * sizeof *t->start);
  t->len = malloc((n + 1) * sizeof *t->len);
  t->prefix = malloc((n + 2) * sizeof *t->prefix);
  if (!t->start || !t->len || !t->prefix) {
    mmu_free(t);
    return -1;
  }
  uint64_t now = 0;
  t->prefix[0] = 0;
  for (size_t i = 0; i < n; i++) {
    now += steps[i];
    if (steps[i] > baseline_ns) {
      size_t c = t->count++;
      t->len[c] = steps[i] - baseline_ns;
      t->start[c] = now - t->len[c];
      t->prefix[c + 1] = t->prefix[c] + t->len[c];
    }
  }
  t->total_ns = now;
  return 0;
}

/* Two cursors over the intervals for windows whose left edge never moves
 * back: lo = first interval ending after a, hi = first starting at or after
 * b.  Intervals are disjoint and sorted, so the loss inside [a, b) is the
 * sum of lo..hi-1 minus the parts clipped off at either edge. */
typedef struct cursor {
  size_t lo, hi;
} cursor;

static uint64_t window_loss(const mmu_timeline *t, cursor *c, uint64_t a,
                            uint64_t b) {
  while (c->lo < t->count && t->start[c->lo] + t->len[c->lo] <= a)
    c->lo++;
  if (c->hi < c->lo)
    c->hi = c->lo;
  while (c->hi < t->count && t->start[c->hi] < b)
    c->hi++;
  if (c->hi == c->lo)
    return 0;
  uint64_t loss = t->prefix[c->hi] - t->prefix[c->lo];
  if (t->start[c->lo] < a)
    loss -= a - t->start[c->lo];
  uint64_t last_end = t->start[c->hi - 1] + t->len[c->hi - 1];
  if (last_end > b)
    loss -= last_end - b;
  return loss;
}

/* Windows that start where a lost interval starts (clamped into the run);
 * their left edges are non-decreasing, as the cursor needs. */
static uint64_t worst_from_starts(const mmu_timeline *t, uint64_t w) {
  uint64_t worst = 0;
  cursor c = {0, 0};
  for (size_t j = 0; j < t->count; j++) {
    uint64_t a = t->start[j];
    if (a > t->total_ns - w)
      a = t->total_ns - w;
    uint64_t loss = window_loss(t, &c, a, a + w);
    worst = loss > worst ? loss : worst;
  }
  return worst;
}

/* Windows that end where a lost interval ends (clamped into the run). */
static uint64_t worst_from_ends(const mmu_timeline *t, uint64_t w) {
  uint64_t worst = 0;
  cursor c = {0, 0};
  for (size_t j = 0; j < t->count; j++) {
    uint64_t b = t->start[j] + t->len[j];
    if (b < w)
      b = w;
    uint64_t loss = window_loss(t, &c, b - w, b);
    worst = loss > worst ? loss : worst;
  }
  return worst;
}

double mmu_at(const mmu_timeline *t, uint64_t window_ns) {
  if (t->total_ns == 0)
    return 1.0;
  uint64_t w = window_ns < t->total_ns ? window_ns : t->total_ns;
  if (w == 0)
    return t->count ? 0.0 : 1.0;
  uint64_t a = worst_from_starts(t, w), b = worst_from_ends(t, w);
  uint64_t loss = a > b ? a : b;
  if (loss > w)
    loss = w;
  return 1.0 - (double)loss / (double)w;
}

void mmu_free(mmu_timeline *t) {
  free(t->start);
  free(t->len);
  free(t->prefix);
  memset(t, 0, sizeof *t);
}
