/*
 * prims_num.c — numbers: fixnums (62-bit, immediate) and flonums (boxed
 * doubles).  Fixnum arithmetic that overflows the 62-bit range yields a
 * flonum, so results are never silently wrong; mixing a flonum in makes
 * the result a flonum.  Only flonum results allocate.
 */
#include "lisp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static val num_from_double(double d) { return mk_flonum(d); }

static val add2(val a, val b, const char *who) {
  if (is_fix(a) && is_fix(b))
    return mk_integer(fix_val(a) + fix_val(b)); /* |sum| < 2^62: no wrap */
  return num_from_double(arg_num(who, a) + arg_num(who, b));
}

static val sub2(val a, val b, const char *who) {
  if (is_fix(a) && is_fix(b))
    return mk_integer(fix_val(a) - fix_val(b));
  return num_from_double(arg_num(who, a) - arg_num(who, b));
}

static val mul2(val a, val b, const char *who) {
  if (is_fix(a) && is_fix(b)) {
    int64_t r;
    if (!__builtin_mul_overflow(fix_val(a), fix_val(b), &r))
      return mk_integer(r);
    return num_from_double((double)fix_val(a) * (double)fix_val(b));
  }
  return num_from_double(arg_num(who, a) * arg_num(who, b));
}

/* Folds op over argv; the accumulator lives in argv[0] so that flonum
 * allocations cannot lose it. */
static val fold(size_t argc, val *argv, val unit,
                val (*op)(val, val, const char *), const char *who) {
  if (argc == 0)
    return unit;
  arg_num(who, argv[0]);
  for (size_t i = 1; i < argc; i++)
    argv[0] = op(argv[0], argv[i], who);
  return argv[0];
}

static val p_add(size_t argc, val *argv) {
  return fold(argc, argv, mk_fix(0), add2, "+");
}
static val p_mul(size_t argc, val *argv) {
  return fold(argc, argv, mk_fix(1), mul2, "*");
}
static val p_sub(size_t argc, val *argv) {
  if (argc == 1)
    return sub2(mk_fix(0), argv[0], "-");
  return fold(argc, argv, mk_fix(0), sub2, "-");
}

static val div2(val a, val b, const char *who) {
  if (is_fix(a) && is_fix(b)) {
    if (fix_val(b) == 0)
      lisp_error("/: division by zero", a);
    if (fix_val(a) % fix_val(b) == 0)
      return mk_integer(fix_val(a) / fix_val(b));
  }
  return num_from_double(arg_num(who, a) / arg_num(who, b));
}
static val p_div(size_t argc, val *argv) {
  if (argc == 1)
    return div2(mk_fix(1), argv[0], "/");
  return fold(argc, argv, mk_fix(1), div2, "/");
}

/* quotient/remainder/modulo on integers (fixnums or integral flonums). */
static val int_div(size_t argc, val *argv, int which, const char *who) {
  (void)argc;
  int64_t a = arg_int(who, argv[0]), b = arg_int(who, argv[1]);
  if (b == 0)
    who_error(who, "division by zero", argv[0]);
  if (b == -1) /* INT64_MIN / -1 overflows */
    return which == 0 ? mk_integer(-a) : mk_fix(0);
  int64_t r = which == 0 ? a / b : a % b;
  if (which == 2 && r != 0 && (r < 0) != (b < 0))
    r += b;
  val result = mk_integer(r);
  if (is_flonum(argv[0]) || is_flonum(argv[1]))
    result = mk_flonum((double)r);
  return result;
}
static val p_quotient(size_t c, val *v) { return int_div(c, v, 0, "quotient"); }
static val p_remainder(size_t c, val *v) { return int_div(c, v, 1, "remainder"); }
static val p_modulo(size_t c, val *v) { return int_div(c, v, 2, "modulo"); }

static int compare(val a, val b, const char *who) {
  if (is_fix(a) && is_fix(b))
    return (fix_val(a) > fix_val(b)) - (fix_val(a) < fix_val(b));
  double x = arg_num(who, a), y = arg_num(who, b);
  return (x > y) - (x < y);
}

/* Chained comparison: (< a b c) means a < b and b < c. */
static val chain(size_t argc, val *argv, const char *who, int lo, int hi) {
  for (size_t i = 0; i + 1 < argc; i++) {
    int c = compare(argv[i], argv[i + 1], who);
    if (c < lo || c > hi)
      return FALSE_V;
  }
  if (argc == 1)
    arg_num(who, argv[0]);
  return TRUE_V;
}
static val p_num_eq(size_t c, val *v) { return chain(c, v, "=", 0, 0); }
static val p_lt(size_t c, val *v) { return chain(c, v, "<", -1, -1); }
static val p_gt(size_t c, val *v) { return chain(c, v, ">", 1, 1); }
static val p_le(size_t c, val *v) { return chain(c, v, "<=", -1, 0); }
static val p_ge(size_t c, val *v) { return chain(c, v, ">=", 0, 1); }

static val minmax(size_t argc, val *argv, int sign, const char *who) {
  val best = argv[0];
  bool inexact = is_flonum(best);
  arg_num(who, best);
  for (size_t i = 1; i < argc; i++) {
    inexact |= is_flonum(argv[i]);
    if (compare(argv[i], best, who) == sign)
      best = argv[i];
  }
  return inexact && is_fix(best) ? mk_flonum((double)fix_val(best)) : best;
}
static val p_min(size_t c, val *v) { return minmax(c, v, -1, "min"); }
static val p_max(size_t c, val *v) { return minmax(c, v, 1, "max"); }

static val p_abs(size_t argc, val *argv) {
  (void)argc;
  if (is_fix(argv[0]))
    return mk_integer(llabs((long long)fix_val(argv[0])));
  return mk_flonum(fabs(arg_num("abs", argv[0])));
}

static val p_number_p(size_t c, val *v) { (void)c; return mk_bool(is_number(v[0])); }
static val p_integer_p(size_t c, val *v) {
  (void)c;
  return mk_bool(is_fix(v[0]) ||
                 (is_flonum(v[0]) && flo_val(v[0]) == floor(flo_val(v[0]))));
}
static val p_exact_p(size_t c, val *v) {
  (void)c;
  arg_num("exact?", v[0]);
  return mk_bool(is_fix(v[0]));
}
static val p_inexact_p(size_t c, val *v) {
  (void)c;
  arg_num("inexact?", v[0]);
  return mk_bool(is_flonum(v[0]));
}
static val p_zero_p(size_t c, val *v) { (void)c; return mk_bool(arg_num("zero?", v[0]) == 0); }
static val p_positive_p(size_t c, val *v) { (void)c; return mk_bool(arg_num("positive?", v[0]) > 0); }
static val p_negative_p(size_t c, val *v) { (void)c; return mk_bool(arg_num("negative?", v[0]) < 0); }
static val p_even_p(size_t c, val *v) { (void)c; return mk_bool(arg_int("even?", v[0]) % 2 == 0); }
static val p_odd_p(size_t c, val *v) { (void)c; return mk_bool(arg_int("odd?", v[0]) % 2 != 0); }

static val p_exact_to_inexact(size_t c, val *v) {
  (void)c;
  return is_flonum(v[0]) ? v[0] : mk_flonum(arg_num("exact->inexact", v[0]));
}
static val p_inexact_to_exact(size_t c, val *v) {
  (void)c;
  if (is_fix(v[0]))
    return v[0];
  double d = arg_num("inexact->exact", v[0]);
  if (d != floor(d) || fabs(d) > 2e18)
    lisp_error("inexact->exact: no exact integer for", v[0]);
  return mk_integer((int64_t)d);
}

/* floor/ceiling/round/truncate keep exactness. */
static val rounding(val x, double (*fn)(double), const char *who) {
  if (is_fix(x))
    return x;
  return mk_flonum(fn(arg_num(who, x)));
}
static val p_floor(size_t c, val *v) { (void)c; return rounding(v[0], floor, "floor"); }
static val p_ceiling(size_t c, val *v) { (void)c; return rounding(v[0], ceil, "ceiling"); }
static val p_round(size_t c, val *v) { (void)c; return rounding(v[0], nearbyint, "round"); }
static val p_truncate(size_t c, val *v) { (void)c; return rounding(v[0], trunc, "truncate"); }

static val p_sqrt(size_t argc, val *argv) {
  (void)argc;
  double d = arg_num("sqrt", argv[0]);
  double r = sqrt(d);
  if (is_fix(argv[0]) && r == floor(r) && d >= 0)
    return mk_integer((int64_t)r);
  return mk_flonum(r);
}

static val p_expt(size_t argc, val *argv) {
  (void)argc;
  if (is_fix(argv[0]) && is_fix(argv[1]) && fix_val(argv[1]) >= 0) {
    int64_t base = fix_val(argv[0]), e = fix_val(argv[1]), r = 1;
    bool overflow = false;
    while (e-- > 0 && !overflow)
      overflow = __builtin_mul_overflow(r, base, &r);
    if (!overflow)
      return mk_integer(r);
  }
  return mk_flonum(pow(arg_num("expt", argv[0]), arg_num("expt", argv[1])));
}

static val p_number_to_string(size_t argc, val *argv) {
  char buf[64];
  arg_num("number->string", argv[0]);
  if (argc == 2 && arg_int("number->string", argv[1]) != 10) {
    int64_t n = arg_int("number->string", argv[0]);
    int radix = (int)arg_int("number->string", argv[1]);
    if (radix < 2 || radix > 36)
      lisp_error("number->string: bad radix", argv[1]);
    char *p = buf + sizeof buf;
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    *--p = 0;
    do {
      *--p = "0123456789abcdefghijklmnopqrstuvwxyz"[u % (unsigned)radix];
      u /= (unsigned)radix;
    } while (u);
    if (n < 0)
      *--p = '-';
    return mk_string(p, strlen(p));
  }
  size_t n = format_number(buf, sizeof buf, argv[0]);
  return mk_string(buf, n);
}

static val p_string_to_number(size_t argc, val *argv) {
  (void)argc;
  arg_check("string->number", is_string(argv[0]), "a string", argv[0]);
  struct reader r;
  char buf[128];
  size_t n = str_len(argv[0]);
  if (n == 0 || n >= sizeof buf)
    return FALSE_V;
  memcpy(buf, str_data(argv[0]), n);
  reader_string(&r, buf, n);
  val d = read_datum(&r);
  return is_number(d) && read_datum(&r) == EOF_V ? d : FALSE_V;
}

/* (random n): a deterministic xorshift generator, reseeded by
 * (random-seed! k), so benchmark and test scripts are reproducible. */
static uint64_t rng_state = 88172645463325252ull;
static val p_random(size_t argc, val *argv) {
  (void)argc;
  int64_t n = arg_int("random", argv[0]);
  if (n <= 0)
    lisp_error("random: bound must be positive", argv[0]);
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return mk_fix((int64_t)(rng_state % (uint64_t)n));
}
static val p_random_seed(size_t argc, val *argv) {
  (void)argc;
  rng_state = (uint64_t)arg_int("random-seed!", argv[0]) * 2654435761u + 1;
  return UNSPEC;
}

void prims_num_init(void) {
  define_prim("+", p_add, 0, -1, 0);
  define_prim("-", p_sub, 1, -1, 0);
  define_prim("*", p_mul, 0, -1, 0);
  define_prim("/", p_div, 1, -1, 0);
  define_prim("quotient", p_quotient, 2, 2, 0);
  define_prim("remainder", p_remainder, 2, 2, 0);
  define_prim("modulo", p_modulo, 2, 2, 0);
  define_prim("=", p_num_eq, 1, -1, 0);
  define_prim("<", p_lt, 1, -1, 0);
  define_prim(">", p_gt, 1, -1, 0);
  define_prim("<=", p_le, 1, -1, 0);
  define_prim(">=", p_ge, 1, -1, 0);
  define_prim("min", p_min, 1, -1, 0);
  define_prim("max", p_max, 1, -1, 0);
  define_prim("abs", p_abs, 1, 1, 0);
  define_prim("number?", p_number_p, 1, 1, 0);
  define_prim("integer?", p_integer_p, 1, 1, 0);
  define_prim("exact?", p_exact_p, 1, 1, 0);
  define_prim("inexact?", p_inexact_p, 1, 1, 0);
  define_prim("zero?", p_zero_p, 1, 1, 0);
  define_prim("positive?", p_positive_p, 1, 1, 0);
  define_prim("negative?", p_negative_p, 1, 1, 0);
  define_prim("even?", p_even_p, 1, 1, 0);
  define_prim("odd?", p_odd_p, 1, 1, 0);
  define_prim("exact->inexact", p_exact_to_inexact, 1, 1, 0);
  define_prim("inexact->exact", p_inexact_to_exact, 1, 1, 0);
  define_prim("floor", p_floor, 1, 1, 0);
  define_prim("ceiling", p_ceiling, 1, 1, 0);
  define_prim("round", p_round, 1, 1, 0);
  define_prim("truncate", p_truncate, 1, 1, 0);
  define_prim("sqrt", p_sqrt, 1, 1, 0);
  define_prim("expt", p_expt, 2, 2, 0);
  define_prim("number->string", p_number_to_string, 1, 2, 0);
  define_prim("string->number", p_string_to_number, 1, 1, 0);
  define_prim("random", p_random, 1, 1, 0);
  define_prim("random-seed!", p_random_seed, 1, 1, 0);
}
