/*
 * generational.h — minor collections with sticky mark bits
 * (generational.c).
 */
#ifndef GLEANER_GENERATIONAL_H
#define GLEANER_GENERATIONAL_H
#include "gc_state.h"

/* World stopped, cursors flushed, before the marks are touched: harvest
 * the dirty pages (the remembered set) and decide.  True: this collection
 * is minor — keep the marks, and rescan the dirty cards after the roots. */
bool generational_begin(bool full_requested);
/* After the flip (live_bytes set), before the pool is trimmed: the
 * policy's bookkeeping and the next trigger (collect_finish_cycle). */
void generational_after_flip(bool minor);
/* World stopped, at the end of a stop-the-world collection: protect the
 * heap again. */
void generational_end(void);
/* Lock held: an allocation cursor takes listed block bi (it may hold old
 * objects). */
void generational_block_reused(uint32_t bi);
/* At an incremental cycle's end: whether the heap's pages are all
 * protected again (cycles that harvest written pages or that re-protected
 * the heap without recording) or not. */
void generational_cycle_protected(bool protected_heap);
/* Lock held, in incremental mode: a minor collection is wanted and its
 * pause before marking would take at most about fixed_ns (then
 * incremental.c runs it stop-the-world, marking that runs over going on
 * as a cycle, instead of beginning a minor cycle with a PROTECT walk). */
bool generational_minor_fits(uint64_t fixed_ns);
/* World stopped: what a minor collection cost before marking (page walk,
 * roots, rescan), stopping the world or (stopped_world false) as a minor
 * cycle (its PROTECT walk and start pause). */
void generational_minor_fixed_cost(uint64_t ns, bool stopped_world);
/* Lock held, an incremental cycle about to begin: true if it is minor
 * (then its PROTECT phase records written pages and the marks stay). */
bool generational_cycle_minor(void);
/* Lock held: most objects allocated between the last two collections
 * died (measured at the last one).  An incremental cycle then allocates
 * white (incremental.c). */
bool generational_young_die(void);
/* Lock held: blocks [first, first + count) leave the free pool (for the
 * measure of young survival). */
void generational_blocks_taken(uint32_t first, uint32_t count);
#endif
