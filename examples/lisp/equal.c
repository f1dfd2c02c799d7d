/*
 * equal.c — the equivalence predicates and the hash functions that agree
 * with them.
 *
 * eqv? is identity except for numbers (same exactness and value).  equal?
 * also compares strings, pairs and vectors by content.  hash_eq agrees
 * with eqv? and hash_equal with equal?.  Neither hashes on an object's
 * address, which the compactor may change: symbols hash by their cached
 * name hash, numbers by value, strings/pairs/vectors (for equal?) by
 * content, and every other heap object by gc_identity_hash, which the
 * collector keeps stable across moves.
 */
#include "lisp.h"

#include <string.h>

#define HASH_BUDGET 64 /* nodes of a structure that hash_equal looks at */

static inline uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

bool eqv(val a, val b) {
  if (a == b)
    return true;
  return is_flonum(a) && is_flonum(b) && flo_val(a) == flo_val(b);
}

static bool string_eq(val a, val b) {
  return str_len(a) == str_len(b) &&
         memcmp(str_data(a), str_data(b), str_len(a)) == 0;
}

bool equal(val a, val b) {
  for (;;) {
    if (eqv(a, b))
      return true;
    if (tag_of(a) != tag_of(b) || !is_heap(a))
      return false;
    switch (tag_of(a)) {
    case T_STRING: return string_eq(a, b);
    case T_VECTOR:
      if (AS(vector, a)->len != AS(vector, b)->len)
        return false;
      for (size_t i = 0; i < AS(vector, a)->len; i++)
        if (!equal(AS(vector, a)->items[i], AS(vector, b)->items[i]))
          return false;
      return true;
    case T_PAIR:
      if (!equal(car(a), car(b)))
        return false;
      a = cdr(a);
      b = cdr(b);
      continue;
    default: return false;
    }
  }
}

static uint64_t hash_double(double d) {
  uint64_t u;
  if (d == 0)
    d = 0; /* -0.0 and 0.0 are eqv?-different but compare ==; hash alike */
  memcpy(&u, &d, sizeof u);
  return mix(u ^ 0x9e3779b97f4a7c15ull);
}

uint64_t hash_eq(val v) {
  if (!is_heap(v))
    return mix(bits(v));
  switch (tag_of(v)) {
  case T_SYMBOL: return AS(symbol, v)->hash;
  case T_FLONUM: return hash_double(flo_val(v));
  default: return mix(gc_identity_hash(v));
  }
}

static uint64_t hash_rec(val v, int *budget) {
  if (--*budget < 0)
    return 0;
  switch (tag_of(v)) {
  case T_STRING: return hash_bytes(str_data(v), str_len(v));
  case T_PAIR: {
    uint64_t h = 0x51ed270b27ull;
    for (; is_pair(v) && *budget > 0; v = cdr(v))
      h = mix(h * 31 + hash_rec(car(v), budget));
    return v == NIL ? h : mix(h + hash_rec(v, budget));
  }
  case T_VECTOR: {
    uint64_t h = AS(vector, v)->len;
    for (size_t i = 0; i < AS(vector, v)->len && *budget > 0; i++)
      h = mix(h * 31 + hash_rec(AS(vector, v)->items[i], budget));
    return h;
  }
  default: return hash_eq(v);
  }
}

uint64_t hash_equal(val v) {
  int budget = HASH_BUDGET;
  return hash_rec(v, &budget);
}
