/*
 * interp.c — a small Lisp interpreter in the style of many Boehm GC
 * clients: it never calls GC_INIT (the first allocation initializes the
 * collector), never frees, keeps its symbol table in a global array grown
 * with GC_REALLOC, its token buffer in atomic memory, and every cons cell,
 * closure and environment frame on the collected heap.  The programs it
 * runs allocate far more than the heap may hold; the output is the result
 * of each program, and whether the heap stayed bounded.
 */
#include <gc.h>

#include <ctype.h>
#include <stdlib.h>

#include "suite.h"

enum tag { NUM, SYM, CONS, PRIM, CLOSURE };

typedef struct obj obj;
typedef obj *(*prim_fn)(obj *args);
struct obj {
  enum tag tag;
  union {
    long num;
    const char *name;
    struct { obj *car, *cdr; } cons;
    prim_fn prim;
    struct { obj *params, *body, *env; } closure;
  } u;
};

static obj **symbols; /* the symbol table: GC_REALLOC'd, in a global */
static size_t nsymbols, symbols_cap;
static obj *nil, *t_sym, *quote_sym, *if_sym, *define_sym, *lambda_sym;
static obj *global_env;

static obj *mk(enum tag tag) {
  obj *o = GC_NEW(obj);
  if (o == NULL) {
    fputs("out of memory\n", stderr);
    exit(1);
  }
  o->tag = tag;
  return o;
}

static obj *num(long n) { obj *o = mk(NUM); o->u.num = n; return o; }
static obj *cons(obj *a, obj *d) {
  obj *o = mk(CONS);
  o->u.cons.car = a;
  o->u.cons.cdr = d;
  return o;
}
#define car(o) ((o)->u.cons.car)
#define cdr(o) ((o)->u.cons.cdr)

static obj *intern(const char *name) {
  for (size_t i = 0; i < nsymbols; i++)
    if (strcmp(symbols[i]->u.name, name) == 0)
      return symbols[i];
  if (nsymbols == symbols_cap) {
    symbols_cap = symbols_cap ? 2 * symbols_cap : 8;
    symbols = GC_REALLOC(symbols, symbols_cap * sizeof *symbols);
  }
  obj *s = mk(SYM);
  s->u.name = GC_STRDUP(name);
  return symbols[nsymbols++] = s;
}

/* ---- reader ------------------------------------------------------------ */

static const char *src;
static char *token;       /* atomic, grown with GC_REALLOC */
static size_t token_cap;

static void skip_space(void) { while (isspace((unsigned char)*src)) src++; }

static obj *read_expr(void);

static obj *read_list(void) {
  skip_space();
  if (*src == ')') {
    src++;
    return nil;
  }
  obj *head = read_expr();
  return cons(head, read_list());
}

static obj *read_atom(void) {
  size_t n = 0;
  while (*src && !isspace((unsigned char)*src) && *src != '(' && *src != ')') {
    if (n + 2 > token_cap) {
      token_cap = token_cap ? 2 * token_cap : 2;
      token = GC_REALLOC(token, token_cap);
    }
    token[n++] = *src++;
  }
  token[n] = '\0';
  char *end;
  long v = strtol(token, &end, 10);
  return *end == '\0' && n > 0 ? num(v) : intern(token);
}

static obj *read_expr(void) {
  skip_space();
  if (*src == '(') {
    src++;
    return read_list();
  }
  if (*src == '\'') {
    src++;
    return cons(quote_sym, cons(read_expr(), nil));
  }
  return read_atom();
}

/* ---- evaluator ----------------------------------------------------------- */

static obj *lookup(obj *env, obj *sym) {
  for (obj *frame = env; frame != nil; frame = cdr(frame))
    for (obj *b = car(frame); b != nil; b = cdr(b))
      if (car(car(b)) == sym)
        return car(b);
  fprintf(stderr, "unbound %s\n", sym->u.name);
  exit(1);
}

static void define(obj *env, obj *sym, obj *val) {
  car(env) = cons(cons(sym, val), car(env));
}

static obj *eval(obj *x, obj *env);

static obj *eval_list(obj *xs, obj *env) {
  return xs == nil ? nil : cons(eval(car(xs), env), eval_list(cdr(xs), env));
}

static obj *eval(obj *x, obj *env) {
  for (;;) {
    if (x->tag == NUM)
      return x;
    if (x->tag == SYM)
      return cdr(lookup(env, x));
    obj *op = car(x);
    if (op == quote_sym)
      return car(cdr(x));
    if (op == if_sym) {
      x = eval(car(cdr(x)), env) != nil ? car(cdr(cdr(x))) : car(cdr(cdr(cdr(x))));
      continue;
    }
    if (op == define_sym) {
      define(env, car(cdr(x)), eval(car(cdr(cdr(x))), env));
      return car(cdr(x));
    }
    if (op == lambda_sym) {
      obj *c = mk(CLOSURE);
      c->u.closure.params = car(cdr(x));
      c->u.closure.body = car(cdr(cdr(x)));
      c->u.closure.env = env;
      return c;
    }
    obj *f = eval(op, env);
    obj *args = eval_list(cdr(x), env);
    if (f->tag == PRIM)
      return f->u.prim(args);
    obj *frame = nil;
    for (obj *p = f->u.closure.params; p != nil; p = cdr(p), args = cdr(args))
      frame = cons(cons(car(p), car(args)), frame);
    env = cons(frame, f->u.closure.env);
    x = f->u.closure.body;
  }
}

static obj *truth(int b) { return b ? t_sym : nil; }
static obj *p_add(obj *a) { return num(car(a)->u.num + car(cdr(a))->u.num); }
static obj *p_sub(obj *a) { return num(car(a)->u.num - car(cdr(a))->u.num); }
static obj *p_mul(obj *a) { return num(car(a)->u.num * car(cdr(a))->u.num); }
static obj *p_lt(obj *a) { return truth(car(a)->u.num < car(cdr(a))->u.num); }
static obj *p_eq(obj *a) { return truth(car(a)->u.num == car(cdr(a))->u.num); }
static obj *p_cons(obj *a) { return cons(car(a), car(cdr(a))); }
static obj *p_car(obj *a) { return car(car(a)); }
static obj *p_cdr(obj *a) { return cdr(car(a)); }
static obj *p_nullp(obj *a) { return truth(car(a) == nil); }

static void prim(const char *name, prim_fn fn) {
  obj *p = mk(PRIM);
  p->u.prim = fn;
  define(global_env, intern(name), p);
}

static void print(obj *x) {
  switch (x->tag) {
  case NUM: printf("%ld", x->u.num); break;
  case SYM: printf("%s", x->u.name); break;
  case PRIM: case CLOSURE: printf("#<procedure>"); break;
  case CONS:
    putchar('(');
    for (;;) {
      print(car(x));
      x = cdr(x);
      if (x == nil) break;
      if (x->tag != CONS) { printf(" . "); print(x); break; }
      putchar(' ');
    }
    putchar(')');
    break;
  }
}

static void run(const char *program) {
  src = program;
  for (;;) {
    skip_space();
    if (!*src)
      break;
    obj *v = eval(read_expr(), global_env);
    print(v);
    putchar('\n');
  }
}

static const char *const program =
    "(define fib (lambda (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))))\n"
    "(fib 22)\n"
    "(define iota (lambda (n acc) (if (= n 0) acc (iota (- n 1) (cons n acc)))))\n"
    "(define map (lambda (f l) (if (null? l) '() (cons (f (car l)) (map f (cdr l))))))\n"
    "(define sum (lambda (l acc) (if (null? l) acc (sum (cdr l) (+ acc (car l))))))\n"
    "(define rev (lambda (l acc) (if (null? l) acc (rev (cdr l) (cons (car l) acc)))))\n"
    "(define kept (map (lambda (x) (* x x)) (iota 2000 '())))\n"
    "(define churn (lambda (k acc) (if (= k 0) acc\n"
    "   (churn (- k 1) (+ acc (sum (rev (map (lambda (x) (+ x k)) (iota 300 '())) '()) 0))))))\n"
    "(churn 400 0)\n"
    "(sum kept 0)\n"
    "(map (lambda (x) (* x 10)) (iota 8 '()))\n"
    "(car (rev kept '()))\n";

int main(void) {
  /* No GC_INIT: the first allocation below initializes the collector. */
  nil = mk(SYM);
  nil->u.name = "()";
  t_sym = intern("t");
  quote_sym = intern("quote");
  if_sym = intern("if");
  define_sym = intern("define");
  lambda_sym = intern("lambda");
  global_env = cons(nil, nil);
  prim("+", p_add); prim("-", p_sub); prim("*", p_mul);
  prim("<", p_lt); prim("=", p_eq); prim("cons", p_cons);
  prim("car", p_car); prim("cdr", p_cdr); prim("null?", p_nullp);
  run(program);
  size_t total = GC_get_total_bytes();
  SHOW("allocated more than 100 MB", total > 100u << 20);
  SHOW("heap stayed under 64 MB", GC_get_heap_size() < 64u << 20);
  SHOW("collections happened", GC_get_gc_no() > 1);
  return 0;
}
