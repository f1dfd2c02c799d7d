/*
 * bdw_alloc.c — Boehm GC's allocation calls on gleaner.h's allocators.
 *
 * Kinds map one to one: NORMAL → gc_alloc (scanned conservatively),
 * PTRFREE → gc_alloc_atomic, UNCOLLECTABLE → gc_alloc_uncollectable,
 * AUNCOLLECTABLE → gc_alloc_atomic_uncollectable.  Memory is always zeroed.
 *
 * The extra byte: with GC_all_interior_pointers (the default) Boehm GC adds
 * one byte to each collectable request, so that a pointer just past the end
 * of an object still names it.  We do the same (uncollectable objects
 * excepted, as in Boehm GC); GC_size reports the grown size, as Boehm's
 * does.
 *
 * Failure: Gleaner has already collected once before failing; the layer
 * tries GC_max_retries more collections, then returns GC_oom_fn(n).
 *
 * The fast path of GC_malloc is bdw_enter (one compare), Gleaner's
 * allocation, and bdw_tick (a thread-local add and compare).
 */
#include "bdw_internal.h"

#include <errno.h>
#include <string.h>
#include <wchar.h>

int bdw_extra_byte = 1;

/* Boehm GC hands out small lists of one page's worth of objects. */
#define BDW_MANY_BYTES ((size_t)4096)

static inline size_t with_extra_byte(size_t n) {
  size_t extra = (size_t)__atomic_load_n(&bdw_extra_byte, __ATOMIC_RELAXED);
  return n > SIZE_MAX - extra ? n : n + extra;
}

static void *raw_alloc(size_t n, int kind) {
  switch (kind) {
  case BDW_KIND_PTRFREE: return gc_alloc_atomic(with_extra_byte(n));
  case BDW_KIND_NORMAL: return gc_alloc(with_extra_byte(n));
  case BDW_KIND_UNCOLLECTABLE: return gc_alloc_uncollectable(n);
  case BDW_KIND_AUNCOLLECTABLE: return gc_alloc_atomic_uncollectable(n);
  default:
    bdw_warnf("allocation of unknown object kind %d refused (Gleaner has "
              "only Boehm GC's predefined kinds)", kind);
    errno = EINVAL;
    return NULL;
  }
}

void *bdw_alloc_failed(size_t n, int kind) {
  GC_word retries = GC_get_max_retries();
  for (GC_word i = 0; i < retries && bdw_collect_now(0); i++) {
    void *p = raw_alloc(n, kind);
    if (p)
      return p;
  }
  return GC_get_oom_fn()(n);
}

void *bdw_alloc_kind(size_t n, int kind) {
  bdw_enter();
  void *p = raw_alloc(n, kind);
  if (GC_UNLIKELY(p == NULL))
    return kind >= BDW_KIND_PTRFREE && kind <= BDW_KIND_AUNCOLLECTABLE
               ? bdw_alloc_failed(n, kind)
               : NULL;
  bdw_tick(n);
  return p;
}

GC_API void *GC_CALL GC_malloc(size_t n) {
  bdw_enter();
  void *p = gc_alloc(with_extra_byte(n));
  if (GC_UNLIKELY(p == NULL))
    return bdw_alloc_failed(n, BDW_KIND_NORMAL);
  bdw_tick(n);
  return p;
}

GC_API void *GC_CALL GC_malloc_atomic(size_t n) {
  bdw_enter();
  void *p = gc_alloc_atomic(with_extra_byte(n));
  if (GC_UNLIKELY(p == NULL))
    return bdw_alloc_failed(n, BDW_KIND_PTRFREE);
  bdw_tick(n);
  return p;
}

GC_API void *GC_CALL GC_malloc_uncollectable(size_t n) {
  return bdw_alloc_kind(n, BDW_KIND_UNCOLLECTABLE);
}

GC_API void *GC_CALL GC_malloc_atomic_uncollectable(size_t n) {
  return bdw_alloc_kind(n, BDW_KIND_AUNCOLLECTABLE);
}

GC_API void *GC_CALL GC_malloc_stubborn(size_t n) { return GC_malloc(n); }

/* Gleaner recognizes every interior pointer and has no black list: the
 * "ignore off page" promise needs nothing more. */
GC_API void *GC_CALL GC_malloc_ignore_off_page(size_t n) { return GC_malloc(n); }
GC_API void *GC_CALL GC_malloc_atomic_ignore_off_page(size_t n) {
  return GC_malloc_atomic(n);
}

GC_API void *GC_CALL GC_malloc_kind(size_t n, int kind) {
  return bdw_alloc_kind(n, kind);
}
GC_API void *GC_CALL GC_malloc_kind_global(size_t n, int kind) {
  return bdw_alloc_kind(n, kind);
}
GC_API void *GC_CALL GC_generic_malloc(size_t n, int kind) {
  return bdw_alloc_kind(n, kind);
}
GC_API void *GC_CALL GC_generic_malloc_ignore_off_page(size_t n, int kind) {
  return bdw_alloc_kind(n, kind);
}
GC_API void *GC_CALL GC_generic_or_special_malloc(size_t n, int kind) {
  return bdw_alloc_kind(n, kind);
}

/* Boehm GC: the uncollectable variant of a kind (pointer-free objects
 * become atomic uncollectable, all others scanned uncollectable). */
GC_API void *GC_CALL GC_generic_malloc_uncollectable(size_t n, int kind) {
  return bdw_alloc_kind(n, kind == BDW_KIND_PTRFREE || kind == BDW_KIND_AUNCOLLECTABLE
                                ? BDW_KIND_AUNCOLLECTABLE
                                : BDW_KIND_UNCOLLECTABLE);
}

GC_API void GC_CALL GC_free(void *p) {
  if (p == NULL)
    return;
  bdw_enter();
  gc_free(p);
}

/* Failure of a reallocation: the retries, then GC_oom_fn, whose object (if
 * any) receives the contents, as Boehm's realloc would give it. */
static void *realloc_failed(void *p, size_t n) {
  for (GC_word i = 0; i < GC_get_max_retries() && bdw_collect_now(0); i++) {
    void *q = gc_realloc(p, with_extra_byte(n));
    if (q)
      return q;
  }
  void *q = GC_get_oom_fn()(n);
  if (q != NULL) {
    size_t old = gc_size(p);
    memcpy(q, p, old < n ? old : n);
    gc_free(p);
  }
  return q;
}

GC_API void *GC_CALL GC_realloc(void *p, size_t n) {
  if (p == NULL)
    return GC_malloc(n);
  if (n == 0) {
    GC_free(p);
    return NULL;
  }
  bdw_enter();
  void *q = gc_realloc(p, with_extra_byte(n));
  if (GC_UNLIKELY(q == NULL))
    return realloc_failed(p, n);
  bdw_tick(n);
  return q;
}

GC_API char *GC_CALL GC_strdup(const char *s) {
  if (s == NULL)
    return NULL;
  size_t len = strlen(s);
  char *copy = GC_malloc_atomic(len + 1);
  if (copy)
    memcpy(copy, s, len + 1);
  return copy;
}

GC_API char *GC_CALL GC_strndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *copy = GC_malloc_atomic(len + 1);
  if (copy) {
    memcpy(copy, s, len);
    copy[len] = '\0';
  }
  return copy;
}

GC_API wchar_t *GC_CALL GC_wcsdup(const wchar_t *s) {
  size_t bytes = (wcslen(s) + 1) * sizeof(wchar_t);
  wchar_t *copy = GC_malloc_atomic(bytes);
  if (copy)
    memcpy(copy, s, bytes);
  return copy;
}

/* A list of objects of n bytes, linked through their first word; NULL if
 * not even one could be allocated.  Each object is found from the previous
 * one, so the whole list stays alive while the caller holds its head. */
static void *alloc_list(size_t n, int kind) {
  if (n < sizeof(void *))
    n = sizeof(void *);
  size_t count = BDW_MANY_BYTES / with_extra_byte(n);
  if (count == 0)
    count = 1;
  void *head = NULL;
  for (size_t i = 0; i < count; i++) {
    void **obj = bdw_alloc_kind(n, kind);
    if (obj == NULL)
      break;
    *obj = head;
    head = obj;
  }
  return head;
}

GC_API void *GC_CALL GC_malloc_many(size_t n) {
  return alloc_list(n, BDW_KIND_NORMAL);
}

GC_API void GC_CALL GC_generic_malloc_many(size_t n, int kind, void **result) {
  *result = alloc_list(n, kind);
}

static int is_power_of_two(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

GC_API void *GC_CALL GC_memalign(size_t align, size_t n) {
  if (!is_power_of_two(align)) {
    bdw_warnf("GC_memalign: alignment %zu is not a power of two", align);
    errno = EINVAL;
    return NULL;
  }
  if (align <= sizeof(void *))
    return GC_malloc(n);
  bdw_enter();
  void *p = gc_alloc_aligned(align, with_extra_byte(n));
  if (GC_UNLIKELY(p == NULL))
    return errno == EINVAL ? NULL : GC_get_oom_fn()(n);
  bdw_tick(n);
  return p;
}

GC_API int GC_CALL GC_posix_memalign(void **memptr, size_t align, size_t n) {
  if (!is_power_of_two(align) || align % sizeof(void *) != 0)
    return EINVAL;
  void *p = GC_memalign(align, n);
  if (p == NULL)
    return ENOMEM;
  *memptr = p;
  return 0;
}

/* Only Boehm's manual dirty-bit mode needs these; Gleaner never uses it. */
GC_API void GC_CALL GC_change_stubborn(const void *p) { (void)p; }
GC_API void GC_CALL GC_end_stubborn_change(const void *p) { (void)p; }
GC_API void GC_CALL GC_ptr_store_and_dirty(void *p, const void *q) {
  *(const void **)p = q;
}
