/*
 * usage_report.c — the leak and usage report (GLEANER_STATS=2 at exit).
 *
 * A collector knows no allocation sites, but it knows what is left: the
 * heap by kind and size class (heap_census.c), how much of it is still
 * reachable at exit and the largest reachable objects with the root that
 * holds each (heap_walk.c — that is where a "leak" in a collected program
 * lives: something still points at it), the fragmentation of the heap
 * (slot bytes used in small blocks, block tails too short for a slot, and
 * free runs), and the pause summary.
 */
#include "usage_report.h"
#include "stopped_output.h"
#include "alloc.h"
#include "explain.h"
#include "heap_census.h"
#include "heap_walk.h"
#include "stop_world.h"
#include <inttypes.h>

static double percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_fragmentation(const heap_census *c, FILE *out) {
  uint64_t free_committed = c->free_blocks - c->decommitted_blocks;
  fprintf(out,
          "gleaner: fragmentation: small blocks %" PRIu64 " KiB hold %" PRIu64
          " KiB of objects (%.1f %% used); %" PRIu64 " KiB lost to block tails\n",
          c->small_block_bytes >> 10, c->small_slot_bytes >> 10,
          percent(c->small_slot_bytes, c->small_block_bytes), c->small_tail_bytes >> 10);
  fprintf(out,
          "gleaner: free blocks: %" PRIu64 " (%" PRIu64 " committed, %" PRIu64
          " decommitted) in %" PRIu64 " runs, the largest %" PRIu64 " blocks (%.1f %% of free)\n",
          c->free_blocks, free_committed, c->decommitted_blocks, c->free_runs,
          c->largest_free_run, percent(c->largest_free_run, c->free_blocks));
}

static void print_pauses(FILE *out) {
  gc_stats s;
  state_unlock(); /* gc_get_stats takes the lock itself */
  gc_get_stats(&s);
  state_lock();
  fprintf(out,
          "gleaner: pauses: %" PRIu64 " in %" PRIu64 " collections, total %.3f ms, p50 %.1f us, "
          "p90 %.1f us, p99 %.1f us, max %.3f ms; MMU 1/10/100 ms %.3f/%.3f/%.3f\n",
          s.pause_count, s.collections, s.pause_total_ns / 1e6, s.pause_p50_ns / 1e3,
          s.pause_p90_ns / 1e3, s.pause_p99_ns / 1e3, s.pause_max_ns / 1e6, s.mmu_1ms,
          s.mmu_10ms, s.mmu_100ms);
}

static void print_retained(const char *floor, FILE *out) {
  heap_walk hw;
  walk_options opt = {.floor = floor, .name_frames = true, .max_frames = UINT32_MAX};
  if (heap_walk_run(&hw, &opt) != 0) {
    fprintf(out, "gleaner: no memory to walk the heap; reachability not reported\n");
    heap_walk_release(&hw);
    return;
  }
  uint64_t bytes = 0;
  for (size_t i = 0; i < hw.count; i++)
    bytes += hw.records[i].size;
  fprintf(out, "gleaner: still reachable at exit: %zu objects, %" PRIu64 " bytes, first reached from %zu root words\n",
          hw.count, bytes, hw.root_count);
  explain_print_largest(&hw, 5, out);
  heap_walk_release(&hw);
}

typedef struct report_job { FILE *out; const char *floor; heap_census census; } report_job;

static void report_stopped(void *arg) {
  report_job *j = arg;
  cursors_flush_all();
  heap_census_take(&j->census);
  fprintf(j->out, "gleaner: heap at exit by kind and size class (allocated, not yet collected):\n");
  heap_census_print(&j->census, j->out);
  print_retained(j->floor, j->out);
  print_fragmentation(&j->census, j->out);
}

__attribute__((noinline)) void usage_report_print(FILE *out) {
  stopped_output text;
  report_job job = {.floor = (const char *)__builtin_frame_address(0)};
  ensure_init();
  (void)mutator_current();
  job.out = stopped_output_open(&text, out);
  state_lock();
  world_stopped_run(report_stopped, &job); /* other threads' stacks hold still */
  state_unlock();
  stopped_output_finish(&text); /* printed once the world runs again */
  state_lock();
  print_pauses(out);
  state_unlock();
  fflush(out);
}
