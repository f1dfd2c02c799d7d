/*
 * addr_table.c — dense entries keyed by address, with a linear-probing
 * index (invariants in addr_table.h).
 */
#include "addr_table.h"
#include "meta_alloc.h"
#include <string.h>

void addr_table_init(addr_table *t, size_t entry_size) {
  *t = (addr_table){.entry_size = entry_size};
}

void addr_table_release(addr_table *t) {
  meta_free(t->entries);
  meta_free(t->index);
  addr_table_init(t, t->entry_size);
}

/* The hash keeps neighbouring addresses in neighbouring index slots, so
 * registering objects in allocation order walks the index sequentially
 * (a Fibonacci hash made every insertion a cache miss: 2x slower at 10^6
 * entries).  Folding in the bits above 64 KiB and 512 MiB spreads keys
 * that share their low bits (one per block, one per large object).  The
 * 32-bit hash is kept in the index next to the entry number (a tag), so a
 * probe reads the entry itself only when the tags match. */
static inline uint32_t hash_of(const void *key) {
  uint64_t x = (uint64_t)(uintptr_t)key >> 3;
  return (uint32_t)(x ^ (x >> 13) ^ (x >> 26));
}
static inline uint64_t index_value(uint32_t hash, size_t entry) {
  return (uint64_t)hash << 32 | (uint64_t)(entry + 1);
}
static inline uint32_t value_entry(uint64_t v) { return (uint32_t)v - 1; }
static inline uint32_t value_hash(uint64_t v) { return (uint32_t)(v >> 32); }
static inline size_t home_of(uint32_t hash, size_t index_size) {
  return hash & (index_size - 1);
}

/* Index slot holding key, or the empty slot where it would go. */
static size_t probe(const addr_table *t, const void *key, uint32_t hash) {
  size_t mask = t->index_size - 1;
  for (size_t i = home_of(hash, t->index_size);; i = (i + 1) & mask) {
    uint64_t v = t->index[i];
    if (v == 0 || (value_hash(v) == hash &&
                   addr_table_key(addr_table_at(t, value_entry(v))) == key))
      return i;
  }
}

void *addr_table_find(const addr_table *t, const void *key) {
  if (!t->count)
    return NULL;
  uint64_t v = t->index[probe(t, key, hash_of(key))];
  return v ? addr_table_at(t, value_entry(v)) : NULL;
}

/* After mass removal (a collection clearing most links): give memory
 * back, and do not pay for zeroing a huge mostly-empty index.  Only on the
 * second rebuild in a row that finds the table under a quarter full, so a
 * program that registers in bursts (fill, collect, fill again) keeps its
 * memory instead of faulting it in afresh each time. */
static bool shrink(addr_table *t) {
  if (t->count * 4 >= t->capacity) {
    t->sparse_rebuilds = 0;
    return false;
  }
  if (++t->sparse_rebuilds < 2)
    return false;
  t->sparse_rebuilds = 0;
  if (t->capacity > 64) {
    size_t cap = t->count * 2 > 64 ? t->count * 2 : 64;
    char *e = meta_realloc(t->entries, cap * t->entry_size);
    if (e) {
      t->entries = e;
      t->capacity = cap;
    }
  }
  size_t want = 64;
  while (want < t->count * 2)
    want *= 2;
  if (want * 4 > t->index_size)
    return false;
  uint64_t *index = meta_calloc(want, sizeof *index);
  if (!index)
    return false;
  meta_free(t->index);
  t->index = index;
  t->index_size = want;
  return true; /* already zero */
}

void addr_table_rebuild_index(addr_table *t) {
  if (t->index_size && !shrink(t))
    memset(t->index, 0, t->index_size * sizeof *t->index);
  for (size_t i = 0; i < t->count; i++) {
    uint32_t h = hash_of(addr_table_key(addr_table_at(t, i)));
    t->index[probe(t, addr_table_key(addr_table_at(t, i)), h)] = index_value(h, i);
  }
}

static bool grow_index(addr_table *t, size_t want_entries) {
  size_t size = t->index_size ? t->index_size : 64;
  while (size < want_entries * 2)
    size *= 2;
  if (size == t->index_size)
    return true;
  uint64_t *index = meta_calloc(size, sizeof *index);
  if (!index)
    return false;
  meta_free(t->index);
  t->index = index;
  t->index_size = size;
  addr_table_rebuild_index(t);
  return true;
}

static bool grow_entries(addr_table *t) {
  if (t->count < t->capacity)
    return true;
  size_t cap = t->capacity ? t->capacity * 2 : 64;
  if (cap > UINT32_MAX - 1)
    return false;
  char *e = meta_realloc(t->entries, cap * t->entry_size);
  if (!e)
    return false;
  t->entries = e;
  t->capacity = cap;
  return true;
}

void *addr_table_insert(addr_table *t, const void *key) {
  bool inserted;
  void *e = addr_table_find_or_insert(t, key, &inserted);
  return e && inserted ? e : NULL;
}

void *addr_table_find_or_insert(addr_table *t, const void *key, bool *inserted) {
  *inserted = false;
  if (!grow_entries(t) || !grow_index(t, t->count + 1))
    return NULL;
  uint32_t h = hash_of(key);
  size_t slot = probe(t, key, h);
  if (t->index[slot])
    return addr_table_at(t, value_entry(t->index[slot]));
  void *e = addr_table_at(t, t->count);
  memset(e, 0, t->entry_size);
  *(const void **)e = key;
  t->index[slot] = index_value(h, t->count);
  t->count++;
  *inserted = true;
  return e;
}

/* Empty index slot `hole`: shift later members of its probe run back so
 * that every key stays reachable from its home slot (T3, no tombstones). */
static void close_hole(addr_table *t, size_t hole) {
  size_t mask = t->index_size - 1;
  for (size_t i = (hole + 1) & mask; t->index[i]; i = (i + 1) & mask) {
    size_t home = home_of(value_hash(t->index[i]), t->index_size);
    /* Movable when home is not in the cyclic interval (hole, i]. */
    bool in_between = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (!in_between) {
      t->index[hole] = t->index[i];
      t->index[i] = 0;
      hole = i;
    }
  }
}

void addr_table_remove(addr_table *t, void *entry) {
  size_t pos = (size_t)((char *)entry - t->entries) / t->entry_size;
  size_t slot = probe(t, addr_table_key(entry), hash_of(addr_table_key(entry)));
  t->index[slot] = 0;
  close_hole(t, slot);
  size_t last = t->count - 1;
  if (pos != last) {
    void *moved = addr_table_at(t, last);
    uint32_t h = hash_of(addr_table_key(moved));
    t->index[probe(t, addr_table_key(moved), h)] = index_value(h, pos);
    memcpy(entry, moved, t->entry_size);
  }
  t->count--;
}

size_t addr_table_filter(addr_table *t, bool (*keep)(void *entry, void *ctx), void *ctx) {
  size_t out = 0;
  for (size_t i = 0; i < t->count; i++) {
    void *e = addr_table_at(t, i);
    if (!keep(e, ctx))
      continue;
    if (out != i)
      memcpy(addr_table_at(t, out), e, t->entry_size);
    out++;
  }
  size_t dropped = t->count - out;
  t->count = out;
  if (dropped)
    addr_table_rebuild_index(t);
  return dropped;
}

int addr_table_check(const addr_table *t) {
  if (t->count && t->index_size < t->count * 2)
    return -1;
  size_t used = 0;
  for (size_t i = 0; i < t->index_size; i++) {
    uint64_t v = t->index[i];
    if (!v)
      continue;
    if (value_entry(v) >= t->count)
      return -2;
    used++;
  }
  if (used != t->count)
    return -3;
  for (size_t i = 0; i < t->count; i++)
    if (addr_table_find(t, addr_table_key(addr_table_at(t, i))) != addr_table_at(t, i))
      return -4;
  return 0;
}
