/*
 * addr_table.h — a dense array of fixed-size entries keyed by an address,
 * with an open-addressing hash index (addr_table.c).  Used by the
 * finalizer table (key: the object) and the disappearing-link tables
 * (key: the link).
 *
 * Why dense + index: the collector walks every entry once per collection
 * (cost linear in the number of entries, no empty buckets to skip), and
 * the compactor may rewrite keys in place; the index is then rebuilt in
 * one pass (addr_table_rebuild_index), so nothing depends on an address
 * staying put.
 *
 * Invariants
 *   T1. The key of an entry is its first word (a pointer).
 *   T2. Keys are unique.
 *   T3. index has a power-of-two size at least twice count; a slot holds
 *       the key's 32-bit hash and i + 1 for entry i, 0 is empty; linear
 *       probing from the low bits of the hash, no tombstones (removal shifts the
 *       probe run back).
 *   T4. Memory comes from meta_alloc (mmap), never malloc: tables change
 *       during collections, with other threads stopped (one may hold the
 *       malloc lock), and the collector never scans that memory, so the
 *       entries never keep their objects alive by themselves.
 * Not thread-safe: the caller holds the collector lock.
 */
#ifndef GLEANER_ADDR_TABLE_H
#define GLEANER_ADDR_TABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct addr_table {
  char *entries;
  size_t entry_size;
  size_t count, capacity;
  uint64_t *index;    /* hash << 32 | (entry + 1); 0 = empty */
  size_t index_size;  /* 0 or a power of two */
  unsigned sparse_rebuilds; /* consecutive rebuilds at < 1/4 full */
} addr_table;

void addr_table_init(addr_table *t, size_t entry_size);
/* Give the table's memory back; it is empty (and usable) afterwards. */
void addr_table_release(addr_table *t);
static inline void *addr_table_at(const addr_table *t, size_t i) {
  return t->entries + i * t->entry_size;
}
static inline const void *addr_table_key(const void *entry) {
  return *(const void *const *)entry;
}
/* The entry with this key, or NULL. */
void *addr_table_find(const addr_table *t, const void *key);
/* Append an entry for a key that is not present (T2): key set, rest zero.
 * NULL when memory runs out (or the key is present). */
void *addr_table_insert(addr_table *t, const void *key);
/* The entry of key, appended (key set, rest zero; *inserted = true) if it
 * was absent: one probe for "replace or add".  NULL when memory runs out. */
void *addr_table_find_or_insert(addr_table *t, const void *key, bool *inserted);
/* Remove one entry (the last entry moves into its place). */
void addr_table_remove(addr_table *t, void *entry);
/* After editing entries in bulk (keys rewritten, entries dropped by
 * compacting the array and lowering count): rebuild the index. */
void addr_table_rebuild_index(addr_table *t);
/* Keep the entries for which keep(entry, ctx) is true, in one pass;
 * returns the number dropped (index rebuilt if any). */
size_t addr_table_filter(addr_table *t, bool (*keep)(void *entry, void *ctx), void *ctx);
/* Self-check of T2/T3 (tests): 0 when consistent. */
int addr_table_check(const addr_table *t);
#endif
