/*
 * alloc.c — allocation slow paths: refilling cursors from blocks, large
 * objects, and the public allocation entry points.
 *
 * A cursor owns one block (BF_OWNED) and one bitmap word of it at a time.
 * Taking a word sets the alloc bits of all its free slots at once (and
 * their mark bits while a cycle is marking: allocation is black), so every
 * handed-out object is recorded before it exists; flushing a cursor clears
 * the bits of the slots it did not hand out.
 *
 * Thread cursors set a whole block aside at once.  When a thread cursor
 * takes a block (under G->lock), every free slot of every word gets its
 * alloc bit (and its mark bit while marking), the counters are updated
 * for all of them, and the slots are remembered per word in the
 * mutator's `reserved` table.  Moving to the next word is then done by the
 * owner alone, without the lock (cursor_take_reserved): it reads its own
 * table, zeroes the slots if the block needs it, and points the cursor at
 * the word.  It writes no shared metadata at all — no bitmap word, no
 * counter, no block flag — so it cannot race with what runs concurrently
 * under the lock: incremental mark slices setting mark bits (with plain
 * read-modify-writes, mark.c), gc_free clearing an alloc bit, other
 * threads' block acquisitions.  The lock is taken once per block instead
 * of once per 64 slots, and the zeroing is done outside it.
 *
 * The one thing that can interrupt the owner is a collection that stops
 * it by signal, at any instruction.  That collection gives back the
 * reservations of stopped threads' cursors beyond their current word
 * (mutator_cursors_release_stopped: alloc and mark bits cleared, counters
 * adjusted, table entries zeroed), and marks every allocated slot of the
 * current word (stopped_cursors_mark, which covers the set-aside slots of
 * that word too).  So the owner's protocol for word w is:
 *   1. read reserved[w]; if empty, go on; zero its slots if needed;
 *   2. store cursor.word = w (a signal fence orders it, compiler-wise,
 *      before the next read; a signal interrupts at an instruction
 *      boundary, and the collector reads the record after the handler's
 *      acknowledgement, so program order is what it sees);
 *   3. read reserved[w] again: a collection before step 2 may have given
 *      the word back (then it reads 0 and goes on: the zeroing of step 1
 *      touched only free slots of a block nobody else allocates from);
 *      a collection after step 2 keeps the word and marks its slots;
 *   4. clear reserved[w], then set word_base and last `remaining`, which
 *      is what the fast path hands out.
 * `remaining` is 0 throughout (the slow path is entered only then), so a
 * collection in between never sees slots of one word with the index of
 * another; word_base may lag behind `word` for a few instructions, which
 * is why the collector computes addresses from block and word.
 * Reservations never outlive a collection's flip unmarked: those made
 * while no cycle is marking are given back by the next collection or
 * cycle start (both flush cursors first), those made while marking are
 * black, like every allocation during a cycle.  Black set-aside slots are
 * zeroed at once, under the lock: the incremental remark gives nothing
 * back, and a black slot is rescanned with its card and checked by the
 * verifier as an object, so it must not hold a dead object's words (a
 * stale stack word pointing at it would otherwise make the verifier
 * follow them).  Slots set aside outside a cycle are zeroed lazily: a
 * collection gives them back before anything looks at them.
 *
 * Stress mode (every allocation counted) and the shared cursors of the
 * uncollectable kinds keep the one-word-at-a-time path under the lock.
 */
#include "alloc.h"
#include "block_pool.h"
#include "collect.h"
#include "sweep.h"
#include "generational.h"
#include "finalize.h"
#include "roots.h"
#include "vm_barrier.h"
#include <errno.h>
#include <string.h>

void block_init_small(uint32_t index, unsigned kind, unsigned cls) {
  block_meta *b = &G->blocks[index];
  b->state = BLOCK_SMALL;
  b->kind = (uint8_t)kind;
  b->size_class = (uint8_t)cls;
  b->obj_size = gleaner_class_size[cls];
  b->recip = gleaner_class_recip[cls];
  b->nslots = gleaner_class_nslots[cls];
}

static uint64_t word_valid_mask(const block_meta *b, uint32_t w) {
  uint32_t first = w * 64;
  if (first + 64 <= b->nslots)
    return ~(uint64_t)0;
  return ((uint64_t)1 << (b->nslots - first)) - 1;
}

static uint32_t block_words(const block_meta *b) { return (b->nslots + 63) / 64; }

/* Lock held or world stopped: give slots `give` of word w back (they were
 * recorded allocated, and marked if taken during a cycle, but never
 * handed out). */
static void slots_give_back(uint32_t bi, uint32_t w, uint64_t give) {
  block_meta *b = &G->blocks[bi];
  block_bits *bits = &G->bits[bi];
  unsigned unused = (unsigned)__builtin_popcountll(give);
  bits->alloc[w] &= ~give;
  if (bits->mark[w] & give) {
    b->marked -= (unsigned)__builtin_popcountll(bits->mark[w] & give);
    /* Atomic: background markers may be setting other bits of the word
     * (mark_parallel.c). */
    __atomic_fetch_and(&bits->mark[w], ~give, __ATOMIC_RELAXED);
  }
  b->allocated -= unused;
  /* Saturating: slots set aside before the last collection reset the
   * pacer's count may be given back after it (a black reservation kept by
   * a remark, a thread exiting); a wrapped count would start collections
   * at once. */
  uint64_t bytes = (uint64_t)unused * b->obj_size;
  G->bytes_since_gc -= bytes < G->bytes_since_gc ? bytes : G->bytes_since_gc;
  G->allocated_bytes -= bytes;
}

/* Thread cursors: position in the mutator's tables. */
static unsigned cursor_slot(const mutator *m, const alloc_cursor *c) {
  return (unsigned)(c - &m->cursors[0][0]);
}

/* Lock held or world stopped: give back the set-aside slots of words
 * [from, end of block). */
static void reserved_give_back(mutator *m, alloc_cursor *c, uint32_t from) {
  if (!c->block)
    return;
  uint32_t bi = c->block - 1;
  uint64_t *resv = m->reserved[cursor_slot(m, c)];
  uint32_t words = block_words(&G->blocks[bi]);
  for (uint32_t w = from; w < words; w++) {
    uint64_t give = resv[w];
    if (!give)
      continue;
    resv[w] = 0;
    slots_give_back(bi, w, give);
  }
}

void cursor_flush(alloc_cursor *c) {
  if (!c->block)
    return;
  uint32_t bi = c->block - 1;
  if (c->remaining)
    slots_give_back(bi, c->word, c->remaining);
  G->blocks[bi].flags &= ~BF_OWNED;
  sweep_block_released(bi);
  *c = (alloc_cursor){0};
}

/* A thread cursor with what it set aside. */
static void mutator_cursor_flush(mutator *m, alloc_cursor *c) {
  reserved_give_back(m, c, c->word);
  cursor_flush(c);
}

void mutator_cursors_flush(mutator *m) {
  for (unsigned k = 0; k < CURSOR_KINDS; k++)
    for (unsigned c = 0; c < NUM_CLASSES; c++)
      mutator_cursor_flush(m, &m->cursors[k][c]);
}

/* World stopped, m stopped by signal (it may be anywhere in the fast path
 * or in cursor_take_reserved): keep each cursor and its current word, give
 * back the words after it. */
static void mutator_cursors_release_stopped(mutator *m) {
  for (unsigned k = 0; k < CURSOR_KINDS; k++)
    for (unsigned c = 0; c < NUM_CLASSES; c++) {
      alloc_cursor *cur = &m->cursors[k][c];
      reserved_give_back(m, cur, cur->word + 1);
    }
}

/* Record the free slots `free` of word w as allocated (and black while
 * marking); returns how many. */
static unsigned word_claim(uint32_t bi, uint32_t w, uint64_t free) {
  block_meta *b = &G->blocks[bi];
  block_bits *bits = &G->bits[bi];
  bits->alloc[w] |= free;
  unsigned count = (unsigned)__builtin_popcountll(free);
  if (allocating_black(b->kind)) {
    __atomic_fetch_or(&bits->mark[w], free, __ATOMIC_RELAXED); /* see above */
    b->marked += count;
  }
  return count;
}

static void claimed_count(uint32_t bi, unsigned count) {
  block_meta *b = &G->blocks[bi];
  b->allocated += count;
  G->bytes_since_gc += (uint64_t)count * b->obj_size;
  G->allocated_bytes += (uint64_t)count * b->obj_size;
}

/* Take the next bitmap word with free slots, from word `from` on. */
static bool cursor_take_word(alloc_cursor *c, uint32_t bi, uint32_t from) {
  block_meta *b = &G->blocks[bi];
  block_bits *bits = &G->bits[bi];
  uint32_t words = block_words(b);
  for (uint32_t w = from; w < words; w++) {
    uint64_t free = ~bits->alloc[w] & word_valid_mask(b, w);
    if (!free)
      continue;
    if (G->cfg.stress)
      free &= -free; /* one object per take: every allocation is counted */
    if (b->flags & BF_NEEDS_ZEROING)
      sweep_zero_slots(bi, w, free);
    claimed_count(bi, word_claim(bi, w, free));
    *c = (alloc_cursor){.remaining = free,
                        .word_base = block_base(bi) + (size_t)w * 64 * b->obj_size,
                        .size = b->obj_size,
                        .block = bi + 1,
                        .word = w};
    return true;
  }
  return false;
}

/* Lock held: set every free slot of block bi aside for thread cursor c
 * (alloc.c header).  The cursor points at the first such word with
 * nothing in `remaining`; cursor_take_reserved hands the words out. */
static bool cursor_reserve_block(mutator *m, alloc_cursor *c, uint32_t bi, unsigned kind,
                                 unsigned cls) {
  block_meta *b = &G->blocks[bi];
  block_bits *bits = &G->bits[bi];
  uint64_t *resv = m->reserved[cursor_slot(m, c)];
  uint32_t words = block_words(b), first = UINT32_MAX;
  unsigned count = 0;
  for (uint32_t w = 0; w < words; w++) {
    uint64_t free = ~bits->alloc[w] & word_valid_mask(b, w);
    resv[w] = free;
    if (!free)
      continue;
    if (first == UINT32_MAX)
      first = w;
    count += word_claim(bi, w, free);
  }
  if (first == UINT32_MAX)
    return false;
  claimed_count(bi, count);
  m->reserved_dirty[kind] &= ~((uint64_t)1 << cls);
  if (b->flags & BF_NEEDS_ZEROING) {
    if (allocating_black(kind)) {
      /* Black slots are rescanned with their card (pre-clean, remark)
       * and verified as objects: they must hold nothing already. */
      for (uint32_t w = first; w < words; w++)
        if (resv[w])
          sweep_zero_slots(bi, w, resv[w]);
    } else {
      m->reserved_dirty[kind] |= (uint64_t)1 << cls;
    }
  }
  *c = (alloc_cursor){.remaining = 0,
                      .word_base = block_base(bi) + (size_t)first * 64 * b->obj_size,
                      .size = b->obj_size,
                      .block = bi + 1,
                      .word = first};
  return true;
}

/* Owner thread, no lock: point the cursor at its next set-aside word
 * (protocol in the header).  c->remaining is 0. */
static bool cursor_take_reserved(mutator *m, alloc_cursor *c, unsigned kind, unsigned cls) {
  if (!c->block)
    return false;
  volatile uint64_t *resv = m->reserved[cursor_slot(m, c)];
  uint32_t words = (gleaner_class_nslots[cls] + 63) / 64;
  bool dirty = (m->reserved_dirty[kind] >> cls) & 1;
  for (uint32_t w = c->word; w < words; w++) {
    uint64_t free = resv[w];
    if (!free)
      continue;
    char *base = block_base(c->block - 1) + (size_t)w * 64 * c->size;
    if (dirty)
      sweep_zero_slots(c->block - 1, w, free);
    *(volatile uint32_t *)&c->word = w;
    atomic_signal_fence(memory_order_seq_cst);
    free = resv[w];
    if (!free)
      continue; /* given back by a collection before the store above */
    resv[w] = 0;
    *(char *volatile *)&c->word_base = base;
    atomic_signal_fence(memory_order_seq_cst);
    *(volatile uint64_t *)&c->remaining = free;
    return true;
  }
  return false;
}

/* A block of this kind and class with free slots, or NO_BLOCK.  With
 * `dirty` (thread cursors), a free block whose memory is dirty comes back
 * uncleared, *dirty set, and not yet announced to the barrier
 * (vm_block_acquired): the caller clears it without the lock and finishes
 * with block_cleared. */
static uint32_t acquire_block(unsigned kind, unsigned cls, bool *dirty) {
  uint32_t bi;
  while ((bi = sweep_pop_available(kind, cls)) != NO_BLOCK) {
    /* A compaction candidate gets no new objects (compact.c). */
    if (G->blocks[bi].allocated < G->blocks[bi].nslots &&
        !(G->blocks[bi].flags & BF_EVACUATE)) {
      generational_block_reused(bi);
      goto got;
    }
  }
  bi = dirty ? block_alloc_unzeroed(dirty) : block_alloc_run(1);
  if (bi == NO_BLOCK)
    return NO_BLOCK;
  block_init_small(bi, kind, cls);
  if (dirty && *dirty)
    G->blocks[bi].flags |= BF_NEEDS_ZEROING; /* its free slots are not zero (I2) */
  else
    vm_block_acquired(bi, 1);
got:
  G->blocks[bi].flags |= BF_OWNED;
  return bi;
}

/* Thread cursors set whole blocks aside unless every allocation must be
 * counted (stress mode). */
static bool cursor_reserves(const mutator *m, unsigned kind) {
  return m && kind < CURSOR_KINDS && !G->cfg.stress;
}

/* Lock held: give the cursor a word with free slots, one word at a time
 * (stress mode, shared cursors; m: the owner, NULL for a shared cursor). */
static bool cursor_refill(mutator *m, alloc_cursor *c, unsigned kind, unsigned cls) {
  GC_ASSERT(!cursor_reserves(m, kind));
  if (c->block) {
    uint32_t bi = c->block - 1, next = c->word + 1;
    c->remaining = 0;
    if (cursor_take_word(c, bi, next))
      return true;
    if (m)
      mutator_cursor_flush(m, c);
    else
      cursor_flush(c);
  }
  uint32_t bi = acquire_block(kind, cls, NULL);
  if (bi == NO_BLOCK)
    return false;
  if (cursor_take_word(c, bi, 0))
    return true;
  gc_fatal("block %u of class %u acquired with no free slot", bi, cls);
}

static alloc_cursor *cursor_for(mutator *m, unsigned kind, unsigned cls) {
  return kind < CURSOR_KINDS ? &m->cursors[kind][cls] : &G->shared_cursors[kind][cls];
}

void cursors_flush_all(void) {
  /* A thread stopped by signal may be inside the fast path or between two
   * words: its cursors stay, and their current words are roots
   * (stop_world.h); only what they set aside beyond is given back. */
  for (mutator *m = G->mutators; m; m = m->next) {
    if (m->stopped == MUTATOR_SIGNALED)
      mutator_cursors_release_stopped(m);
    else
      mutator_cursors_flush(m);
  }
  for (unsigned k = 0; k < NUM_KINDS; k++)
    for (unsigned c = 0; c < NUM_CLASSES; c++)
      cursor_flush(&G->shared_cursors[k][c]);
}

/* Lock held. */
static void *alloc_small_under_lock(mutator *m, size_t n, unsigned kind) {
  if (m)
    m->alloc_epoch = G->collections; /* generational.c counts who allocates */
  unsigned cls = size_class_of(n);
  alloc_cursor *c = cursor_for(m, kind, cls);
  mutator *owner = kind < CURSOR_KINDS ? m : NULL;
  void *p = cursor_take(c);
  if (p)
    return p;
  collect_if_due(gleaner_class_size[cls]);
  for (int attempt = 0; attempt < 2; attempt++) {
    if (cursor_refill(owner, c, kind, cls))
      return cursor_take(c);
    if (attempt == 0 && !G->disabled)
      collect_full_locked("heap limit reached");
  }
  return NULL;
}

typedef enum { RESERVE_FAILED, RESERVE_DONE, RESERVE_MUST_CLEAR } reserve_result;

/* Lock held: thread cursor c has no set-aside word left; give it a new
 * block (a collection may come first) and its first word.  Only that
 * word is zeroed under the lock (so the current word's untaken slots are
 * always zero, stop_world.h); the owner takes the others without it.
 * RESERVE_MUST_CLEAR: the block is a dirty free block, owned by c with
 * nothing allocated (flagged BF_NEEDS_ZEROING, so a collection or the
 * verifier meanwhile finds it consistent); the caller clears its 64 KiB
 * without the lock, then calls cursor_reserve_cleared. */
static reserve_result cursor_reserve_next(mutator *m, alloc_cursor *c, unsigned kind,
                                          unsigned cls) {
  collect_if_due(gleaner_class_size[cls]);
  for (int attempt = 0; attempt < 2; attempt++) {
    mutator_cursor_flush(m, c);
    bool dirty = false;
    uint32_t bi = acquire_block(kind, cls, &dirty);
    if (bi != NO_BLOCK) {
      if (dirty) {
        *c = (alloc_cursor){.word_base = block_base(bi),
                            .size = G->blocks[bi].obj_size,
                            .block = bi + 1};
        return RESERVE_MUST_CLEAR;
      }
      if (cursor_reserve_block(m, c, bi, kind, cls) && cursor_take_reserved(m, c, kind, cls))
        return RESERVE_DONE;
      gc_fatal("block %u of class %u acquired with no free slot", bi, cls);
    }
    if (attempt == 0 && !G->disabled)
      collect_full_locked("heap limit reached");
  }
  return RESERVE_FAILED;
}

/* Lock held: the owner has cleared c's block (RESERVE_MUST_CLEAR).
 * Nothing was allocated in it meanwhile (it is owned, and a collection
 * leaves a stopped thread's cursor alone), so every slot is free and
 * zero. */
static bool cursor_reserve_cleared(mutator *m, alloc_cursor *c, unsigned kind, unsigned cls) {
  uint32_t bi = c->block - 1;
  G->blocks[bi].flags &= ~BF_NEEDS_ZEROING;
  vm_block_acquired(bi, 1);
  if (cursor_reserve_block(m, c, bi, kind, cls) && cursor_take_reserved(m, c, kind, cls))
    return true;
  gc_fatal("cleared block %u of class %u has no free slot", bi, cls);
}

/* The locked part of a thread cursor's slow path: a new block set aside
 * and an object from its first word, or NULL. */
static void *cursor_new_block(mutator *m, alloc_cursor *c, unsigned kind, unsigned cls) {
  state_lock();
  m->alloc_epoch = G->collections; /* generational.c counts who allocates */
  reserve_result r = cursor_reserve_next(m, c, kind, cls);
  while (r == RESERVE_MUST_CLEAR) {
    uint32_t bi = c->block - 1;
    state_unlock();
    memset(block_base(bi), 0, BLOCK_SIZE); /* 64 KiB: not under the lock */
    state_lock();
    /* (The cursor still holds the block: only this thread changes it.) */
    r = c->block == bi + 1 && cursor_reserve_cleared(m, c, kind, cls)
            ? RESERVE_DONE
            : cursor_reserve_next(m, c, kind, cls);
  }
  void *p = r == RESERVE_DONE ? cursor_take(c) : NULL;
  state_unlock();
  return p;
}

void *alloc_small_locked(size_t n, unsigned kind) {
  return alloc_small_under_lock(mutator_current(), n, kind);
}

void *alloc_failed(const char *call, size_t n) {
  gc_oom_fn oom = G ? G->oom : NULL;
  if (oom) {
    void *p = oom(n);
    if (p)
      return p;
  }
  (void)call;
  errno = ENOMEM;
  return NULL;
}

/* A collection (or an incremental step) may come in this call: clear the
 * dead stack first (an unlocked, approximate test is enough here). */
static void clear_stack_if_collecting_soon(size_t n) {
  if (G->cfg.stress || G->bytes_since_gc + n > G->trigger_bytes / 2)
    stack_clear_dead();
}

void *alloc_small_slow(size_t n, unsigned kind) {
  finalize_safe_point(); /* outside the lock, before this allocation */
  ensure_init();
  mutator *m = mutator_current();
  if (cursor_reserves(m, kind)) {
    /* The next word of the block the cursor set aside, without the lock;
     * the lock only to set a new block aside. */
    unsigned cls = size_class_of(n);
    alloc_cursor *c = &m->cursors[kind][cls];
    if (cursor_take_reserved(m, c, kind, cls))
      return cursor_take(c);
    clear_stack_if_collecting_soon(n);
    void *p = cursor_new_block(m, c, kind, cls);
    return p ? p : alloc_failed("gc_alloc", n);
  }
  clear_stack_if_collecting_soon(n);
  state_lock();
  void *p = alloc_small_under_lock(m, n, kind);
  state_unlock();
  return p ? p : alloc_failed("gc_alloc", n);
}

static uint32_t large_run_blocks(size_t n) {
  return (uint32_t)((n + BLOCK_SIZE - 1) / BLOCK_SIZE);
}

static void large_init(uint32_t head, uint32_t run, unsigned kind) {
  block_meta *b = &G->blocks[head];
  b->state = BLOCK_LARGE_HEAD;
  b->kind = (uint8_t)kind;
  b->nslots = 1;
  b->run_blocks = run;
  b->allocated = 1;
  bit_set(G->bits[head].alloc, 0);
  if (allocating_black(kind)) {
    bit_set(G->bits[head].mark, 0);
    b->marked = 1;
  }
  for (uint32_t i = 1; i < run; i++) {
    G->blocks[head + i].state = BLOCK_LARGE_TAIL;
    G->blocks[head + i].head = head;
  }
}

static const char *alloc_call_name(unsigned kind) {
  switch (kind) {
  case KIND_ATOMIC: return "gc_alloc_atomic";
  case KIND_PRECISE: return "gc_alloc_typed";
  case KIND_UNCOLLECTABLE: return "gc_alloc_uncollectable";
  case KIND_ATOMIC_UNCOLLECTABLE: return "gc_alloc_atomic_uncollectable";
  default: return "gc_alloc";
  }
}

void *alloc_large(size_t n, unsigned kind) {
  finalize_safe_point(); /* outside the lock, before this allocation */
  ensure_init();
  if (n > G->heap_span) {
    gc_warnf("%s(%zu): request larger than the heap limit (%zu bytes)", alloc_call_name(kind),
             n, G->cfg.max_heap);
    return alloc_failed(alloc_call_name(kind), n);
  }
  if (n <= MAX_SMALL_SIZE) { /* uncollectable kinds come here when small */
    state_lock();
    void *p = alloc_small_locked(n, kind);
    state_unlock();
    return p ? p : alloc_failed("gc_alloc", n);
  }
  uint32_t run = large_run_blocks(n);
  (void)mutator_current();
  clear_stack_if_collecting_soon(n);
  state_lock();
  collect_if_due((size_t)run * BLOCK_SIZE);
  uint32_t head = block_alloc_run(run);
  if (head == NO_BLOCK && !G->disabled) {
    collect_full_locked("large allocation failed");
    head = block_alloc_run(run);
  }
  void *p = NULL;
  if (head != NO_BLOCK) {
    large_init(head, run, kind);
    vm_block_acquired(head, run);
    G->bytes_since_gc += (uint64_t)run * BLOCK_SIZE;
    G->allocated_bytes += (uint64_t)run * BLOCK_SIZE;
    p = pointer_held(block_base(head));
  }
  state_unlock();
  return p ? p : alloc_failed("gc_alloc", n);
}

void *gc_alloc(size_t n) { return alloc_inline(n, KIND_CONSERVATIVE); }
void *gc_alloc_atomic(size_t n) { return alloc_inline(n, KIND_ATOMIC); }
void *gc_alloc_uncollectable(size_t n) { return alloc_large(n, KIND_UNCOLLECTABLE); }
void *gc_alloc_atomic_uncollectable(size_t n) {
  return alloc_large(n, KIND_ATOMIC_UNCOLLECTABLE);
}

void *gc_calloc(size_t count, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) {
    ensure_init();
    gc_warnf("gc_calloc(%zu, %zu): size overflows", count, size);
    return alloc_failed("gc_calloc", SIZE_MAX);
  }
  return gc_alloc(n);
}

void *gc_alloc_aligned(size_t align, size_t n) {
  if (align == 0 || (align & (align - 1))) {
    ensure_init();
    gc_warnf("gc_alloc_aligned(%zu, %zu): alignment is not a power of two", align, n);
    errno = EINVAL;
    return NULL;
  }
  if (align <= GRANULE)
    return gc_alloc(n);
  /* Slots of a power-of-two class are aligned to their size within a
   * 64 KiB block; above that, a large run is block-aligned. */
  size_t need = n > align ? n : align;
  if (align > BLOCK_SIZE) {
    ensure_init();
    gc_warnf("gc_alloc_aligned(%zu, %zu): alignments above %zu bytes are not supported",
             align, n, BLOCK_SIZE);
    errno = EINVAL;
    return NULL;
  }
  if (need <= MAX_SMALL_SIZE) {
    size_t pow2 = 1;
    while (pow2 < need)
      pow2 <<= 1;
    return gc_alloc(pow2);
  }
  return alloc_large(need, KIND_CONSERVATIVE);
}
