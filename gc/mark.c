/*
 * mark.c — the mark loop: candidate pointer → object → mark bit → grey
 * stack, and the drain loop that scans grey objects.
 *
 * No recursion: the grey stack is explicit, grows by mremap, and work is
 * resumable (mark_drain takes a byte budget), so incremental slices and
 * parallel markers can reuse it.  Large objects are scanned in chunks of
 * SCAN_CHUNK so that one huge array does not make one huge step.
 *
 * Prefetching: entries popped from the grey stack pass through a small
 * FIFO; each object is prefetched on entry and scanned on exit, so the
 * memory latency of one object overlaps the scanning of the previous ones.
 *
 * Overflow: when a grey stack cannot grow (mmap/mremap fail), grey_grow
 * does what Boehm GC does on mark-stack overflow instead of giving up:
 * it discards the top entries (at least one free slot results, so the push
 * that asked for room proceeds unchanged) and raises `overflowed`.  Every
 * discarded entry is a range of a marked object (or of the unmarked
 * finalizable object finalize.c greys, which is alone on an empty stack
 * and popped first, never discarded), so nothing is lost for good: once
 * the stack is empty, recover_overflow() rescans every marked object of
 * the heap and drains again, until a rescan ends without overflow.  A
 * rescan round that overflows marked at least half a stack of new
 * objects (only newly marked objects fill the stack: the rescan drains
 * whenever it is half full), so the rounds end.  The stack of the
 * collecting thread falls back to a small static emergency stack when it
 * cannot be mapped at all.  The push path itself is unchanged: the check
 * is in grey_grow and after a drain that emptied the stack.
 *
 * Parallel marking (mark_parallel.c) runs the same loop in every marker
 * thread on a grey stack of its own: each inline function takes the grey
 * stack and a compile-time `atomic` flag.  The serial instantiation
 * (atomic = false, the global stack) is the code of a single marker, with
 * plain bit operations and per-block counters; the parallel one sets mark
 * and pin bits with atomic fetch-or (so two markers never both claim an
 * object) and leaves block_meta.marked to a recount after the drain
 * (mark_parallel.c), which avoids contended counters.
 */
#include "mark.h"
#include "mark_parallel.h"
#include "object_map.h"
#include "valgrind_support.h"
#include "compact.h"
#include <string.h>
#include <sys/mman.h>

#define SCAN_CHUNK ((uintptr_t)128 * 1024)  /* bounds one step at ~30 µs */
#define PREFETCH_DEPTH 8
#define PRECISE_TAG ((uintptr_t)1)

/* The grey stack of the collecting thread (marker 0). */
static grey_stack grey;

grey_stack *mark_main_stack(void) { return &grey; }

/* Overflow recovery (see the top of the file). */
/* The stack of last resort, 4 KiB.  It lies in a data segment, which is a
 * root: it is cleared whenever marking leaves it empty, so that it holds
 * no stale heap addresses between drains. */
#define EMERGENCY_ENTRIES 256
#define DISCARD_MAX 4096               /* entries dropped per failed growth */
static grey_entry emergency[EMERGENCY_ENTRIES];
static _Atomic int overflowed;         /* entries were dropped this cycle */
static uint64_t overflow_count;        /* growth failures, for the tests */
static uint64_t overflow_rescans;      /* heap rescans, for the tests */

/* Make room for one more entry on a full stack.  Returns true when the
 * stack grew; false when it could not, after discarding entries (then
 * count < capacity unless the stack has no memory at all: a helper
 * marker's stack whose first mapping failed). */
bool grey_grow(grey_stack *gs) {
  size_t old_bytes = gs->capacity * sizeof(grey_entry);
  size_t new_cap = gs->capacity ? gs->capacity * 2 : 65536;
  size_t new_bytes = new_cap * sizeof(grey_entry);
  void *p;
  if (gs->items == emergency) { /* static: copy out, never remap */
    p = mmap(NULL, new_bytes, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      memcpy(p, emergency, old_bytes);
      memset(emergency, 0, sizeof emergency);
    }
  } else {
    p = gs->items ? mremap(gs->items, old_bytes, new_bytes, MREMAP_MAYMOVE)
                  : mmap(NULL, new_bytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  if (GC_LIKELY(p != MAP_FAILED)) {
    gs->items = p;
    gs->capacity = new_cap;
    return true;
  }
  __atomic_fetch_add(&overflow_count, 1, __ATOMIC_RELAXED);
  atomic_store_explicit(&overflowed, 1, memory_order_relaxed);
  if (!gs->items && gs == &grey) {
    gs->items = emergency;
    gs->capacity = EMERGENCY_ENTRIES;
    return false;
  }
  size_t drop = gs->capacity / 8;
  if (drop > DISCARD_MAX)
    drop = DISCARD_MAX;
  if (drop == 0)
    drop = 1;
  gs->count -= drop < gs->count ? drop : gs->count;
  return false;
}

static inline void grey_push(grey_stack *gs, uintptr_t lo, uintptr_t hi) {
  if (GC_UNLIKELY(gs->count == gs->capacity))
    grey_grow(gs);
  gs->items[gs->count++] = (grey_entry){lo, hi};
}

/* Not empty while dropped entries wait for the rescan: callers that
 * stop marking on an empty stack must drain once more. */
bool mark_stack_empty(void) {
  return grey.count == 0 && !atomic_load_explicit(&overflowed, memory_order_relaxed);
}
uint64_t mark_bytes_scanned(void) { return grey.bytes_scanned; }

/* Set bit i; with `atomic`, true only for the one caller that set it. */
static inline bool claim_bit(uint64_t *bits, size_t i, bool atomic) {
  uint64_t mask = (uint64_t)1 << (i & 63);
  if (!atomic) {
    bits[i >> 6] |= mask;
    return true;
  }
  return !(__atomic_fetch_or(&bits[i >> 6], mask, __ATOMIC_RELAXED) & mask);
}

static inline void shade(grey_stack *gs, bool atomic, uint32_t bi, block_meta *b,
                         uint32_t slot, char *start, size_t size) {
  block_bits *bits = &G->bits[bi];
  if (!bit_test(bits->alloc, slot) || bit_test(bits->mark, slot))
    return;
  if (!claim_bit(bits->mark, slot, atomic))
    return;
  if (!atomic)
    b->marked++;
  else if (!__atomic_load_n(&G->count_stale[bi], __ATOMIC_RELAXED))
    __atomic_store_n(&G->count_stale[bi], 1, __ATOMIC_RELAXED); /* recounted later */
  if (!kind_is_scanned(b->kind))
    return;
  uintptr_t lo = (uintptr_t)start;
  grey_push(gs, b->kind == KIND_PRECISE ? lo | PRECISE_TAG : lo, lo + size);
}

static inline void pin(bool atomic, uint32_t bi, block_meta *b, uint32_t slot) {
  block_bits *bits = &G->bits[bi];
  if (!bit_test(bits->pin, slot) && bit_test(bits->alloc, slot) &&
      claim_bit(bits->pin, slot, atomic)) {
    if (atomic)
      __atomic_fetch_add(&b->pinned, 1, __ATOMIC_RELAXED);
    else
      b->pinned++;
  }
}

/* w is known to lie in the heap reservation. */
static inline void mark_candidate(grey_stack *gs, bool atomic, uintptr_t w,
                                  bool ambiguous) {
  uint32_t bi = block_index(w);
  block_meta *b = &G->blocks[bi];
  uint32_t slot;
  char *start;
  size_t size;
  if (GC_LIKELY(b->state == BLOCK_SMALL)) {
    slot = slot_of_offset((uint32_t)(w & (BLOCK_SIZE - 1)), b->recip);
    if (GC_UNLIKELY(slot >= b->nslots))
      return;
    start = block_base(bi) + (size_t)slot * b->obj_size;
    size = b->obj_size;
  } else {
    if (b->state == BLOCK_LARGE_TAIL) {
      bi = b->head;
      b = &G->blocks[bi];
    } else if (b->state != BLOCK_LARGE_HEAD) {
      return;
    }
    slot = 0;
    start = block_base(bi);
    size = large_size(b);
  }
  if (ambiguous && b->kind == KIND_PRECISE)
    pin(atomic, bi, b, slot);
  shade(gs, atomic, bi, b, slot, start, size);
}

/* Ambiguous words are read blind, redzones included: under AddressSanitizer
 * this loop is not instrumented (docs/diagnostics.md, "Sanitizers"). */
#if defined(__SANITIZE_ADDRESS__)
#define NO_ASAN __attribute__((no_sanitize("address")))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_ASAN __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef NO_ASAN
#define NO_ASAN
#endif

NO_ASAN static inline void mark_range_into(grey_stack *gs, bool atomic, const void *lo,
                                           const void *hi) {
  uintptr_t a = ((uintptr_t)lo + sizeof(void *) - 1) & ~(uintptr_t)(sizeof(void *) - 1);
  const uintptr_t heap_lo = G->heap_lo, span = G->heap_span;
  for (const uintptr_t *p = (const uintptr_t *)a; (const void *)(p + 1) <= hi; p++) {
    uintptr_t w = *p;
    if (w - heap_lo < span)
      mark_candidate(gs, atomic, w, true);
  }
}

static inline void mark_exact_into(grey_stack *gs, bool atomic, void **slot) {
  uintptr_t w = (uintptr_t)*slot;
  if (addr_in_heap(w)) {
    if (GC_UNLIKELY(G->blocks[block_index(w)].flags & BF_EVACUATE)) {
      /* the compactor rewrites it if w moves (its record is not
       * thread-safe: parallel markers serialize through a lock) */
      if (atomic)
        mark_parallel_record_slot(slot, w);
      else
        compact_record_slot(slot, w);
    }
    mark_candidate(gs, atomic, w, false);
  }
}

void mark_ambiguous_word(uintptr_t w) {
  if (addr_in_heap(w))
    mark_candidate(&grey, false, w, true);
}

/* Under valgrind every ambiguous root range (data segments and explicit
 * ranges, not only stacks) may hold words memcheck thinks uninitialised,
 * copied there by the program: read through a defined copy.  Heap objects
 * are scanned in place (scan_entry): copying each one perturbs the stack
 * enough to leave stale pointers in the collector's own frames.  Set by
 * mark_begin, once per cycle. */
static bool valgrind_mode;

static void mark_root_words(const void *lo, const void *hi) {
  mark_range_into(&grey, false, lo, hi);
}

void mark_ambiguous_range(const void *lo, const void *hi) {
  if (GC_UNLIKELY(valgrind_mode)) {
    valgrind_scan_copy(lo, hi, mark_root_words);
    return;
  }
  mark_range_into(&grey, false, lo, hi);
}

void mark_exact_slot(void **slot) { mark_exact_into(&grey, false, slot); }

typedef struct trace_bounds {
  char *lo, *hi;
  const gc_type *type;
  grey_stack *gs;
  bool atomic;
} trace_bounds;

static void visit_exact(void **slot, void *ctx) {
  trace_bounds *tb = ctx;
  if (GC_UNLIKELY((char *)slot < tb->lo || (char *)(slot + 1) > tb->hi)) {
    gc_warnf("trace function of type '%s' reported slot %p outside its object "
             "[%p, %p) (ignored)",
             tb->type->name ? tb->type->name : "?", (void *)slot, (void *)tb->lo,
             (void *)tb->hi);
    return;
  }
  mark_exact_into(tb->gs, tb->atomic, slot);
}

static inline void scan_bitmap(grey_stack *gs, bool atomic, const gc_type *t, void **user,
                               size_t words) {
  size_t period = t->bitmap_words * 64;
  for (size_t i = 0; i < words; i++) {
    size_t bit = i % period;
    if ((t->pointer_bitmap[bit / 64] >> (bit % 64)) & 1)
      mark_exact_into(gs, atomic, &user[i]);
  }
}

static inline void scan_precise(grey_stack *gs, bool atomic, char *start, char *end) {
  precise_header *h = (precise_header *)start;
  const gc_type *t = h->type;
  if (!t)
    return; /* slot being initialized by its allocator */
  char *user = start + PRECISE_HEADER;
  size_t user_size = h->user_size;
  if ((size_t)(end - user) < user_size)
    gc_fatal("precise object %p claims %zu bytes in a %zu-byte slot", (void *)user,
             user_size, (size_t)(end - user));
  if (t->trace) {
    trace_bounds tb = {user, user + user_size, t, gs, atomic};
    t->trace(user, visit_exact, &tb);
  } else if (t->pointer_bitmap && t->bitmap_words) {
    scan_bitmap(gs, atomic, t, (void **)user, user_size / sizeof(void *));
  }
}

static inline void scan_entry(grey_stack *gs, bool atomic, grey_entry e) {
  if (e.lo & PRECISE_TAG) {
    scan_precise(gs, atomic, (char *)(e.lo & ~PRECISE_TAG), (char *)e.hi);
    gs->bytes_scanned += e.hi - e.lo;
    return;
  }
  if (e.hi - e.lo > SCAN_CHUNK) {
    grey_push(gs, e.lo + SCAN_CHUNK, e.hi);
    e.hi = e.lo + SCAN_CHUNK;
  }
  mark_range_into(gs, atomic, (void *)e.lo, (void *)e.hi);
  gs->bytes_scanned += e.hi - e.lo;
}

static inline bool drain_stack(grey_stack *gs, bool atomic, size_t budget_bytes) {
  grey_entry fifo[PREFETCH_DEPTH];
  unsigned head = 0, filled = 0;
  uint64_t start = gs->bytes_scanned;
  while (gs->count || filled) {
    if (filled == 0 && gs->count == 1) {
      /* One entry and nothing in flight: a chain (a linked list) is
       * followed directly, not through the FIFO, whose prefetch has
       * nothing to overlap with here. */
      scan_entry(gs, atomic, gs->items[--gs->count]);
      if (gs->bytes_scanned - start >= budget_bytes)
        break;
      continue;
    }
    if (gs->count && filled < PREFETCH_DEPTH) {
      grey_entry e = gs->items[--gs->count];
      __builtin_prefetch((void *)(e.lo & ~PRECISE_TAG));
      fifo[(head + filled++) % PREFETCH_DEPTH] = e;
      continue;
    }
    grey_entry e = fifo[head];
    head = (head + 1) % PREFETCH_DEPTH;
    filled--;
    scan_entry(gs, atomic, e);
    if (gs->bytes_scanned - start >= budget_bytes)
      break;
  }
  /* Entries still in the FIFO go back to the stack: work is never lost. */
  while (filled) {
    grey_push(gs, fifo[head].lo, fifo[head].hi);
    head = (head + 1) % PREFETCH_DEPTH;
    filled--;
  }
  /* The FIFO is a dead stack area once we return; a later root scan could
   * read it through an uninitialised slot of a new frame. */
  __builtin_memset(fifo, 0, sizeof fifo);
  __asm__ volatile("" ::"r"(fifo) : "memory");
  return gs->count == 0;
}

static void push_object(uint32_t bi, block_meta *b, uint32_t slot) {
  uintptr_t lo = (uintptr_t)block_base(bi);
  size_t size;
  if (b->state == BLOCK_LARGE_HEAD) {
    size = large_size(b);
  } else {
    lo += (size_t)slot * b->obj_size;
    size = b->obj_size;
  }
  grey_push(&grey, b->kind == KIND_PRECISE ? lo | PRECISE_TAG : lo, lo + size);
}

/* Grey every marked object of block bi again, draining whenever the stack
 * is half full (so that only newly marked objects can fill it). */
static void rescan_block(uint32_t bi) {
  block_meta *b = &G->blocks[bi];
  const uint64_t *mark = G->bits[bi].mark;
  uint32_t words = (b->nslots + 63) / 64;
  for (uint32_t w = 0; w < words; w++) {
    for (uint64_t m = mark[w]; m; m &= m - 1) {
      uint32_t slot = w * 64 + (uint32_t)__builtin_ctzll(m);
      if (slot >= b->nslots)
        break;
      push_object(bi, b, slot);
      if (grey.count >= grey.capacity / 2)
        drain_stack(&grey, false, SIZE_MAX);
    }
  }
}

/* The stack is empty but entries were dropped: rescan the heap for marked
 * objects and re-push them (their unmarked children get marked) until a
 * round drops nothing.  Serial, world as the caller has it. */
static void recover_overflow(void) {
  while (atomic_exchange_explicit(&overflowed, 0, memory_order_relaxed)) {
    overflow_rescans++;
    for (uint32_t i = 0; i < G->high_water; i++) {
      block_meta *b = &G->blocks[i];
      if ((b->state == BLOCK_SMALL || b->state == BLOCK_LARGE_HEAD) &&
          kind_is_scanned(b->kind))
        rescan_block(i);
    }
    drain_stack(&grey, false, SIZE_MAX);
  }
}

static inline bool finish_drain(bool empty) {
  if (empty && GC_UNLIKELY(atomic_load_explicit(&overflowed, memory_order_relaxed)))
    recover_overflow();
  if (empty && GC_UNLIKELY(grey.items == emergency))
    memset(emergency, 0, sizeof emergency);
  return empty;
}

bool mark_drain(size_t budget_bytes) {
  /* A whole drain with the world stopped may use every marker. */
  if (budget_bytes == SIZE_MAX && mark_parallel_wanted(grey.count))
    return finish_drain(mark_parallel_drain());
  return finish_drain(drain_stack(&grey, false, budget_bytes));
}

/* The weakness pass drains once per ephemeron it settles: a parallel drain
 * costs a handshake and a recount of every block's marks, so a million
 * ephemerons would cost a million recounts.  Its drains stay here. */
bool mark_drain_serial(void) { return finish_drain(drain_stack(&grey, false, SIZE_MAX)); }

/* A helper's drain: overflow is recovered by marker 0 after the parallel
 * drain (mark_drain). */
bool mark_drain_shared(grey_stack *gs, size_t budget_bytes) {
  return drain_stack(gs, true, budget_bytes);
}

uint64_t mark_overflow_count(void) { return overflow_count; }
uint64_t mark_overflow_rescans(void) { return overflow_rescans; }

void mark_push_range(uintptr_t lo, uintptr_t hi) { grey_push(&grey, lo, hi); }

void mark_scan_object(uint32_t bi, uint32_t slot) {
  block_meta *b = &G->blocks[bi];
  if (kind_is_scanned(b->kind))
    push_object(bi, b, slot);
}

/* Uncollectable objects are roots: every allocated one is marked and
 * scanned at the start of each cycle. */
static void shade_uncollectable(const object_ref *r, void *unused) {
  (void)unused;
  shade(&grey, false, r->block, &G->blocks[r->block], r->slot, r->start, r->size);
}

static void mark_uncollectable(void) {
  for_each_uncollectable(G->high_water, shade_uncollectable, NULL);
}

void mark_begin(void) {
  valgrind_mode = running_on_valgrind();
  grey.count = 0;
  atomic_store_explicit(&overflowed, 0, memory_order_relaxed);
  mark_parallel_cycle_begin();
  if (!grey.capacity)
    grey_grow(&grey);
  mark_uncollectable();
}
