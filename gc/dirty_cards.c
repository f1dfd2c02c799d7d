/*
 * dirty_cards.c — the dirty set and the explicit write barrier.
 *
 * A card is 4 KiB (one page, so the virtual-memory barrier's pages map to
 * cards one to one).  During a cycle, a card is dirty when something may
 * have stored a pointer into it after the marker scanned it.  Rescanning
 * re-greys every marked object that overlaps the card (for large
 * conservative objects only the card's words), which restores the
 * tri-color invariant for those stores (mark.h).
 *
 * The explicit barrier is therefore a card-marking insertion barrier:
 * gc_write_barrier(obj, slot, value) dirties the card of the slot when
 * the value may be white (Dijkstra's insertion barrier, with the shading
 * deferred to a card rescan).  It is called after the store (GC_STORE):
 * a rescan running concurrently in another thread's slice takes the card
 * either before the barrier sets it (then it is rescanned again later) or
 * after, when the store is visible.  Called before the store, a rescan in
 * between would see the old value and leave the card clean.  Why card
 * marking rather than shading the value: the same dirty set then serves
 * both barriers, and the card is a shift and a byte store, with no grey
 * stack shared with the marker on the mutator's path.
 */
#include "dirty_cards.h"
#include "mark.h"
#include "object_map.h"
#include "vm_barrier.h"
#include <string.h>
#include <sys/mman.h>

/* A byte per card of the reservation (1: dirty), read 8 at a time by the
 * rescan: a byte can be set with a plain store, where a bit needs an
 * atomic read-modify-write (a locked instruction on every barrier call
 * that dirties a card; other bits of the word may be set concurrently). */
static uint8_t *cards;
static size_t card_words; /* 8-card words */

bool dirty_cards_init(void) {
  if (cards)
    return true; /* incremental marking and minor collections share it */
  size_t ncards = G->heap_span >> CARD_SHIFT;
  card_words = ncards / 8 + 1;
  void *p = mmap(NULL, card_words * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  cards = p == MAP_FAILED ? NULL : p;
  return cards != NULL;
}

/* A release store, and no test first.  gc_write_barrier runs after the
 * program's store, and stores are not reordered with earlier stores: a
 * rescan that takes the card concurrently (an exchange, then it reads the
 * slots) either sees the new value or leaves behind a card this store
 * sets again.  A load testing the card first could pass the program's
 * store, see a card about to be taken, and skip it. */
static inline void card_set(size_t card) { __atomic_store_n(&cards[card], 1, __ATOMIC_RELEASE); }

static inline uint64_t card_word(size_t w) {
  return __atomic_load_n((uint64_t *)(cards + w * 8), __ATOMIC_RELAXED);
}

void dirty_cards_mark_range(uintptr_t lo, uintptr_t hi) {
  if (hi <= G->heap_lo)
    return;
  if (lo < G->heap_lo)
    lo = G->heap_lo;
  for (size_t c = (lo - G->heap_lo) >> CARD_SHIFT; c < ((hi - G->heap_lo + CARD_SIZE - 1) >> CARD_SHIFT); c++)
    card_set(c);
}

/* Words of cards up to the heap's high water. */
static size_t used_card_words(void) {
  size_t used = ((size_t)G->high_water * (BLOCK_SIZE >> CARD_SHIFT) + 7) / 8;
  return used < card_words ? used : card_words;
}

void dirty_cards_clear_all(void) { memset(cards, 0, used_card_words() * sizeof(uint64_t)); }

/* Whether storing value can make a black-to-white edge (or a reference
 * the compactor must fix).  A value that is
 * not a heap object, or is already marked (grey or black), needs no card:
 * the rescan would only shade it, and shading a marked object does
 * nothing.  Objects allocated during a cycle are marked, so initializing
 * stores into new objects (tree building) dirty no cards at all.  Mark bits
 * only go from 0 to 1 during a cycle, so a stale read errs towards a card. */
static bool value_needs_card(const void *value) {
  object_ref r;
  if (!slot_find((uintptr_t)value, &r))
    return false;
  /* A reference to an object the compactor will move must be found by a
   * rescan, which records the slot for the fix-up (compact.c). */
  if (G->blocks[r.block].flags & BF_EVACUATE)
    return true;
  uint64_t word = __atomic_load_n(&G->bits[r.block].mark[r.slot / 64], __ATOMIC_RELAXED);
  return !(word >> (r.slot % 64) & 1);
}

/* Not cold: during a cycle it runs at every store GC_STORE makes.  The
 * declaration in gleaner.h is cold so that callers keep their stores on
 * the straight path; a cold definition would be compiled for size, with
 * slot_find called out of line (measured: a third of the barrier's time
 * on GCBench). */
static __attribute__((noinline)) void record_store(void *obj, void **slot, void *value) {
  if (!gc_barrier_active || !cards || !value_needs_card(value))
    return;
  uintptr_t at = (uintptr_t)slot;
  if (!addr_in_heap(at)) {
    at = (uintptr_t)obj; /* a slot outside the heap is a root: rescanned anyway */
    if (!addr_in_heap(at))
      return;
  }
  card_set((at - G->heap_lo) >> CARD_SHIFT);
}

void gc_write_barrier(void *obj, void **slot, void *value) { record_store(obj, slot, value); }

/* Re-grey the marked objects overlapping card [lo, lo + CARD_SIZE);
 * returns the bytes re-greyed. */
static size_t rescan_card(uintptr_t lo) {
  uint32_t bi = block_index(lo);
  block_meta *b = &G->blocks[bi];
  if (b->state == BLOCK_LARGE_TAIL) {
    bi = b->head;
    b = &G->blocks[bi];
  }
  /* The mark bits decide, not block_meta.marked: after a parallel slice
   * the counts lag behind the bits until the cycle's end. */
  if (!kind_is_scanned(b->kind))
    return 0;
  block_bits *bits = &G->bits[bi];
  if (b->state == BLOCK_LARGE_HEAD) {
    if (!bit_test(bits->mark, 0))
      return 0;
    if (b->kind == KIND_PRECISE) {
      mark_scan_object(bi, 0);
      return (size_t)b->run_blocks * BLOCK_SIZE;
    }
    mark_push_range(lo, lo + CARD_SIZE);
    return CARD_SIZE;
  }
  if (b->state != BLOCK_SMALL)
    return 0;
  uint32_t off = (uint32_t)(lo & (BLOCK_SIZE - 1));
  uint32_t first = slot_of_offset(off, b->recip);
  uint32_t last = slot_of_offset(off + CARD_SIZE - 1, b->recip);
  if (last >= b->nslots)
    last = b->nslots - 1;
  size_t bytes = 0;
  /* A word of the bitmap at a time: most cards of a minor collection are
   * in blocks allocated since the last one, with nothing marked. */
  for (uint32_t w = first / 64; w <= last / 64; w++) {
    uint64_t m = bits->mark[w];
    if (w == first / 64)
      m &= ~(uint64_t)0 << (first % 64);
    if (w == last / 64 && last % 64 != 63)
      m &= ((uint64_t)1 << (last % 64 + 1)) - 1;
    for (; m; m &= m - 1) {
      mark_scan_object(bi, w * 64 + (uint32_t)__builtin_ctzll(m));
      bytes += b->obj_size;
    }
  }
  return bytes;
}

bool dirty_cards_rescan_step(size_t *cursor, size_t max_cards, size_t *bytes) {
  size_t used = used_card_words();
  size_t done = 0, w = *cursor, regreyed = 0;
  for (; w < used && done < max_cards; w++) {
    if (!card_word(w))
      continue;
    for (size_t card = w * 8; card < w * 8 + 8; card++) {
      /* Taken before the slots are read (the exchange is a full fence). */
      if (!__atomic_load_n(&cards[card], __ATOMIC_RELAXED) ||
          !__atomic_exchange_n(&cards[card], 0, __ATOMIC_SEQ_CST))
        continue;
      uintptr_t lo = G->heap_lo + (card << CARD_SHIFT);
      vm_rearm_card(lo); /* before the rescan: later writes must trap again */
      regreyed += rescan_card(lo);
      done++;
    }
  }
  *bytes += regreyed;
  *cursor = w < used ? w : 0;
  return w >= used;
}

size_t dirty_cards_rescan(void) {
  size_t cursor = 0, bytes = 0;
  dirty_cards_rescan_step(&cursor, SIZE_MAX, &bytes);
  return bytes;
}
