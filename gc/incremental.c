/*
 * incremental.c — incremental tri-color marking as an explicit state
 * machine.  The tri-color invariant it keeps is stated in mark.h.
 *
 *   IDLE ──(pacer)──> PROTECT ──(heap re-protected)──> [start pause] ──> MARK
 *   MARK: slices of mark_drain bounded by the pause target; when nothing
 *         is grey, a pre-clean round collects dirty cards and re-greys the
 *         marked objects on them; when a round finds few dirty cards the
 *         cycle ends with the [remark pause]: dirty cards, roots, drain to
 *         the end, then sweep_after_mark flips blocks (no per-object work).
 *
 * Minor collections (generational.c) that would stop the world for less
 * than the pause target (few young survivors) are done stop-the-world at
 * the trigger, as collect.c does them; the others are minor cycles.
 * Minor cycles: the marks of the last cycle are kept,
 * the PROTECT phase records the pages written since it (the remembered
 * set, rescanned by pre-cleaning), and new objects are allocated white
 * (allocating_black), so that neither the young garbage nor the pages it
 * was written to are marked or rescanned; the remark gives back what
 * cursors set aside (it would be freed under them) and marks the roots,
 * which reach whatever young objects survive.  With the explicit barrier
 * the barrier is switched on before the PROTECT walk.
 *
 * What is switched on when:
 *   - PROTECT (VM barrier only): write protection is re-armed over the heap
 *     in slices, so no pause pays for the whole heap's page tables;
 *   - start pause: cursors flushed, marks cleared, barrier and
 *     allocate-black on (gc_barrier_active, gleaner_marking), roots greyed;
 *   - MARK: the mutator runs; its stores are caught by the explicit
 *     barrier (cards) or by the page write-protection (pages = cards);
 *   - remark: roots rescanned (stacks, registers, globals and ranges are
 *     not barriered), dirty cards rescanned, drain; barrier off.
 *
 * Pacing: a cycle starts when the program has allocated a fraction of the
 * collection trigger (adjust_start_fraction: the cycle should end near the
 * trigger).  From then on the allocation slow path runs a slice
 * of one pause target whenever the mutator has run 3/2 of the last slice's
 * length since it ended (utilization 3/5); once the trigger is passed the
 * gap shrinks (slice_gap_ns).  Only near the heap limit, or at 32 times
 * the trigger, is the cycle finished in one pause.
 */
#include "incremental.h"
#include "alloc.h"
#include "block_pool.h"
#include "collect.h"
#include "compact.h"
#include "dirty_cards.h"
#include "generational.h"
#include "mark.h"
#include "mark_parallel.h"
#include "roots.h"
#include "stats.h"
#include "stop_world.h"
#include "sweep.h"
#include "valgrind_support.h"
#include "vm_barrier.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Remark when a pre-clean round re-greys at most this much: ~100 µs. */
#define REMARK_BYTES ((size_t)256 * 1024)
#define MAX_PRECLEAN_ROUNDS 32
#define PROTECT_STEP ((size_t)4 << 20) /* ~70 µs of page-table walk */

typedef enum { INC_IDLE, INC_PROTECT, INC_MARK } inc_phase;

/* This struct is in .bss, which the root scan reads: it must hold no heap
 * address, so heap positions are kept as offsets from heap_lo. */
static struct {
  bool configured, enabled, vm;
  inc_phase phase;
  uintptr_t protect_offset;
  uint64_t protect_ns;        /* a minor cycle's PROTECT walk so far */
  uint64_t last_slice_end;    /* for the utilization throttle */
  uint64_t last_slice_ns;     /* how long the last slice took */
  double scan_per_ns;         /* measured marking speed */
  unsigned preclean_rounds;
  uintptr_t harvest_offset;   /* VM dirty pages: where the round is */
  size_t rescan_cursor;       /* dirty cards: where the rescan is */
  size_t round_regreyed;      /* bytes re-greyed so far in this round */
  size_t cycle_regreyed;      /* and in the whole cycle (trace) */
  bool remark_due;            /* the next slice starts with the remark */
  bool minor;                 /* marks kept (generational.c) */
  bool white;                 /* new objects are allocated white */
  bool discarding;            /* the last pre-clean round re-protects the heap */
  bool discarded;             /* ... and it got through the whole heap */
  bool stress_toggle;         /* stress mode: alternate the ways minors start */
  bool stress_minor;          /* stress mode: this minor goes on as a cycle at once */
  double start_fraction;      /* of the trigger, when a cycle starts */
  /* Trace: when the cycle began, the pause total and allocation then. */
  uint64_t trace_begin_ns, trace_pauses_ns, trace_allocated;
} inc = {.scan_per_ns = 0.5, .start_fraction = 0.5};

void incremental_configure(void) {
  if (inc.configured)
    return;
  inc.configured = true;
  if (!G->cfg.incremental || G->cfg.barrier == GC_BARRIER_NONE)
    return;
  if (!dirty_cards_init()) {
    gc_warnf("incremental marking off: cannot map the card table");
    return;
  }
  if (G->cfg.barrier == GC_BARRIER_EXPLICIT) {
    inc.enabled = true;
    return;
  }
  const char *why = NULL;
  if (vm_barrier_init(&why)) {
    inc.enabled = inc.vm = true;
  } else {
    gc_warnf("incremental marking off (stop-the-world instead): %s; "
             "GLEANER_BARRIER=explicit is available to programs that call GC_STORE",
             why);
  }
}

bool incremental_enabled(void) { return inc.enabled; }
bool incremental_in_cycle(void) { return inc.phase == INC_MARK; }

/* Whether this cycle reads written pages during marking: with the VM
 * barrier.  (A minor cycle with the explicit barrier reads them once, in
 * its PROTECT phase: they are its remembered set, generational.c; from
 * then on the explicit barrier, switched on before that walk, sees every
 * store.) */
static bool harvests(void) { return inc.vm; }

/* World stopped, roots greyed: the mutator may run while marking goes on. */
static void enter_mark_phase(void) {
  gleaner_allocating_white = inc.white;
  gc_barrier_active = 1;
  inc.phase = INC_MARK;
  inc.preclean_rounds = 0;
  inc.discarding = inc.discarded = false;
  inc.remark_due = false;
  inc.harvest_offset = 0;
  inc.rescan_cursor = 0;
  inc.round_regreyed = 0;
  inc.cycle_regreyed = 0;
}

static bool background_wanted(void);
static void start_pause_stopped(void *t0);
/* The pauses run with every other mutator stopped (roots/stop_world.c). */
static void start_pause(uint64_t t0) {
  mark_parallel_prepare();
  world_stopped_run(start_pause_stopped, &t0);
  if (G->cfg.trace && now_ns() - t0 > 1000000)
    fprintf(stderr, "gleaner: long start pause: %.0f us\n", (now_ns() - t0) / 1e3);
}

static void start_pause_stopped(void *t0p) {
  uint64_t t0 = *(uint64_t *)t0p;
  cursors_flush_all();
  if (inc.minor) {
    compact_cycle_skip();
  } else {
    compact_cycle_start(); /* reads last cycle's live counts: before clearing */
    sweep_clear_marks();
  }
  /* The card table is not cleared here: the mprotect barrier records the
   * pages written during PROTECT only there (and unprotects them), and
   * the previous remark left it empty. */
  gleaner_marking = 1;
  mark_begin();
  roots_mark_all();
  enter_mark_phase();
  stats_record_pause(t0, now_ns());
  /* The walk and this pause are what a stop-the-world minor collection
   * would have paused for before marking (less its rescan): measured here
   * too, or one slow measure would keep every later minor collection a
   * cycle, with nothing to measure it again (GCBench, VM barrier: one
   * 296 us minor collection, then 15 minor cycles). */
  if (inc.minor)
    generational_minor_fixed_cost(inc.protect_ns + now_ns() - t0, false);
}

static void remark_pause_stopped(void *t0);
/* The pause began at t0 (the slice that decided to remark). */
static void remark_pause(uint64_t t0) {
  mark_parallel_prepare();
  world_stopped_run(remark_pause_stopped, &t0);
}

/* Start the next cycle earlier when this one ended past the trigger (its
 * last slices came faster than the utilization target allows), later when
 * it ended well before: the cycle should end at about 0.9 of the trigger.
 * Feedback rather than a model, because both the marking work (live data,
 * pointer density) and the allocation rate change between programs. */
static void adjust_start_fraction(void) {
  double end = (double)G->bytes_since_gc / (double)(G->trigger_bytes ? G->trigger_bytes : 1);
  double f = inc.start_fraction - 0.5 * (end - 0.9);
  inc.start_fraction = f < 0.1 ? 0.1 : f > 0.75 ? 0.75 : f;
}

static void remark_pause_stopped(void *t0p) {
  uint64_t t0 = *(uint64_t *)t0p;
  /* A cycle that allocates white: what cursors set aside and did not hand
   * out is given back now, or the flip would free it under them. */
  if (inc.white)
    cursors_flush_all();
  uint64_t t1 = now_ns();
  size_t pages = harvests() ? vm_collect_dirty() : 0;
  size_t regreyed = dirty_cards_rescan();
  uint64_t t2 = now_ns();
  roots_mark_all();
  uint64_t t3 = now_ns();
  if (background_wanted())
    mark_drain_serial();
  else
    mark_drain(SIZE_MAX);
  if (G->cfg.trace)
    fprintf(stderr,
            "gleaner: %s remark: %zu dirty pages, %zu bytes re-greyed in %.0f us, roots %.0f us, "
            "drain %.0f us, slice before %.0f us; cycle: %u pre-clean rounds re-greyed "
            "%zu KiB; %.0f us of pauses in %.0f us, %llu KiB allocated\n",
            inc.minor ? "minor" : inc.white ? "full (white)" : "full", pages, regreyed,
            (t2 - t1) / 1e3, (t3 - t2) / 1e3, (now_ns() - t3) / 1e3,
            (t1 - t0) / 1e3, inc.preclean_rounds, inc.cycle_regreyed >> 10,
            (stats_pause_total_ns() - inc.trace_pauses_ns + now_ns() - t0) / 1e3,
            (now_ns() - inc.trace_begin_ns) / 1e3,
            (unsigned long long)(G->bytes_since_gc - inc.trace_allocated) >> 10);
  gc_barrier_active = 0;
  inc.remark_due = false;
  adjust_start_fraction();
  if (inc.vm)
    vm_cycle_end();
  collect_finish_cycle(t0, inc.minor);
  generational_cycle_protected(inc.vm || inc.minor || inc.discarded);
  inc.phase = INC_IDLE;
}

/* The explicit barrier must see every store made after the PROTECT walk
 * passed the store's page: switched on with the world stopped, so that
 * no thread reads a stale flag after the walk has begun. */
static void barrier_on_stopped(void *unused) {
  (void)unused;
  gc_barrier_active = 1;
}

static void trace_cycle_begin(uint64_t t0) {
  inc.trace_begin_ns = t0;
  inc.trace_pauses_ns = stats_pause_total_ns();
  inc.trace_allocated = G->bytes_since_gc;
}

static void begin_cycle(uint64_t t0) {
  trace_cycle_begin(t0);
  inc.minor = generational_cycle_minor();
  inc.white = inc.minor || generational_young_die();
  if (inc.vm || inc.minor) {
    if (inc.minor && !inc.vm)
      world_stopped_run(barrier_on_stopped, NULL);
    inc.phase = INC_PROTECT;
    inc.protect_offset = 0;
    inc.protect_ns = 0;
  } else {
    start_pause(t0);
  }
}

/* Dirty pages harvested per pre-clean step: rescanning 256 pages of small
 * objects costs ~100-300 µs, so a step fits in a slice. */
#define HARVEST_PAGES 256
#define RESCAN_CARDS 512 /* full cards of small objects: ~0.5 ms */
/* Blocks whose marked count a slice recounts from the bitmap: ~25 µs. */
#define RECOUNT_BLOCKS 1024

/* With the explicit barrier, a cycle's last pre-clean round protects the
 * heap's pages again without recording what was written: the barrier
 * records the cycle's stores, and once the remark has marked everything
 * reachable no write made before it matters to the next minor collection.
 * Without this, that collection (or minor cycle) rescanned every page the
 * program wrote during the cycle (GCBench: 8-16 MB after each full
 * cycle), and after a cycle that left the heap unprotected it could not
 * stop the world (generational_minor_fits).  Only the last round: each
 * walk write-protects every page written since the one before, and the
 * allocator then unprotects each block it takes again (an ioctl and a TLB
 * flush on every core running a marker).  Only when a minor collection may
 * follow: in cycles that allocate white (young objects die), and in black
 * ones once the program has had minor collections (GCBench's setup phase
 * keeps its data, then minor collections follow); a program whose young
 * data always survives (the pause workload) would pay the walk (~9 ms of
 * slices on 500 MB) and the unprotecting for nothing. */
static bool discards_written(void) {
  return !inc.vm && (inc.white || G->minor_collections > 0) && G->cfg.generational &&
         vm_barrier_ready() && !vm_barrier_is_mprotect();
}

/* End of the heap's blocks in use or ever used: walks go up to it, so
 * blocks taken during the walk are covered too. */
static uintptr_t heap_end(void) { return (uintptr_t)block_base(G->high_water); }

/* Collect part of the dirty set and re-grey what it names; true when
 * this completed a round over the whole heap. */
static bool preclean_step(void) {
  bool harvest_done = true;
  uintptr_t cursor = G->heap_lo + inc.harvest_offset;
  if (harvests()) {
    size_t pages = 0;
    harvest_done = vm_collect_dirty_step(&cursor, HARVEST_PAGES, &pages);
    inc.harvest_offset = cursor - G->heap_lo;
  } else if (inc.discarding) {
    harvest_done = vm_protect_step(&cursor, heap_end(), PROTECT_STEP, false);
    inc.harvest_offset = harvest_done ? 0 : cursor - G->heap_lo;
    inc.discarded |= harvest_done;
  }
  /* Bounded too: a minor cycle starts with every page written since the
   * last one on its cards (tens of thousands on a large heap). */
  bool rescan_done =
      dirty_cards_rescan_step(&inc.rescan_cursor, RESCAN_CARDS, &inc.round_regreyed);
  return harvest_done && rescan_done;
}

/* The roots, marked again before the remark is allowed: what they reach
 * that is still white (a structure held only by a stack, or garbage that
 * a stale stack word names) is then marked in slices, not in the remark.
 * True when that found work. */
static void preclean_roots_stopped(void *unused) {
  (void)unused;
  roots_mark_all();
}

static bool preclean_roots(void) {
  world_stopped_run(preclean_roots_stopped, NULL);
  return !mark_stack_empty();
}

/* Pre-clean until the grey stack has work again or the deadline passes;
 * returns true when the slice ends here: the cycle was finished by a
 * remark, or the remark is due and is left to the next slice, because
 * appended to most of a slice it would double the pause. */
static bool preclean(uint64_t t0, uint64_t deadline) {
  while (mark_stack_empty()) {
    if (preclean_step()) {
      size_t regreyed = inc.round_regreyed;
      inc.cycle_regreyed += regreyed;
      inc.round_regreyed = 0;
      bool last_round = ++inc.preclean_rounds >= MAX_PRECLEAN_ROUNDS;
      if (regreyed <= REMARK_BYTES && !last_round && preclean_roots())
        continue; /* the roots led to white objects: mark them first */
      bool remark_now = regreyed <= REMARK_BYTES || last_round;
      if (remark_now && !inc.discarding && discards_written()) {
        inc.discarding = true; /* one more round, that re-protects the heap */
        continue;
      }
      if (remark_now) {
        uint64_t budget = deadline - t0;
        if (now_ns() - t0 > budget / 4) {
          inc.remark_due = true;
          stats_record_pause(t0, now_ns());
        } else {
          remark_pause(t0);
        }
        return true;
      }
    }
    if (now_ns() >= deadline)
      break;
  }
  return false;
}

/* Marking goes on between slices on the background marker thread
 * (mark_parallel.c) when a core is left idle by the program's threads
 * (with as many threads as cores it would only take CPU from them).
 * Slices and the remark then mark on the program's thread alone: a
 * parallel drain waits for every helper at its end, and with a marker
 * busy between slices a helper was often descheduled by the system then
 * (pauses of 2-4 ms at nice -10). */
static bool background_wanted(void) {
  if (inc.phase != INC_MARK || G->cfg.markers < 2 || running_on_valgrind())
    return false;
  unsigned threads = 0;
  for (mutator *m = G->mutators; m && threads < G->cfg.cores; m = m->next)
    threads++;
  return threads < G->cfg.cores;
}

/* Drain the grey stack for about the time left before the deadline (at
 * most ~100 µs of it, so that the caller checks the clock); true when
 * nothing grey is left. */
static bool drain_chunk(uint64_t t, uint64_t deadline) {
  uint64_t bytes = (uint64_t)(inc.scan_per_ns * (double)(deadline - t)) + 4096;
  if (bytes > 64 * 1024)
    bytes = 64 * 1024;
  uint64_t before = mark_bytes_scanned();
  bool parallel = mark_parallel_wanted(mark_main_stack()->count) && !background_wanted();
  bool empty = parallel ? mark_parallel_drain_until(deadline) : mark_drain(bytes);
  uint64_t t1 = now_ns(), scanned = mark_bytes_scanned() - before;
  /* One marker's speed: the byte budget above is for this thread alone
   * (a rate measured with two markers made single drains overshoot). */
  if (!parallel && t1 > t && scanned > 16384)
    inc.scan_per_ns = 0.7 * inc.scan_per_ns + 0.3 * ((double)scanned / (double)(t1 - t));
  if (G->cfg.trace && t1 - t > 1000000)
    fprintf(stderr, "gleaner: drain of %llu bytes scanned %llu in %.0f us\n",
            (unsigned long long)bytes, (unsigned long long)scanned, (t1 - t) / 1e3);
  return empty;
}

/* One pause of marking and pre-cleaning, at most budget_ns long (plus a
 * remark when the cycle ends in it). */
static void mark_slice(uint64_t t0, uint64_t budget_ns) {
  uint64_t deadline = t0 + budget_ns, t = t0;
  if (inc.remark_due) {
    inc.remark_due = false;
    remark_pause(t0);
    return;
  }
  /* What the background marker marked since the last slice. */
  mark_parallel_fix_counts_step(RECOUNT_BLOCKS);
  while (t < deadline) {
    bool empty = drain_chunk(t, deadline);
    uint64_t t1 = now_ns();
    if (empty && preclean(t0, deadline))
      return;
    t = now_ns();
    if (G->cfg.trace && t - t1 > 1000000)
      fprintf(stderr, "gleaner: preclean %.0f us\n", (t - t1) / 1e3);
  }
  stats_record_pause(t0, t);
}

/* The mutator's share of the time on schedule: the gap after a slice is
 * its length times 3/2, so that collector work takes at most 2/5 of any
 * stretch of slices and the MMU at windows of many slices stays above
 * 1/2 with room for the start and remark pauses. */
#define GAP_PER_SLICE_NUM 3
#define GAP_PER_SLICE_DEN 2

/* How long the mutator must run after the last slice.  Behind schedule
 * (the heap has passed its trigger: while the live data grows, each
 * trigger is set from a smaller live size than the cycle finds) the gap
 * shrinks with the square of the overrun, but not below 11/10 of the
 * slice (utilization above 1/2) until twice the trigger: pauses stay
 * bounded, then utilization holds while memory gives some room, and only
 * past that does utilization give way. */
#define GAP_FLOOR_NUM 11
#define GAP_FLOOR_DEN 10
static uint64_t slice_gap_ns(uint64_t since) {
  uint64_t gap = inc.last_slice_ns * GAP_PER_SLICE_NUM / GAP_PER_SLICE_DEN;
  if (since <= G->trigger_bytes)
    return gap;
  double overrun = (double)since / (double)(G->trigger_bytes ? G->trigger_bytes : 1);
  uint64_t shrunk = (uint64_t)((double)gap / (overrun * overrun));
  uint64_t floor = inc.last_slice_ns * GAP_FLOOR_NUM / GAP_FLOOR_DEN;
  return overrun <= 2.0 && shrunk < floor ? floor : shrunk;
}

static void protect_slice(uint64_t t0) {
  /* Up to the heap's current end: blocks taken since the cycle began are
   * protected too (with the mprotect fallback nothing else would). */
  uintptr_t cursor = G->heap_lo + inc.protect_offset;
  bool done = vm_protect_step(&cursor, heap_end(), PROTECT_STEP,
                              inc.minor);
  inc.protect_offset = cursor - G->heap_lo;
  if (done) {
    start_pause(t0);
  } else {
    stats_record_pause(t0, now_ns());
    inc.protect_ns += now_ns() - t0;
  }
}

/* CPU time of this thread: tells a long step's own work from time the
 * scheduler gave to other threads (trace only). */
static uint64_t thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* How long a slice waits for background markers to hand their work back
 * before giving up its turn: they check every ~20-50 µs while they run. */
#define BACKGROUND_STOP_WAIT_NS 100000u

static void step(uint64_t t0, uint64_t budget_ns) {
  if (!mark_parallel_background_stop_within(BACKGROUND_STOP_WAIT_NS)) {
    /* The background marker is descheduled: the program goes on; the next
     * allocation slow path tries again (it marks no more meanwhile). */
    stats_record_pause(t0, now_ns());
    return;
  }
  inc_phase was = inc.phase;
  uint64_t cpu0 = G->cfg.trace ? thread_cpu_ns() : 0;
  switch (inc.phase) {
  case INC_IDLE:
    begin_cycle(t0);
    break;
  case INC_PROTECT:
    protect_slice(t0);
    break;
  case INC_MARK:
    mark_slice(t0, budget_ns);
    break;
  }
  if (background_wanted())
    mark_parallel_background_start();
  inc.last_slice_end = now_ns();
  /* A remark left to the next slice comes at the next allocation slow
   * path: the longer the mutator runs first, the more it dirties, and the
   * remark must rescan all of that in one pause. */
  inc.last_slice_ns = inc.remark_due ? 0 : inc.last_slice_end - t0;
  if (G->cfg.trace && inc.last_slice_end - t0 > 1000000)
    fprintf(stderr, "gleaner: long step in phase %d: %.0f us, %.0f us on the CPU (budget %.0f us)\n",
            (int)was, (inc.last_slice_end - t0) / 1e3, (thread_cpu_ns() - cpu0) / 1e3,
            budget_ns / 1e3);
}

/* The share of the pause target a stop-the-world minor collection may
 * mark for before it goes on as a cycle (the rest: flip and trace). */
#define MINOR_MARK_SHARE_NUM 4
#define MINOR_MARK_SHARE_DEN 5
/* Its part before marking may take up to 1/MINOR_FIXED_SHARE_DEN of the
 * target (predicted): the page walk and rescans vary from one to the next. */
#define MINOR_FIXED_SHARE_DEN 2

bool incremental_continue_as_cycle(uint64_t start_ns) {
  uint64_t budget = (uint64_t)G->cfg.pause_target_us * 1000;
  uint64_t deadline = inc.stress_minor ? start_ns
                                       : start_ns + budget * MINOR_MARK_SHARE_NUM / MINOR_MARK_SHARE_DEN;
  for (uint64_t t = now_ns(); t < deadline; t = now_ns())
    if (drain_chunk(t, deadline))
      return false;
  if (mark_stack_empty())
    return false;
  if (G->cfg.trace)
    fprintf(stderr, "gleaner: minor collection goes on as a cycle after %.0f us\n",
            (now_ns() - start_ns) / 1e3);
  inc.minor = inc.white = true;
  trace_cycle_begin(start_ns);
  enter_mark_phase(); /* the heap is protected: generational_minor_fits required it */
  inc.last_slice_end = now_ns();
  inc.last_slice_ns = inc.last_slice_end - start_ns;
  stats_record_pause(start_ns, inc.last_slice_end);
  return true;
}

bool incremental_cycle_wanted(void) {
  return inc.phase != INC_IDLE ||
         (double)G->bytes_since_gc > (double)G->trigger_bytes * inc.start_fraction;
}

void incremental_step(void) {
  uint64_t t0 = now_ns();
  step(t0, (uint64_t)G->cfg.pause_target_us * 1000);
}

/* Stress mode: a step at every Nth allocation.  When no cycle runs and a
 * minor collection may stop the world, every other time one does, with
 * no marking budget: what is left to mark goes on as a cycle, so that the
 * conversion is exercised (and checked by GLEANER_VERIFY) as often as the
 * minor cycles that begin with a PROTECT phase. */
void incremental_stress_step(void) {
  inc.stress_toggle = !inc.stress_toggle;
  if (inc.phase == INC_IDLE && inc.stress_toggle && generational_minor_fits(UINT64_MAX)) {
    inc.stress_minor = true;
    collect_young_locked();
    inc.stress_minor = false;
    return;
  }
  incremental_step();
}

void incremental_poll(void) {
  if (inc.vm && inc.phase != INC_IDLE)
    vm_poll();
}

void incremental_on_allocation(size_t bytes) {
  uint64_t since = G->bytes_since_gc + bytes;
  if (inc.phase == INC_IDLE &&
      generational_minor_fits((uint64_t)G->cfg.pause_target_us * 1000 / MINOR_FIXED_SHARE_DEN)) {
    /* Its pause before marking is short: stop the world, as the
     * stop-the-world collector does (no barrier, no rescans of what is
     * allocated meanwhile), and go on as a cycle if marking runs over.
     * A minor cycle begun with a PROTECT walk in slices instead records
     * every page written during that walk (GCBench: its first pre-clean
     * round re-greyed 2-16 MB of old objects). */
    if (since > G->trigger_bytes)
      collect_young_locked();
    return;
  }
  if (inc.phase == INC_IDLE) {
    if ((double)since > (double)G->trigger_bytes * inc.start_fraction) {
      uint64_t t0 = now_ns();
      inc.last_slice_end = t0;
      begin_cycle(t0);
    }
    return;
  }
  if (since > G->trigger_bytes * 32 || block_pool_headroom() < 64) {
    if (G->cfg.trace)
      fprintf(stderr, "gleaner: forced finish at %llu KiB since gc (trigger %llu KiB)\n",
              (unsigned long long)since >> 10, (unsigned long long)G->trigger_bytes >> 10);
    incremental_finish(); /* memory is running out: finish in one pause */
    return;
  }
  uint64_t t0 = now_ns();
  if (t0 - inc.last_slice_end >= slice_gap_ns(since))
    step(t0, (uint64_t)G->cfg.pause_target_us * 1000);
}

void incremental_finish(void) {
  mark_parallel_background_stop();
  uint64_t t0 = now_ns();
  if (inc.phase == INC_PROTECT) {
    /* Protection incomplete: with the VM barrier, pages not re-armed read
     * as dirty at the remark; a minor cycle's remembered set must be read
     * whole first with the explicit barrier. */
    if (inc.minor && !inc.vm) {
      uintptr_t cursor = G->heap_lo + inc.protect_offset;
      vm_protect_step(&cursor, heap_end(), SIZE_MAX, true);
    }
    start_pause(t0);
  }
  if (inc.phase == INC_MARK)
    remark_pause(t0);
  inc.last_slice_end = now_ns();
}
