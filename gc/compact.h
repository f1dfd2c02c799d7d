/*
 * compact.h — the compactor (compact.c): evacuation of fragmented precise
 * blocks.
 *
 * Hooks, each called with G->lock held and the world stopped:
 *   compact_cycle_start()  before the mark bits are cleared: chooses the
 *                          candidate blocks from the live counts of the
 *                          previous cycle and flags them BF_EVACUATE;
 *   compact_record_slot()  by the marker, for every exact slot in the heap
 *                          whose target lies in a flagged block;
 *   compact_after_mark()   once marking (pins included) is complete and
 *                          before the sweep: evacuates, fixes references,
 *                          hands empty candidates to the sweep to free.
 * Precondition shared by all three: no ambiguous reference can observe a
 * move, because every ambiguous reference found by marking has pinned its
 * target before compact_after_mark runs and the world stays stopped.
 */
#ifndef GLEANER_COMPACT_H
#define GLEANER_COMPACT_H
#include "gc_state.h"

void compact_cycle_start(void);
/* Instead, in a minor collection (which moves nothing): no candidates. */
void compact_cycle_skip(void);
/* slot held target (a heap address in a candidate block) when the marker
 * read it: the slot is not read again, since the program may store into
 * it meanwhile (background marking runs alongside it). */
void compact_record_slot(void **slot, uintptr_t target);
void compact_after_mark(void);

/* After marking, before compact_after_mark: the object containing addr
 * (if any, and marked) must not move this cycle.  For after-mark passes
 * that hold addresses the compactor cannot rewrite (e.g. the contents of
 * a disappearing link, which the program may have stored hidden). */
void compact_keep_in_place(uintptr_t addr);

/* Candidate threshold: a block is evacuated when its live bytes are at
 * most pct % of its capacity (default 75; 100 evacuates every precise
 * block, for tests).  GLEANER_COMPACT_THRESHOLD overrides the default. */
void compact_set_threshold(unsigned pct);
/* Upper bound of bytes evacuated per cycle (bounds the pause). */
void compact_set_max_bytes(size_t bytes);
/* Live bytes per evacuation batch (0: default 8 MiB); tests use tiny
 * batches so that references cross batches. */
void compact_set_batch_bytes(size_t bytes);

/* For the write barrier of an incremental cycle: a store of value into an
 * exact heap slot while candidates are flagged must be recorded, or the
 * slot would miss the fix-up (see the design notes in compact.c). */
static inline void compact_note_store(void **slot, void *value) {
  uintptr_t v = (uintptr_t)value;
  if (addr_in_heap(v) && (G->blocks[block_index(v)].flags & BF_EVACUATE))
    compact_record_slot(slot, v);
}

typedef struct compact_totals {
  uint64_t cycles;          /* collections that evacuated something */
  uint64_t objects_moved, bytes_moved;
  uint64_t blocks_evacuated;
  uint64_t pause_total_ns, pause_max_ns, copy_ns_total; /* wall clock */
  uint64_t pause_cpu_ns, copy_cpu_ns; /* CPU time of the collecting thread */
} compact_totals;
void compact_get_totals(compact_totals *out);
/* One line of compaction figures for the stats printout (if any ran). */
void compact_print(FILE *out);
#endif
