/*
 * weak.c — disappearing links (gc_weak_link, gc_weak_link_long,
 * gc_weak_unlink, gc_weak_move_link) and weak reference objects
 * (gc_weak_new, gc_weak_get); the clearing order is in weak.h.
 *
 * Two link tables (short, long) keyed by the link's address, so that
 * unlink and move are hash look-ups and clearing is one pass over dense
 * entries: the cost per collection is linear in the number of links.
 * The tables are malloc memory and never scanned: a link entry does not
 * keep its target alive (nor does the target word of a weak reference
 * object, whose type has no traced slot).
 */
#include "weak.h"
#include "meta_alloc.h"
#include "compact.h"
#include "addr_table.h"
#include "liveness.h"
#include <stdlib.h>

typedef struct link_entry {
  void **link;  /* key (addr_table T1) */
  void *obj;    /* target's user start */
} link_entry;

struct gc_weak_ref {
  void *target;
};

enum { SHORT_LINKS, LONG_LINKS };

static struct {
  addr_table links[2];
  bool ready;
  gc_weak_ref **refs;  /* registry of weak reference objects */
  size_t nrefs, refs_capacity;
  uint64_t cleared;
} W;

static gc_type weak_ref_type = {
    .name = "gc_weak_ref", .size = sizeof(gc_weak_ref), .flags = 0};

static void tables_ready(void) {
  if (W.ready)
    return;
  addr_table_init(&W.links[SHORT_LINKS], sizeof(link_entry));
  addr_table_init(&W.links[LONG_LINKS], sizeof(link_entry));
  W.ready = true;
}

/* ---- disappearing links ------------------------------------------------ */

static int link_register(const char *call, void **link, const void *obj, int which) {
  ensure_init();
  if (!link || ((uintptr_t)link & (sizeof(void *) - 1))) {
    gc_warnf("%s(%p, %p): the link must be a non-NULL aligned address", call, (void *)link,
             obj);
    return -1;
  }
  int rc = 0;
  const char *error = NULL;
  state_lock();
  tables_ready();
  if (!obj || live_object_start(obj) != obj) {
    error = "the target is not the start of a heap object";
  } else {
    bool inserted;
    link_entry *e = addr_table_find_or_insert(&W.links[which], link, &inserted);
    if (e) {
      e->obj = (void *)obj;
      rc = inserted ? 0 : 1;
    } else {
      error = "out of memory for the link table";
    }
  }
  state_unlock();
  if (error) {
    gc_warnf("%s(%p, %p): %s", call, (void *)link, obj, error);
    return -1;
  }
  return rc;
}

int gc_weak_link(void **link, const void *obj) {
  return link_register("gc_weak_link", link, obj, SHORT_LINKS);
}

int gc_weak_link_long(void **link, const void *obj) {
  return link_register("gc_weak_link_long", link, obj, LONG_LINKS);
}

/* 0: removed from the short and/or long table; -1: was not registered. */
int gc_weak_unlink(void **link) {
  ensure_init();
  int removed = 0;
  state_lock();
  tables_ready();
  for (int k = 0; k < 2; k++) {
    void *e = addr_table_find(&W.links[k], link);
    if (e) {
      addr_table_remove(&W.links[k], e);
      removed = 1;
    }
  }
  state_unlock();
  return removed ? 0 : -1;
}

/* 0: moved; 1: new_link is already a registered link (nothing changed);
 * -1: link is not registered. */
int gc_weak_move_link(void **link, void **new_link) {
  ensure_init();
  if (!new_link || ((uintptr_t)new_link & (sizeof(void *) - 1))) {
    gc_warnf("gc_weak_move_link(%p, %p): the new link must be a non-NULL aligned address",
             (void *)link, (void *)new_link);
    return -1;
  }
  int rc = -1;
  state_lock();
  tables_ready();
  link_entry *old[2];
  for (int k = 0; k < 2; k++) {
    old[k] = addr_table_find(&W.links[k], link);
    if (old[k] && link != new_link && addr_table_find(&W.links[k], new_link)) {
      state_unlock();
      return 1;
    }
  }
  for (int k = 0; k < 2; k++) {
    if (!old[k])
      continue;
    rc = 0;
    if (link == new_link)
      continue;
    void *obj = old[k]->obj;
    addr_table_remove(&W.links[k], old[k]);
    /* Cannot fail: the removal left room in the array and the index. */
    ((link_entry *)addr_table_insert(&W.links[k], new_link))->obj = obj;
  }
  state_unlock();
  return rc;
}

/* ---- weak reference objects -------------------------------------------- */

gc_weak_ref *gc_weak_new(void *target) {
  ensure_init();
  if (target && addr_in_heap((uintptr_t)target)) {
    state_lock();
    bool ok = live_object_start(target) == target;
    state_unlock();
    if (!ok) {
      gc_warnf("gc_weak_new(%p): not the start of a heap object", target);
      return NULL;
    }
  }
  if (!weak_ref_type.internal_id && gc_type_register(&weak_ref_type) != 0)
    return NULL;
  gc_weak_ref *w = gc_alloc_typed(&weak_ref_type, sizeof *w);
  if (!w)
    return NULL;
  w->target = target;
  state_lock();
  if (W.nrefs == W.refs_capacity) {
    size_t cap = W.refs_capacity ? W.refs_capacity * 2 : 256;
    gc_weak_ref **r = meta_realloc(W.refs, cap * sizeof *r);
    if (!r) {
      state_unlock();
      gc_warnf("gc_weak_new(%p): out of memory for the weak reference registry", target);
      return NULL;
    }
    W.refs = r;
    W.refs_capacity = cap;
  }
  W.refs[W.nrefs++] = w;
  state_unlock();
  return w;
}

void *gc_weak_get(const gc_weak_ref *w) {
  if (!w)
    return NULL;
  /* No read barrier: an incremental cycle rescans every root and every
   * dirty card in its remark pause before the after-mark pass decides
   * what to clear, so a target read here and stored anywhere is found. */
  return w->target;
}

/* The state of a registry entry: LIVE_FREED when it no longer names a
 * weak reference object (freed, or its slot reused by something else),
 * else whether that object is marked.  One object look-up. */
static liveness weak_ref_state(gc_weak_ref *w) {
  object_ref r;
  if (!object_find((uintptr_t)w, &r) || object_kind(&r) != KIND_PRECISE ||
      ((precise_header *)r.start)->type != &weak_ref_type)
    return LIVE_FREED;
  return bit_test(G->bits[r.block].mark, r.slot) ? LIVE_MARKED : LIVE_UNMARKED;
}

/* ---- after marking ----------------------------------------------------- */

static bool target_dead(const void *obj) {
  liveness l = liveness_of(obj);
  return l == LIVE_UNMARKED || l == LIVE_FREED;
}

/* Write NULL unless the link's own storage is a freed heap slot. */
static void clear_link(void **link) {
  if (liveness_of(link) != LIVE_FREED)
    *link = NULL;
  W.cleared++;
}

static bool keep_live_target(void *entry, void *ctx) {
  (void)ctx;
  link_entry *e = entry;
  if (!target_dead(e->obj))
    return true;
  clear_link(e->link);
  return false;
}

void weak_clear_short(void) {
  tables_ready();
  addr_table_filter(&W.links[SHORT_LINKS], keep_live_target, NULL);
  for (size_t i = 0; i < W.nrefs; i++) {
    gc_weak_ref *w = W.refs[i];
    if (weak_ref_state(w) == LIVE_FREED) {
      W.refs[i] = NULL; /* forgotten by weak_sweep_tables */
      continue;
    }
    if (w->target && target_dead(w->target)) {
      w->target = NULL;
      W.cleared++;
    }
  }
}

void weak_clear_long(void) {
  tables_ready();
  addr_table_filter(&W.links[LONG_LINKS], keep_live_target, NULL);
}

static bool keep_live_storage(void *entry, void *ctx) {
  (void)ctx;
  return is_live(((link_entry *)entry)->link);
}

void weak_sweep_tables(void) {
  tables_ready();
  for (int k = 0; k < 2; k++)
    addr_table_filter(&W.links[k], keep_live_storage, NULL);
  size_t out = 0;
  for (size_t i = 0; i < W.nrefs; i++) {
    /* Entries were checked to name weak reference objects by
     * weak_clear_short; only the mark bit is read here. */
    gc_weak_ref *w = W.refs[i];
    if (w && liveness_of(w) == LIVE_MARKED)
      W.refs[out++] = w;
  }
  W.nrefs = out;
}

/* A disappearing link holds its target's address in a form only the
 * program knows (plain, or hidden like Boehm's GC_HIDE_POINTER), so the
 * collector cannot rewrite it: link targets are never moved. */
void weak_keep_link_targets_in_place(void) {
  tables_ready();
  for (int k = 0; k < 2; k++) {
    addr_table *t = &W.links[k];
    for (size_t i = 0; i < t->count; i++)
      compact_keep_in_place((uintptr_t)((link_entry *)addr_table_at(t, i))->obj);
  }
}

void weak_visit_slots(gc_visit_fn visit_start, gc_visit_fn visit_interior, void *ctx) {
  tables_ready();
  for (int k = 0; k < 2; k++) {
    addr_table *t = &W.links[k];
    for (size_t i = 0; i < t->count; i++) {
      link_entry *e = addr_table_at(t, i);
      visit_start(&e->obj, ctx);
      if (visit_interior)
        visit_interior((void **)&e->link, ctx);
    }
    addr_table_rebuild_index(t);
  }
  for (size_t i = 0; i < W.nrefs; i++) {
    visit_start((void **)&W.refs[i], ctx);
    visit_start(&W.refs[i]->target, ctx);
  }
}

uint64_t weak_cleared_total(void) { return W.cleared; }
size_t weak_link_count(int is_long) { return W.ready ? W.links[is_long ? 1 : 0].count : 0; }
size_t weak_ref_registry_count(void) { return W.nrefs; }
