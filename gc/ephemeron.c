/*
 * ephemeron.c — ephemeron objects and their fixpoint tracing (rules and
 * cost in ephemeron.h).
 *
 * Invariant during one after-mark pass: registry entries [lo, hi) are
 * pending; the others are done for this collection (value traced, or
 * nothing to trace).  The registry is malloc memory,
 * so it never keeps an ephemeron, key or value alive.
 */
#include "ephemeron.h"
#include "meta_alloc.h"
#include "liveness.h"
#include "mark.h"
#include <stdlib.h>

struct gc_ephemeron {
  void *key;
  void *value;
};

static gc_type ephemeron_type = {.name = "gc_ephemeron", .size = sizeof(gc_ephemeron)};

static struct {
  gc_ephemeron **items;
  size_t count, capacity;
  size_t lo, hi;      /* pending this collection: [lo, hi) */
  unsigned rounds;    /* in this collection: odd rounds go backwards */
  uint64_t cleared;
} E;

static bool valid_reference(const char *what, void *p) {
  if (!p || !addr_in_heap((uintptr_t)p))
    return true;
  state_lock();
  bool ok = live_object_start(p) == p;
  state_unlock();
  if (!ok)
    gc_warnf("gc_ephemeron_new: the %s %p is not the start of a heap object", what, p);
  return ok;
}

static bool registry_push(gc_ephemeron *e) {
  if (E.count == E.capacity) {
    size_t cap = E.capacity ? E.capacity * 2 : 256;
    gc_ephemeron **items = meta_realloc(E.items, cap * sizeof *items);
    if (!items)
      return false;
    E.items = items;
    E.capacity = cap;
  }
  E.items[E.count++] = e;
  return true;
}

gc_ephemeron *gc_ephemeron_new(void *key, void *value) {
  ensure_init();
  if (!valid_reference("key", key) || !valid_reference("value", value))
    return NULL;
  if (!ephemeron_type.internal_id && gc_type_register(&ephemeron_type) != 0)
    return NULL;
  gc_ephemeron *e = gc_alloc_typed(&ephemeron_type, sizeof *e);
  if (!e)
    return NULL;
  e->key = key;
  e->value = value;
  state_lock();
  bool ok = registry_push(e);
  state_unlock();
  if (!ok) {
    gc_warnf("gc_ephemeron_new: out of memory for the ephemeron registry");
    return NULL;
  }
  return e;
}

void *gc_ephemeron_key(const gc_ephemeron *e) {
  if (!e)
    return NULL;
  return e->key; /* no read barrier needed: see gc_weak_get */
}

void *gc_ephemeron_value(const gc_ephemeron *e) {
  if (!e)
    return NULL;
  return e->value;
}

/* LIVE_FREED when the entry no longer names an ephemeron (freed, or its
 * slot reused), else whether the ephemeron is marked.  One look-up. */
static liveness ephemeron_state(gc_ephemeron *e) {
  object_ref r;
  if (!object_find((uintptr_t)e, &r) || object_kind(&r) != KIND_PRECISE ||
      ((precise_header *)r.start)->type != &ephemeron_type)
    return LIVE_FREED;
  return bit_test(G->bits[r.block].mark, r.slot) ? LIVE_MARKED : LIVE_UNMARKED;
}

void ephemeron_cycle_begin(void) {
  E.lo = 0;
  E.hi = E.count;
  E.rounds = 0;
}

/* Whether entry e is done for this collection; greys its value (and
 * drains at once, so that what the value reaches is marked before the
 * next entry is looked at) when its key is reached. */
static bool settle(gc_ephemeron *e, bool *greyed) {
  liveness l = ephemeron_state(e);
  if (l == LIVE_UNMARKED)
    return false; /* the ephemeron itself may still be reached */
  if (l == LIVE_MARKED) {
    if (e->key && !is_live(e->key))
      return false; /* the key may still be reached */
    if (e->value && liveness_of(e->value) == LIVE_UNMARKED) {
      live_mark(e->value);
      mark_drain_serial();
      *greyed = true;
    }
  }
  return true;
}

static void swap(size_t i, size_t j) {
  gc_ephemeron *t = E.items[i];
  E.items[i] = E.items[j];
  E.items[j] = t;
}

/* Rounds alternate direction and drain as they go, so a chain laid out
 * in either order settles in one or two rounds; settled entries leave
 * the pending range at the end the round walks from (never looked at
 * again in this collection). */
bool ephemeron_trace_round(void) {
  bool greyed = false;
  if (E.rounds++ % 2 == 0) {
    for (size_t i = E.lo; i < E.hi; i++)
      if (settle(E.items[i], &greyed))
        swap(i, E.lo++);
  } else {
    for (size_t i = E.hi; i-- > E.lo;)
      if (settle(E.items[i], &greyed))
        swap(i, --E.hi);
  }
  return greyed;
}

void ephemeron_finish(void) {
  size_t out = 0;
  for (size_t i = 0; i < E.count; i++) {
    gc_ephemeron *e = E.items[i];
    if (ephemeron_state(e) != LIVE_MARKED)
      continue; /* dies (or was freed): forget it */
    if (e->key && !is_live(e->key)) {
      e->key = NULL;
      e->value = NULL;
      E.cleared++;
    }
    if (!e->key && !e->value)
      continue; /* nothing left to trace or clear */
    E.items[out++] = e;
  }
  E.count = out;
  E.lo = E.hi = 0;
}

void ephemeron_visit_slots(gc_visit_fn visit, void *ctx) {
  for (size_t i = 0; i < E.count; i++) {
    visit((void **)&E.items[i], ctx);
    visit(&E.items[i]->key, ctx);
    visit(&E.items[i]->value, ctx);
  }
}

size_t ephemeron_registry_count(void) { return E.count; }
uint64_t ephemeron_cleared_total(void) { return E.cleared; }
