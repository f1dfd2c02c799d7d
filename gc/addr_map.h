/*
 * addr_map.h — a small open-addressing hash map from object address to a
 * 64-bit value, used by the pin table (pin.c) and the identity-hash table
 * (identity.c).
 *
 * Invariants
 *   A1. Capacity is a power of two and the load (live + tombstones) stays
 *       below 3/4, so every probe sequence ends at an empty entry.
 *   A2. Key 0 marks an empty entry, key 1 a tombstone; object addresses are
 *       16-aligned and never 0 or 1.
 *   A3. The entries live in malloc memory, which is never a root: keys here
 *       neither keep objects alive nor pin them (pins are fed to the marker
 *       explicitly by pin.c).
 * Callers hold G->lock.
 */
#ifndef GLEANER_ADDR_MAP_H
#define GLEANER_ADDR_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define ADDR_MAP_EMPTY ((uintptr_t)0)
#define ADDR_MAP_TOMB ((uintptr_t)1)

typedef struct addr_entry {
  uintptr_t key;
  uint64_t value;
} addr_entry;

typedef struct addr_map {
  addr_entry *items;
  size_t capacity; /* 0 or a power of two */
  size_t live;     /* entries holding a key */
  size_t used;     /* live + tombstones */
} addr_map;

static inline size_t addr_hash(uintptr_t key) {
  /* Fibonacci hashing of the granule number spreads 16-aligned keys. */
  return (size_t)(((uint64_t)(key >> 4) * 0x9E3779B97F4A7C15ull) >> 20);
}

/* The entry for key, or NULL. */
static inline addr_entry *addr_map_find(const addr_map *m, uintptr_t key) {
  if (!m->capacity)
    return NULL;
  size_t mask = m->capacity - 1;
  for (size_t i = addr_hash(key) & mask;; i = (i + 1) & mask) {
    addr_entry *e = &m->items[i];
    if (e->key == key)
      return e;
    if (e->key == ADDR_MAP_EMPTY)
      return NULL;
  }
}

/* Insert into a map known to have room and not to contain key. */
static inline addr_entry *addr_map_place(addr_map *m, uintptr_t key, uint64_t value) {
  size_t mask = m->capacity - 1;
  size_t i = addr_hash(key) & mask;
  while (m->items[i].key != ADDR_MAP_EMPTY && m->items[i].key != ADDR_MAP_TOMB)
    i = (i + 1) & mask;
  if (m->items[i].key == ADDR_MAP_EMPTY)
    m->used++;
  m->live++;
  m->items[i] = (addr_entry){key, value};
  return &m->items[i];
}

/* Rebuild with room for at least `want` live entries; each old entry goes
 * through remap(key, &value) which returns the new key, or 0 to drop it.
 * False (map unchanged) when memory runs out. */
typedef uintptr_t (*addr_remap_fn)(uintptr_t key, uint64_t *value);
static inline bool addr_map_rebuild(addr_map *m, size_t want, addr_remap_fn remap) {
  size_t cap = 16;
  while (cap * 3 / 4 <= want)
    cap *= 2;
  addr_entry *items = calloc(cap, sizeof *items);
  if (!items)
    return false;
  addr_map fresh = {items, cap, 0, 0};
  for (size_t i = 0; i < m->capacity; i++) {
    uintptr_t key = m->items[i].key;
    if (key == ADDR_MAP_EMPTY || key == ADDR_MAP_TOMB)
      continue;
    uint64_t value = m->items[i].value;
    uintptr_t to = remap ? remap(key, &value) : key;
    if (to)
      addr_map_place(&fresh, to, value);
  }
  free(m->items);
  *m = fresh;
  return true;
}

/* Insert key (absent) with value; NULL when memory runs out. */
static inline addr_entry *addr_map_insert(addr_map *m, uintptr_t key, uint64_t value) {
  if ((m->used + 1) * 4 >= m->capacity * 3 && !addr_map_rebuild(m, m->live + 1, NULL))
    return NULL;
  return addr_map_place(m, key, value);
}

static inline void addr_map_remove(addr_map *m, addr_entry *e) {
  e->key = ADDR_MAP_TOMB;
  e->value = 0;
  m->live--;
}
#endif
