/*
 * prims_data.c — pairs, lists, vectors, type predicates and equivalence.
 *
 * List builders push elements on the value stack and cons them up with
 * list_from_stack, so no half-built list is ever held in a C local across
 * an allocation.  Lists too long for the value stack are built through an
 * accumulator kept in argv (rooted).
 */
#include "lisp.h"

static val check_pair(const char *who, val v) {
  arg_check(who, is_pair(v), "a pair", v);
  return v;
}

static val p_cons(size_t c, val *v) { (void)c; return cons(v[0], v[1]); }
static val p_car(size_t c, val *v) { (void)c; return car(check_pair("car", v[0])); }
static val p_cdr(size_t c, val *v) { (void)c; return cdr(check_pair("cdr", v[0])); }
static val p_set_car(size_t c, val *v) {
  (void)c;
  set_car(check_pair("set-car!", v[0]), v[1]);
  return UNSPEC;
}
static val p_set_cdr(size_t c, val *v) {
  (void)c;
  set_cdr(check_pair("set-cdr!", v[0]), v[1]);
  return UNSPEC;
}

/* c[ad]+r by the letters of the name, applied right to left. */
static val cxr(val x, const char *path, const char *who) {
  for (size_t i = 0; path[i]; i++) {
    check_pair(who, x);
    x = path[i] == 'a' ? car(x) : cdr(x);
  }
  return x;
}
static val p_caar(size_t c, val *v) { (void)c; return cxr(v[0], "aa", "caar"); }
static val p_cadr(size_t c, val *v) { (void)c; return cxr(v[0], "da", "cadr"); }
static val p_cdar(size_t c, val *v) { (void)c; return cxr(v[0], "ad", "cdar"); }
static val p_cddr(size_t c, val *v) { (void)c; return cxr(v[0], "dd", "cddr"); }
static val p_caddr(size_t c, val *v) { (void)c; return cxr(v[0], "dda", "caddr"); }
static val p_cdddr(size_t c, val *v) { (void)c; return cxr(v[0], "ddd", "cdddr"); }
static val p_cadddr(size_t c, val *v) { (void)c; return cxr(v[0], "ddda", "cadddr"); }

static val p_list(size_t argc, val *argv) {
  size_t base = (size_t)(argv - vstack);
  return list_from_stack(base, base + argc, NIL);
}

static size_t list_length(const char *who, val l) {
  size_t n = 0;
  for (; is_pair(l); l = cdr(l))
    n++;
  arg_check(who, l == NIL, "a proper list", l);
  return n;
}

static val p_length(size_t c, val *v) {
  (void)c;
  return mk_fix((int64_t)list_length("length", v[0]));
}

/* Conses the elements of proper list `l` onto `tail` in reverse order;
 * l and tail live in argv slots (rooted). */
static val reverse_onto(val *l, val *tail) {
  while (is_pair(*l)) {
    val p = cons(car(*l), *tail);
    *tail = p;
    *l = cdr(*l);
  }
  return *tail;
}

static val p_reverse(size_t argc, val *argv) {
  (void)argc;
  list_length("reverse", argv[0]);
  vpush(NIL);
  val r = reverse_onto(&argv[0], &vstack[vsp() - 1]);
  vpop();
  return r;
}

/* (append l1 ... ln): copies all but the last list.  Stack: acc at a,
 * the list being copied at a+1, its reversed copy at a+2. */
static val p_append(size_t argc, val *argv) {
  if (argc == 0)
    return NIL;
  size_t a = vsp();
  vpush(argv[argc - 1]);
  for (size_t i = argc - 1; i-- > 0;) {
    list_length("append", argv[i]);
    vpush(argv[i]);
    vpush(NIL);
    reverse_onto(&vstack[a + 1], &vstack[a + 2]);
    reverse_onto(&vstack[a + 2], &vstack[a]);
    vset_sp(a + 1);
  }
  return vpop();
}

static val p_list_tail(size_t c, val *v) {
  (void)c;
  val l = v[0];
  for (int64_t k = arg_int("list-tail", v[1]); k > 0; k--)
    l = cdr(check_pair("list-tail", l));
  return l;
}
static val p_list_ref(size_t c, val *v) {
  (void)c;
  val l = v[0];
  for (int64_t k = arg_int("list-ref", v[1]); k > 0; k--)
    l = cdr(check_pair("list-ref", l));
  return car(check_pair("list-ref", l));
}

static val mem_generic(val x, val l, bool (*eq)(val, val)) {
  for (; is_pair(l); l = cdr(l))
    if (eq(x, car(l)))
      return l;
  return FALSE_V;
}
static bool eq_bits(val a, val b) { return a == b; }
static val p_memq(size_t c, val *v) { (void)c; return mem_generic(v[0], v[1], eq_bits); }
static val p_memv(size_t c, val *v) { (void)c; return mem_generic(v[0], v[1], eqv); }
static val p_member(size_t c, val *v) { (void)c; return mem_generic(v[0], v[1], equal); }

static val ass_generic(val x, val l, bool (*eq)(val, val)) {
  for (; is_pair(l); l = cdr(l))
    if (is_pair(car(l)) && eq(x, car(car(l))))
      return car(l);
  return FALSE_V;
}
static val p_assq(size_t c, val *v) { (void)c; return ass_generic(v[0], v[1], eq_bits); }
static val p_assv(size_t c, val *v) { (void)c; return ass_generic(v[0], v[1], eqv); }
static val p_assoc(size_t c, val *v) { (void)c; return ass_generic(v[0], v[1], equal); }

#define PRED(fname, expr)                                                     \
  static val fname(size_t c, val *v) {                                        \
    (void)c;                                                                  \
    val x = v[0];                                                             \
    return mk_bool(expr);                                                     \
  }
PRED(p_pair_p, is_pair(x))
PRED(p_null_p, x == NIL)
PRED(p_symbol_p, is_symbol(x))
PRED(p_string_p, is_string(x))
PRED(p_procedure_p, is_procedure(x))
PRED(p_vector_p, is_vector(x))
PRED(p_boolean_p, x == TRUE_V || x == FALSE_V)
PRED(p_char_p, is_char(x))
PRED(p_not, x == FALSE_V)
PRED(p_eof_p, x == EOF_V)

static val p_list_p(size_t c, val *v) {
  (void)c;
  val slow = v[0], fast = v[0];
  for (;;) { /* Floyd: a cyclic list is not a list */
    if (fast == NIL) return TRUE_V;
    if (!is_pair(fast)) return FALSE_V;
    fast = cdr(fast);
    if (fast == NIL) return TRUE_V;
    if (!is_pair(fast)) return FALSE_V;
    fast = cdr(fast);
    slow = cdr(slow);
    if (fast == slow) return FALSE_V;
  }
}

static val p_eq(size_t c, val *v) { (void)c; return mk_bool(v[0] == v[1]); }
static val p_eqv(size_t c, val *v) { (void)c; return mk_bool(eqv(v[0], v[1])); }
static val p_equal(size_t c, val *v) { (void)c; return mk_bool(equal(v[0], v[1])); }

/* ---- vectors ---- */

static val check_vector(const char *who, val v) {
  arg_check(who, is_vector(v), "a vector", v);
  return v;
}

static val p_make_vector(size_t argc, val *argv) {
  int64_t n = arg_int("make-vector", argv[0]);
  if (n < 0)
    lisp_error("make-vector: negative length", argv[0]);
  return make_vector((size_t)n, argc > 1 ? argv[1] : FALSE_V);
}

static val p_vector(size_t argc, val *argv) {
  val vec = make_vector(argc, NIL);
  for (size_t i = 0; i < argc; i++)
    vector_set(vec, i, argv[i]);
  return vec;
}

static val p_vector_ref(size_t c, val *v) {
  (void)c;
  struct vector *vec = AS(vector, check_vector("vector-ref", v[0]));
  return vec->items[arg_index("vector-ref", v[1], vec->len)];
}
static val p_vector_set(size_t c, val *v) {
  (void)c;
  size_t len = AS(vector, check_vector("vector-set!", v[0]))->len;
  vector_set(v[0], arg_index("vector-set!", v[1], len), v[2]);
  return UNSPEC;
}
static val p_vector_length(size_t c, val *v) {
  (void)c;
  return mk_fix((int64_t)AS(vector, check_vector("vector-length", v[0]))->len);
}
static val p_vector_fill(size_t c, val *v) {
  (void)c;
  size_t len = AS(vector, check_vector("vector-fill!", v[0]))->len;
  for (size_t i = 0; i < len; i++)
    vector_set(v[0], i, v[1]);
  return UNSPEC;
}

static val p_vector_to_list(size_t c, val *v) {
  (void)c;
  check_vector("vector->list", v[0]);
  vpush(NIL);
  for (size_t i = AS(vector, v[0])->len; i-- > 0;) {
    val p = cons(AS(vector, v[0])->items[i], vstack[vsp() - 1]);
    vstack[vsp() - 1] = p;
  }
  return vpop();
}

static val p_list_to_vector(size_t c, val *v) {
  (void)c;
  size_t n = list_length("list->vector", v[0]);
  val vec = make_vector(n, NIL);
  val l = v[0];
  for (size_t i = 0; i < n; i++, l = cdr(l))
    vector_set(vec, i, car(l));
  return vec;
}

void prims_data_init(void) {
  static const struct { const char *name; prim_fn fn; int min, max; } tab[] = {
      {"cons", p_cons, 2, 2},          {"car", p_car, 1, 1},
      {"cdr", p_cdr, 1, 1},            {"set-car!", p_set_car, 2, 2},
      {"set-cdr!", p_set_cdr, 2, 2},   {"caar", p_caar, 1, 1},
      {"cadr", p_cadr, 1, 1},          {"cdar", p_cdar, 1, 1},
      {"cddr", p_cddr, 1, 1},          {"caddr", p_caddr, 1, 1},
      {"cdddr", p_cdddr, 1, 1},        {"cadddr", p_cadddr, 1, 1},
      {"list", p_list, 0, -1},         {"length", p_length, 1, 1},
      {"reverse", p_reverse, 1, 1},    {"append", p_append, 0, -1},
      {"list-tail", p_list_tail, 2, 2}, {"list-ref", p_list_ref, 2, 2},
      {"memq", p_memq, 2, 2},          {"memv", p_memv, 2, 2},
      {"member", p_member, 2, 2},      {"assq", p_assq, 2, 2},
      {"assv", p_assv, 2, 2},          {"assoc", p_assoc, 2, 2},
      {"pair?", p_pair_p, 1, 1},       {"null?", p_null_p, 1, 1},
      {"list?", p_list_p, 1, 1},       {"symbol?", p_symbol_p, 1, 1},
      {"string?", p_string_p, 1, 1},   {"procedure?", p_procedure_p, 1, 1},
      {"vector?", p_vector_p, 1, 1},   {"boolean?", p_boolean_p, 1, 1},
      {"char?", p_char_p, 1, 1},       {"not", p_not, 1, 1},
      {"eof-object?", p_eof_p, 1, 1},  {"eq?", p_eq, 2, 2},
      {"eqv?", p_eqv, 2, 2},           {"equal?", p_equal, 2, 2},
      {"make-vector", p_make_vector, 1, 2}, {"vector", p_vector, 0, -1},
      {"vector-ref", p_vector_ref, 2, 2}, {"vector-set!", p_vector_set, 3, 3},
      {"vector-length", p_vector_length, 1, 1},
      {"vector-fill!", p_vector_fill, 2, 2},
      {"vector->list", p_vector_to_list, 1, 1},
      {"list->vector", p_list_to_vector, 1, 1},
  };
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
    define_prim(tab[i].name, tab[i].fn, tab[i].min, tab[i].max, PK_NORMAL);
}
