/*
 * reader.c — the parser: text to data.
 *
 * Reads integers (fixnums, or flonums when they overflow), decimals,
 * strings with the usual escapes, symbols (case-sensitive), #t/#f,
 * characters (#\a, #\space, #\newline, #\tab), lists with dotted tails,
 * vectors #( ... ), and the quote family ' ` , ,@.  Comments: ; to end of
 * line, #| ... |# blocks, and #; before a datum.
 *
 * A list under construction is rooted on the value stack (its elements
 * are pushed as they are read and consed once the list closes), so the
 * allocations of reading later elements cannot lose earlier ones.  Token
 * text is gathered in a C buffer outside the heap.
 */
#include "lisp.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX 4096
/* Token text; a token is parsed or interned before any nested read. */
static char tok[TOKEN_MAX];

void reader_file(struct reader *r, FILE *f) {
  *r = (struct reader){.file = f, .line = 1, .peeked = -2};
}

void reader_string(struct reader *r, const char *s, size_t n) {
  *r = (struct reader){.str = s, .end = s + n, .line = 1, .peeked = -2};
}

static int next_char(struct reader *r) {
  int c;
  if (r->peeked != -2) {
    c = r->peeked;
    r->peeked = -2;
  } else if (r->file) {
    c = getc(r->file);
  } else {
    c = r->str < r->end ? (unsigned char)*r->str++ : EOF;
  }
  if (c == '\n')
    r->line++;
  return c;
}

static int peek_char(struct reader *r) {
  if (r->peeked == -2) {
    int c = next_char(r);
    if (c == '\n')
      r->line--; /* counted again when really consumed */
    r->peeked = c;
  }
  return r->peeked;
}

static bool is_delimiter(int c) {
  return c == EOF || isspace(c) || c == '(' || c == ')' || c == '"' ||
         c == ';' || c == '\'';
}

static _Noreturn void syntax_error(struct reader *r, const char *msg) {
  static char buf[128];
  snprintf(buf, sizeof buf, "read: %s (line %d)", msg, r->line);
  lisp_error(buf, NO_IRRITANT);
}

static void skip_block_comment(struct reader *r) {
  int depth = 1, prev = 0;
  while (depth > 0) {
    int c = next_char(r);
    if (c == EOF)
      syntax_error(r, "unterminated #| comment");
    if (prev == '|' && c == '#') {
      depth--;
      c = 0;
    } else if (prev == '#' && c == '|') {
      depth++;
      c = 0;
    }
    prev = c;
  }
}

/* Skips blanks and ; comments; returns the next character without
 * consuming it. */
static int skip_atmosphere(struct reader *r) {
  for (;;) {
    int c = peek_char(r);
    if (c == ';') {
      while (c != '\n' && c != EOF)
        c = next_char(r);
    } else if (c != EOF && isspace(c)) {
      next_char(r);
    } else {
      return c;
    }
  }
}

static size_t read_token(struct reader *r, char *buf, int first) {
  size_t n = 0;
  if (first >= 0)
    buf[n++] = (char)first;
  while (!is_delimiter(peek_char(r))) {
    if (n + 1 >= TOKEN_MAX)
      syntax_error(r, "token too long");
    buf[n++] = (char)next_char(r);
  }
  buf[n] = 0;
  return n;
}

/* A number if the whole token parses as one, else NIL. */
static val parse_number(const char *text) {
  char *end;
  if (!*text)
    return NIL;
  errno = 0;
  long long n = strtoll(text, &end, 10);
  if (*end == 0 && errno == 0 && (isdigit((unsigned char)text[0]) ||
                                  (text[1] && isdigit((unsigned char)text[1]))))
    return mk_integer(n);
  double d = strtod(text, &end);
  if (*end == 0 && (isdigit((unsigned char)text[0]) ||
                    ((text[0] == '-' || text[0] == '+' || text[0] == '.') &&
                     text[1] != 0 && (isdigit((unsigned char)text[1]) ||
                                     text[1] == '.'))))
    return mk_flonum(d);
  return NIL;
}

static val read_string_lit(struct reader *r) {
  static char buf[1 << 16];
  size_t n = 0;
  for (;;) {
    int c = next_char(r);
    if (c == EOF)
      syntax_error(r, "unterminated string");
    if (c == '"')
      break;
    if (c == '\\') {
      c = next_char(r);
      c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '0' ? 0 : c;
      if (c == EOF)
        syntax_error(r, "unterminated string");
    }
    if (n + 1 >= sizeof buf)
      syntax_error(r, "string literal too long");
    buf[n++] = (char)c;
  }
  return mk_string(buf, n);
}

static val read_char_lit(struct reader *r) {
  int c = next_char(r);
  if (c == EOF)
    syntax_error(r, "bad character literal");
  size_t n = read_token(r, tok, c);
  if (n == 1)
    return mk_char((unsigned char)tok[0]);
  if (strcmp(tok, "space") == 0)
    return mk_char(' ');
  if (strcmp(tok, "newline") == 0)
    return mk_char('\n');
  if (strcmp(tok, "tab") == 0)
    return mk_char('\t');
  syntax_error(r, "unknown character name");
}

static val read_list(struct reader *r, int close);

static val read_hash(struct reader *r) {
  int c = next_char(r);
  if (c == '(') {
    val lst = read_list(r, ')');
    size_t n = 0;
    for (val l = lst; is_pair(l); l = cdr(l))
      n++;
    vpush(lst);
    val vec = make_vector(n, NIL);
    lst = vpop();
    for (size_t i = 0; i < n; i++, lst = cdr(lst))
      vector_set(vec, i, car(lst));
    return vec;
  }
  if (c == '\\')
    return read_char_lit(r);
  read_token(r, tok, c);
  if (strcmp(tok, "t") == 0 || strcmp(tok, "true") == 0)
    return TRUE_V;
  if (strcmp(tok, "f") == 0 || strcmp(tok, "false") == 0)
    return FALSE_V;
  syntax_error(r, "unknown # syntax");
}

static val read_quoted(struct reader *r, enum special sf) {
  val d = read_datum(r);
  if (d == EOF_V)
    syntax_error(r, "end of input after quote");
  val l = cons(d, NIL);
  return cons(special_symbol(sf), l);
}

/* One datum, or (with *closed set to the character) a closing bracket.
 * #| |# and #; comments are skipped here so that they may also stand
 * right before a closing bracket. */
static val read_item(struct reader *r, int *closed) {
  *closed = 0;
  for (;;) {
    skip_atmosphere(r);
    int c = next_char(r);
    switch (c) {
    case EOF: return EOF_V;
    case '(': return read_list(r, ')');
    case '[': return read_list(r, ']');
    case ')': case ']': *closed = c; return NIL;
    case '"': return read_string_lit(r);
    case '\'': return read_quoted(r, SF_QUOTE);
    case '`': return read_quoted(r, SF_QUASIQUOTE);
    case ',':
      if (peek_char(r) == '@') {
        next_char(r);
        return read_quoted(r, SF_UNQUOTE_SPLICING);
      }
      return read_quoted(r, SF_UNQUOTE);
    case '#':
      if (peek_char(r) == '|') {
        next_char(r);
        skip_block_comment(r);
        continue;
      }
      if (peek_char(r) == ';') {
        next_char(r);
        read_datum(r);
        continue;
      }
      return read_hash(r);
    default: break;
    }
    size_t n = read_token(r, tok, c);
    val num = parse_number(tok);
    return num != NIL ? num : intern(tok, n);
  }
}

static bool is_dot(val d) {
  return is_symbol(d) && str_len(sym_name(d)) == 1 &&
         str_data(sym_name(d))[0] == '.';
}

static val read_list(struct reader *r, int close) {
  size_t base = vsp();
  val tail = NIL;
  int closed;
  for (;;) {
    val d = read_item(r, &closed);
    if (closed)
      break;
    if (d == EOF_V)
      syntax_error(r, "unterminated list");
    if (is_dot(d) && vsp() > base) {
      tail = read_datum(r);
      vpush(tail);
      read_item(r, &closed);
      tail = vpop();
      if (!closed)
        syntax_error(r, "bad dotted list");
      break;
    }
    vpush(d);
  }
  if (closed != close)
    syntax_error(r, "mismatched brackets");
  val l = list_from_stack(base, vsp(), tail);
  vset_sp(base);
  return l;
}

val read_datum(struct reader *r) {
  int closed;
  val d = read_item(r, &closed);
  if (closed)
    syntax_error(r, "unexpected closing bracket");
  return d;
}
