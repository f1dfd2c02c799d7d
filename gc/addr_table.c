/*
 * addr_table.c — dense entries keyed by address, with a linear-probing
 * index (invariants in addr_table.h).
 */
#include "addr_table.h"
#include <stdlib.h>
#include <string.h>

void addr_table_init(addr_table *t, size_t entry_size) {
  *t = (addr_table){.entry_size = entry_size};
}

/* Fibonacci hashing of the address without its always-zero low bits. */
static inline size_t hash_of(const void *key, size_t mask) {
  uint64_t h = ((uint64_t)(uintptr_t)key >> 3) * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 32) & mask;
}

/* Index slot holding key, or the empty slot where it would go. */
static size_t probe(const addr_table *t, const void *key) {
  size_t mask = t->index_size - 1;
  for (size_t i = hash_of(key, mask);; i = (i + 1) & mask) {
    uint32_t v = t->index[i];
    if (v == 0 || addr_table_key(addr_table_at(t, v - 1)) == key)
      return i;
  }
}

void *addr_table_find(const addr_table *t, const void *key) {
  if (!t->count)
    return NULL;
  uint32_t v = t->index[probe(t, key)];
  return v ? addr_table_at(t, v - 1) : NULL;
}

void addr_table_rebuild_index(addr_table *t) {
  if (t->index_size)
    memset(t->index, 0, t->index_size * sizeof *t->index);
  for (size_t i = 0; i < t->count; i++)
    t->index[probe(t, addr_table_key(addr_table_at(t, i)))] = (uint32_t)(i + 1);
}

static bool grow_index(addr_table *t, size_t want_entries) {
  size_t size = t->index_size ? t->index_size : 64;
  while (size < want_entries * 2)
    size *= 2;
  if (size == t->index_size)
    return true;
  uint32_t *index = calloc(size, sizeof *index);
  if (!index)
    return false;
  free(t->index);
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
  char *e = realloc(t->entries, cap * t->entry_size);
  if (!e)
    return false;
  t->entries = e;
  t->capacity = cap;
  return true;
}

void *addr_table_insert(addr_table *t, const void *key) {
  if (!grow_entries(t) || !grow_index(t, t->count + 1))
    return NULL;
  void *e = addr_table_at(t, t->count);
  memset(e, 0, t->entry_size);
  *(const void **)e = key;
  t->index[probe(t, key)] = (uint32_t)(t->count + 1);
  t->count++;
  return e;
}

/* Empty index slot `hole`: shift later members of its probe run back so
 * that every key stays reachable from its home slot (T3, no tombstones). */
static void close_hole(addr_table *t, size_t hole) {
  size_t mask = t->index_size - 1;
  for (size_t i = (hole + 1) & mask; t->index[i]; i = (i + 1) & mask) {
    size_t home = hash_of(addr_table_key(addr_table_at(t, t->index[i] - 1)), mask);
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
  size_t slot = probe(t, addr_table_key(entry));
  t->index[slot] = 0;
  close_hole(t, slot);
  size_t last = t->count - 1;
  if (pos != last) {
    void *moved = addr_table_at(t, last);
    t->index[probe(t, addr_table_key(moved))] = (uint32_t)(pos + 1);
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
    uint32_t v = t->index[i];
    if (!v)
      continue;
    if (v > t->count)
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
