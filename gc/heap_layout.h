/*
 * heap_layout.h — the nouns of the collector, their invariants, and the
 * pointer → metadata arithmetic.  Read this first.
 *
 * Glossary
 *   reservation  One contiguous range of virtual memory [heap_lo, heap_hi),
 *                mapped PROT_NONE at start-up and committed block by block.
 *                "Is this word a heap address?" is one subtract and compare.
 *   block        BLOCK_SIZE bytes (64 KiB), aligned.  Its metadata lives out
 *                of band in G->blocks[index] and G->bits[index]; nothing of
 *                the collector lives inside user memory.
 *   small block  Holds slots of one size class and one object kind.
 *   large run    An object above MAX_SMALL_SIZE takes a run of whole blocks;
 *                the head block describes it, tail blocks point at the head.
 *   slot         One object position in a small block; slot i starts at
 *                block_base + i * obj_size.  Slot from offset: reciprocal
 *                multiply (offset * recip >> 32), exact for all offsets of a
 *                block (checked exhaustively by tests/test_size_classes.c).
 *   kind         What the collector does with an object's words:
 *                conservative (scan every word), atomic (never scan),
 *                precise (trace exact slots through its gc_type; may move),
 *                uncollectable (scan, never reclaim), atomic-uncollectable.
 *   alloc bits   Per slot: 1 = allocated (live or not yet proven dead).
 *   mark bits    Per slot: 1 = marked in the current/last cycle.
 *
 * Invariants
 *   I1. A slot whose alloc bit is 0 is never scanned and never marked.
 *   I2. After marking, every reachable object has its mark bit set; blocks
 *       are then "flipped" (alloc := mark) eagerly in O(blocks) and their
 *       dead slots are zeroed lazily, when an allocator takes the block
 *       (sweep.c).  So memory handed out is always zero.
 *   I3. A slot handed out by a thread allocator but not yet recorded in the
 *       alloc bits exists only between a fast-path allocation and the next
 *       flush of that allocator; every collection flushes all allocators
 *       first (alloc.c).
 *   I4. Tail blocks of a large run have state BLOCK_LARGE_TAIL and
 *       `head` = index of the head block; only the head has bits.
 */
#ifndef GLEANER_HEAP_LAYOUT_H
#define GLEANER_HEAP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK_SHIFT 16
#define BLOCK_SIZE ((size_t)1 << BLOCK_SHIFT)
#define GRANULE_SHIFT 4
#define GRANULE 16
#define SLOTS_MAX (BLOCK_SIZE / GRANULE)      /* 4096 slots of 16 bytes */
#define BITMAP_WORDS (SLOTS_MAX / 64)         /* 64 words per bitmap */
/* Objects up to 32 KiB share blocks (at least two per block); above that a
 * run of blocks wastes at most one block's tail. */
#define MAX_SMALL_SIZE ((size_t)32768)
#define NUM_SIZE_CLASSES 48

_Static_assert((BLOCK_SIZE & (BLOCK_SIZE - 1)) == 0, "block size is a power of two");
_Static_assert(SLOTS_MAX % 64 == 0, "bitmaps are whole words");

typedef enum block_state {
  BLOCK_FREE = 0,     /* in the block pool */
  BLOCK_SMALL,
  BLOCK_LARGE_HEAD,
  BLOCK_LARGE_TAIL,
} block_state;

typedef enum object_kind_enum {
  KIND_CONSERVATIVE = 0,
  KIND_ATOMIC,
  KIND_PRECISE,
  KIND_UNCOLLECTABLE,
  KIND_ATOMIC_UNCOLLECTABLE,
  NUM_KINDS
} object_kind_t;

static inline bool kind_is_scanned(unsigned kind) {
  return kind != KIND_ATOMIC && kind != KIND_ATOMIC_UNCOLLECTABLE;
}
static inline bool kind_is_uncollectable(unsigned kind) {
  return kind == KIND_UNCOLLECTABLE || kind == KIND_ATOMIC_UNCOLLECTABLE;
}

/* Block flags. */
#define BF_OWNED 1u        /* taken by a thread allocator */
#define BF_LISTED 2u       /* on its class's available list */
#define BF_DIRTY_FREE 4u   /* free block whose memory is not known to be zero */
#define BF_DECOMMITTED 8u  /* free block whose pages were returned to the OS */
#define BF_NEEDS_ZEROING 16u /* small block whose dead slots are not yet zeroed */
#define BF_EVACUATE 32u    /* compaction candidate this cycle */

/* Out-of-band metadata of one block.  Hot fields first: the marker reads
 * state, kind, obj_size, recip and nslots for every candidate pointer. */
typedef struct block_meta {
  uint8_t state;
  uint8_t kind;
  uint8_t size_class;
  uint8_t flags;
  uint32_t obj_size;   /* small: class size; large head: bytes in the run */
  uint32_t recip;      /* ceil(2^32 / obj_size) for small blocks */
  uint32_t nslots;     /* small: slots in the block; large head: 1 */
  uint32_t marked;     /* slots marked in the current cycle */
  uint32_t allocated;  /* slots with the alloc bit set (after a flip) */
  uint32_t run_blocks; /* large head: number of blocks in the run */
  uint32_t head;       /* large tail: index of the head block */
  uint32_t next;       /* list link (block index + 1; 0 ends the list) */
  uint32_t pinned;     /* slots pinned this cycle (compaction) */
} block_meta;

typedef struct block_bits {
  uint64_t alloc[BITMAP_WORDS];
  uint64_t mark[BITMAP_WORDS];
  uint64_t pin[BITMAP_WORDS];   /* ambiguously referenced this cycle */
} block_bits;

static inline bool bit_test(const uint64_t *bits, size_t i) {
  return (bits[i >> 6] >> (i & 63)) & 1;
}
static inline void bit_set(uint64_t *bits, size_t i) {
  bits[i >> 6] |= (uint64_t)1 << (i & 63);
}
static inline void bit_clear(uint64_t *bits, size_t i) {
  bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* Slot index of a byte offset inside a small block. */
static inline uint32_t slot_of_offset(uint32_t offset, uint32_t recip) {
  return (uint32_t)(((uint64_t)offset * recip) >> 32);
}

#endif /* GLEANER_HEAP_LAYOUT_H */
