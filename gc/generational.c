/*
 * generational.c — minor collections with sticky mark bits.
 *
 * A minor collection does not clear the mark bits.  What earlier
 * collections marked stays marked ("old"); marking starts from the roots
 * and from the old objects written since the last collection, and since
 * marking never enters a marked object, it visits only what was allocated
 * since (young) and still reachable.  The flip is the same as after a full
 * collection (alloc := mark, sweep.c), so old objects are kept without
 * being visited and young garbage is freed.  The model is the sticky mark
 * bits of Demers et al. ("Combining generational and conservative garbage
 * collection", POPL 1990) as Boehm GC's generational mode and MMTk's
 * sticky Immix use them: no copying, no nursery, no object header.
 *
 * The remembered set is the virtual-memory barrier's dirty pages
 * (vm_barrier.c: userfaultfd asynchronous write protection).  At the start
 * of every collection, minor or full, the harvest records the written
 * pages of every block in use and write-protects them again, so:
 *   G1. between collections, every marked object lies on a page that is
 *       write-protected or reads back as written.
 * A young object can become reachable only from the roots (scanned in
 * full), from another young object (traced), or through a store into an
 * old object, whose page then reads as written: dirty_cards_rescan
 * re-greys every marked object on it.  Blocks taken from the pool after
 * the harvest were free then and hold no old object: take_run clears
 * their bitmaps, and gc_free clears the mark bit of what it frees, so a
 * slot handed out again is young.
 *
 * Why userfaultfd only: it needs no signal, and system calls writing
 * into the heap just work; the mprotect fallback would keep the heap
 * protected between all collections, and read(2) into it would fail with
 * EFAULT.
 *
 * Incremental cycles can be minor too (incremental.c): the cycle does not
 * clear the marks, and its PROTECT phase, which re-protects the heap in
 * slices before the start pause, records the pages written since the last
 * cycle into the dirty cards (with either barrier: the explicit one
 * records stores only during cycles).  Old objects are black without
 * being scanned; the insertion barrier's invariant holds for them because
 * every old object that was written since its last scan is on a recorded
 * page, rescanned by the pre-cleaning rounds.  G1 needs no step at the
 * end of a cycle: a page is always protected or reads as written, and only
 * a recording harvest clears the written state while marks are kept.
 *
 * What a minor collection does not do: free unreachable old objects, run
 * their finalizers or clear weak links to them (all wait for the next full
 * collection), or compact.  Policy: a collection the program asks for
 * (gc_collect, gc_verify) or one at the heap limit is full; the pacer's
 * are minor, except the first, and except when the marked bytes have
 * doubled since the last full collection (old garbage piles up, and only
 * a full collection frees it) or after MAX_MINORS minor ones in a row
 * (bounds how long an unreachable old object waits for its finalizer), and
 * for BACKOFF_COLLECTIONS after a minor one where most young data
 * survived.  After a minor collection the next one comes when as much as
 * the last full collection's live data was allocated again.
 */
#include "generational.h"
#include "dirty_cards.h"
#include "incremental.h"
#include "vm_barrier.h"
#include <sys/mman.h>
#include <unistd.h>

#define MAX_MINORS 16
#define YOUNG_MIN_PER_THREAD ((uint64_t)16 << 20)
/* Growth allowed before a full collection, over what the last one left:
 * small heaps get some room. */
#define LIVE_SLACK ((size_t)1 << 20)
#define BLOCKS_SLACK 64

static struct {
  bool configured, available;
  bool setup_wanted;           /* a collection began with a heap that large */
  unsigned cores;
  bool had_full;
  unsigned minors_in_row;
  size_t live_after_full;
  uint32_t blocks_after_full;
  uint32_t blocks_after_last; /* in use when the last collection ended */
  /* Young survival, measured at every collection: the blocks taken from
   * the pool between two collections hold only objects allocated then. */
  uint64_t *young_map;         /* bit per block taken while counting */
  bool counting;               /* between a collection's flip and the next start */
  bool measured;               /* the map covers the whole last interval */
  uint64_t young_bytes;        /* allocated in that interval */
  bool young_die;              /* most of them died at the last collection */
  bool young_measured;         /* young_die was measured once */
  bool heap_protected;         /* the heap was protected at the last one's end */
} gen;

/* Set-up (userfaultfd registration, /proc/self/pagemap, ~50 us) and the
 * per-collection page-table walks wait until the heap holds a megabyte:
 * below that a full collection costs about what a minor one would, and a
 * program that only calls gc_collect (always full) pays nothing. */
#define SETUP_MIN_BLOCKS 16

static bool available(void) {
  if (!gen.configured) {
    if (!gen.setup_wanted)
      return false;
    gen.configured = true;
    gen.available = G->cfg.generational && G->cfg.barrier != GC_BARRIER_NONE &&
                    vm_barrier_init_uffd() && dirty_cards_init();
    gen.cores = G->cfg.cores;
    if (gen.available) {
      gen.young_map = mmap(NULL, ((size_t)G->blocks_reserved / 64 + 1) * sizeof(uint64_t),
                           PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                           -1, 0);
      if (gen.young_map == MAP_FAILED) {
        gen.young_map = NULL;
        gen.available = false;
      }
    }
  }
  return gen.available && vm_barrier_ready() && !vm_barrier_is_mprotect();
}

static bool minor_wanted(void) {
  return gen.had_full && gen.young_die && gen.minors_in_row < MAX_MINORS &&
         G->live_bytes <= 2 * gen.live_after_full + LIVE_SLACK &&
         gen.blocks_after_last <= 4 * gen.blocks_after_full + BLOCKS_SLACK;
}

/* A collection or cycle begins: what was allocated since the last one is
 * its young data; blocks taken from now on (during an incremental cycle,
 * born black) are not. */
static void note_young(void) {
  gen.measured = gen.counting;
  gen.counting = false;
  gen.young_bytes = G->bytes_since_gc;
}

void generational_blocks_taken(uint32_t first, uint32_t count) {
  if (!gen.counting)
    return;
  for (uint32_t i = first; i < first + count; i++)
    gen.young_map[i / 64] |= (uint64_t)1 << (i % 64);
}

/* After the flip: the young bytes that survived are the marked bytes of
 * the blocks taken in the interval.  A minor collection pays off when most
 * young objects die; when most survive (a program whose data lives about
 * one collection, like a FIFO queue), they would only become old garbage
 * that a full collection must free. */
static void measure_young(void) {
  size_t words = (size_t)G->high_water / 64 + 1, survived = 0;
  for (size_t w = 0; w < words; w++) {
    for (uint64_t m = gen.young_map[w]; m; m &= m - 1) {
      const block_meta *b = &G->blocks[w * 64 + (size_t)__builtin_ctzll(m)];
      if (b->state == BLOCK_SMALL)
        survived += (size_t)b->marked * b->obj_size;
      else if (b->state == BLOCK_LARGE_HEAD && b->marked)
        survived += (size_t)b->run_blocks * BLOCK_SIZE;
    }
    gen.young_map[w] = 0;
  }
  if (gen.measured && gen.young_bytes) {
    gen.young_die = survived * 2 < gen.young_bytes;
    gen.young_measured = true;
  }
  gen.counting = true;
}

/* A collection begins: is the heap large enough for the set-up (done
 * after this collection's flip, so that it is full)? */
static bool configured_yet(void) {
  if (!gen.configured && G->blocks_in_use >= SETUP_MIN_BLOCKS)
    gen.setup_wanted = true;
  return gen.configured;
}

bool generational_begin(bool full_requested) {
  if (!configured_yet() || !available())
    return false;
  bool minor = !full_requested && minor_wanted();
  note_young();
  if (minor)
    vm_record_written();
  else
    dirty_cards_clear_all(); /* the marks are about to be cleared */
  return minor;
}

/* Threads that allocated since the collection before this one (their
 * allocation slow path records it), at most one per core. */
static unsigned allocating_threads(void) {
  unsigned n = 0;
  for (mutator *m = G->mutators; m && n < gen.cores; m = m->next)
    n += m->alloc_epoch + 1 >= G->collections;
  return n ? n : 1;
}

/* The next young generation is sized from the live data of the last full
 * collection, not from marked bytes that include old garbage, and grows
 * with the threads allocating into it, as OCaml 5 gives each domain its
 * minor heap and GHC each capability its allocation area: a minor
 * collection costs about the same whatever the young generation's size
 * (roots, written pages, survivors), so with a young generation of fixed
 * size two threads would collect twice as often for the same work each.
 * With several threads a collection also costs more (every thread is
 * stopped by signal, and all of them wait during the pause), so each gets
 * at least YOUNG_MIN_PER_THREAD: on mt_gcbench with 2 threads, 16 MiB
 * each made the run 1.3x faster than the live-size young generation
 * (0.18 vs 0.24 s); a single thread keeps the smaller one (its RSS). */
static void pace_young(void) {
  uint64_t grow = (uint64_t)gen.live_after_full * 2 / G->cfg.free_space_divisor;
  unsigned threads = allocating_threads();
  uint64_t floor = threads > 1 ? YOUNG_MIN_PER_THREAD : G->cfg.initial_heap;
  uint64_t base = grow > floor ? grow : floor;
  G->trigger_bytes = base * threads;
}

static void policy_after(bool minor) {
  gen.blocks_after_last = G->blocks_in_use;
  measure_young();
  if (minor) {
    gen.minors_in_row++;
    G->minor_collections++;
  } else {
    gen.had_full = true;
    gen.minors_in_row = 0;
    gen.live_after_full = G->live_bytes;
    gen.blocks_after_full = G->blocks_in_use;
  }
  if (minor_wanted())
    pace_young(); /* else the full collection's pacer stands */
}

void generational_after_flip(bool minor) {
  if (available())
    policy_after(minor);
}

void generational_cycle_protected(bool protected_heap) { gen.heap_protected = protected_heap; }

void generational_end(void) {
  if (!available())
    return;
  gen.heap_protected = true;
  /* Pages written by the collector since the harvest need no record:
   * after a collection every reachable object is marked, so no old object
   * can hold the only path to a young one.  Protecting them again now
   * saves the next minor collection from rescanning them. */
  vm_protect_in_use();
}

/* A minor collection stopping the world costs a fixed part (the page
 * table walk of the heap that reads the written pages, the roots, the
 * rescan of the written pages) and its marking.  Only the fixed part must
 * fit a pause: in incremental mode marking that runs over goes on as a
 * cycle (incremental_continue_as_cycle).  Measured at every stop-the-world
 * minor collection and minor cycle (moving average), from a pessimistic
 * start. */
static double minor_fixed_ns = 250000;
/* Minor cycles begun since the last stop-the-world minor collection. */
static unsigned minor_cycles_in_a_row;
/* A minor cycle's measure (its PROTECT walk records every page written
 * since the last collection, and that walk is in slices) tends to stay
 * above a stop-the-world minor's: after one slow stop-the-world measure
 * (a host preemption, a burst of writes) every later minor could stay a
 * cycle.  So every MINOR_RETRY_AFTER minor cycles in a row, one minor
 * collection stops the world again to be measured, if the estimate is
 * within twice the limit (its pause: at most about the estimate, or the
 * marking share when that is longer). */
#define MINOR_RETRY_AFTER 3

void generational_minor_fixed_cost(uint64_t ns, bool stopped_world) {
  minor_fixed_ns = 0.5 * minor_fixed_ns + 0.5 * (double)ns;
  minor_cycles_in_a_row = stopped_world ? 0 : minor_cycles_in_a_row + 1;
  if (G->cfg.trace)
    fprintf(stderr, "gleaner: minor %s: %.0f us before marking, estimate now %.0f us\n",
            stopped_world ? "collection" : "cycle", ns / 1e3, minor_fixed_ns / 1e3);
}

bool generational_minor_fits(uint64_t fixed_ns) {
  /* After a cycle that left pages unprotected, every page written since
   * reads as written: a stop-the-world minor collection would rescan them
   * all in its pause. */
  if (!gen.configured || !available() || !minor_wanted() || !gen.heap_protected)
    return false;
  return minor_fixed_ns <= (double)fixed_ns ||
         (minor_cycles_in_a_row >= MINOR_RETRY_AFTER && minor_fixed_ns <= 2.0 * (double)fixed_ns);
}

bool generational_young_die(void) {
  return gen.available && (gen.young_die || !gen.young_measured);
}

bool generational_cycle_minor(void) {
  if (!configured_yet() || !available())
    return false;
  bool minor = minor_wanted();
  note_young();
  return minor;
}


/* A block with old objects and free slots, taken by an allocation cursor:
 * its pages would fault once each as the cursor fills them (~1.5 us per
 * fault, as much as filling the page).  Unprotecting the block instead
 * costs one ioctl; its cards are marked dirty in exchange, so the next
 * minor collection rescans its old objects whatever is written (G1 holds:
 * those pages read as written). */
void generational_block_reused(uint32_t bi) {
  if (!G->blocks[bi].marked || !gen.available)
    return;
  uintptr_t lo = (uintptr_t)block_base(bi);
  dirty_cards_mark_range(lo, lo + BLOCK_SIZE);
  vm_block_taken(bi, 1);
}

