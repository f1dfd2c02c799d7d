/*
 * layer_queries.h — cheap read-only questions that layers built on the
 * core ask and gleaner.h does not answer (layer_queries.c).  The one user
 * is the Boehm GC layer (gc/bdw_*.c): Boehm's API has a collection counter
 * programs poll, exposes the stop-the-world signal, and means "no limit"
 * by a maximum heap size of 0.
 *
 * Hidden symbols (the installed archive localizes them): not public API.
 * Each question initializes the collector if needed; the one setting
 * (layer_prefer_suspend_signal) must come before initialization.
 */
#ifndef GLEANER_LAYER_QUERIES_H
#define GLEANER_LAYER_QUERIES_H
#include <stddef.h>
#include <stdint.h>

/* Collections completed so far (gc_stats.collections without the cost of
 * gc_get_stats: one uncontended lock).  Takes the collector lock: not from
 * a warn handler called during a collection. */
uint64_t layer_collection_count(void);
/* Bytes of address space reserved for the heap at start-up: the largest
 * limit gc_set_max_heap accepts ("no limit"). */
size_t layer_heap_reservation(void);
/* The signal that stops mutator threads for a collection (constant after
 * initialization).  Threads restart without a signal. */
int layer_suspend_signal(void);
/* Before the collector is initialized: stop threads with sig (Boehm's
 * GC_set_suspend_signal); GLEANER_SUSPEND_SIGNAL still wins.  0 if
 * accepted, -1 if too late or sig is not usable.  Does not initialize. */
int layer_prefer_suspend_signal(int sig);
#endif
