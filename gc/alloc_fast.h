/*
 * alloc_fast.h — the allocation fast path (the collector's hottest code).
 *
 * A small allocation is: thread-local record → size class (one table
 * load) → cursor → take the lowest set bit of `remaining` → slot address.
 * About 15 instructions, no lock, no atomic, one predictable branch to the
 * noinline slow path when the cursor's word is exhausted (at most once per
 * 64 allocations) or the size is large.  Measured by bench (callgrind).
 *
 * The slots are already zero (sweep.c zeroes dead slots when a cursor
 * takes their bitmap word), and their alloc bits are already set (the
 * cursor sets them for the whole word when it takes it), so an object is
 * complete the moment it is returned.
 */
#ifndef GLEANER_ALLOC_FAST_H
#define GLEANER_ALLOC_FAST_H

#include "mutator.h"

/* Slow paths (alloc.c). */
void *alloc_small_slow(size_t n, unsigned kind) __attribute__((noinline));
void *alloc_large(size_t n, unsigned kind) __attribute__((noinline));

static inline void *cursor_take(alloc_cursor *c) {
  uint64_t r = c->remaining;
  if (GC_UNLIKELY(r == 0))
    return NULL;
  c->remaining = r & (r - 1);
  return c->word_base + (size_t)__builtin_ctzll(r) * c->size;
}

static inline void *alloc_inline(size_t n, unsigned kind) {
  if (GC_LIKELY(n <= MAX_SMALL_SIZE)) {
    alloc_cursor *c = &gleaner_self->cursors[kind][size_class_of(n)];
    uint64_t r = c->remaining;
    if (GC_LIKELY(r != 0)) {
      c->remaining = r & (r - 1);
      return c->word_base + (size_t)(unsigned)__builtin_ctzll(r) * c->size;
    }
    return alloc_small_slow(n, kind);
  }
  return alloc_large(n, kind);
}
#endif
