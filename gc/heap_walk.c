/*
 * heap_walk.c — breadth-first traversal from the roots with parent links
 * (see heap_walk.h for what it is for and its invariants).
 *
 * Level 0 is every object a root refers to, in root_walk order (registers,
 * stacks, data segments, ranges, exact roots), then the uncollectable
 * objects, which the marker treats as roots too.  The record array is the
 * queue: records [0, count) are visited objects, processed in order.
 *
 * Reading roots: stack words may be "uninitialised" to memcheck and data
 * segments carry ASan redzones; the conservative reading of them is
 * deliberate.  Under valgrind root ranges are read through a copy made
 * defined (the program's own memory keeps its definedness state); under
 * ASan the reader is not instrumented.
 */
#include "heap_walk.h"
#include "valgrind_support.h"
#include <string.h>
#include <sys/mman.h>
#include <valgrind/memcheck.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WALK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WALK_ASAN 1
#endif
#ifdef WALK_ASAN
#define NO_ASAN __attribute__((no_sanitize("address")))
#else
#define NO_ASAN
#endif

NO_ASAN uintptr_t walk_load_word(const uintptr_t *p) { return *(const volatile uintptr_t *)p; }

/* ---- scratch memory ------------------------------------------------------ */

static void *grow(void *old, size_t old_bytes, size_t new_bytes) {
  void *p = old ? mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE)
                : mmap(NULL, new_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static bool reserve_record(heap_walk *hw) {
  if (hw->count < hw->capacity)
    return true;
  size_t cap = hw->capacity ? hw->capacity * 2 : 4096;
  void *p = grow(hw->records, hw->capacity * sizeof(walk_record), cap * sizeof(walk_record));
  if (!p || cap > WALK_NONE) {
    hw->failed = true;
    return false;
  }
  hw->records = p;
  hw->capacity = cap;
  return true;
}

/* Index of the pending root in roots[], storing it on first use. */
static uint32_t pending_root(heap_walk *hw) {
  if (hw->pending_index != WALK_NONE)
    return hw->pending_index;
  if (hw->root_count == hw->root_capacity) {
    size_t cap = hw->root_capacity ? hw->root_capacity * 2 : 256;
    void *p = grow(hw->roots, hw->root_capacity * sizeof(root_desc), cap * sizeof(root_desc));
    if (!p) {
      hw->failed = true;
      return WALK_NONE;
    }
    hw->roots = p;
    hw->root_capacity = cap;
  }
  hw->roots[hw->root_count] = *hw->pending;
  hw->pending_index = (uint32_t)hw->root_count++;
  return hw->pending_index;
}

void heap_walk_release(heap_walk *hw) {
  if (hw->records)
    munmap(hw->records, hw->capacity * sizeof(walk_record));
  if (hw->roots)
    munmap(hw->roots, hw->root_capacity * sizeof(root_desc));
  if (hw->visited)
    munmap(hw->visited, hw->visited_bytes);
  memset(hw, 0, sizeof *hw);
}

/* ---- objects ------------------------------------------------------------- */

char *walk_user_start(const walk_record *r) {
  return G->blocks[r->block].kind == KIND_PRECISE ? r->start + PRECISE_HEADER : r->start;
}

size_t walk_user_size(const walk_record *r) {
  if (G->blocks[r->block].kind != KIND_PRECISE)
    return r->size;
  const precise_header *h = (const precise_header *)r->start;
  return h->type ? h->user_size : r->size - PRECISE_HEADER;
}

/* w may name an object: visit it if it is allocated and new.  parent is a
 * record index, or WALK_NONE for the pending root. */
static void consider(heap_walk *hw, uintptr_t w, uintptr_t ref, uint32_t parent) {
  object_ref r;
  if (!addr_in_heap(w) || !object_find(w, &r) || r.block >= hw->blocks)
    return;
  uint64_t *bits = hw->visited + (size_t)r.block * BITMAP_WORDS;
  if (bit_test(bits, r.slot) || hw->failed)
    return;
  uint32_t root = parent == WALK_NONE ? pending_root(hw) : hw->records[parent].root;
  if (root == WALK_NONE || !reserve_record(hw))
    return;
  bit_set(bits, r.slot);
  uint32_t index = (uint32_t)hw->count++;
  hw->records[index] = (walk_record){.start = r.start, .size = r.size, .block = r.block,
                                     .slot = r.slot, .parent = parent, .root = root,
                                     .ref = ref, .value = w};
  if ((uintptr_t)r.start == hw->stop_at && hw->found == WALK_NONE)
    hw->found = index;
}

/* Every aligned word of [lo, hi) as an ambiguous reference. */
static void scan_words(heap_walk *hw, const void *lo, const void *hi, uint32_t parent) {
  uintptr_t a = ((uintptr_t)lo + sizeof(void *) - 1) & ~(uintptr_t)(sizeof(void *) - 1);
  for (const uintptr_t *p = (const uintptr_t *)a; (const void *)(p + 1) <= hi; p++)
    consider(hw, walk_load_word(p), (uintptr_t)p, parent);
}

/* The same, through a defined copy (memcheck), reporting real addresses. */
static void scan_words_defined(heap_walk *hw, const void *lo, const void *hi,
                               uint32_t parent) {
  enum { CHUNK_WORDS = 512 };
  uintptr_t copy[CHUNK_WORDS];
  uintptr_t a = ((uintptr_t)lo + sizeof(void *) - 1) & ~(uintptr_t)(sizeof(void *) - 1);
  const uintptr_t *p = (const uintptr_t *)a;
  while ((const void *)(p + 1) <= hi) {
    size_t n = (size_t)((const uintptr_t *)hi - p);
    if (n > CHUNK_WORDS)
      n = CHUNK_WORDS;
    VALGRIND_DISABLE_ADDR_ERROR_REPORTING_IN_RANGE(p, n * sizeof *p);
    memcpy(copy, p, n * sizeof *p);
    VALGRIND_ENABLE_ADDR_ERROR_REPORTING_IN_RANGE(p, n * sizeof *p);
    VALGRIND_MAKE_MEM_DEFINED(copy, n * sizeof *p);
    for (size_t i = 0; i < n; i++)
      consider(hw, copy[i], (uintptr_t)(p + i), parent);
    explicit_bzero(copy, n * sizeof *p); /* no stale pointers left in dead stack */
    p += n;
  }
}

/* ---- roots --------------------------------------------------------------- */

static void on_ambiguous(const void *lo, const void *hi, const root_desc *d, void *ctx) {
  heap_walk *hw = ctx;
  hw->pending = d;
  hw->pending_index = WALK_NONE;
  if (running_on_valgrind())
    scan_words_defined(hw, lo, hi, WALK_NONE);
  else
    scan_words(hw, lo, hi, WALK_NONE);
  hw->pending = NULL;
}

static void on_exact(void **slot, const root_desc *d, void *ctx) {
  heap_walk *hw = ctx;
  hw->pending = d;
  hw->pending_index = WALK_NONE;
  uintptr_t value = (uintptr_t)*slot;
  (void)VALGRIND_MAKE_MEM_DEFINED(&value, sizeof value);
  consider(hw, value, (uintptr_t)slot, WALK_NONE);
  hw->pending = NULL;
}

/* Uncollectable objects are roots of themselves (as in mark.c). */
static void consider_uncollectable(const object_ref *r, void *arg) {
  heap_walk *hw = arg;
  root_desc d = {.kind = ROOT_UNCOLLECTABLE, .lo = r->start};
  hw->pending = &d;
  hw->pending_index = WALK_NONE;
  consider(hw, (uintptr_t)r->start, 0, WALK_NONE);
}

static void add_uncollectable(heap_walk *hw) {
  for_each_uncollectable(hw->blocks, consider_uncollectable, hw);
  hw->pending = NULL;
}

/* ---- tracing ------------------------------------------------------------- */

typedef struct trace_ctx {
  heap_walk *hw;
  uint32_t parent;
  char *lo, *hi;
} trace_ctx;

static void visit_exact(void **slot, void *ctx) {
  trace_ctx *t = ctx;
  if ((char *)slot < t->lo || (char *)(slot + 1) > t->hi)
    return; /* the marker warns about it; the walk just ignores it */
  uintptr_t value = (uintptr_t)*slot;
  (void)VALGRIND_MAKE_MEM_DEFINED(&value, sizeof value); /* a copy: the slot keeps its state */
  consider(t->hw, value, (uintptr_t)slot, t->parent);
}

static void trace_precise(heap_walk *hw, uint32_t index) {
  walk_record *r = &hw->records[index];
  const precise_header *h = (const precise_header *)r->start;
  const gc_type *t = h->type;
  if (!t)
    return;
  char *user = r->start + PRECISE_HEADER;
  size_t n = h->user_size <= r->size - PRECISE_HEADER ? h->user_size : r->size - PRECISE_HEADER;
  trace_ctx tc = {hw, index, user, user + n};
  if (t->trace) {
    t->trace(user, visit_exact, &tc);
  } else if (t->pointer_bitmap && t->bitmap_words) {
    size_t period = t->bitmap_words * 64;
    void **slots = (void **)user;
    for (size_t i = 0; i < n / sizeof(void *); i++) {
      size_t bit = i % period;
      if ((t->pointer_bitmap[bit / 64] >> (bit % 64)) & 1)
        visit_exact(&slots[i], &tc);
    }
  }
}

static void scan_record(heap_walk *hw, uint32_t index) {
  const walk_record *r = &hw->records[index];
  unsigned kind = G->blocks[r->block].kind;
  if (!kind_is_scanned(kind))
    return;
  if (kind == KIND_PRECISE)
    trace_precise(hw, index);
  else if (running_on_valgrind()) /* objects may hold copies of undefined bytes */
    scan_words_defined(hw, r->start, r->start + r->size, index);
  else
    scan_words(hw, r->start, r->start + r->size, index);
}

int heap_walk_run(heap_walk *hw, const walk_options *opt) {
  memset(hw, 0, sizeof *hw);
  hw->found = WALK_NONE;
  hw->stop_at = opt->stop_at;
  hw->stop_when_found = opt->stop_when_found;
  hw->blocks = G->high_water;
  hw->visited_bytes = ((size_t)hw->blocks * BITMAP_WORDS + 1) * sizeof(uint64_t);
  hw->visited = grow(NULL, 0, hw->visited_bytes);
  if (!hw->visited) {
    hw->failed = true;
    return -1;
  }
  root_walker w = {.ambiguous = on_ambiguous, .exact = on_exact, .ctx = hw,
                   .floor = opt->floor, .name_frames = opt->name_frames,
                   .max_frames = opt->max_frames};
  roots_walk(&w);
  add_uncollectable(hw);
  for (size_t i = 0; i < hw->count && !(hw->stop_when_found && hw->found != WALK_NONE); i++)
    scan_record(hw, (uint32_t)i);
  return hw->failed ? -1 : 0;
}
