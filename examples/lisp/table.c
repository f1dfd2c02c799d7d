/*
 * table.c — hash tables: equal?-keyed, eqv?-keyed, and weak (eqv?-keyed,
 * entries held by Gleaner ephemerons).
 *
 * A table is {count, buckets}: a power-of-two vector of chains.  A chain
 * element is an `entry` {key, value, next}, or in a weak table a `wentry`
 * {ephemeron, next} whose ephemeron holds the value only while the key is
 * reachable from elsewhere — a value that refers back to its own key does
 * not keep the entry alive.  A weak table stores entries with immediate
 * keys (fixnums, characters, ...) as plain entries: they can never die.
 *
 * Invariants:
 *   - a key's chain is chosen by hash_equal (equal tables) or hash_eq (the
 *     others), cached in the element; neither depends on addresses, so
 *     moving objects never requires a rehash;
 *   - `count` is the number of entries in the chains; in a weak table it
 *     includes entries whose key has died and not yet been pruned
 *     (table_count prunes first);
 *   - a wentry whose ephemeron is NULL or whose key reads as NULL is dead.
 * Allocation happens only at the start of table_set (and in the list
 * builders), before any raw chain pointer is taken.
 */
#include "lisp.h"

static inline struct table *tab(val t) { return AS(table, t); }
static inline struct vector *buckets(val t) {
  return AS(vector, tab(t)->buckets);
}

static uint64_t key_hash(val t, val key) {
  return tab(t)->h.aux == TK_EQUAL ? hash_equal(key) : hash_eq(key);
}

static bool key_match(val t, val a, val b) {
  return tab(t)->h.aux == TK_EQUAL ? equal(a, b) : eqv(a, b);
}

/* The key of a chain element; NULL for a dead weak entry. */
static val elem_key(val e) {
  if (e->tag == T_ENTRY)
    return AS(entry, e)->key;
  gc_ephemeron *eph = AS(wentry, e)->eph;
  return eph ? (val)gc_ephemeron_key(eph) : NIL;
}

static val elem_value(val e) {
  if (e->tag == T_ENTRY)
    return AS(entry, e)->value;
  return (val)gc_ephemeron_value(AS(wentry, e)->eph);
}

static bool elem_dead(val e) { return e->tag == T_WENTRY && elem_key(e) == NIL; }

static uint64_t elem_hash(val e) {
  return e->tag == T_ENTRY ? AS(entry, e)->hash : AS(wentry, e)->hash;
}

static val elem_next(val e) {
  return e->tag == T_ENTRY ? AS(entry, e)->next : AS(wentry, e)->next;
}

static void elem_set_next(val e, val next) {
  if (e->tag == T_ENTRY)
    GC_STORE(e, AS(entry, e)->next, next);
  else
    GC_STORE(e, AS(wentry, e)->next, next);
}

val table_new(enum table_kind kind, size_t capacity) {
  size_t n = 8;
  while (n < capacity / 2)
    n *= 2;
  vpush(make_vector(n, NIL));
  struct table *t = lisp_alloc(&ty_table, sizeof *t);
  t->h.tag = T_TABLE;
  t->h.aux = kind;
  GC_STORE(t, t->buckets, vpop());
  return (val)t;
}

static val find(val t, val key, uint64_t h) {
  val e = buckets(t)->items[h & (buckets(t)->len - 1)];
  for (; e != NIL; e = elem_next(e))
    if (elem_hash(e) == h && !elem_dead(e) && key_match(t, elem_key(e), key))
      return e;
  return NIL;
}

val table_ref(val t, val key, val dflt) {
  val e = find(t, key, key_hash(t, key));
  return e == NIL ? dflt : elem_value(e);
}

/* Unlinks dead weak entries from every chain. */
static void prune(val t) {
  struct vector *b = buckets(t);
  for (size_t i = 0; i < b->len; i++) {
    val prev = NIL;
    for (val e = b->items[i]; e != NIL; e = elem_next(e)) {
      if (!elem_dead(e)) {
        prev = e;
        continue;
      }
      if (prev == NIL)
        vector_set((val)b, i, elem_next(e));
      else
        elem_set_next(prev, elem_next(e));
      tab(t)->count--;
    }
  }
}

/* Doubles the bucket vector (allocates), dropping dead weak entries. */
static void grow(val t) {
  vpush(t);
  val fresh = make_vector(buckets(vstack[vsp() - 1])->len * 2, NIL);
  t = vpop();
  prune(t);
  struct vector *old = buckets(t), *nb = AS(vector, fresh);
  for (size_t i = 0; i < old->len; i++) {
    while (old->items[i] != NIL) {
      val e = old->items[i];
      vector_set((val)old, i, elem_next(e));
      size_t j = elem_hash(e) & (nb->len - 1);
      elem_set_next(e, nb->items[j]);
      vector_set(fresh, j, e);
    }
  }
  GC_STORE(t, tab(t)->buckets, fresh);
}

/* A new chain element for key/value; allocates. */
static val new_elem(val t, val key, val value, uint64_t h) {
  if (tab(t)->h.aux != TK_WEAK || !is_heap(key)) {
    vpush(key);
    vpush(value);
    struct entry *e = lisp_alloc(&ty_entry, sizeof *e);
    e->h.tag = T_ENTRY;
    e->hash = h;
    GC_STORE(e, e->value, vpop());
    GC_STORE(e, e->key, vpop());
    return (val)e;
  }
  /* The wentry exists before its ephemeron, so that the ephemeron is
   * never held only by a C local across an allocation. */
  vpush(key);
  vpush(value);
  vpush(lisp_alloc(&ty_wentry, sizeof(struct wentry)));
  vstack[vsp() - 1]->tag = T_WENTRY;
  AS(wentry, vstack[vsp() - 1])->hash = h;
  gc_ephemeron *eph = gc_ephemeron_new(vstack[vsp() - 3], vstack[vsp() - 2]);
  if (eph == NULL)
    lisp_error("out of memory (ephemeron)", NO_IRRITANT);
  val w = vpop();
  GC_STORE(w, AS(wentry, w)->eph, eph);
  vset_sp(vsp() - 2);
  return w;
}

void table_set(val t, val key, val value) {
  uint64_t h = key_hash(t, key);
  val e = find(t, key, h);
  if (e != NIL && e->tag == T_ENTRY) {
    GC_STORE(e, AS(entry, e)->value, value);
    return;
  }
  vpush(t);
  vpush(key);
  if (e != NIL) /* weak: ephemerons are immutable, replace the entry */
    table_delete(t, key);
  val fresh = new_elem(t, key, value, h);
  key = vpop();
  t = vpop();
  if (tab(t)->count >= 2 * buckets(t)->len) {
    vpush(t);
    vpush(fresh);
    grow(t);
    fresh = vpop();
    t = vpop();
  }
  size_t i = h & (buckets(t)->len - 1);
  elem_set_next(fresh, buckets(t)->items[i]);
  vector_set(tab(t)->buckets, i, fresh);
  tab(t)->count++;
}

bool table_delete(val t, val key) {
  struct vector *b = buckets(t);
  uint64_t h = key_hash(t, key);
  size_t i = h & (b->len - 1);
  val prev = NIL;
  for (val e = b->items[i]; e != NIL; prev = e, e = elem_next(e)) {
    if (elem_hash(e) != h || elem_dead(e) || !key_match(t, elem_key(e), key))
      continue;
    if (prev == NIL)
      vector_set((val)b, i, elem_next(e));
    else
      elem_set_next(prev, elem_next(e));
    tab(t)->count--;
    return true;
  }
  return false;
}

size_t table_count(val t) {
  if (tab(t)->h.aux == TK_WEAK)
    prune(t);
  return tab(t)->count;
}

void table_clear(val t) {
  struct vector *b = buckets(t);
  for (size_t i = 0; i < b->len; i++)
    vector_set((val)b, i, NIL);
  tab(t)->count = 0;
}

/* The j-th live element of bucket i, or NIL. */
static val elem_at(val t, size_t i, size_t j) {
  val e = buckets(t)->items[i];
  for (; e != NIL; e = elem_next(e))
    if (!elem_dead(e) && j-- == 0)
      return e;
  return NIL;
}

/* A list of keys, or of (key . value) pairs; allocates.  Walks by index
 * because every cons may move the chains. */
static val collect(val t, bool pairs) {
  GC_FRAME(f, 3);
  val *table = SLOT(f, 0), *acc = SLOT(f, 1), *item = SLOT(f, 2);
  *table = t;
  for (size_t i = 0; i < buckets(*table)->len; i++) {
    for (size_t j = 0;; j++) {
      val e = elem_at(*table, i, j);
      if (e == NIL)
        break;
      *item = elem_key(e);
      if (pairs)
        *item = cons(*item, elem_value(elem_at(*table, i, j)));
      *acc = cons(*item, *acc);
    }
  }
  val result = *acc;
  GC_FRAME_END(f);
  return result;
}

val table_keys(val t) { return collect(t, false); }
val table_alist(val t) { return collect(t, true); }
