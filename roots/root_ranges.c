/*
 * root_ranges.c — explicit ambiguous root ranges (gc_add_roots) and
 * excluded ranges (gc_exclude_roots).  Both are small sorted-free arrays
 * in meta_alloc (mmap) memory: they are roots themselves, never heap
 * objects, and the collector reads them with the world stopped.
 */
#include "roots.h"
#include "mark.h"
#include "meta_alloc.h"
#include <stdlib.h>

static bool range_set_add(range_set *s, char *lo, char *hi) {
  if (s->count == s->capacity) {
    size_t cap = s->capacity ? s->capacity * 2 : 16;
    root_range *items = meta_realloc(s->items, cap * sizeof *items);
    if (!items)
      return false;
    s->items = items;
    s->capacity = cap;
  }
  s->items[s->count++] = (root_range){lo, hi, NULL};
  return true;
}

/* Remove every range inside [lo, hi); returns how many were removed. */
static size_t range_set_remove(range_set *s, char *lo, char *hi) {
  size_t kept = 0, removed = 0;
  for (size_t i = 0; i < s->count; i++) {
    if (s->items[i].lo >= lo && s->items[i].hi <= hi)
      removed++;
    else
      s->items[kept++] = s->items[i];
  }
  s->count = kept;
  return removed;
}

static bool bad_range(const char *call, void *lo, void *hi) {
  if ((char *)lo <= (char *)hi)
    return false;
  gc_warnf("%s(%p, %p): empty or inverted range (ignored)", call, lo, hi);
  return true;
}

void gc_add_roots(void *lo, void *hi) {
  ensure_init();
  if (bad_range("gc_add_roots", lo, hi))
    return;
  state_lock();
  if (!range_set_add(&G->ambiguous_ranges, lo, hi))
    gc_warnf("gc_add_roots(%p, %p): out of memory for the root table", lo, hi);
  else /* the explainer names the registering call */
    G->ambiguous_ranges.items[G->ambiguous_ranges.count - 1].site = __builtin_return_address(0);
  state_unlock();
}

void gc_remove_roots(void *lo, void *hi) {
  ensure_init();
  if (bad_range("gc_remove_roots", lo, hi))
    return;
  state_lock();
  size_t removed = range_set_remove(&G->ambiguous_ranges, lo, hi);
  state_unlock();
  if (!removed)
    gc_warnf("gc_remove_roots(%p, %p): no root range registered there", lo, hi);
}

void gc_clear_roots(void) {
  ensure_init();
  state_lock();
  G->ambiguous_ranges.count = 0;
  state_unlock();
}

void gc_exclude_roots(void *lo, void *hi) {
  ensure_init();
  if (bad_range("gc_exclude_roots", lo, hi))
    return;
  state_lock();
  if (!range_set_add(&G->excluded_ranges, lo, hi))
    gc_warnf("gc_exclude_roots(%p, %p): out of memory", lo, hi);
  state_unlock();
}

/* The collector's own big tables in static storage (pause log and
 * histogram, stop-the-world log) hold no heap address: scanning them as
 * part of a data segment cost every pause a third of a megabyte of reads. */
void roots_exclude_own(const void *lo, const void *hi) {
  if (!range_set_add(&G->excluded_ranges, (char *)lo, (char *)hi))
    gc_warnf("cannot exclude the collector's own tables from the roots (no memory)");
}

/* Call fn on each piece of [lo, hi) outside the excluded ranges (few
 * exclusions: linear search). */
void ranges_for_each_outside_exclusions(char *lo, char *hi,
                                        void (*fn)(char *lo, char *hi, void *ctx), void *ctx) {
  const range_set *ex = &G->excluded_ranges;
  while (lo < hi) {
    char *cut = hi, *resume = hi;
    for (size_t i = 0; i < ex->count; i++) {
      const root_range *r = &ex->items[i];
      if (r->hi <= lo || r->lo >= hi)
        continue;
      if (r->lo <= lo) { /* lo is inside an exclusion: skip past it */
        cut = lo;
        resume = r->hi;
        break;
      }
      if (r->lo < cut) {
        cut = r->lo;
        resume = r->hi;
      }
    }
    if (cut > lo)
      fn(lo, cut, ctx);
    lo = resume;
  }
}

static void mark_piece(char *lo, char *hi, void *unused) {
  (void)unused;
  mark_ambiguous_range(lo, hi);
}

void mark_range_minus_exclusions(char *lo, char *hi) {
  ranges_for_each_outside_exclusions(lo, hi, mark_piece, NULL);
}

void ranges_mark(void) {
  for (size_t i = 0; i < G->ambiguous_ranges.count; i++) {
    root_range r = G->ambiguous_ranges.items[i];
    mark_ambiguous_range(r.lo, r.hi);
  }
}
