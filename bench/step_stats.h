/*
 * step_stats.h — statistics over a run of consecutive timed steps: nearest-
 * rank percentiles and minimum mutator utilization (MMU, Cheng & Blelloch).
 *
 * Model: the steps are back to back (each step starts when the previous one
 * ends), so their durations alone give the timeline.  Every step is meant to
 * do the same mutator work, so the median step is taken as the mutator's
 * share and whatever a step takes beyond the median counts as time lost to
 * memory management (placed at the end of that step).  MMU(w) is then the
 * smallest fraction of any window of length w that is not lost.  This is an
 * outside view that works the same for every memory manager, with no help
 * from the collector.
 */
#ifndef STEP_STATS_H
#define STEP_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sort a copy of steps[0..n) into sorted[0..n) (caller's buffer). */
void steps_sort(const uint64_t *steps, size_t n, uint64_t *sorted);

/* Nearest-rank percentile p in (0, 100] of an ascending array. */
uint64_t steps_percentile(const uint64_t *sorted, size_t n, double p);

/* The lost intervals of a timeline, ready for MMU queries. */
typedef struct mmu_timeline {
  size_t count;      /* number of intervals with a positive loss */
  uint64_t *start;   /* start of each lost interval (ns from run start) */
  uint64_t *len;     /* its length */
  uint64_t *prefix;  /* prefix[i] = len[0] + ... + len[i-1]; count+1 long */
  uint64_t total_ns; /* length of the whole run */
} mmu_timeline;

/* Build from durations and the mutator's share per step (usually the
 * median).  0 on success, -1 when memory runs out. */
int mmu_build(mmu_timeline *t, const uint64_t *steps, size_t n,
              uint64_t baseline_ns);
/* MMU for windows of window_ns (clamped to the run), in [0, 1]. */
double mmu_at(const mmu_timeline *t, uint64_t window_ns);
void mmu_free(mmu_timeline *t);

#endif /* STEP_STATS_H */
