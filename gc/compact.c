/*
 * compact.c — evacuation of fragmented precise blocks.
 *
 * Why only precise blocks: every reference to a precise object that the
 * collector cannot rewrite (a stack or register word, an ambiguous root
 * range, a word of a conservative heap object) is found by marking as an
 * ambiguous word, and an ambiguous word sets the target's pin bit
 * (mark.c).  Exact references — slots named by a gc_type, exact roots,
 * GC_FRAME slots — can be rewritten.  So a precise object whose pin bit is
 * clear after marking may move.
 *
 * Phases of one cycle, in order:
 *   1. compact_cycle_start, before the mark bits are cleared: a precise
 *      small block whose live bytes at the previous cycle (marked ×
 *      obj_size) are at most `threshold` % of its capacity is a candidate
 *      (flag BF_EVACUATE).  Emptiest blocks first, within a byte budget
 *      (max_bytes, and the free blocks the heap may still take).  A block
 *      with marked == 0 was taken fresh after the last cycle: no
 *      measurement yet, never a candidate.
 *   2. marking: mark_exact_slot records every heap slot whose target lies
 *      in a candidate (compact_record_slot), with the target's block.
 *      Ambiguous words pin; gc_pin'ed objects are marked as ambiguous
 *      words (pin.c).  Root slots are not recorded: they are revisited.
 *   3. compact_after_mark, once nothing is grey (world stopped):
 *      a. confirm: a candidate whose live bytes this cycle exceed the
 *         threshold (it was refilled since) loses its flag; an object
 *         holding a registered root slot is kept in place (the
 *         registration names its address);
 *      then, batch by batch (about batch_bytes of live data each):
 *      b. evacuate: each marked, unpinned, movable object of the batch's
 *         candidates is copied to a target block of its size class taken
 *         from block_pool (zeroed, never a candidate); the first word of
 *         the old slot becomes the forwarding address.  Objects that
 *         cannot move (type NO_MOVE, header not yet written, size function
 *         disagreeing with the header) get their pin bit set instead;
 *      c. fix up: the records whose target block this batch evacuated
 *         (the slot itself re-pointed to its object's copy if that moved),
 *         every exact root and GC_FRAME slot (exact_roots_visit), the weak
 *         tables (weak_tables_visit_slots) and the identity-hash table;
 *      d. release: moved slots lose their mark bit (the sweep zeroes them
 *         lazily); a candidate left with nothing marked is freed at once,
 *         so the next batch takes it as a target: the heap grows by about
 *         one batch, and targets are committed memory, not fresh pages.
 * Invariant C1: between a batch's evacuation and its release an object is
 * "forwarded" exactly when its block is flagged BF_EVACUATE and set in
 * C.forwarded, its mark bit is set and its pin bit is clear; forward_of()
 * relies on nothing else.
 * Invariant C2: no ambiguous reference can observe a move: every one of
 * them was found in phase 2 and pinned its target, and the world stays
 * stopped from the end of marking to the end of phase 3.
 * Invariant C3: after each batch's fix-up, no kept record names a slot in
 * a released block (records inside moved objects follow the copies), so a
 * freed block reused as a target is never mistaken for a slot.
 *
 * Incremental mode: compaction is its own bounded pause at the end of the
 * cycle (phase 3 runs inside the final stop-the-world remark pause, after
 * the remark has rescanned every ambiguous root and dirty card; its length
 * is bounded by max_bytes).  Requirements on the incremental marker: it
 * calls compact_cycle_start before clearing marks (start pause);
 * acquire_block skips flagged blocks (alloc.c), so nothing allocated
 * during the cycle lands in a candidate; and every exact store made after
 * its object was scanned is seen again by the marker (the card barrier
 * rescans the object at pre-clean or remark, which records the slot) or
 * reported through compact_note_store (compact.h).
 */
#include "compact.h"
#include "meta_alloc.h"
#include "alloc.h"
#include "block_pool.h"
#include "pin.h"
#include "roots.h"
#include "stats.h"
#include "weakness.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define DEFAULT_THRESHOLD_PCT 75
/* 64 MiB at the measured ≥ 1 GiB/s copy rate bounds the pause near 60 ms
 * even when a whole fragmented heap qualifies; later cycles do the rest. */
#define DEFAULT_MAX_BYTES ((size_t)64 << 20)
#define DECILES 11

/* Live bytes evacuated between two fix-ups.  Each batch's emptied blocks
 * are freed at once and become the next batch's targets: the heap grows
 * by about one batch, and targets are committed memory (a memset) rather
 * than fresh pages (a fault per 4 KiB, ~3 µs each on the test machine).
 * A fix-up pass costs O(recorded slots + roots), so batches stay few. */
#define BATCH_BYTES ((uint64_t)8 << 20)

/* A heap slot that named a candidate when the marker saw it, with that
 * candidate's block: a batch looks at the slot's memory only when the
 * block is its own. */
typedef struct slot_record {
  void **slot;
  uint32_t target; /* block index of *slot at record time */
} slot_record;

typedef struct target_cursor {
  uint32_t block; /* block index + 1; 0: none yet */
  uint32_t next;  /* next slot to fill */
} target_cursor;

static struct {
  bool loaded;
  unsigned threshold_pct;
  size_t max_bytes;
  size_t batch_bytes;
  uint32_t *cands;
  size_t ncands, cands_cap;
  slot_record *slots;
  size_t nslots, slots_cap;
  bool slots_overflowed; /* a record failed for lack of memory */
  target_cursor target[NUM_CLASSES];
  uint64_t moved_this_cycle;
  uint64_t *forwarded;   /* bit per block: evacuated, not yet released (C1) */
  compact_totals totals;
} C;

static void load_settings(void) {
  if (C.loaded)
    return;
  C.loaded = true;
  C.threshold_pct = DEFAULT_THRESHOLD_PCT;
  C.max_bytes = DEFAULT_MAX_BYTES;
  C.batch_bytes = BATCH_BYTES;
  const char *v = getenv("GLEANER_COMPACT_THRESHOLD");
  if (v) {
    char *end;
    unsigned long pct = strtoul(v, &end, 10);
    if (end == v || *end || pct > 100)
      gc_warnf("GLEANER_COMPACT_THRESHOLD=%s: expected a percentage 0..100; ignored", v);
    else
      C.threshold_pct = (unsigned)pct;
  }
  v = getenv("GLEANER_COMPACT_MAX_BYTES");
  if (v) {
    bool ok;
    size_t n = parse_size(v, &ok);
    if (ok)
      C.max_bytes = n;
    else
      gc_warnf("GLEANER_COMPACT_MAX_BYTES=%s: not a size; ignored", v);
  }
}

void compact_set_threshold(unsigned pct) {
  ensure_init();
  state_lock();
  load_settings();
  C.threshold_pct = pct > 100 ? 100 : pct;
  state_unlock();
}

void compact_set_max_bytes(size_t bytes) {
  ensure_init();
  state_lock();
  load_settings();
  C.max_bytes = bytes;
  state_unlock();
}

void compact_set_batch_bytes(size_t bytes) {
  ensure_init();
  state_lock();
  load_settings();
  C.batch_bytes = bytes ? bytes : BATCH_BYTES;
  state_unlock();
}

static bool grow(void **items, size_t *cap, size_t elem) {
  size_t n = *cap ? *cap * 2 : 4096;
  void *p = meta_realloc(*items, n * elem); /* world stopped: no malloc */
  if (!p)
    return false;
  *items = p;
  *cap = n;
  return true;
}

/* ---- phase 1: selection ------------------------------------------------ */

static bool sparse_enough(const block_meta *b) {
  return (uint64_t)b->marked * 100 <= (uint64_t)C.threshold_pct * b->nslots;
}

static bool is_candidate(const block_meta *b) {
  return b->state == BLOCK_SMALL && b->kind == KIND_PRECISE && b->marked > 0 &&
         !(b->flags & BF_OWNED) && sparse_enough(b);
}

static unsigned decile_of(const block_meta *b) {
  return (unsigned)((uint64_t)b->marked * 10 / b->nslots);
}

/* Bytes we may evacuate this cycle.  Batches recycle the blocks they
 * empty, so the heap needs room for one batch (plus one partly filled
 * target block per class), not for everything that moves. */
static uint64_t evacuation_budget(void) {
  uint64_t room = block_pool_headroom();
  room = room > NUM_CLASSES ? (room - NUM_CLASSES) * BLOCK_SIZE : 0;
  return room >= C.batch_bytes || room >= C.max_bytes ? C.max_bytes : room;
}

static void add_candidate(uint32_t bi) {
  if (C.ncands == C.cands_cap && !grow((void **)&C.cands, &C.cands_cap, sizeof *C.cands))
    return; /* fewer candidates: correct, just less compaction */
  C.cands[C.ncands++] = bi;
  G->blocks[bi].flags |= BF_EVACUATE;
}

void compact_cycle_start(void) {
  load_settings();
  C.ncands = 0;
  C.nslots = 0;
  C.slots_overflowed = false;
  if (!G->cfg.compact)
    return;
  uint64_t by_decile[DECILES] = {0};
  for (uint32_t i = 0; i < G->high_water; i++) {
    const block_meta *b = &G->blocks[i];
    if (is_candidate(b))
      by_decile[decile_of(b)] += (uint64_t)b->marked * b->obj_size;
  }
  /* Emptiest deciles first: the most memory freed per byte copied. */
  uint64_t budget = evacuation_budget(), planned = 0;
  for (unsigned d = 0; d < DECILES; d++) {
    if (!by_decile[d])
      continue;
    for (uint32_t i = 0; i < G->high_water && planned < budget; i++) {
      const block_meta *b = &G->blocks[i];
      if (!is_candidate(b) || decile_of(b) != d)
        continue;
      uint64_t live = (uint64_t)b->marked * b->obj_size;
      if (planned + live > budget)
        continue;
      planned += live;
      add_candidate(i);
    }
  }
}

/* ---- phase 2: slots recorded by the marker ----------------------------- */

void compact_record_slot(void **slot, uintptr_t target) {
  /* Root slots (GC_FRAME on the stack, gc_root_add outside the heap) are
   * revisited at fix-up time; recording them could name a dead frame. */
  if (!addr_in_heap((uintptr_t)slot))
    return;
  if (C.nslots == C.slots_cap &&
      !grow((void **)&C.slots, &C.slots_cap, sizeof *C.slots)) {
    C.slots_overflowed = true;
    return;
  }
  C.slots[C.nslots++] = (slot_record){slot, block_index(target)};
}

/* ---- phase 3: evacuation ----------------------------------------------- */

/* C1: the new address of addr (any byte of a forwarded object), or NULL. */
static char *forward_of(uintptr_t addr) {
  if (!addr_in_heap(addr))
    return NULL;
  uint32_t bi = block_index(addr);
  const block_meta *b = &G->blocks[bi];
  if (!(b->flags & BF_EVACUATE) || !bit_test(C.forwarded, bi))
    return NULL;
  uint32_t slot = slot_of_offset((uint32_t)(addr & (BLOCK_SIZE - 1)), b->recip);
  if (slot >= b->nslots)
    return NULL;
  const block_bits *bits = &G->bits[bi];
  if (!bit_test(bits->mark, slot) || bit_test(bits->pin, slot))
    return NULL;
  char *start = block_base(bi) + (size_t)slot * b->obj_size;
  return *(char **)start + (addr - (uintptr_t)start);
}

/* 3a: drop candidates that filled up again; keep the rest flagged. */
static void confirm_candidates(void) {
  size_t kept = 0;
  for (size_t i = 0; i < C.ncands; i++) {
    block_meta *b = &G->blocks[C.cands[i]];
    if (b->marked > b->pinned && sparse_enough(b))
      C.cands[kept++] = C.cands[i];
    else
      b->flags &= ~BF_EVACUATE;
  }
  C.ncands = kept;
}

/* A slot in a fresh block of class cls, recorded allocated and marked. */
static char *target_take(unsigned cls) {
  target_cursor *t = &C.target[cls];
  if (!t->block || t->next == gleaner_class_nslots[cls]) {
    uint32_t bi = block_alloc_run(1);
    if (bi == NO_BLOCK)
      return NULL;
    block_init_small(bi, KIND_PRECISE, cls);
    *t = (target_cursor){bi + 1, 0};
  }
  uint32_t bi = t->block - 1, slot = t->next++;
  block_meta *b = &G->blocks[bi];
  bit_set(G->bits[bi].alloc, slot);
  bit_set(G->bits[bi].mark, slot);
  b->allocated++;
  b->marked++;
  return block_base(bi) + (size_t)slot * b->obj_size;
}

static void warn_size_mismatch(const gc_type *t, char *user, size_t claimed, size_t have) {
  static const gc_type *warned[16];
  for (unsigned i = 0; i < 16; i++) {
    if (warned[i] == t)
      return;
    if (!warned[i]) {
      warned[i] = t;
      break;
    }
  }
  gc_warnf("type '%s': size function reports %zu bytes for object %p, which was allocated "
           "with %zu (inconsistent size; the object is not moved)",
           t->name ? t->name : "?", claimed, (void *)user, have);
}

/* May the object in this slot move?  Anything doubtful stays put. */
static bool movable(char *start) {
  const precise_header *h = (const precise_header *)start;
  const gc_type *t = h->type;
  if (!t || (t->flags & GC_TYPE_NO_MOVE))
    return false;
  if (t->size_fn) {
    size_t claimed = t->size_fn(start + PRECISE_HEADER);
    if (claimed > h->user_size) {
      warn_size_mismatch(t, start + PRECISE_HEADER, claimed, (size_t)h->user_size);
      return false;
    }
  }
  return true;
}

static void keep_in_place(uint32_t bi, uint32_t slot) {
  bit_set(G->bits[bi].pin, slot);
  G->blocks[bi].pinned++;
}

/* 3b for one block.  False when the heap has no block left for targets
 * (the block's remaining objects then stay where they are). */
static bool evacuate_block(uint32_t bi) {
  block_meta *b = &G->blocks[bi];
  block_bits *bits = &G->bits[bi];
  char *base = block_base(bi);
  bool room = true;
  for (uint32_t w = 0; w < (b->nslots + 63) / 64; w++) {
    uint64_t to_move = bits->mark[w] & ~bits->pin[w];
    for (; to_move; to_move &= to_move - 1) {
      uint32_t slot = w * 64 + (uint32_t)__builtin_ctzll(to_move);
      char *from = base + (size_t)slot * b->obj_size;
      uint64_t rest = to_move & (to_move - 1); /* overlap the next object's miss */
      if (rest)
        __builtin_prefetch(base + (size_t)(w * 64 + __builtin_ctzll(rest)) * b->obj_size);
      char *to = NULL;
      if (room && movable(from)) {
        to = target_take(b->size_class);
        room = to != NULL;
      }
      if (!to) {
        keep_in_place(bi, slot);
        continue;
      }
      size_t user = (size_t)((const precise_header *)from)->user_size;
      size_t bytes = PRECISE_HEADER + ((user + 7) & ~(size_t)7);
      memcpy(to, from, bytes);
      *(char **)from = to; /* forwarding address replaces the type word */
      C.moved_this_cycle++;
      C.totals.bytes_moved += bytes;
    }
  }
  return room;
}

/* 3b for candidates [first, end).  When the heap has no block left for a
 * target, the rest of the batch keeps its objects in place; the next
 * batch tries again (this one's release may free blocks). */
static void evacuate_batch(size_t first, size_t end) {
  bool room = true;
  for (size_t i = first; i < end; i++) {
    uint32_t bi = C.cands[i];
    if (room) {
      bit_set(C.forwarded, bi);
      room = evacuate_block(bi);
      continue;
    }
    G->blocks[bi].flags &= ~BF_EVACUATE;
    C.cands[i] = NO_BLOCK;
  }
}

static bool forwarded_map_ready(void) {
  if (C.forwarded)
    return true;
  size_t bytes = ((size_t)G->blocks_reserved / 64 + 1) * sizeof(uint64_t);
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  C.forwarded = p == MAP_FAILED ? NULL : p;
  return C.forwarded != NULL;
}

void compact_keep_in_place(uintptr_t addr) {
  if (!addr_in_heap(addr))
    return;
  uint32_t bi = block_index(addr);
  const block_meta *b = &G->blocks[bi];
  if (!(b->flags & BF_EVACUATE))
    return;
  uint32_t slot = slot_of_offset((uint32_t)(addr & (BLOCK_SIZE - 1)), b->recip);
  const block_bits *bits = &G->bits[bi];
  if (slot < b->nslots && bit_test(bits->mark, slot) && !bit_test(bits->pin, slot))
    keep_in_place(bi, slot);
}

/* An exact root registered inside a precise object (gc_root_add of a
 * field): moving the object would leave the registration naming the old
 * copy, so such an object stays in place. */
static void pin_root_holder(void **slot, void *ctx) {
  (void)ctx;
  compact_keep_in_place((uintptr_t)slot);
}

/* ---- phase 3c: fix-up -------------------------------------------------- */


static void fix_slot(void **slot, void *ctx) {
  (void)ctx;
  char *to = forward_of((uintptr_t)*slot);
  if (to)
    *slot = to;
}

/* Fix the records whose target this batch evacuated and drop them; keep
 * those whose target a later batch will evacuate (re-pointed to the copy
 * of their own object if it moved: C3); drop the rest.  The value is
 * re-read, not trusted: under incremental marking the mutator may have
 * stored again since (that store's slot was recorded again). */
static void fix_recorded_slots(void) {
  if (C.slots_overflowed)
    gc_fatal("compaction: out of memory recording slots; references would be missed");
  size_t kept = 0;
  for (size_t i = 0; i < C.nslots; i++) {
    slot_record r = C.slots[i];
    char *moved = forward_of((uintptr_t)r.slot); /* the slot's own object moved */
    if (moved)
      r.slot = (void **)moved;
    if (bit_test(C.forwarded, r.target))
      fix_slot(r.slot, NULL);
    else if (G->blocks[r.target].flags & BF_EVACUATE)
      C.slots[kept++] = r;
  }
  C.nslots = kept;
}

/* 3c for one batch. */
static void fix_references(void) {
  fix_recorded_slots();
  exact_roots_visit(fix_slot, NULL);
  weak_tables_visit_slots(fix_slot, fix_slot, NULL); /* forward_of maps interiors too */
  identity_after_mark(forward_of);
}

/* ---- phase 3d: release ------------------------------------------------- */

/* 3d for candidates [first, end): moved slots lose their mark (the sweep
 * zeroes them lazily); a block left with nothing is freed now, so that
 * the next batch can take it as a target. */
static void release_batch(size_t first, size_t end) {
  for (size_t i = first; i < end; i++) {
    uint32_t bi = C.cands[i];
    if (bi == NO_BLOCK)
      continue;
    block_meta *b = &G->blocks[bi];
    block_bits *bits = &G->bits[bi];
    uint32_t marked = 0;
    for (uint32_t w = 0; w < (b->nslots + 63) / 64; w++) {
      bits->mark[w] &= bits->pin[w];
      marked += (uint32_t)__builtin_popcountll(bits->mark[w]);
    }
    b->marked = marked;
    b->flags &= ~BF_EVACUATE;
    bit_clear(C.forwarded, bi);
    if (!marked) {
      block_free_run(bi, 1);
      C.totals.blocks_evacuated++;
    }
  }
}

/* The end of the next batch: at least one candidate, about BATCH_BYTES. */
static size_t batch_end(size_t first) {
  uint64_t bytes = 0;
  size_t end = first;
  while (end < C.ncands && (end == first || bytes < C.batch_bytes)) {
    const block_meta *b = &G->blocks[C.cands[end++]];
    bytes += (uint64_t)(b->marked - b->pinned) * b->obj_size;
  }
  return end;
}

/* CPU time of the collecting thread: on a loaded machine the wall-clock
 * pause also counts time the thread spent descheduled. */
static uint64_t cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct phase_clock { uint64_t wall, cpu; } phase_clock;
static phase_clock clock_now(void) { return (phase_clock){now_ns(), cpu_ns()}; }

static void record_pause(phase_clock start, phase_clock copying) {
  phase_clock end = clock_now();
  uint64_t ns = end.wall - start.wall;
  C.totals.cycles++;
  C.totals.objects_moved += C.moved_this_cycle;
  C.totals.pause_total_ns += ns;
  C.totals.pause_cpu_ns += end.cpu - start.cpu;
  C.totals.copy_ns_total += copying.wall;
  C.totals.copy_cpu_ns += copying.cpu;
  if (ns > C.totals.pause_max_ns)
    C.totals.pause_max_ns = ns;
}

/* Nothing has moved yet, but a reference could be missed (a slot record
 * failed for lack of memory) or the forwarded table cannot be mapped:
 * this cycle moves nothing.  Leaving every object in place is always
 * correct; the next cycle tries again.  Warned once per run of failures. */
static bool compaction_possible(void) {
  static bool warned;
  bool ok = !C.slots_overflowed && forwarded_map_ready();
  if (!ok && !warned)
    gc_warnf("compaction skipped: out of memory for its %s",
             C.slots_overflowed ? "slot records" : "forwarded-block table");
  warned = !ok;
  if (ok)
    return true;
  for (size_t i = 0; i < C.ncands; i++)
    G->blocks[C.cands[i]].flags &= ~BF_EVACUATE;
  C.ncands = 0;
  return false;
}

void compact_cycle_skip(void) {
  for (size_t i = 0; i < C.ncands; i++)
    G->blocks[C.cands[i]].flags &= ~BF_EVACUATE;
  C.ncands = 0;
  C.nslots = 0;
  C.slots_overflowed = false;
}

void compact_after_mark(void) {
  /* The clocks only when there is something to time: the thread CPU
   * clock is a system call, and most collections have no candidate. */
  phase_clock start = C.ncands ? clock_now() : (phase_clock){0, 0};
  if (C.ncands)
    confirm_candidates();
  if (!C.ncands || !compaction_possible()) {
    C.nslots = 0;
    identity_after_mark(NULL);
    return;
  }
  exact_roots_visit(pin_root_holder, NULL);
  C.moved_this_cycle = 0;
  memset(C.target, 0, sizeof C.target);
  phase_clock copying = {0, 0};
  for (size_t first = 0, end; first < C.ncands; first = end) {
    end = batch_end(first);
    phase_clock t0 = clock_now();
    evacuate_batch(first, end);
    phase_clock t1 = clock_now();
    copying.wall += t1.wall - t0.wall;
    copying.cpu += t1.cpu - t0.cpu;
    fix_references();
    release_batch(first, end);
  }
  C.ncands = 0;
  C.nslots = 0;
  record_pause(start, copying);
}

void compact_get_totals(compact_totals *out) { *out = C.totals; }

void compact_print(FILE *out) {
  compact_totals t = C.totals;
  if (!t.cycles)
    return;
  double mib = (double)t.bytes_moved / (1 << 20);
  fprintf(out,
          "gleaner: compaction: %" PRIu64 " pauses, total %.3f ms (cpu %.3f ms), max %.3f ms; "
          "moved %" PRIu64 " objects, %.1f MiB (copy %.0f MiB/s cpu, %.0f MiB/s wall); %" PRIu64
          " blocks emptied\n",
          t.cycles, t.pause_total_ns / 1e6, t.pause_cpu_ns / 1e6, t.pause_max_ns / 1e6,
          t.objects_moved, mib, t.copy_cpu_ns ? mib / (t.copy_cpu_ns / 1e9) : 0.0,
          t.copy_ns_total ? mib / (t.copy_ns_total / 1e9) : 0.0, t.blocks_evacuated);
}
