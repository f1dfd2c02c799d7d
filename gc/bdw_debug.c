/*
 * bdw_debug.c — the GC_debug_* entry points that Boehm's macros expand to
 * when a program is built with GC_DEBUG.
 *
 * Layout of a debug object (the user pointer is the object's base, so
 * GC_base, finalizers and disappearing links need no adjustment):
 *
 *   [0, requested)            the program's bytes
 *   [requested, trailer)      guard bytes, all BDW_GUARD_BYTE
 *   [trailer, usable size)    struct debug_trailer (word aligned)
 *
 * The trailer records the requested size and the allocation site, and a
 * magic word tied to the object's address.  GC_debug_free and
 * GC_debug_realloc check the trailer and the guard bytes and report an
 * overwrite through the warn proc, naming the allocation site — the
 * diagnostics Boehm GC gives for the same mistakes.  (Boehm also checks
 * every debug object at each collection; gleaner.h offers no way to visit
 * the heap, so checks happen when the object is freed or reallocated.)
 */
#include "bdw_internal.h"

#include <string.h>
#include <wchar.h>

#define BDW_GUARD_BYTE 0xEB
/* Non-canonical on x86-64 and AArch64, so a trailer never looks like a
 * pointer to the conservative scanner. */
#define BDW_DEBUG_MAGIC ((uintptr_t)0xDB6C0FFEE0D15EA5ull)

struct debug_trailer {
  uintptr_t magic; /* BDW_DEBUG_MAGIC ^ object address */
  size_t requested;
  const char *file;
  long line;
};

const size_t GC_debug_header_size = 0;

GC_API size_t GC_CALL GC_get_debug_header_size(void) { return 0; }

/* Offset of the trailer in an object of usable size `usable`. */
static size_t trailer_offset(size_t usable) {
  return (usable - sizeof(struct debug_trailer)) & ~(sizeof(void *) - 1);
}

/* Bytes to ask for: the request, at least one guard byte, the trailer. */
static size_t debug_size(size_t n) {
  size_t padded = (n + sizeof(void *)) & ~(sizeof(void *) - 1);
  if (padded < n || padded > SIZE_MAX - sizeof(struct debug_trailer))
    return SIZE_MAX;
  return padded + sizeof(struct debug_trailer);
}

/* Writes the guard bytes and the trailer of p for a request of n bytes. */
static void stamp(void *p, size_t n, const char *file, long line) {
  size_t off = trailer_offset(gc_size(p));
  memset((char *)p + n, BDW_GUARD_BYTE, off - n);
  struct debug_trailer t = {BDW_DEBUG_MAGIC ^ (uintptr_t)p, n, file, line};
  memcpy((char *)p + off, &t, sizeof t);
}

/* Copies p's trailer into *t and returns 1 if it is intact; else warns
 * (naming `caller` and what is wrong) and returns 0. */
static int read_trailer(void *p, const char *caller, struct debug_trailer *t) {
  size_t usable = gc_size(p);
  if (gc_base(p) != p || usable < sizeof *t) {
    bdw_warnf("%s(%p): not the start of an object allocated with GC_DEBUG",
              caller, p);
    return 0;
  }
  memcpy(t, (char *)p + trailer_offset(usable), sizeof *t);
  if (t->magic != (BDW_DEBUG_MAGIC ^ (uintptr_t)p) ||
      t->requested > trailer_offset(usable)) {
    bdw_warnf("%s(%p): no intact debug information (allocated without "
              "GC_DEBUG, or its end was overwritten)", caller, p);
    return 0;
  }
  return 1;
}

/* Reports the first overwritten guard byte of p, if any. */
static void check_guard(void *p, const struct debug_trailer *t,
                        const char *caller) {
  const unsigned char *bytes = p;
  size_t end = trailer_offset(gc_size(p));
  for (size_t i = t->requested; i < end; i++) {
    if (bytes[i] != BDW_GUARD_BYTE) {
      bdw_warnf("%s: found smashed location at %p in or near object at %p "
                "(%s:%ld, sz=%zu)", caller, (void *)(bytes + i), p,
                t->file ? t->file : "?", t->line, t->requested);
      return;
    }
  }
}

static void *debug_alloc(size_t n, int kind, const char *file, int line) {
  size_t total = debug_size(n);
  void *p = total == SIZE_MAX ? GC_get_oom_fn()(n) : bdw_alloc_kind(total, kind);
  if (p != NULL && gc_size(p) >= total)
    stamp(p, n, file, line);
  return p;
}

GC_API void *GC_CALL GC_debug_malloc(size_t n, const char *s, int i) {
  return debug_alloc(n, BDW_KIND_NORMAL, s, i);
}
GC_API void *GC_CALL GC_debug_malloc_atomic(size_t n, const char *s, int i) {
  return debug_alloc(n, BDW_KIND_PTRFREE, s, i);
}
GC_API void *GC_CALL GC_debug_malloc_uncollectable(size_t n, const char *s, int i) {
  return debug_alloc(n, BDW_KIND_UNCOLLECTABLE, s, i);
}
GC_API void *GC_CALL GC_debug_malloc_atomic_uncollectable(size_t n, const char *s,
                                                          int i) {
  return debug_alloc(n, BDW_KIND_AUNCOLLECTABLE, s, i);
}
GC_API void *GC_CALL GC_debug_malloc_stubborn(size_t n, const char *s, int i) {
  return debug_alloc(n, BDW_KIND_NORMAL, s, i);
}
GC_API void *GC_CALL GC_debug_malloc_ignore_off_page(size_t n, const char *s, int i) {
  return debug_alloc(n, BDW_KIND_NORMAL, s, i);
}
GC_API void *GC_CALL GC_debug_malloc_atomic_ignore_off_page(size_t n,
                                                            const char *s, int i) {
  return debug_alloc(n, BDW_KIND_PTRFREE, s, i);
}
GC_API void *GC_CALL GC_debug_generic_or_special_malloc(size_t n, int kind,
                                                        const char *s, int i) {
  return debug_alloc(n, kind, s, i);
}
GC_API void *GC_CALL GC_debug_malloc_replacement(size_t n) {
  return debug_alloc(n, BDW_KIND_NORMAL, "unknown", 0);
}

GC_API char *GC_CALL GC_debug_strdup(const char *str, const char *s, int i) {
  if (str == NULL)
    return NULL;
  size_t len = strlen(str);
  char *copy = debug_alloc(len + 1, BDW_KIND_PTRFREE, s, i);
  if (copy)
    memcpy(copy, str, len + 1);
  return copy;
}

GC_API char *GC_CALL GC_debug_strndup(const char *str, size_t n, const char *s,
                                     int i) {
  size_t len = strnlen(str, n);
  char *copy = debug_alloc(len + 1, BDW_KIND_PTRFREE, s, i);
  if (copy) {
    memcpy(copy, str, len);
    copy[len] = '\0';
  }
  return copy;
}

GC_API wchar_t *GC_CALL GC_debug_wcsdup(const wchar_t *str, const char *s, int i) {
  size_t bytes = (wcslen(str) + 1) * sizeof(wchar_t);
  wchar_t *copy = debug_alloc(bytes, BDW_KIND_PTRFREE, s, i);
  if (copy)
    memcpy(copy, str, bytes);
  return copy;
}

GC_API void GC_CALL GC_debug_free(void *p) {
  if (p == NULL)
    return;
  bdw_enter();
  struct debug_trailer t;
  if (read_trailer(p, "GC_debug_free", &t))
    check_guard(p, &t, "GC_debug_free");
  gc_free(p);
}

/* Gleaner's realloc keeps the kind; the trailer is then rewritten, and the
 * bytes that grew are cleared (they held the old guard and trailer). */
GC_API void *GC_CALL GC_debug_realloc(void *p, size_t n, const char *s, int i) {
  if (p == NULL)
    return GC_debug_malloc(n, s, i);
  if (n == 0) {
    GC_debug_free(p);
    return NULL;
  }
  struct debug_trailer t;
  size_t old = gc_size(p);
  if (read_trailer(p, "GC_debug_realloc", &t)) {
    check_guard(p, &t, "GC_debug_realloc");
    old = t.requested;
  }
  size_t total = debug_size(n);
  if (total == SIZE_MAX)
    return GC_get_oom_fn()(n);
  void *q = GC_realloc(p, total);
  if (q == NULL || gc_size(q) < total)
    return q;
  if (n > old)
    memset((char *)q + old, 0, n - old);
  stamp(q, n, s, i);
  return q;
}

GC_API void *GC_CALL GC_debug_realloc_replacement(void *p, size_t n) {
  return GC_debug_realloc(p, n, "unknown", 0);
}

/* Debug objects start at their base: the plain calls apply unchanged. */
GC_API void GC_CALL GC_debug_register_finalizer(void *obj, GC_finalization_proc fn,
                                                void *cd, GC_finalization_proc *ofn,
                                                void **ocd) {
  GC_register_finalizer(obj, fn, cd, ofn, ocd);
}
GC_API void GC_CALL GC_debug_register_finalizer_ignore_self(
    void *obj, GC_finalization_proc fn, void *cd, GC_finalization_proc *ofn,
    void **ocd) {
  GC_register_finalizer_ignore_self(obj, fn, cd, ofn, ocd);
}
GC_API void GC_CALL GC_debug_register_finalizer_no_order(
    void *obj, GC_finalization_proc fn, void *cd, GC_finalization_proc *ofn,
    void **ocd) {
  GC_register_finalizer_no_order(obj, fn, cd, ofn, ocd);
}
GC_API void GC_CALL GC_debug_register_finalizer_unreachable(
    void *obj, GC_finalization_proc fn, void *cd, GC_finalization_proc *ofn,
    void **ocd) {
  GC_register_finalizer_unreachable(obj, fn, cd, ofn, ocd);
}

GC_API void GC_CALL GC_debug_change_stubborn(const void *p) { (void)p; }
GC_API void GC_CALL GC_debug_end_stubborn_change(const void *p) { (void)p; }
GC_API void GC_CALL GC_debug_ptr_store_and_dirty(void *p, const void *q) {
  *(void **)GC_is_visible(p) = GC_is_valid_displacement((void *)q);
}
