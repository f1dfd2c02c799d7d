/*
 * bdw_libs.c — which data segments are roots: GC_no_dls, the static-roots
 * callback, and the root ranges the program added (for GC_is_visible).
 *
 * Gleaner scans the writable segments of every loaded object by itself.
 * Boehm lets a program refuse some: GC_no_dls refuses all of them (on
 * Linux, where Boehm finds even the main program's data through
 * dl_iterate_phdr, that includes the main program), and the callback of
 * GC_register_has_static_roots_callback refuses segment by segment.  The
 * layer walks the loaded objects with dl_iterate_phdr and hands each
 * refused segment to gc_exclude_roots, remembering it so that it is
 * excluded once.  The object that contains Gleaner itself is never
 * excluded: its data is the collector's own.
 *
 * When: at initialization, when the filter changes, at GC_dlopen, and —
 * cheaply, by comparing the loader's load/unload counters — at each
 * collection the layer starts and at allocation checkpoints.
 *
 * Invariant: every range in `excluded` has been given to gc_exclude_roots.
 */
#include "bdw_internal.h"

#include <link.h>
#include <stdlib.h>

GC_has_static_roots_func bdw_static_roots_filter;

struct range {
  uintptr_t lo, hi;
};
struct ranges {
  struct range *items;
  size_t count, cap;
};

static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ranges excluded;
static unsigned long long seen_adds, seen_subs;
static int seen_valid;
static int filter_changed = 1;

static int ranges_push(struct ranges *r, uintptr_t lo, uintptr_t hi) {
  if (r->count == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 16;
    struct range *items = realloc(r->items, cap * sizeof *items);
    if (items == NULL)
      return -1;
    r->items = items;
    r->cap = cap;
  }
  r->items[r->count++] = (struct range){lo, hi};
  return 0;
}

static int ranges_find(const struct ranges *r, uintptr_t lo, uintptr_t hi) {
  for (size_t i = 0; i < r->count; i++)
    if (r->items[i].lo == lo && r->items[i].hi == hi)
      return 1;
  return 0;
}

/* ---- walking the loaded objects --------------------------------------- */

static int contains_self(const struct dl_phdr_info *info) {
  uintptr_t self = (uintptr_t)&libs_lock;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && self >= lo && self < lo + ph->p_memsz)
      return 1;
  }
  return 0;
}

struct walk {
  int no_dls;
  GC_has_static_roots_func filter;
  struct ranges refused; /* found during the walk, excluded after it */
};

static int refuse_segments(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct walk *w = data;
  if (contains_self(info))
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) || ph->p_memsz == 0)
      continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    uintptr_t hi = lo + ph->p_memsz;
    if (ranges_find(&excluded, lo, hi))
      continue;
    if (w->no_dls ||
        !w->filter(info->dlpi_name ? info->dlpi_name : "", (void *)lo, hi - lo))
      (void)ranges_push(&w->refused, lo, hi);
  }
  return 0;
}

static int read_counters(struct dl_phdr_info *info, size_t size, void *data) {
  unsigned long long *out = data;
  if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
    return -1;
  out[0] = info->dlpi_adds;
  out[1] = info->dlpi_subs;
  return 1; /* the counters are the same in every entry: stop */
}

/* Under libs_lock: 1 if objects were loaded or unloaded since last time. */
static int loader_changed(void) {
  unsigned long long counters[2];
  if (dl_iterate_phdr(read_counters, counters) != 1)
    return 1;
  int changed = !seen_valid || counters[0] != seen_adds || counters[1] != seen_subs;
  seen_adds = counters[0];
  seen_subs = counters[1];
  seen_valid = 1;
  return changed;
}

void bdw_apply_library_filters(int cheap) {
  struct walk w = {__atomic_load_n(&GC_no_dls, __ATOMIC_RELAXED) != 0,
                   __atomic_load_n(&bdw_static_roots_filter, __ATOMIC_ACQUIRE),
                   {NULL, 0, 0}};
  if (!w.no_dls && w.filter == NULL)
    return;
  pthread_mutex_lock(&libs_lock);
  int changed = loader_changed() || filter_changed;
  if (cheap && !changed) {
    pthread_mutex_unlock(&libs_lock);
    return;
  }
  filter_changed = 0;
  dl_iterate_phdr(refuse_segments, &w);
  for (size_t i = 0; i < w.refused.count; i++) {
    struct range r = w.refused.items[i];
    gc_exclude_roots((void *)r.lo, (void *)r.hi);
    if (ranges_push(&excluded, r.lo, r.hi) != 0)
      break; /* excluded again next time: harmless */
  }
  free(w.refused.items);
  pthread_mutex_unlock(&libs_lock);
}

GC_API void GC_CALL GC_register_has_static_roots_callback(
    GC_has_static_roots_func filter) {
  __atomic_store_n(&bdw_static_roots_filter, filter, __ATOMIC_RELEASE);
  pthread_mutex_lock(&libs_lock);
  filter_changed = 1;
  pthread_mutex_unlock(&libs_lock);
  if (GC_is_init_called())
    bdw_apply_library_filters(0);
}

/* ---- data segments, for GC_is_visible ---------------------------------- */

static int find_segment(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  uintptr_t p = *(uintptr_t *)data;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && p >= lo &&
        p < lo + ph->p_memsz)
      return 1;
  }
  return 0;
}

int bdw_in_data_segment(const void *p) {
  uintptr_t addr = (uintptr_t)p;
  int found = dl_iterate_phdr(find_segment, &addr) == 1;
  if (!found)
    return 0;
  pthread_mutex_lock(&libs_lock);
  for (size_t i = 0; i < excluded.count; i++)
    if (addr >= excluded.items[i].lo && addr < excluded.items[i].hi)
      found = 0;
  pthread_mutex_unlock(&libs_lock);
  return found;
}

/* ---- root ranges added by the program --------------------------------- */

static pthread_mutex_t roots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ranges roots;

void bdw_roots_note_add(void *lo, void *hi) {
  pthread_mutex_lock(&roots_lock);
  (void)ranges_push(&roots, (uintptr_t)lo, (uintptr_t)hi);
  pthread_mutex_unlock(&roots_lock);
}

/* As in Boehm GC: ranges lying entirely inside [lo, hi) go. */
void bdw_roots_note_remove(void *lo, void *hi) {
  pthread_mutex_lock(&roots_lock);
  size_t kept = 0;
  for (size_t i = 0; i < roots.count; i++) {
    struct range r = roots.items[i];
    if (!(r.lo >= (uintptr_t)lo && r.hi <= (uintptr_t)hi))
      roots.items[kept++] = r;
  }
  roots.count = kept;
  pthread_mutex_unlock(&roots_lock);
}

void bdw_roots_note_clear(void) {
  pthread_mutex_lock(&roots_lock);
  roots.count = 0;
  pthread_mutex_unlock(&roots_lock);
}

int bdw_roots_contain(const void *p) {
  uintptr_t addr = (uintptr_t)p;
  int found = 0;
  pthread_mutex_lock(&roots_lock);
  for (size_t i = 0; i < roots.count && !found; i++)
    found = addr >= roots.items[i].lo && addr < roots.items[i].hi;
  pthread_mutex_unlock(&roots_lock);
  return found;
}
