/*
 * mark_parallel.h — parallel marking (mark_parallel.c): GLEANER_MARKERS=N
 * markers (the collecting thread plus N-1 helper threads) drain the grey
 * stack together when the world is stopped.
 */
#ifndef GLEANER_MARK_PARALLEL_H
#define GLEANER_MARK_PARALLEL_H
#include "gc_state.h"

/* Lock held, world running: start the helper threads if they are not
 * there yet (thread creation must not happen with the world stopped: a
 * stopped thread may hold glibc's stack-cache lock). */
void mark_parallel_prepare(void);
/* Should a complete drain of `grey_count` entries use several markers? */
bool mark_parallel_wanted(size_t grey_count);
/* World stopped: drain the collecting thread's grey stack with every
 * marker; returns true (nothing grey is left). */
bool mark_parallel_drain(void);
/* An incremental slice: drain with every marker until the grey stack is
 * empty (true) or the now_ns() deadline passes (false; the work left is
 * back on the collecting thread's stack).  Per-block marked counts of the
 * blocks marked in are then stale (G->count_stale) until
 * mark_parallel_fix_counts(), which the cycle calls before its flip;
 * mark_parallel_fix_counts_step() recounts at most max_blocks of them
 * (slices call it, so that little is left for the flip's pause).  Neither
 * may run while the background marker does. */
bool mark_parallel_drain_until(uint64_t deadline);
void mark_parallel_fix_counts(void);
void mark_parallel_fix_counts_step(uint32_t max_blocks);
/* Lock held, incremental mode, between slices: the background marker
 * thread goes on draining marker 0's grey stack (all of it goes to it)
 * while the program runs; false when there is nothing to give it or no
 * such thread.  Every use of the grey stack or of mark state that needs it
 * stable (a slice, a remark, a world stop, a fork) first calls
 * mark_parallel_background_stop, which waits for the marker and puts the
 * work left back on marker 0's stack. */
bool mark_parallel_background_start(void);
void mark_parallel_background_stop(void);
/* The same, but waits at most wait_ns for the marker (descheduled by the
 * system it would make the caller wait for its next time slice, several
 * ms): false if it has not stopped yet (it stops at its next check; call
 * again later). */
bool mark_parallel_background_stop_within(uint64_t wait_ns);
/* At init: the markers' state is not a root. */
void mark_parallel_exclude_from_roots(void);
/* Bytes scanned by background drains so far (gc_stats). */
uint64_t mark_parallel_background_bytes(void);
/* compact_record_slot for a marker thread (serialized). */
void mark_parallel_record_slot(void **slot, uintptr_t target);
/* A marking cycle begins (mark_begin). */
void mark_parallel_cycle_begin(void);
/* The most markers used by a complete drain of the last cycle (a cycle
 * drains several times: roots, then finalization and weakness). */
unsigned mark_markers_used(void);
/* In the child of fork(): the helper threads do not exist there. */
void mark_parallel_after_fork_child(void);
#endif
