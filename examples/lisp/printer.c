/*
 * printer.c — data to text: `display` (strings and characters raw) and
 * `write` (readable: strings quoted and escaped, #\ characters).
 *
 * The printer never allocates, so it may walk the heap with raw pointers.
 * It recurses on car and iterates on cdr, so long lists print in constant
 * C stack; nesting depth and total length are bounded to survive cycles.
 */
#include "lisp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PRINT_MAX_DEPTH 1000

/* Shortest of %.15g/%.16g/%.17g that reads back exactly; always shows a
 * decimal point or exponent so that flonums stay recognisable. */
static size_t format_flonum(char *buf, size_t n, double d) {
  if (isnan(d))
    return (size_t)snprintf(buf, n, "+nan.0");
  if (isinf(d))
    return (size_t)snprintf(buf, n, d > 0 ? "+inf.0" : "-inf.0");
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, n, "%.*g", prec, d);
    if (strtod(buf, NULL) == d)
      break;
  }
  if (strpbrk(buf, ".e") == NULL)
    strncat(buf, ".0", n - strlen(buf) - 1);
  return strlen(buf);
}

size_t format_number(char *buf, size_t n, val v) {
  if (is_fix(v))
    return (size_t)snprintf(buf, n, "%lld", (long long)fix_val(v));
  return format_flonum(buf, n, flo_val(v));
}

static void write_string(FILE *out, val s) {
  fputc('"', out);
  for (size_t i = 0; i < str_len(s); i++) {
    char c = str_data(s)[i];
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\t': fputs("\\t", out); break;
    default: fputc(c, out);
    }
  }
  fputc('"', out);
}

static void print_char(FILE *out, val v, bool write) {
  unsigned c = char_val(v);
  if (!write) {
    fputc((int)c, out);
    return;
  }
  if (c == ' ')
    fputs("#\\space", out);
  else if (c == '\n')
    fputs("#\\newline", out);
  else if (c == '\t')
    fputs("#\\tab", out);
  else
    fprintf(out, "#\\%c", (int)c);
}

static void print_rec(FILE *out, val v, bool write, int depth);

static void print_list(FILE *out, val v, bool write, int depth) {
  fputc('(', out);
  size_t count = 0;
  for (;;) {
    print_rec(out, car(v), write, depth + 1);
    v = cdr(v);
    if (!is_pair(v))
      break;
    if (++count > 1000000) {
      fputs(" ...", out);
      v = NIL;
      break;
    }
    fputc(' ', out);
  }
  if (v != NIL) {
    fputs(" . ", out);
    print_rec(out, v, write, depth + 1);
  }
  fputc(')', out);
}

static void print_vector(FILE *out, val v, bool write, int depth) {
  fputs("#(", out);
  for (size_t i = 0; i < AS(vector, v)->len; i++) {
    if (i)
      fputc(' ', out);
    print_rec(out, AS(vector, v)->items[i], write, depth + 1);
  }
  fputc(')', out);
}

static void print_immediate(FILE *out, val v, bool write) {
  char buf[64];
  if (v == NIL)
    fputs("()", out);
  else if (is_fix(v))
    fwrite(buf, 1, format_number(buf, sizeof buf, v), out);
  else if (v == TRUE_V)
    fputs("#t", out);
  else if (v == FALSE_V)
    fputs("#f", out);
  else if (is_char(v))
    print_char(out, v, write);
  else if (v == EOF_V)
    fputs("#<eof>", out);
  else if (v == UNSPEC)
    fputs("#<unspecified>", out);
  else
    fputs("#<undefined>", out);
}

static void print_rec(FILE *out, val v, bool write, int depth) {
  char buf[64];
  if (depth > PRINT_MAX_DEPTH) {
    fputs("...", out);
    return;
  }
  switch (tag_of(v)) {
  case 0: print_immediate(out, v, write); break;
  case T_PAIR: print_list(out, v, write, depth); break;
  case T_FLONUM: fwrite(buf, 1, format_number(buf, sizeof buf, v), out); break;
  case T_STRING:
    if (write)
      write_string(out, v);
    else
      fwrite(str_data(v), 1, str_len(v), out);
    break;
  case T_SYMBOL: fwrite(str_data(sym_name(v)), 1, str_len(sym_name(v)), out); break;
  case T_VECTOR: print_vector(out, v, write, depth); break;
  case T_CLOSURE:
    fputs("#<procedure", out);
    if (AS(closure, v)->name != NIL) {
      fputc(' ', out);
      print_rec(out, AS(closure, v)->name, false, depth + 1);
    }
    fputc('>', out);
    break;
  case T_PRIM: fprintf(out, "#<primitive %s>", AS(prim, v)->name); break;
  case T_TABLE: fprintf(out, "#<hash-table %zu>", AS(table, v)->count); break;
  default: fprintf(out, "#<object %u>", (unsigned)tag_of(v)); break;
  }
}

void print_val(FILE *out, val v, bool write) { print_rec(out, v, write, 0); }
