/*
 * stats.h — pause timing and telemetry (stats.c).
 */
#ifndef GLEANER_STATS_H
#define GLEANER_STATS_H
#include <stdint.h>
#include <stdio.h>

uint64_t now_ns(void);
/* Record one pause [start, end) in ns of CLOCK_MONOTONIC. */
void stats_record_pause(uint64_t start, uint64_t end);
/* Sum of the pauses recorded so far (trace of a cycle's cost). */
uint64_t stats_pause_total_ns(void);
/* At init: the pause tables are not roots (roots_exclude_own). */
void stats_exclude_from_roots(void);
void stats_print(FILE *out, int detail);
/* Minimum mutator utilization over windows of w ns, from the pause log. */
double stats_mmu(uint64_t w);
#endif
