/*
 * prims_table.c — the Scheme interface to table.c:
 *   (make-hash-table)            equal?-keyed
 *   (make-hash-table 'eqv)       eqv?-keyed ('eq is accepted as a synonym)
 *   (make-hash-table 'weak)      eqv?-keyed, weak keys (ephemerons)
 *   (make-weak-hash-table)       the same as 'weak
 *   hash-table-set! hash-table-ref hash-table-ref/default
 *   hash-table-delete! hash-table-contains? hash-table-count
 *   hash-table-keys hash-table->alist hash-table-clear! hash-table?
 *   (eq-hash obj)                gc_identity_hash: stable across moves
 */
#include "lisp.h"

#include <string.h>

static val check_table(const char *who, val v) {
  arg_check(who, is_table(v), "a hash table", v);
  return v;
}

static bool sym_is(val v, const char *name) {
  return is_symbol(v) && strcmp(str_data(sym_name(v)), name) == 0;
}

static val p_make_hash_table(size_t argc, val *argv) {
  enum table_kind kind = TK_EQUAL;
  if (argc > 0) {
    if (sym_is(argv[0], "eqv") || sym_is(argv[0], "eq"))
      kind = TK_EQ;
    else if (sym_is(argv[0], "weak"))
      kind = TK_WEAK;
    else if (!sym_is(argv[0], "equal"))
      lisp_error("make-hash-table: kind must be equal, eqv, eq or weak",
                 argv[0]);
  }
  return table_new(kind, 16);
}

static val p_make_weak_hash_table(size_t c, val *v) {
  (void)c;
  (void)v;
  return table_new(TK_WEAK, 16);
}

static val p_set(size_t c, val *v) {
  (void)c;
  table_set(check_table("hash-table-set!", v[0]), v[1], v[2]);
  return UNSPEC;
}

static val p_ref(size_t argc, val *v) {
  val r = table_ref(check_table("hash-table-ref", v[0]), v[1], UNDEFINED);
  if (r != UNDEFINED)
    return r;
  if (argc > 2)
    return v[2];
  lisp_error("hash-table-ref: no such key", v[1]);
}

static val p_ref_default(size_t c, val *v) {
  (void)c;
  return table_ref(check_table("hash-table-ref/default", v[0]), v[1], v[2]);
}

static val p_delete(size_t c, val *v) {
  (void)c;
  table_delete(check_table("hash-table-delete!", v[0]), v[1]);
  return UNSPEC;
}

static val p_contains(size_t c, val *v) {
  (void)c;
  val r = table_ref(check_table("hash-table-contains?", v[0]), v[1], UNDEFINED);
  return mk_bool(r != UNDEFINED);
}

static val p_count(size_t c, val *v) {
  (void)c;
  return mk_fix((int64_t)table_count(check_table("hash-table-count", v[0])));
}

static val p_keys(size_t c, val *v) {
  (void)c;
  return table_keys(check_table("hash-table-keys", v[0]));
}

static val p_alist(size_t c, val *v) {
  (void)c;
  return table_alist(check_table("hash-table->alist", v[0]));
}

static val p_clear(size_t c, val *v) {
  (void)c;
  table_clear(check_table("hash-table-clear!", v[0]));
  return UNSPEC;
}

static val p_table_p(size_t c, val *v) { (void)c; return mk_bool(is_table(v[0])); }

static val p_eq_hash(size_t c, val *v) {
  (void)c;
  return mk_fix((int64_t)(hash_eq(v[0]) & (uint64_t)FIX_MAX));
}

void prims_table_init(void) {
  define_prim("make-hash-table", p_make_hash_table, 0, 1, 0);
  define_prim("make-weak-hash-table", p_make_weak_hash_table, 0, 0, 0);
  define_prim("hash-table-set!", p_set, 3, 3, 0);
  define_prim("hash-table-ref", p_ref, 2, 3, 0);
  define_prim("hash-table-ref/default", p_ref_default, 3, 3, 0);
  define_prim("hash-table-delete!", p_delete, 2, 2, 0);
  define_prim("hash-table-contains?", p_contains, 2, 2, 0);
  define_prim("hash-table-count", p_count, 1, 1, 0);
  define_prim("hash-table-keys", p_keys, 1, 1, 0);
  define_prim("hash-table->alist", p_alist, 1, 1, 0);
  define_prim("hash-table-clear!", p_clear, 1, 1, 0);
  define_prim("hash-table?", p_table_p, 1, 1, 0);
  define_prim("eq-hash", p_eq_hash, 1, 1, 0);
}
