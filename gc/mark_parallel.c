/*
 * mark_parallel.c — parallel marking with work sharing between markers.
 *
 * Markers: the collecting thread (marker 0, whose grey stack holds the
 * roots when the drain starts) and cfg.markers - 1 helper threads, made
 * once before the stop-the-world of the first collection with a heap
 * worth sharing (PARALLEL_MIN_BLOCKS) and then parked on a condition
 * variable between collections.  Helpers are not mutators: they never allocate,
 * are never stopped, and block every signal.
 *
 * Each marker drains a grey stack of its own with mark_drain_shared (mark
 * bits claimed with atomic fetch-or, so exactly one marker scans each
 * object).  Balancing is by request: a marker whose stack runs dry
 * announces it (`hungry`) and waits on the shared pool; every marker
 * checks `hungry` after each slice of SLICE_BYTES scanned and, if someone
 * waits, moves the top half of its stack (at most SHARE_MAX entries) to
 * the pool.  So a busy marker pays one relaxed load per slice, and work
 * only moves when a marker would otherwise idle.  An idle marker polls
 * the pool for a while (sched_yield now and then) before it sleeps on the
 * condition variable: on a loaded machine a sleep and wake-up costs
 * milliseconds (measured: 2 markers were twice as slow as 1 with pure
 * sleeping, 1.3 times faster with polling, load average 3.5 on 2 cores).  (Thief-side stealing
 * from a lock-free deque would need a fence on every pop of the owner.)
 *
 * Joining: a helper counts itself into a drain when it wakes (under the
 * lock), and not at all once the drain is finished, so no drain waits for
 * a helper the scheduler is slow to run.
 *
 * Termination: the drain is over when every participating marker is idle
 * and the pool is empty — work only appears through a marker that is not
 * idle, so that state is final.  Marker 0 then waits until every helper
 * that joined has left the loop, adds up the bytes scanned, and recounts
 * block_meta.marked from the mark bitmaps of the blocks it marked in (the
 * atomic path does not keep the per-block counters: they would be
 * contended cache lines; it flags the block in G->count_stale instead, a
 * plain byte store that is skipped when the flag is set).
 *
 * Incremental slices drain here too when there is enough grey work
 * (mark_parallel_drain_until): the markers stop at the slice's deadline,
 * their leftover work goes back to marker 0's stack, and the flagged
 * blocks are recounted a bounded number per slice
 * (mark_parallel_fix_counts_step) and the rest before the cycle's flip
 * (mark_parallel_fix_counts): a recount of every block in use took
 * 0.24 ms of the pause workload's remark on a 650 MB heap.  The slice's thread
 * holds the collector's lock, so no allocation sets mark bits meanwhile;
 * markers claim them with atomic fetch-or as always.
 */
#include "mark_parallel.h"
#include "mark.h"
#include "compact.h"
#include "roots.h"
#include "stats.h"
#include <sched.h>
#include <signal.h>
#include <string.h>

#define MAX_MARKERS 64
#define SLICE_BYTES ((size_t)64 * 1024) /* ~20 µs of scanning between checks */
#define SHARE_MAX 4096                  /* entries moved per donation */
#define TAKE_MAX 1024                   /* entries taken from the pool at once */
#define SPIN_ROUNDS 4096                /* ~50-100 µs of polling before sleeping */
/* Below this many blocks in use, waking the helpers costs more than it
 * saves (a futex wake and a context switch are ~10-50 µs). */
#define PARALLEL_MIN_BLOCKS 64

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

typedef struct marker {
  grey_stack stack;
  pthread_t thread;
  uint64_t seen;        /* generation of the last drain it joined */
} marker;

static struct {
  pthread_mutex_t lock;
  pthread_cond_t start_cond, work_cond, done_cond, ready_cond;
  unsigned started;     /* helper threads running */
  unsigned ready;       /* of those, at their wait loop at least once */
  uint64_t generation;  /* one per parallel drain */
  unsigned active;      /* markers that joined the current drain, marker 0 included */
  unsigned max_active;  /* markers wanted for it */
  unsigned idle;        /* of those, waiting for work */
  unsigned exited;      /* helpers that left the current drain */
  bool finished;
  grey_stack pool;      /* shared work, under lock */
  unsigned cycle_used;  /* most markers of any complete drain this cycle */
  bool create_failing;  /* the last helper start-up failed (warned) */
  uint64_t deadline;    /* of a slice drain (now_ns clock); 0: drain to the end */
  bool background;      /* a background drain was started and not stopped */
  /* The background marker: a thread of its own at SCHED_IDLE priority. */
  bool bg_started, bg_failed;
  int bg_off_cpu;       /* the core it is kept off (-1: none yet) */
  pthread_cond_t bg_cond;
  uint64_t bg_generation;
  marker bg_marker;
  uint64_t background_bytes; /* scanned by background drains, in total */
  uint32_t recount_cursor; /* where mark_parallel_fix_counts_step resumes */
  marker markers[MAX_MARKERS];
} P = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .start_cond = PTHREAD_COND_INITIALIZER,
    .work_cond = PTHREAD_COND_INITIALIZER,
    .done_cond = PTHREAD_COND_INITIALIZER,
    .ready_cond = PTHREAD_COND_INITIALIZER,
    .bg_cond = PTHREAD_COND_INITIALIZER,
    .cycle_used = 1,
    .bg_off_cpu = -1,
};
static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic unsigned hungry;
static _Atomic int pool_ready;  /* pool non-empty or drain finished (hint) */
static _Atomic int stop_now;    /* a background drain is asked to stop */

/* Move n entries from the top of src to the top of dst; fewer when dst
 * cannot grow (mark.c recovers the overflow).  Returns how many moved. */
static size_t move_entries(grey_stack *dst, grey_stack *src, size_t n) {
  while (dst->capacity - dst->count < n && grey_grow(dst))
    ;
  if (n > dst->capacity - dst->count)
    n = dst->capacity - dst->count;
  if (n == 0)
    return 0;
  src->count -= n;
  memcpy(dst->items + dst->count, src->items + src->count, n * sizeof(grey_entry));
  dst->count += n;
  return n;
}

static void donate(grey_stack *own) {
  size_t n = own->count / 2;
  if (n == 0)
    return;
  if (n > SHARE_MAX)
    n = SHARE_MAX;
  pthread_mutex_lock(&P.lock);
  move_entries(&P.pool, own, n);
  atomic_store_explicit(&pool_ready, 1, memory_order_relaxed);
  pthread_cond_broadcast(&P.work_cond);
  pthread_mutex_unlock(&P.lock);
}

/* Poll the pool without the lock for a while before sleeping: a futex
 * sleep and wake-up costs tens of microseconds idle and milliseconds on a
 * busy machine, while new work usually arrives within one slice. */
static bool past_deadline(void) {
  return atomic_load_explicit(&stop_now, memory_order_relaxed) ||
         (P.deadline && now_ns() >= P.deadline);
}

static void spin_for_work(void) {
  for (unsigned i = 0; i < SPIN_ROUNDS; i++) {
    if (atomic_load_explicit(&pool_ready, memory_order_relaxed))
      return;
    if (i % 64 == 63) {
      if (past_deadline())
        return;
      sched_yield();
    } else {
      cpu_relax();
    }
  }
}

/* Own stack is empty: take shared work, or return false when the drain
 * is over. */
static bool take_work(grey_stack *own) {
  pthread_mutex_lock(&P.lock);
  P.idle++;
  atomic_fetch_add_explicit(&hungry, 1, memory_order_relaxed);
  bool spun = false;
  while (P.pool.count == 0 && !P.finished) {
    /* All idle: the drain is complete.  A slice's time is up: it ends
     * here too (the busy markers stop at their next check). */
    if (P.idle == P.active || past_deadline()) {
      P.finished = true;
      atomic_store_explicit(&pool_ready, 1, memory_order_relaxed);
      pthread_cond_broadcast(&P.work_cond);
      break;
    }
    if (!spun || P.deadline) { /* a slice's markers never sleep */
      spun = true;
      pthread_mutex_unlock(&P.lock);
      spin_for_work();
      pthread_mutex_lock(&P.lock);
      continue;
    }
    spun = false;
    pthread_cond_wait(&P.work_cond, &P.lock);
  }
  atomic_fetch_sub_explicit(&hungry, 1, memory_order_relaxed);
  bool got = false;
  /* A slice that ran out of time leaves work in the pool.  A marker whose
   * stack cannot be mapped takes nothing and leaves the drain (counted
   * idle); the others finish the pool. */
  if (P.pool.count && !P.finished) {
    size_t n = P.pool.count < TAKE_MAX ? P.pool.count : TAKE_MAX;
    if (move_entries(own, &P.pool, n)) {
      P.idle--;
      got = true;
    }
  }
  if (P.pool.count == 0 && !P.finished)
    atomic_store_explicit(&pool_ready, 0, memory_order_relaxed);
  pthread_mutex_unlock(&P.lock);
  return got;
}

/* A slice drain's time is up: this marker's work goes back to the pool
 * (marker 0 takes it all back) and every marker stops. */
static void stop_at_deadline(grey_stack *own) {
  pthread_mutex_lock(&P.lock);
  move_entries(&P.pool, own, own->count);
  /* What did not fit (the pool could not grow) is dropped, never left on
   * this stack for a later drain: the failed growth raised mark.c's
   * overflow flag, and its heap rescan recovers every dropped entry. */
  own->count = 0;
  P.finished = true;
  atomic_store_explicit(&pool_ready, 1, memory_order_relaxed);
  pthread_cond_broadcast(&P.work_cond);
  pthread_mutex_unlock(&P.lock);
}

static void marker_work(grey_stack *own) {
  bool background = own == &P.bg_marker.stack;
  do {
    while (own->count) {
      mark_drain_shared(own, SLICE_BYTES);
      /* SCHED_IDLE is not enough: once the scheduler has picked the
       * background marker on the program's core (the other one taken by
       * another process), it keeps it for its time slice — the program's
       * thread, runnable, waited 4 ms (perf sched_switch, pause workload).
       * It is kept off that core (background_keep_off_this_core) and,
       * should it share one with another program thread, yields every
       * SLICE_BYTES of scanning; alone on its core the call returns at
       * once. */
      if (background)
        sched_yield();
      if (past_deadline()) {
        stop_at_deadline(own);
        return;
      }
      if (atomic_load_explicit(&hungry, memory_order_relaxed) && own->count > 1)
        donate(own);
    }
  } while (take_work(own));
}

/* A marker thread's life, lock held between drains: join each drain
 * announced on cond (a new *generation) while one is wanted. */
static void serve_drains(marker *mk, pthread_cond_t *cond, const uint64_t *generation) {
  for (;;) {
    while (*generation == mk->seen)
      pthread_cond_wait(cond, &P.lock);
    mk->seen = *generation;
    if (P.finished || P.active >= P.max_active)
      continue; /* woke too late for this drain, or not wanted in it */
    P.active++;
    pthread_mutex_unlock(&P.lock);
    marker_work(&mk->stack);
    pthread_mutex_lock(&P.lock);
    P.exited++;
    pthread_cond_signal(&P.done_cond);
  }
}

static void *helper_main(void *arg) {
  marker *mk = arg;
  pthread_setname_np(pthread_self(), "gleaner-mark"); /* for top -H, perf, gdb */
  pthread_mutex_lock(&P.lock);
  P.ready++;
  pthread_cond_broadcast(&P.ready_cond);
  serve_drains(mk, &P.start_cond, &P.generation);
  return NULL;
}

/* Helpers are started at the first collection whose heap is large enough
 * for mark_parallel_wanted to use them, not before: a program whose heap
 * stays small (most short runs) never pays for the threads (pthread_create
 * with an 8 MiB stack mapping, ~30 µs at start-up).  That collection waits
 * until they have reached their wait loop, so that its drain — the first
 * that wants them — can have them: a thread just created may otherwise
 * not run for a long while (valgrind runs one thread at a time). */
/* Marker threads take no signal (they are not mutators: stop-the-world
 * never suspends them); the mask is inherited at creation. */
static int start_marker_thread(marker *mk, void *(*body)(void *)) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&mk->thread, NULL, body, mk);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

void mark_parallel_prepare(void) {
  unsigned want = G->cfg.markers;
  if (want > MAX_MARKERS)
    want = MAX_MARKERS;
  if (want <= 1 || P.started >= want - 1 || G->blocks_in_use < PARALLEL_MIN_BLOCKS)
    return;
  while (P.started < want - 1) {
    marker *mk = &P.markers[P.started + 1];
    mk->seen = P.generation; /* join only drains that start from now on */
    int rc = start_marker_thread(mk, helper_main);
    if (rc != 0) {
      /* Mark with fewer; try again at the next collection.  Said once per
       * run of failures, not at every collection. */
      if (!P.create_failing)
        gc_warnf("cannot start marker thread %u (%s); marking with %u marker%s until "
                 "it can be started",
                 P.started + 1, strerror(rc), P.started + 1, P.started ? "s" : "");
      P.create_failing = true;
      break;
    }
    pthread_mutex_lock(&P.lock);
    P.started++;
    pthread_mutex_unlock(&P.lock);
  }
  if (P.started >= want - 1)
    P.create_failing = false;
  pthread_mutex_lock(&P.lock);
  while (P.ready < P.started)
    pthread_cond_wait(&P.ready_cond, &P.lock);
  pthread_mutex_unlock(&P.lock);
}

bool mark_parallel_wanted(size_t grey_count) {
  return G->cfg.markers > 1 && P.started > 0 && grey_count > 0 &&
         G->blocks_in_use >= PARALLEL_MIN_BLOCKS;
}

/* Set block_meta.marked of block i from its mark bitmap. */
static void recount_block(uint32_t i) {
  G->count_stale[i] = 0;
  block_meta *b = &G->blocks[i];
  if (b->state != BLOCK_SMALL && b->state != BLOCK_LARGE_HEAD)
    return;
  const uint64_t *mark = G->bits[i].mark;
  uint32_t words = (b->nslots + 63) / 64, n = 0;
  for (uint32_t w = 0; w < words; w++)
    n += (uint32_t)__builtin_popcountll(mark[w]);
  b->marked = n;
}

/* Recount the flagged blocks in [*cursor, high_water), at most max of
 * them; true when the end was reached (the cursor is then 0).  No marker
 * may be running. */
static bool recount_stale(uint32_t *cursor, uint32_t max) {
  uint32_t i = *cursor, end = G->high_water, done = 0;
  for (; i < end && done < max; i++) {
    /* Eight flags a word: a whole heap's flags are read in microseconds. */
    if (i % 8 == 0 && i + 8 <= end) {
      uint64_t eight;
      memcpy(&eight, &G->count_stale[i], sizeof eight);
      if (!eight) {
        i += 7;
        continue;
      }
    }
    if (G->count_stale[i]) {
      recount_block(i);
      done++;
    }
  }
  *cursor = i < end ? i : 0;
  return i >= end;
}

static void recount_marked(void) {
  uint32_t from = 0;
  recount_stale(&from, UINT32_MAX);
  P.recount_cursor = 0;
}

static void run_drain(uint64_t deadline) {
  grey_stack *own = mark_main_stack();
  pthread_mutex_lock(&P.lock);
  unsigned helpers = P.started;
  if (G->cfg.markers - 1 < helpers)
    helpers = G->cfg.markers - 1;
  /* Helpers count themselves in when they wake: a drain never waits for
   * one that is slow to be scheduled (on a busy machine that can take
   * milliseconds, which would stretch an incremental slice). */
  P.active = 1;
  P.max_active = helpers + 1;
  P.idle = 0;
  P.exited = 0;
  P.finished = false;
  P.pool.count = 0;
  P.deadline = deadline;
  /* Seed the pool so helpers start at once. */
  size_t n = own->count / 2 > SHARE_MAX ? SHARE_MAX : own->count / 2;
  move_entries(&P.pool, own, n);
  atomic_store_explicit(&pool_ready, P.pool.count > 0, memory_order_relaxed);
  P.generation++;
  pthread_cond_broadcast(&P.start_cond);
  pthread_mutex_unlock(&P.lock);

  marker_work(own);

  pthread_mutex_lock(&P.lock);
  while (P.exited < P.active - 1)
    pthread_cond_wait(&P.done_cond, &P.lock);
  for (unsigned i = 1; i <= helpers; i++) {
    own->bytes_scanned += P.markers[i].stack.bytes_scanned;
    P.markers[i].stack.bytes_scanned = 0;
  }
  if (P.pool.count) /* left by a slice that ran out of time */
    move_entries(own, &P.pool, P.pool.count);
  P.pool.count = 0; /* what did not fit is dropped: see stop_at_deadline */
  if (P.active > P.cycle_used)
    P.cycle_used = P.active;
  pthread_mutex_unlock(&P.lock);
}

/* Background marking (incremental.c, between slices): a marker thread
 * drains while the program runs, on a core it leaves idle, so that a
 * cycle ends sooner in wall-clock time without longer pauses.  Marker 0 —
 * the program's thread — does not take part: its whole stack goes to the
 * pool.  The drain ends by itself when the marker runs out of work, or
 * when stopped; then all work left is back on marker 0's stack.
 *
 * The background marker is not one of the helpers: it runs at SCHED_IDLE,
 * so that it only takes time no other thread wants.  Waking a helper of
 * normal priority for it preempted the program's thread on the same core
 * for the helper's time slice (steps of 2-4 ms with 0.5 ms on the CPU, at
 * nice -10); and a helper cannot go back from SCHED_IDLE without
 * privileges, while parallel drains in pauses need normal priority. */
static void *background_main(void *arg) {
  marker *mk = arg;
  struct sched_param none = {0};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
  pthread_setname_np(pthread_self(), "gleaner-bgmark");
  pthread_mutex_lock(&P.lock);
  serve_drains(mk, &P.bg_cond, &P.bg_generation);
  return NULL;
}

static bool background_thread_ready(void) {
  if (P.bg_started || P.bg_failed)
    return P.bg_started;
  P.bg_marker.seen = P.bg_generation;
  int rc = start_marker_thread(&P.bg_marker, background_main);
  if (rc != 0) {
    gc_warnf("cannot start the background marker thread (%s); marking in slices only",
             strerror(rc));
    P.bg_failed = true;
    return false;
  }
  P.bg_started = true;
  return true;
}

/* The background marker is kept off the core the starting thread (the
 * program's, which ran the slice) is on.  SCHED_IDLE and the yields are
 * not enough: once the scheduler has put both on one core, it can run the
 * idle-priority thread until the next tick while the program's thread,
 * runnable, waits — 4 ms steps whenever another process held the other
 * core (reproduced with a plain spinning SCHED_IDLE thread: 4 ms gaps in 2
 * of 8 runs of 0.8 s, none when it is kept off the busy thread's core).
 * Re-pinned only when that thread is found on another core. */
static void background_keep_off_this_core(void) {
  int cpu = sched_getcpu();
  if (cpu < 0 || cpu == P.bg_off_cpu)
    return;
  cpu_set_t allowed;
  if (pthread_getaffinity_np(pthread_self(), sizeof allowed, &allowed) != 0)
    return;
  CPU_CLR(cpu, &allowed);
  if (CPU_COUNT(&allowed) > 0 &&
      pthread_setaffinity_np(P.bg_marker.thread, sizeof allowed, &allowed) == 0)
    P.bg_off_cpu = cpu;
}

bool mark_parallel_background_start(void) {
  grey_stack *own = mark_main_stack();
  if (P.background || G->cfg.markers < 2 || own->count == 0 || !background_thread_ready())
    return false;
  background_keep_off_this_core();
  if (pthread_mutex_trylock(&P.lock) != 0)
    return false; /* see mark_parallel_background_stop_within */
  P.active = 0;
  P.max_active = 1;
  P.idle = 0;
  P.exited = 0;
  P.finished = false;
  P.pool.count = 0;
  P.deadline = 0;
  atomic_store_explicit(&stop_now, 0, memory_order_relaxed);
  move_entries(&P.pool, own, own->count);
  own->count = 0; /* what did not fit: mark.c's overflow flag is raised */
  atomic_store_explicit(&pool_ready, 1, memory_order_relaxed);
  P.background = true;
  P.bg_generation++;
  pthread_cond_signal(&P.bg_cond);
  pthread_mutex_unlock(&P.lock);
  return true;
}

/* Ask the background marker to stop; true once it has left (lock held). */
static bool background_stopped_locked(void) {
  atomic_store_explicit(&stop_now, 1, memory_order_relaxed);
  /* It does not join once finished is set; if it joined, it leaves at its
   * next check (~20 µs of scanning) and puts its work in the pool. */
  P.finished = true;
  pthread_cond_broadcast(&P.work_cond);
  return P.exited >= P.active;
}

static void background_collect_locked(void) {
  grey_stack *own = mark_main_stack();
  P.background_bytes += P.bg_marker.stack.bytes_scanned;
  own->bytes_scanned += P.bg_marker.stack.bytes_scanned;
  P.bg_marker.stack.bytes_scanned = 0;
  move_entries(own, &P.pool, P.pool.count);
  P.pool.count = 0; /* what did not fit is dropped: see stop_at_deadline */
  P.background = false;
  atomic_store_explicit(&stop_now, 0, memory_order_relaxed);
}

void mark_parallel_background_stop(void) {
  if (!P.background)
    return;
  pthread_mutex_lock(&P.lock);
  if (!background_stopped_locked())
    while (P.exited < P.active)
      pthread_cond_wait(&P.done_cond, &P.lock);
  background_collect_locked();
  pthread_mutex_unlock(&P.lock);
}

/* The lock is only tried: a helper descheduled while it holds it (for a
 * few instructions, as it leaves a drain) would otherwise hold up the
 * program's thread for the helper's next time slice. */
bool mark_parallel_background_stop_within(uint64_t wait_ns) {
  if (!P.background)
    return true;
  atomic_store_explicit(&stop_now, 1, memory_order_relaxed);
  uint64_t deadline = now_ns() + wait_ns;
  for (;;) {
    if (pthread_mutex_trylock(&P.lock) == 0) {
      bool stopped = background_stopped_locked();
      if (stopped)
        background_collect_locked();
      pthread_mutex_unlock(&P.lock);
      if (stopped)
        return true;
    }
    if (now_ns() >= deadline)
      return false;
    cpu_relax();
  }
}

uint64_t mark_parallel_background_bytes(void) { return P.background_bytes; }

/* P holds no heap address (grey stacks are mapped apart), and helpers
 * write it while the world is stopped for a root scan. */
void mark_parallel_exclude_from_roots(void) { roots_exclude_own(&P, &P + 1); }

bool mark_parallel_drain(void) {
  run_drain(0);
  recount_marked();
  return true;
}

bool mark_parallel_drain_until(uint64_t deadline) {
  run_drain(deadline);
  return mark_main_stack()->count == 0;
}

void mark_parallel_fix_counts(void) { recount_marked(); }

void mark_parallel_fix_counts_step(uint32_t max_blocks) {
  recount_stale(&P.recount_cursor, max_blocks);
}

void mark_parallel_record_slot(void **slot, uintptr_t target) {
  pthread_mutex_lock(&record_lock);
  compact_record_slot(slot, target);
  pthread_mutex_unlock(&record_lock);
}

void mark_parallel_cycle_begin(void) { P.cycle_used = 1; }

unsigned mark_markers_used(void) { return P.cycle_used; }

void mark_parallel_after_fork_child(void) {
  pthread_mutex_init(&P.lock, NULL);
  pthread_mutex_init(&record_lock, NULL);
  pthread_cond_init(&P.start_cond, NULL);
  pthread_cond_init(&P.work_cond, NULL);
  pthread_cond_init(&P.done_cond, NULL);
  pthread_cond_init(&P.ready_cond, NULL);
  pthread_cond_init(&P.bg_cond, NULL);
  P.started = 0;
  P.ready = 0;
  P.generation = 0;
  P.bg_started = false;
  atomic_store(&hungry, 0);
}
