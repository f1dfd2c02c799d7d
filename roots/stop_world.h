/*
 * stop_world.h — stopping every other mutator thread for a collection
 * (stop_world.c), and what the collector needs to know about the threads
 * it stopped.
 */
#ifndef GLEANER_STOP_WORLD_H
#define GLEANER_STOP_WORLD_H
#include "gc_state.h"

/* Lock held, by the collecting thread: suspend every other registered
 * thread (threads in a blocking region are only marked MUTATOR_PARKED),
 * run fn(arg), then restart them.  The time from the first signal to the
 * last acknowledgement is recorded (stw_summary).  Nested calls run fn
 * directly (the world is already stopped). */
void world_stopped_run(void (*fn)(void *), void *arg);

/* True while the calling collector has the world stopped. */
bool world_is_stopped(void);
/* At init: the stop-time log is not a root (roots_exclude_own). */
void stop_world_exclude_from_roots(void);

/* Once per process: install the suspend handler (SIGPWR by default,
 * GLEANER_SUSPEND_SIGNAL=n to change it). */
void stop_world_install(void);
/* The suspend signal (fixed by stop_world_install). */
int stop_world_signal(void);
/* Before stop_world_install only: use sig instead of SIGPWR
 * (GLEANER_SUSPEND_SIGNAL still wins).  false if too late or not a usable
 * signal. */
bool stop_world_prefer_signal(int sig);
/* Unblock the suspend signal in the calling thread (on registration). */
void stop_world_unblock_signal(void);
/* Block it (gc_enter_blocking, while saving its state); restore with
 * pthread_sigmask(SIG_SETMASK, old, NULL). */
#include <signal.h>
void stop_world_block_signal(sigset_t *old);
/* In the child of fork(): no other thread exists; reset the protocol. */
void stop_world_after_fork_child(void);

/* gc_enter_blocking: the saved state is complete (for helgrind/DRD). */
void stop_world_annotate_parking(mutator *m);

/* Time to stop the world over all collections so far. */
void stw_summary(uint64_t *p50_ns, uint64_t *max_ns, uint64_t *count);

/* Roots (world stopped): a thread stopped by signal may have been inside
 * the allocation fast path, between reading and writing a cursor, so its
 * cursors cannot be flushed.  Instead every allocated slot of each
 * cursor's current bitmap word is marked and scanned: the untaken ones
 * stay allocated for the cursor (they are zero, so scanning them costs
 * nothing), and an object being handed out at the moment of the signal
 * survives even if no register holds its address yet.  During an
 * incremental cycle this also makes the rest of the word black, as
 * allocation during a cycle must be. */
void stopped_cursors_mark(mutator *m);
#endif
