/*
 * alloc.c — allocation slow paths: refilling cursors from blocks, large
 * objects, and the public allocation entry points.
 *
 * A cursor owns one block (BF_OWNED) and one bitmap word of it at a time.
 * Taking a word sets the alloc bits of all its free slots at once (and
 * their mark bits while a cycle is marking: allocation is black), so every
 * handed-out object is recorded before it exists; flushing a cursor clears
 * the bits of the slots it did not hand out.
 */
#include "alloc.h"
#include "block_pool.h"
#include "collect.h"
#include "sweep.h"
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

void cursor_flush(alloc_cursor *c) {
  if (!c->block)
    return;
  uint32_t bi = c->block - 1;
  block_meta *b = &G->blocks[bi];
  block_bits *bits = &G->bits[bi];
  if (c->remaining) {
    unsigned unused = (unsigned)__builtin_popcountll(c->remaining);
    bits->alloc[c->word] &= ~c->remaining;
    if (bits->mark[c->word] & c->remaining) {
      bits->mark[c->word] &= ~c->remaining;
      b->marked -= unused;
    }
    b->allocated -= unused;
    G->bytes_since_gc -= (uint64_t)unused * c->size;
    G->allocated_bytes -= (uint64_t)unused * c->size;
  }
  b->flags &= ~BF_OWNED;
  sweep_block_released(bi);
  *c = (alloc_cursor){0};
}

/* Take the next bitmap word with free slots, from word `from` on. */
static bool cursor_take_word(alloc_cursor *c, uint32_t bi, uint32_t from) {
  block_meta *b = &G->blocks[bi];
  block_bits *bits = &G->bits[bi];
  uint32_t words = (b->nslots + 63) / 64;
  for (uint32_t w = from; w < words; w++) {
    uint64_t free = ~bits->alloc[w] & word_valid_mask(b, w);
    if (!free)
      continue;
    if (G->cfg.stress)
      free &= -free; /* one object per take: every allocation is counted */
    if (b->flags & BF_NEEDS_ZEROING)
      sweep_zero_slots(bi, w, free);
    bits->alloc[w] |= free;
    unsigned count = (unsigned)__builtin_popcountll(free);
    if (gleaner_marking) {
      bits->mark[w] |= free;
      b->marked += count;
    }
    b->allocated += count;
    G->bytes_since_gc += (uint64_t)count * b->obj_size;
    G->allocated_bytes += (uint64_t)count * b->obj_size;
    *c = (alloc_cursor){.remaining = free,
                        .word_base = block_base(bi) + (size_t)w * 64 * b->obj_size,
                        .size = b->obj_size,
                        .block = bi + 1,
                        .word = w};
    return true;
  }
  return false;
}

/* A block of this kind and class with free slots, or NO_BLOCK. */
static uint32_t acquire_block(unsigned kind, unsigned cls) {
  uint32_t bi;
  while ((bi = sweep_pop_available(kind, cls)) != NO_BLOCK) {
    /* A compaction candidate gets no new objects (compact.c). */
    if (G->blocks[bi].allocated < G->blocks[bi].nslots &&
        !(G->blocks[bi].flags & BF_EVACUATE))
      goto got;
  }
  bi = block_alloc_run(1);
  if (bi == NO_BLOCK)
    return NO_BLOCK;
  block_init_small(bi, kind, cls);
  vm_block_acquired(bi, 1);
got:
  G->blocks[bi].flags |= BF_OWNED;
  return bi;
}

static bool cursor_refill(alloc_cursor *c, unsigned kind, unsigned cls) {
  if (c->block) {
    uint32_t bi = c->block - 1, next = c->word + 1;
    c->remaining = 0;
    if (cursor_take_word(c, bi, next))
      return true;
    cursor_flush(c);
  }
  uint32_t bi = acquire_block(kind, cls);
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
  /* A thread stopped by signal may be inside the fast path: its cursors
   * stay, and their current words are roots (stop_world.h). */
  for (mutator *m = G->mutators; m; m = m->next)
    if (m->stopped != MUTATOR_SIGNALED)
      for (unsigned k = 0; k < CURSOR_KINDS; k++)
        for (unsigned c = 0; c < NUM_CLASSES; c++)
          cursor_flush(&m->cursors[k][c]);
  for (unsigned k = 0; k < NUM_KINDS; k++)
    for (unsigned c = 0; c < NUM_CLASSES; c++)
      cursor_flush(&G->shared_cursors[k][c]);
}

/* Lock held. */
static void *alloc_small_under_lock(mutator *m, size_t n, unsigned kind) {
  unsigned cls = size_class_of(n);
  alloc_cursor *c = cursor_for(m, kind, cls);
  void *p = cursor_take(c);
  if (p)
    return p;
  collect_if_due(gleaner_class_size[cls]);
  for (int attempt = 0; attempt < 2; attempt++) {
    if (cursor_refill(c, kind, cls))
      return cursor_take(c);
    if (attempt == 0 && !G->disabled)
      collect_full_locked("heap limit reached");
  }
  return NULL;
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
  if (gleaner_marking) {
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
