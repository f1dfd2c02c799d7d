/*
 * object_map.h — address → object, the question asked for every candidate
 * pointer: heap range test, block, state, slot by reciprocal multiply,
 * alloc bit.  Interior pointers map to their object.
 */
#ifndef GLEANER_OBJECT_MAP_H
#define GLEANER_OBJECT_MAP_H
#include "gc_state.h"

/* Precise objects carry this header in front of the user's bytes. */
typedef struct precise_header {
  const gc_type *type;
  uint64_t user_size;   /* bytes requested; the slot may be larger */
} precise_header;
#define PRECISE_HEADER ((size_t)sizeof(precise_header))
_Static_assert(sizeof(precise_header) == GRANULE, "header keeps user data 16-aligned");

typedef struct object_ref {
  uint32_t block;   /* head block of the object */
  uint32_t slot;    /* slot index (0 for large objects) */
  char *start;      /* first byte of the slot */
  size_t size;      /* bytes of the slot */
} object_ref;

static inline size_t large_size(const block_meta *b) {
  return (size_t)b->run_blocks * BLOCK_SIZE;
}

/* The slot containing a (allocated or not); false outside objects. */
static inline bool slot_find(uintptr_t a, object_ref *out) {
  if (!addr_in_heap(a))
    return false;
  uint32_t bi = block_index(a);
  block_meta *b = &G->blocks[bi];
  switch (b->state) {
  case BLOCK_SMALL: {
    uint32_t slot = slot_of_offset((uint32_t)(a & (BLOCK_SIZE - 1)), b->recip);
    if (slot >= b->nslots)
      return false;
    *out = (object_ref){bi, slot, block_base(bi) + (size_t)slot * b->obj_size, b->obj_size};
    return true;
  }
  case BLOCK_LARGE_TAIL:
    bi = b->head;
    b = &G->blocks[bi];
    /* fall through */
  case BLOCK_LARGE_HEAD:
    *out = (object_ref){bi, 0, block_base(bi), large_size(b)};
    return true;
  default:
    return false;
  }
}

static inline bool slot_is_allocated(const object_ref *r) {
  return bit_test(G->bits[r->block].alloc, r->slot);
}

/* The allocated object containing a, or false. */
static inline bool object_find(uintptr_t a, object_ref *out) {
  return slot_find(a, out) && slot_is_allocated(out);
}

/* fn(r, ctx) for every allocated object of an uncollectable kind in
 * blocks [0, nblocks): they are roots of themselves (mark.c, heap_walk.c). */
static inline void for_each_uncollectable(uint32_t nblocks,
                                          void (*fn)(const object_ref *r, void *ctx),
                                          void *ctx) {
  for (uint32_t i = 0; i < nblocks; i++) {
    const block_meta *b = &G->blocks[i];
    if ((b->state != BLOCK_SMALL && b->state != BLOCK_LARGE_HEAD) ||
        !kind_is_uncollectable(b->kind))
      continue;
    bool large = b->state == BLOCK_LARGE_HEAD;
    for (uint32_t s = 0; s < b->nslots; s++) {
      if (!bit_test(G->bits[i].alloc, s))
        continue;
      object_ref r = {i, s, large ? block_base(i) : block_base(i) + (size_t)s * b->obj_size,
                      large ? large_size(b) : b->obj_size};
      fn(&r, ctx);
    }
  }
}

static inline unsigned object_kind(const object_ref *r) {
  return G->blocks[r->block].kind;
}

/* The address the user sees (after the header for precise objects). */
static inline char *object_user_start(const object_ref *r) {
  return object_kind(r) == KIND_PRECISE ? r->start + PRECISE_HEADER : r->start;
}
static inline size_t object_user_size(const object_ref *r) {
  return object_kind(r) == KIND_PRECISE ? r->size - PRECISE_HEADER : r->size;
}
#endif
