/*
 * liveness.c — marking helpers for finalization and weakness (see
 * liveness.h for the preconditions).
 *
 * live_mark_contents pushes an object's words on the grey stack without
 * setting its mark bit; mark_drain then treats them like any grey object.
 * The ignore-self variant scans the words itself, so that a pointer into
 * the object (a self-reference) does not make it reachable.
 */
#include "liveness.h"
#include "mark.h"

void live_mark(void *p) {
  void *slot = p;
  mark_exact_slot(&slot);
}

void *live_object_start(const void *p) {
  object_ref r;
  if (!object_find((uintptr_t)p, &r))
    return NULL;
  return object_user_start(&r);
}

typedef struct self_bounds { uintptr_t lo, hi; } self_bounds;

static void visit_not_self(void **slot, void *ctx) {
  const self_bounds *b = ctx;
  uintptr_t w = (uintptr_t)*slot;
  if (w - b->lo >= b->hi - b->lo)
    mark_exact_slot(slot);
}

static void precise_not_self(object_ref *r, self_bounds *b) {
  precise_header *h = (precise_header *)r->start;
  const gc_type *t = h->type;
  if (!t)
    return;
  void **user = (void **)(r->start + PRECISE_HEADER);
  size_t words = h->user_size / sizeof(void *);
  if (t->trace) {
    t->trace(user, visit_not_self, b);
  } else if (t->pointer_bitmap && t->bitmap_words) {
    size_t period = t->bitmap_words * 64;
    for (size_t i = 0; i < words; i++) {
      size_t bit = i % period;
      if ((t->pointer_bitmap[bit / 64] >> (bit % 64)) & 1)
        visit_not_self(&user[i], b);
    }
  }
}

static void conservative_not_self(object_ref *r, self_bounds *b) {
  const uintptr_t *w = (const uintptr_t *)r->start;
  size_t words = r->size / sizeof(void *);
  for (size_t i = 0; i < words; i++)
    if (w[i] - b->lo >= b->hi - b->lo)
      mark_ambiguous_word(w[i]);
}

void live_mark_contents(void *p, bool ignore_self) {
  object_ref r;
  if (!object_find((uintptr_t)p, &r))
    return;
  unsigned kind = object_kind(&r);
  if (!kind_is_scanned(kind))
    return;
  if (!ignore_self) {
    mark_scan_object(r.block, r.slot);
    return;
  }
  self_bounds b = {(uintptr_t)r.start, (uintptr_t)r.start + r.size};
  if (kind == KIND_PRECISE)
    precise_not_self(&r, &b);
  else
    conservative_not_self(&r, &b);
}
