/*
 * collect.c — the collector driver.
 *
 * A full (stop-the-world) collection, in order:
 *   1. flush every allocation cursor (heap_layout.h I3): from here on the
 *      alloc bits name exactly the allocated objects;
 *   2. clear the mark bits (sweep_clear_marks);
 *   3. mark the roots: uncollectable objects, stacks and registers,
 *      data segments, explicit ranges (all ambiguous: they pin), then the
 *      exact roots;
 *   4. drain the grey stack (mark.c) until nothing is grey, then the
 *      after-mark pass of finalizers, weak links and ephemerons
 *      (weakness.c, first step of collect_finish_cycle);
 *   4b. evacuate fragmented precise blocks and fix exact references
 *      (compact.c; candidates were chosen before step 2);
 *   5. flip and list blocks (sweep.c); dead slots are zeroed lazily;
 *   6. trim free blocks beyond what the pacer will want, set the next
 *      trigger, record the pause.
 * The pacer: the next collection starts after the program has allocated
 * live_bytes * 2 / free_space_divisor bytes (so the heap stays near twice
 * the live data by default), never less than the initial heap size.
 */
#include "collect.h"
#include "incremental.h"
#include "alloc.h"
#include "block_pool.h"
#include "diag_hook.h"
#include "compact.h"
#include "mark.h"
#include "mark_parallel.h"
#include "roots.h"
#include "stats.h"
#include "stop_world.h"
#include "sweep.h"
#include "finalize.h"
#include "dirty_cards.h"
#include "generational.h"
#include "weakness.h"

/* Blocks released per allocation slow path while a stepped trim is
 * pending: one madvise of 512 KiB, some tens of microseconds. */
#define TRIM_STEP_BLOCKS 8

volatile int gleaner_marking;
volatile int gleaner_allocating_white;
volatile int gc_barrier_active;

/* Incremental mode: while the live data grows, a cycle started from the
 * last live size finds more to mark than its trigger allowed for, runs
 * behind schedule and squeezes the mutator (the pause workload's worst
 * 10 ms windows were all in its growth).  So the trigger anticipates the
 * growth seen between the last two collections (at most doubling); with
 * stable live data it changes nothing.  Measured (FIFO, 5 runs, VM
 * barrier): time 0.87 -> 0.74 s, MMU at 10 ms 0.50 -> 0.52, peak RSS
 * 760 -> 681 MiB (fewer cycles, less floating garbage). */
static uint64_t anticipate_growth(uint64_t grow) {
  static size_t previous_live;
  size_t live = G->live_bytes, before = previous_live;
  previous_live = live;
  if (!incremental_enabled() || !before || live <= before + before / 8)
    return grow;
  double ratio = (double)live / (double)before;
  return (uint64_t)((double)grow * (ratio < 2.0 ? ratio : 2.0));
}

void pacer_after_collection(void) {
  uint64_t grow = anticipate_growth((uint64_t)G->live_bytes * 2 / G->cfg.free_space_divisor);
  G->trigger_bytes = grow > G->cfg.initial_heap ? grow : G->cfg.initial_heap;
  G->bytes_since_gc = 0;
}

void collect_finish_cycle(uint64_t start_ns, bool minor) {
  mark_parallel_fix_counts(); /* after parallel slices: counts from the bitmaps */
  weakness_after_mark(); /* finalizers, weak links, ephemerons */
  diag_after_mark();     /* verifier and explainer, when enabled: the final marks */
  gleaner_marking = 0;
  gleaner_allocating_white = 0;
  uint64_t marked = now_ns();
  compact_after_mark(); /* marking and pinning complete: objects may move */
  diag_after_compact(); /* verifier: every reference followed the moves */
  uint64_t compacted = now_ns();
  G->live_bytes = sweep_after_mark(!minor);
  uint64_t flipped = now_ns();
  pacer_after_collection();
  generational_after_flip(minor); /* may size the next young generation */
  /* Incremental mode keeps releasing memory out of its pauses: the
   * allocation slow path does it a few blocks at a time. */
  if (incremental_enabled())
    block_pool_trim_later((uint32_t)(G->trigger_bytes / BLOCK_SIZE));
  else
    block_pool_trim((uint32_t)(G->trigger_bytes / BLOCK_SIZE));
  if (G->cfg.trace)
    fprintf(stderr, "gleaner: finish: pause so far %.0f us, compact %.0f us, flip %.0f us, "
            "trim %.0f us\n", (marked - start_ns) / 1e3, (compacted - marked) / 1e3,
            (flipped - compacted) / 1e3, (now_ns() - flipped) / 1e3);
  G->collections++;
  G->mark_ns_total += marked - start_ns;
  stats_record_pause(start_ns, now_ns());
}

typedef struct collection {
  uint64_t start_ns;
  bool full_requested; /* else the pacer's: may be minor (generational.c) */
  bool may_continue;   /* as an incremental cycle, when it overruns */
} collection;

/* The phases of a collection, run with the world stopped (stop_world.c).
 * A minor one keeps the marks and adds the dirty cards to the roots. */
static void collect_world_stopped(void *arg) {
  collection *c = arg;
  cursors_flush_all();
  bool minor = generational_begin(c->full_requested);
  if (minor) {
    compact_cycle_skip();
  } else {
    compact_cycle_start(); /* reads last cycle's live counts: before clearing */
    sweep_clear_marks();
  }
  gleaner_marking = 1;
  uint64_t t0 = now_ns();
  mark_begin();
  roots_mark_all();
  uint64_t t1 = now_ns();
  size_t rescanned = minor ? dirty_cards_rescan() : 0; /* old objects written since */
  uint64_t t2 = now_ns();
  uint64_t scanned = mark_bytes_scanned();
  if (minor)
    generational_minor_fixed_cost(t2 - c->start_ns, true);
  if (minor && c->may_continue && incremental_continue_as_cycle(c->start_ns))
    return;
  mark_drain(SIZE_MAX);
  uint64_t t3 = now_ns();
  if (G->cfg.trace)
    fprintf(stderr, "gleaner: %s collection: start %.0f us, roots %.0f us, %zu KiB rescanned "
            "in %.0f us, %llu KiB marked in %.0f us\n", minor ? "minor" : "full",
            (t0 - c->start_ns) / 1e3, (t1 - t0) / 1e3, rescanned >> 10, (t2 - t1) / 1e3,
            (unsigned long long)(mark_bytes_scanned() - scanned) >> 10, (t3 - t2) / 1e3);
  collect_finish_cycle(c->start_ns, minor);
  generational_end();
}

static void collect_locked(bool full_requested) {
  if (G->collecting)
    return;
  G->collecting = 1;
  mark_parallel_prepare();
  if (incremental_in_cycle()) {
    /* Marking is under way: completing it is the cheapest full answer. */
    incremental_finish();
    G->collecting = 0;
    return;
  }
  collection c = {.start_ns = now_ns(),
                  .full_requested = full_requested,
                  .may_continue = !full_requested && incremental_enabled()};
  world_stopped_run(collect_world_stopped, &c);
  G->collecting = 0;
}

void collect_full_locked(const char *reason) {
  (void)reason;
  collect_locked(true);
}

/* The pacer's collections (allocation, stress mode, and incremental.c's
 * predicted-short minor ones, which go on as a cycle if they overrun):
 * minor when the generational policy allows. */
void collect_young_locked(void) { collect_locked(false); }

void collect_if_due(size_t about_to_allocate) {
  incremental_configure();
  bool incremental = incremental_enabled();
  if (incremental)
    incremental_poll(); /* even when disabled: a paused cycle keeps its barrier */
  if (G->trim_pending) {
    uint64_t t = G->cfg.trace ? now_ns() : 0;
    block_pool_trim_step(TRIM_STEP_BLOCKS);
    if (G->cfg.trace && now_ns() - t > 200000)
      fprintf(stderr, "gleaner: trim step %.0f us\n", (now_ns() - t) / 1e3);
  }
  if (G->disabled || G->collecting)
    return;
  if (G->cfg.stress) {
    mutator *m = gleaner_self;
    if (++m->alloc_count % G->cfg.stress != 0)
      return;
    if (incremental)
      incremental_stress_step();
    else
      collect_young_locked();
  } else if (incremental) {
    incremental_on_allocation(about_to_allocate);
  } else if (G->bytes_since_gc + about_to_allocate > G->trigger_bytes) {
    collect_young_locked();
  }
}

static void finish_cycle_in_progress(void) {
  state_lock();
  if (incremental_in_cycle())
    incremental_finish(); /* its marks predate garbage made since: start afresh */
  state_unlock();
}

void gc_collect(void) {
  ensure_init();
  (void)mutator_current();
  stack_clear_dead();
  finish_cycle_in_progress();
  stack_clear_dead(); /* the remark's frames are dead now: do not scan them */
  state_lock();
  collect_full_locked("gc_collect");
  state_unlock();
  finalize_safe_point(); /* an explicit collection is a safe point */
}

int gc_collect_a_little(void) {
  ensure_init();
  (void)mutator_current();
  state_lock();
  incremental_configure();
  if (!G->disabled && incremental_enabled())
    incremental_step();
  else if (!G->disabled)
    collect_if_due(0);
  int in_cycle = incremental_in_cycle();
  state_unlock();
  return in_cycle;
}

/* Boehm GC's GC_collect_a_little: work on a cycle under way, or on one
 * the pacer wants, but never start a cycle the heap does not need (a
 * client calling it in a loop would otherwise run back-to-back cycles). */
int collect_a_little_if_wanted(void) {
  ensure_init();
  (void)mutator_current();
  state_lock();
  incremental_configure();
  if (!G->disabled && incremental_enabled() && incremental_cycle_wanted())
    incremental_step();
  else if (!G->disabled && !incremental_enabled())
    collect_if_due(0);
  int in_cycle = incremental_in_cycle();
  state_unlock();
  return in_cycle;
}

void gc_set_incremental(int on) {
  ensure_init();
  state_lock();
  if (!incremental_in_cycle())
    G->cfg.incremental = on != 0;
  state_unlock();
}

int gc_is_incremental(void) {
  ensure_init();
  state_lock();
  incremental_configure();
  int on = incremental_enabled();
  state_unlock();
  return on;
}

void gc_disable(void) {
  ensure_init();
  state_lock();
  G->disabled++;
  state_unlock();
}

void gc_enable(void) {
  ensure_init();
  state_lock();
  if (G->disabled > 0)
    G->disabled--;
  else
    gc_warnf("gc_enable: collection is not disabled (ignored)");
  state_unlock();
}

int gc_is_disabled(void) {
  ensure_init();
  return G->disabled > 0;
}

void gc_release_memory(void) {
  ensure_init();
  state_lock();
  block_pool_trim(0);
  state_unlock();
}

int gc_set_max_heap(size_t bytes) {
  ensure_init();
  if (bytes == 0)
    bytes = G->heap_span; /* as gc_config.max_heap = 0: no limit beyond the reservation */
  if (bytes > G->heap_span) {
    gc_warnf("gc_set_max_heap(%zu): above the reservation of %zu bytes made at start-up "
             "(set GLEANER_MAX_HEAP)", bytes, (size_t)G->heap_span);
    return -1;
  }
  state_lock();
  G->cfg.max_heap = bytes;
  state_unlock();
  return 0;
}

int gc_expand_heap(size_t bytes) {
  ensure_init();
  state_lock();
  if (__builtin_add_overflow(G->trigger_bytes, (uint64_t)bytes, &G->trigger_bytes))
    G->trigger_bytes = UINT64_MAX; /* saturate: a wrapped trigger would collect at once */
  state_unlock();
  return 0;
}

void gc_set_free_space_divisor(unsigned d) {
  ensure_init();
  state_lock();
  G->cfg.free_space_divisor = d ? d : 1;
  state_unlock();
}

unsigned gc_get_free_space_divisor(void) {
  ensure_init();
  return G->cfg.free_space_divisor;
}
