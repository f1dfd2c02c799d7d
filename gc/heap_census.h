/*
 * heap_census.h — counting the heap by kind and size class (heap_census.c),
 * for the explainer's summary and the GLEANER_STATS=2 usage report.
 */
#ifndef GLEANER_HEAP_CENSUS_H
#define GLEANER_HEAP_CENSUS_H
#include "gc_state.h"

typedef struct census_cell {
  uint64_t blocks;   /* small blocks of this kind and class */
  uint64_t objects;  /* allocated slots */
  uint64_t bytes;    /* allocated slot bytes */
} census_cell;

typedef struct heap_census {
  census_cell small[NUM_KINDS][NUM_CLASSES];
  uint64_t large_objects[NUM_KINDS], large_bytes[NUM_KINDS], large_blocks[NUM_KINDS];
  uint64_t free_blocks, decommitted_blocks, committed_blocks;
  uint64_t small_block_bytes;  /* bytes of all small blocks in use */
  uint64_t small_slot_bytes;   /* allocated slot bytes in them */
  uint64_t small_tail_bytes;   /* bytes at block ends too short for a slot */
  uint64_t objects, bytes;     /* totals over small and large */
  uint64_t free_runs, largest_free_run; /* free blocks below the high water */
} heap_census;

/* Lock held.  Counts what the alloc bits say (flush the cursors first to
 * leave out slots a cursor holds but has not handed out). */
void heap_census_take(heap_census *c);
const char *kind_name(unsigned kind);
/* A table of the non-empty cells, one line each, with totals. */
void heap_census_print(const heap_census *c, FILE *out);
#endif
