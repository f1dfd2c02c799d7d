/*
 * pin.c — explicit pins and stable identity hashes for movable objects.
 *
 * Pins.  gc_pin(obj) counts; gc_unpin(obj) uncounts; while the count is
 * above zero the object is a root *and* pinned: pins_mark_roots() feeds it
 * to the marker as an ambiguous word, which is exactly how a stack word
 * pins an object, so the compactor needs no second notion of "pinned".
 * Keeping a pinned object alive is deliberate: an address handed to
 * foreign code is usually the only reference left, and an entry for a
 * dead object could otherwise pin whatever is allocated there next.
 *
 * Identity hashes.  gc_identity_hash(obj) returns a number fixed at the
 * first request.  Objects that can never move (every non-precise kind)
 * hash their address; precise objects get a number from a counter mixed by
 * splitmix64, kept in a side table keyed by address.  After each mark
 * phase the table drops dead objects and re-keys moved ones, so the table
 * never names a free slot (invariant H1) and lookups stay one probe.
 *
 * Both tables are malloc memory (addr_map.h A3): not roots themselves.
 */
#include "pin.h"
#include "addr_map.h"
#include "mark.h"
#include "object_map.h"

static addr_map pins;
static addr_map identities;
static uint64_t identity_counter;

/* The object whose user start is p, with its ref; false (and a warning
 * naming the call) for anything else. */
static bool object_start(const char *call, const void *p, object_ref *r) {
  if (!object_find((uintptr_t)p, r)) {
    gc_warnf("%s(%p): not a heap object (ignored)", call, p);
    return false;
  }
  if (object_user_start(r) != (const char *)p) {
    gc_warnf("%s(%p): interior pointer; the object starts at %p (ignored)", call, p,
             (void *)object_user_start(r));
    return false;
  }
  return true;
}

void gc_pin(void *obj) {
  ensure_init();
  object_ref r;
  state_lock();
  if (object_start("gc_pin", obj, &r)) {
    addr_entry *e = addr_map_find(&pins, (uintptr_t)obj);
    if (e)
      e->value++;
    else if (!addr_map_insert(&pins, (uintptr_t)obj, 1))
      gc_fatal("gc_pin(%p): out of memory for the pin table", obj);
  }
  state_unlock();
}

void gc_unpin(void *obj) {
  ensure_init();
  state_lock();
  addr_entry *e = addr_map_find(&pins, (uintptr_t)obj);
  if (!e)
    gc_warnf("gc_unpin(%p): object is not pinned (gc_unpin without a matching gc_pin; "
             "ignored)", obj);
  else if (--e->value == 0)
    addr_map_remove(&pins, e);
  state_unlock();
}

void pins_mark_roots(void) {
  for (size_t i = 0; i < pins.capacity; i++) {
    uintptr_t key = pins.items[i].key;
    if (key != ADDR_MAP_EMPTY && key != ADDR_MAP_TOMB)
      mark_ambiguous_word(key);
  }
}

/* splitmix64: consecutive counters give well-spread, distinct hashes. */
static uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t gc_identity_hash(void *obj) {
  ensure_init();
  object_ref r;
  uint64_t hash;
  state_lock();
  if (!object_start("gc_identity_hash", obj, &r) || object_kind(&r) != KIND_PRECISE) {
    hash = mix64((uintptr_t)obj); /* never moves: the address is the identity */
  } else {
    addr_entry *e = addr_map_find(&identities, (uintptr_t)obj);
    if (!e) {
      e = addr_map_insert(&identities, (uintptr_t)obj, mix64(++identity_counter));
      if (!e)
        gc_fatal("gc_identity_hash(%p): out of memory for the identity table", obj);
    }
    hash = e->value;
  }
  state_unlock();
  return hash;
}

static forward_fn current_forward;

/* H1: keep live objects (at their new address if they moved). */
static uintptr_t identity_remap(uintptr_t key, uint64_t *value) {
  (void)value;
  object_ref r;
  if (!slot_find(key, &r) || !bit_test(G->bits[r.block].mark, r.slot))
    return 0;
  char *to = current_forward ? current_forward(key) : NULL;
  return to ? (uintptr_t)to : key;
}

void identity_after_mark(forward_fn forward) {
  if (!identities.live)
    return;
  current_forward = forward;
  if (!addr_map_rebuild(&identities, identities.live, identity_remap))
    gc_fatal("out of memory rebuilding the identity-hash table");
  current_forward = NULL;
}
