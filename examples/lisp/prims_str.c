/*
 * prims_str.c — strings, characters and symbol/string conversion.
 *
 * Strings are immutable byte strings (pointer-free precise objects).  A
 * new string is allocated first and filled afterwards from argv, which the
 * collector keeps up to date: the source strings may have moved during
 * the allocation, so no data pointer is taken before it.
 */
#include "lisp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static val check_string(const char *who, val v) {
  arg_check(who, is_string(v), "a string", v);
  return v;
}

static val p_string_length(size_t c, val *v) {
  (void)c;
  return mk_fix((int64_t)str_len(check_string("string-length", v[0])));
}

static val p_string_append(size_t argc, val *argv) {
  size_t total = 0;
  for (size_t i = 0; i < argc; i++)
    total += str_len(check_string("string-append", argv[i]));
  val s = mk_string_uninit(total);
  char *out = AS(string, s)->data;
  for (size_t i = 0; i < argc; i++) {
    memcpy(out, str_data(argv[i]), str_len(argv[i]));
    out += str_len(argv[i]);
  }
  return s;
}

static val p_substring(size_t argc, val *argv) {
  size_t len = str_len(check_string("substring", argv[0]));
  size_t start = arg_index("substring", argv[1], len + 1);
  size_t end = argc > 2 ? arg_index("substring", argv[2], len + 1) : len;
  if (end < start)
    lisp_error("substring: end before start", argv[2]);
  val s = mk_string_uninit(end - start);
  memcpy(AS(string, s)->data, str_data(argv[0]) + start, end - start);
  return s;
}

static int string_cmp(val a, val b, const char *who) {
  check_string(who, a);
  check_string(who, b);
  size_t n = str_len(a) < str_len(b) ? str_len(a) : str_len(b);
  int c = memcmp(str_data(a), str_data(b), n);
  if (c == 0)
    c = (str_len(a) > str_len(b)) - (str_len(a) < str_len(b));
  return (c > 0) - (c < 0);
}

static val string_chain(size_t argc, val *argv, const char *who, int want) {
  for (size_t i = 0; i + 1 < argc; i++)
    if (string_cmp(argv[i], argv[i + 1], who) != want)
      return FALSE_V;
  return TRUE_V;
}
static val p_string_eq(size_t c, val *v) { return string_chain(c, v, "string=?", 0); }
static val p_string_lt(size_t c, val *v) { return string_chain(c, v, "string<?", -1); }
static val p_string_gt(size_t c, val *v) { return string_chain(c, v, "string>?", 1); }

static val p_string_ref(size_t c, val *v) {
  (void)c;
  size_t len = str_len(check_string("string-ref", v[0]));
  return mk_char((unsigned char)str_data(v[0])[arg_index("string-ref", v[1], len)]);
}

/* Symbol names are copied out of the heap before interning allocates. */
static val p_string_to_symbol(size_t c, val *v) {
  (void)c;
  size_t n = str_len(check_string("string->symbol", v[0]));
  char *copy = malloc(n + 1);
  if (copy == NULL)
    lisp_error("out of memory", NO_IRRITANT);
  memcpy(copy, str_data(v[0]), n);
  val sym = intern(copy, n);
  free(copy);
  return sym;
}

static val p_symbol_to_string(size_t c, val *v) {
  (void)c;
  arg_check("symbol->string", is_symbol(v[0]), "a symbol", v[0]);
  return sym_name(v[0]); /* strings are immutable: share the name */
}

static val p_string_to_list(size_t c, val *v) {
  (void)c;
  check_string("string->list", v[0]);
  vpush(NIL);
  for (size_t i = str_len(v[0]); i-- > 0;) {
    val p = cons(mk_char((unsigned char)str_data(v[0])[i]), vstack[vsp() - 1]);
    vstack[vsp() - 1] = p;
  }
  return vpop();
}

static val p_list_to_string(size_t c, val *v) {
  (void)c;
  size_t n = 0;
  for (val l = v[0]; is_pair(l); l = cdr(l), n++)
    arg_check("list->string", is_char(car(l)), "a list of characters", v[0]);
  val s = mk_string_uninit(n);
  val l = v[0];
  for (size_t i = 0; i < n; i++, l = cdr(l))
    AS(string, s)->data[i] = (char)char_val(car(l));
  return s;
}

static val p_string(size_t argc, val *argv) {
  for (size_t i = 0; i < argc; i++)
    arg_check("string", is_char(argv[i]), "a character", argv[i]);
  val s = mk_string_uninit(argc);
  for (size_t i = 0; i < argc; i++)
    AS(string, s)->data[i] = (char)char_val(argv[i]);
  return s;
}

static val p_make_string(size_t argc, val *argv) {
  int64_t n = arg_int("make-string", argv[0]);
  if (n < 0 || n > ((int64_t)1 << 40))
    lisp_error("make-string: bad length", argv[0]);
  char fill = ' ';
  if (argc > 1) {
    arg_check("make-string", is_char(argv[1]), "a character", argv[1]);
    fill = (char)char_val(argv[1]);
  }
  val s = mk_string_uninit((size_t)n);
  memset(AS(string, s)->data, fill, (size_t)n);
  return s;
}

static val map_case(val *v, int (*fn)(int), const char *who) {
  size_t n = str_len(check_string(who, v[0]));
  val s = mk_string_uninit(n);
  for (size_t i = 0; i < n; i++)
    AS(string, s)->data[i] = (char)fn((unsigned char)str_data(v[0])[i]);
  return s;
}
static val p_string_upcase(size_t c, val *v) { (void)c; return map_case(v, toupper, "string-upcase"); }
static val p_string_downcase(size_t c, val *v) { (void)c; return map_case(v, tolower, "string-downcase"); }
static int identity(int ch) { return ch; }
static val p_string_copy(size_t c, val *v) { (void)c; return map_case(v, identity, "string-copy"); }

/* (string-index s char) → position or #f */
static val p_string_index(size_t c, val *v) {
  (void)c;
  check_string("string-index", v[0]);
  arg_check("string-index", is_char(v[1]), "a character", v[1]);
  const char *hit = memchr(str_data(v[0]), (int)char_val(v[1]), str_len(v[0]));
  return hit ? mk_fix(hit - str_data(v[0])) : FALSE_V;
}

static unsigned check_char(const char *who, val v) {
  arg_check(who, is_char(v), "a character", v);
  return char_val(v);
}
static val p_char_to_integer(size_t c, val *v) {
  (void)c;
  return mk_fix(check_char("char->integer", v[0]));
}
static val p_integer_to_char(size_t c, val *v) {
  (void)c;
  int64_t n = arg_int("integer->char", v[0]);
  if (n < 0 || n > 255)
    lisp_error("integer->char: out of range", v[0]);
  return mk_char((unsigned)n);
}
static val p_char_eq(size_t c, val *v) {
  (void)c;
  return mk_bool(check_char("char=?", v[0]) == check_char("char=?", v[1]));
}
static val p_char_lt(size_t c, val *v) {
  (void)c;
  return mk_bool(check_char("char<?", v[0]) < check_char("char<?", v[1]));
}
static val p_char_alpha(size_t c, val *v) {
  (void)c;
  return mk_bool(isalpha((int)check_char("char-alphabetic?", v[0])));
}
static val p_char_digit(size_t c, val *v) {
  (void)c;
  return mk_bool(isdigit((int)check_char("char-numeric?", v[0])));
}
static val p_char_space(size_t c, val *v) {
  (void)c;
  return mk_bool(isspace((int)check_char("char-whitespace?", v[0])));
}
static val p_char_upcase(size_t c, val *v) {
  (void)c;
  return mk_char((unsigned)toupper((int)check_char("char-upcase", v[0])));
}

void prims_str_init(void) {
  static const struct { const char *name; prim_fn fn; int min, max; } tab[] = {
      {"string-length", p_string_length, 1, 1},
      {"string-append", p_string_append, 0, -1},
      {"substring", p_substring, 2, 3},
      {"string=?", p_string_eq, 1, -1},
      {"string<?", p_string_lt, 1, -1},
      {"string>?", p_string_gt, 1, -1},
      {"string-ref", p_string_ref, 2, 2},
      {"string->symbol", p_string_to_symbol, 1, 1},
      {"symbol->string", p_symbol_to_string, 1, 1},
      {"string->list", p_string_to_list, 1, 1},
      {"list->string", p_list_to_string, 1, 1},
      {"string", p_string, 0, -1},
      {"make-string", p_make_string, 1, 2},
      {"string-upcase", p_string_upcase, 1, 1},
      {"string-downcase", p_string_downcase, 1, 1},
      {"string-copy", p_string_copy, 1, 1},
      {"string-index", p_string_index, 2, 2},
      {"char->integer", p_char_to_integer, 1, 1},
      {"integer->char", p_integer_to_char, 1, 1},
      {"char=?", p_char_eq, 2, 2},
      {"char<?", p_char_lt, 2, 2},
      {"char-alphabetic?", p_char_alpha, 1, 1},
      {"char-numeric?", p_char_digit, 1, 1},
      {"char-whitespace?", p_char_space, 1, 1},
      {"char-upcase", p_char_upcase, 1, 1},
  };
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
    define_prim(tab[i].name, tab[i].fn, tab[i].min, tab[i].max, PK_NORMAL);
}
