/*
 * gc_state.h — the one global state of the collector.
 *
 * Everything lives in one struct reached through `G`, itself allocated by
 * mmap: the collector's own pointers into the heap are then never found by
 * the data-segment root scan, so they never retain garbage.
 *
 * Locking: G->lock guards everything here except the thread-local cursors.
 * It is taken by every slow path (block acquisition, large objects,
 * collection, root registration).
 */
#ifndef GLEANER_GC_STATE_H
#define GLEANER_GC_STATE_H

#include "gleaner.h"
#include "heap_layout.h"
#include "mutator.h"
#include "size_classes.h"
#include <pthread.h>
#include <stdatomic.h>

typedef struct root_range {
  char *lo, *hi;
  void *site; /* return address of the registering call (diagnostics) */
} root_range;

typedef struct range_set {
  root_range *items;
  size_t count, capacity;
} range_set;

typedef struct slot_set {
  void ***items;
  void **sites;          /* registering call of each slot (diagnostics) */
  size_t count, capacity;
} slot_set;

/* Effective configuration: gc_config plus environment, defaults filled. */
typedef struct gc_settings {
  size_t max_heap;
  size_t initial_heap;
  unsigned stress;
  int print_stats;
  int incremental;
  unsigned pause_target_us;
  gc_barrier_mode barrier;
  unsigned markers;
  int compact;
  int finalize_on_demand;
  int verify;
  unsigned free_space_divisor;
  unsigned stack_walk_frames; /* libunwind frames walked before the linear scan */
  int trace;                  /* GLEANER_TRACE=1: report long collector steps */
  int generational;           /* minor collections allowed (generational.c) */
  unsigned cores;             /* CPUs this process may run on */
} gc_settings;

typedef struct gc_state {
  pthread_mutex_t lock;
  gc_settings cfg;

  /* Reservation. */
  uintptr_t heap_lo;
  uintptr_t heap_span;          /* bytes reserved */
  uint32_t blocks_reserved;
  uint32_t high_water;          /* blocks below this have been committed */
  block_meta *blocks;           /* side table, blocks_reserved entries */
  block_bits *bits;             /* side table, blocks_reserved entries */
  uint8_t *count_stale;         /* per block: marked count lags its bitmap */
  uint64_t *free_map;           /* bit per block below high_water: 1 = free */
  uint32_t free_hint;           /* no free block below this word of free_map */
  uint32_t blocks_in_use;
  uint32_t blocks_free;         /* free blocks below high_water */
  uint32_t blocks_decommitted;  /* free blocks whose pages were released */
  uint32_t trim_keep;           /* stepped trim (block_pool.c): target, */
  uint32_t trim_next;           /* and where the downward scan resumes */
  bool trim_pending;

  /* Cursors of the kinds that have no thread-local ones (uncollectable). */
  alloc_cursor shared_cursors[NUM_KINDS][NUM_CLASSES];

  /* Small blocks with free slots, per kind and class (block index + 1). */
  uint32_t available[NUM_KINDS][NUM_CLASSES];

  /* Pacing. */
  uint64_t bytes_since_gc;
  uint64_t trigger_bytes;
  size_t live_bytes;            /* marked at the last collection */
  int disabled;                 /* gc_disable nesting */
  int collecting;

  /* Roots. */
  range_set ambiguous_ranges;
  range_set excluded_ranges;
  slot_set exact_roots;
  mutator *mutators;            /* registry */

  /* Statistics counters (stats.c owns the histogram). */
  uint64_t allocated_bytes;
  uint64_t collections;
  uint64_t minor_collections;
  uint64_t mark_ns_total;

  gc_warn_fn warn;
  gc_oom_fn oom;
} gc_state;

extern gc_state *G __attribute__((visibility("hidden")));
extern atomic_int gleaner_initialized __attribute__((visibility("hidden")));

/* Ensure the collector is initialized (defaults + environment). */
void gc_ensure_init(void);
static inline void ensure_init(void) {
  if (GC_UNLIKELY(!atomic_load_explicit(&gleaner_initialized, memory_order_acquire)))
    gc_ensure_init();
}

#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer delivers a signal to a thread only when it leaves an
 * intercepted call, never inside pthread_mutex_lock: a thread waiting
 * for the lock would miss the suspend signal of the collector that holds
 * it.  So TSan builds wait in a loop of trylock and a sleep (an
 * intercepted call, where the signal is delivered). */
#include <unistd.h>
static inline void state_lock(void) {
  while (pthread_mutex_trylock(&G->lock) != 0)
    usleep(10);
}
#else
static inline void state_lock(void) { pthread_mutex_lock(&G->lock); }
#endif
static inline void state_unlock(void) { pthread_mutex_unlock(&G->lock); }

/* A new object's only reference must exist as a pointer from the moment
 * the lock is dropped: otherwise the compiler may keep a block index or
 * an offset across state_unlock() and add the heap base afterwards, and
 * a collection stopping this thread in between finds no pointer to the
 * object in its registers or stack and frees it.  The empty asm makes the
 * value opaque, so it cannot be recomputed after the unlock. */
static inline void *pointer_held(void *p) {
  __asm__ volatile("" : "+r"(p));
  return p;
}

/* Address → block. */
static inline bool addr_in_heap(uintptr_t a) { return a - G->heap_lo < G->heap_span; }
static inline uint32_t block_index(uintptr_t a) {
  return (uint32_t)((a - G->heap_lo) >> BLOCK_SHIFT);
}
static inline char *block_base(uint32_t index) {
  return (char *)(G->heap_lo + ((uintptr_t)index << BLOCK_SHIFT));
}

/* A block holding objects that may contain pointers (small, or a large
 * object's head or tail): what the write barriers track. */
static inline bool block_is_scanned(uint32_t i) {
  const block_meta *b = &G->blocks[i];
  if (b->state == BLOCK_LARGE_TAIL)
    b = &G->blocks[b->head];
  return (b->state == BLOCK_SMALL || b->state == BLOCK_LARGE_HEAD) && kind_is_scanned(b->kind);
}

/* warn.c */
void gc_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A broken internal invariant: report and abort, even in release builds. */
void gc_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define GC_ASSERT(cond)                                                       \
  do {                                                                        \
    if (GC_UNLIKELY(!(cond)))                                                 \
      gc_fatal("internal invariant broken at %s:%d: %s", __FILE__, __LINE__,  \
               #cond);                                                        \
  } while (0)

/* config.c */
void settings_load(gc_settings *s, const gc_config *cfg);
size_t parse_size(const char *text, bool *ok);

#endif
