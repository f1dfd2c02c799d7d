/*
 * typed.c — precise objects: type registration and allocation.
 *
 * A precise object is a slot of kind KIND_PRECISE whose first 16 bytes
 * are a precise_header (type, requested size); the user gets the bytes
 * after it.  The marker traces only the slots the type names (mark.c),
 * and the compactor may move the object unless it is pinned.
 */
#include "alloc.h"
#include <string.h>

static uint32_t types_registered;

/* A fixed size that is not a whole number of words, with the bitmap naming
 * the word cut by the end: that slot would lie half outside the object. */
static bool bitmap_straddles_end(const gc_type *t) {
  if (!t->pointer_bitmap || !t->bitmap_words || t->trace || !t->size ||
      t->size % sizeof(void *) == 0)
    return false;
  size_t bit = (t->size / sizeof(void *)) % (t->bitmap_words * 64);
  return (t->pointer_bitmap[bit / 64] >> (bit % 64)) & 1;
}

static int type_error(const gc_type *t, const char *why) {
  gc_warnf("gc_type_register(%p '%s'): %s", (const void *)t,
           t && t->name ? t->name : "?", why);
  return -1;
}

int gc_type_register(gc_type *t) {
  ensure_init();
  if (!t)
    return type_error(t, "type is NULL");
  if (t->size == 0 && !t->size_fn)
    return type_error(t, "neither a fixed size nor a size function");
  if (t->size > ((size_t)1 << 40))
    return type_error(t, "size is absurdly large");
  if (t->pointer_bitmap && t->bitmap_words == 0)
    return type_error(t, "pointer bitmap given with bitmap_words == 0");
  if (!t->pointer_bitmap && t->bitmap_words)
    return type_error(t, "bitmap_words given without a pointer bitmap");
  if (bitmap_straddles_end(t))
    return type_error(t, "inconsistent size: the pointer bitmap names the word that "
                         "straddles the end of the fixed-size object");
  state_lock();
  if (!t->internal_id)
    t->internal_id = ++types_registered;
  state_unlock();
  return 0;
}

void *gc_alloc_typed(const gc_type *t, size_t n) {
  ensure_init();
  if (!t || !t->internal_id) {
    gc_warnf("gc_alloc_typed(%p, %zu): type is not registered (call gc_type_register)",
             (const void *)t, n);
    return NULL;
  }
  if (t->size && n < t->size) {
    gc_warnf("gc_alloc_typed(type '%s', %zu): smaller than the type's size %zu",
             t->name ? t->name : "?", n, t->size);
    return NULL;
  }
  size_t total;
  if (__builtin_add_overflow(n, PRECISE_HEADER, &total)) {
    gc_warnf("gc_alloc_typed(type '%s', %zu): size overflows", t->name ? t->name : "?", n);
    return alloc_failed("gc_alloc_typed", n);
  }
  precise_header *h = alloc_inline(total, KIND_PRECISE);
  if (!h)
    return NULL;
  h->user_size = n;
  h->type = t;
  return h + 1;
}

const gc_type *gc_type_of(const void *obj) {
  ensure_init();
  object_ref r;
  if (!object_find((uintptr_t)obj, &r) || object_kind(&r) != KIND_PRECISE)
    return NULL;
  return ((precise_header *)r.start)->type;
}
