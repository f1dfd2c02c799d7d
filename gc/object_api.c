/*
 * object_api.c — public operations on one object: gc_base, gc_size,
 * gc_free, gc_realloc.  Bad input (foreign, interior, freed pointers) is
 * reported through the warn handler, naming the call and the address, and
 * changes nothing.
 */
#include "alloc.h"
#include "block_pool.h"
#include "collect.h"
#include "finalize.h"
#include <errno.h>
#include <string.h>

void *gc_base(const void *p) {
  ensure_init();
  object_ref r;
  if (!object_find((uintptr_t)p, &r))
    return NULL;
  return object_user_start(&r);
}

size_t gc_size(const void *p) {
  ensure_init();
  object_ref r;
  if (!object_find((uintptr_t)p, &r))
    return 0;
  return object_user_size(&r);
}

/* Lock held.  Why p is not an object start, or NULL when it is one. */
static const char *check_object_start(const char *call, const void *p, object_ref *r) {
  if (!slot_find((uintptr_t)p, r)) {
    gc_warnf("%s(%p): not a heap object (ignored)", call, p);
    return "foreign";
  }
  if (!slot_is_allocated(r)) {
    gc_warnf("%s(%p): object is not allocated: double free or dangling pointer (ignored)",
             call, p);
    return "free";
  }
  if ((const char *)p != object_user_start(r)) {
    gc_warnf("%s(%p): interior pointer; the object starts at %p (ignored)", call, p,
             (void *)object_user_start(r));
    return "interior";
  }
  return NULL;
}

/* Lock held. */
static void free_object(object_ref *r) {
  block_meta *b = &G->blocks[r->block];
  if (b->state == BLOCK_LARGE_HEAD) {
    block_free_run(r->block, b->run_blocks);
    return;
  }
  /* Zero now: freed memory must not leak into the next object. */
  memset(r->start, 0, r->size);
  bit_clear(G->bits[r->block].alloc, r->slot);
  if (bit_test(G->bits[r->block].mark, r->slot)) {
    /* Atomic: background markers may be setting other bits of the word. */
    __atomic_fetch_and(&G->bits[r->block].mark[r->slot / 64], ~((uint64_t)1 << (r->slot % 64)),
                       __ATOMIC_RELAXED);
    b->marked--;
  }
  b->allocated--;
}

void gc_free(void *p) {
  if (!p)
    return;
  ensure_init();
  object_ref r;
  state_lock();
  if (!check_object_start("gc_free", p, &r)) {
    finalize_object_freed(p); /* a reused slot must not inherit it */
    free_object(&r);
  }
  state_unlock();
}

static void *alloc_of_kind(unsigned kind, size_t n, const gc_type *type) {
  switch (kind) {
  case KIND_ATOMIC: return gc_alloc_atomic(n);
  case KIND_PRECISE: return gc_alloc_typed(type, n);
  case KIND_UNCOLLECTABLE: return gc_alloc_uncollectable(n);
  case KIND_ATOMIC_UNCOLLECTABLE: return gc_alloc_atomic_uncollectable(n);
  default: return gc_alloc(n);
  }
}

void *gc_realloc(void *p, size_t n) {
  if (!p)
    return gc_alloc(n);
  if (n == 0) {
    gc_free(p);
    return NULL;
  }
  ensure_init();
  if (n > G->heap_span) {
    gc_warnf("gc_realloc(%p, %zu): request larger than the heap limit (%zu bytes); "
             "the object is unchanged", p, n, G->cfg.max_heap);
    return alloc_failed("gc_realloc", n);
  }
  object_ref r;
  state_lock();
  const char *bad = check_object_start("gc_realloc", p, &r);
  unsigned kind = bad ? 0 : object_kind(&r);
  size_t old = bad ? 0 : object_user_size(&r);
  const gc_type *type = kind == KIND_PRECISE ? ((precise_header *)r.start)->type : NULL;
  state_unlock();
  if (bad) {
    errno = EINVAL;
    return NULL;
  }
  /* Shrinking in place (to no less than half): clear the tail so stale
   * pointers there retain nothing. */
  if (n <= old && n >= old / 2) {
    memset((char *)p + n, 0, old - n);
    if (kind == KIND_PRECISE)
      ((precise_header *)r.start)->user_size = n;
    return p;
  }
  void *q = alloc_of_kind(kind, n, type);
  if (!q)
    return NULL;
  memcpy(q, p, n < old ? n : old);
  gc_free(p);
  return q;
}
