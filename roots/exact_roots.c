/*
 * exact_roots.c — exact roots: slots registered with gc_root_add and the
 * per-thread shadow stacks of GC_FRAME.  Their targets are not pinned and
 * the compactor rewrites the slots when a target moves.
 */
#include "roots.h"
#include "mark.h"
#include "meta_alloc.h"
#include <stdlib.h>

void gc_root_add(void **slot) {
  ensure_init();
  if (!slot) {
    gc_warnf("gc_root_add(NULL): a root slot is required (ignored)");
    return;
  }
  state_lock();
  slot_set *s = &G->exact_roots;
  if (s->count == s->capacity) {
    size_t cap = s->capacity ? s->capacity * 2 : 64;
    void **sites = meta_realloc(s->sites, cap * sizeof *sites);
    if (sites)
      s->sites = sites;
    void ***items = sites ? meta_realloc(s->items, cap * sizeof *items) : NULL;
    if (!items) {
      state_unlock();
      gc_warnf("gc_root_add(%p): out of memory for the root table", (void *)slot);
      return;
    }
    s->items = items;
    s->capacity = cap;
  }
  s->sites[s->count] = __builtin_return_address(0); /* for the explainer */
  s->items[s->count++] = slot;
  state_unlock();
}

void gc_root_remove(void **slot) {
  ensure_init();
  state_lock();
  slot_set *s = &G->exact_roots;
  /* Search from the end: roots are usually removed in LIFO order. */
  for (size_t i = s->count; i-- > 0;) {
    if (s->items[i] == slot) {
      s->items[i] = s->items[--s->count];
      s->sites[i] = s->sites[s->count];
      state_unlock();
      return;
    }
  }
  state_unlock();
  gc_warnf("gc_root_remove(%p): not a registered root (ignored)", (void *)slot);
}

void exact_roots_visit(slot_visitor visit, void *ctx) {
  for (size_t i = 0; i < G->exact_roots.count; i++)
    visit(G->exact_roots.items[i], ctx);
  for (mutator *m = G->mutators; m; m = m->next)
    for (gc_frame *f = m->frame_top; f; f = f->prev)
      for (size_t i = 0; i < f->count; i++)
        visit(&f->slots[i], ctx);
}

static void visit_mark(void **slot, void *ctx) {
  (void)ctx;
  mark_exact_slot(slot);
}

void exact_roots_mark(void) { exact_roots_visit(visit_mark, NULL); }
