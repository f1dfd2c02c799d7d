/*
 * objects.c — constructors and mutators of interpreter objects.
 *
 * Every constructor protects its own val arguments on the value stack
 * across its allocation and re-reads them afterwards (rule R2 of lisp.h),
 * and every store of a val into a heap object is a GC_STORE (rule R3),
 * initialising stores included: an object allocated during an incremental
 * cycle is black, and the barrier is what tells the marker about the
 * pointers we put into it.
 */
#include "lisp.h"

#include <string.h>

val cons(val a, val d) {
  vpush(a);
  vpush(d);
  struct pair *p = lisp_alloc(&ty_pair, sizeof *p);
  d = vpop();
  a = vpop();
  p->h.tag = T_PAIR;
  GC_STORE(p, p->car, a);
  GC_STORE(p, p->cdr, d);
  return (val)p;
}

val mk_flonum(double d) {
  struct flonum *f = lisp_alloc(&ty_flonum, sizeof *f);
  f->h.tag = T_FLONUM;
  f->d = d;
  return (val)f;
}

val mk_integer(int64_t n) {
  return fix_fits(n) ? mk_fix(n) : mk_flonum((double)n);
}

val mk_string_uninit(size_t len) {
  struct string *s = lisp_alloc(&ty_string, sizeof *s + len + 1);
  s->h.tag = T_STRING;
  s->len = len;
  return (val)s;
}

/* `src` must not point into the heap: the allocation may move it. */
val mk_string(const char *src, size_t len) {
  val s = mk_string_uninit(len);
  memcpy(AS(string, s)->data, src, len);
  return s;
}

val make_vector(size_t n, val fill) {
  if (n > ((size_t)1 << 40))
    lisp_error("vector too large", mk_integer((int64_t)n));
  vpush(fill);
  struct vector *v = lisp_alloc(&ty_vector, sizeof *v + n * sizeof(val));
  fill = vpop();
  v->h.tag = T_VECTOR;
  v->len = n;
  for (size_t i = 0; i < n; i++)
    GC_STORE(v, v->items[i], fill);
  return (val)v;
}

/* Counts required parameters and notes a rest parameter; rejects anything
 * that is not a symbol (or a (symbol init) binding, as named let passes). */
static uint32_t closure_arity(val params) {
  uint32_t required = 0;
  for (; is_pair(params); params = cdr(params)) {
    val p = car(params);
    if (is_pair(p))
      p = car(p);
    if (!is_symbol(p))
      lisp_error("lambda: parameter is not a symbol", p);
    required++;
  }
  if (params != NIL && !is_symbol(params))
    lisp_error("lambda: bad rest parameter", params);
  return required << 1 | (params != NIL);
}

val make_closure(val params, val body, val env, val name) {
  uint32_t arity = closure_arity(params);
  vpush(params);
  vpush(body);
  vpush(env);
  vpush(name);
  struct closure *c = lisp_alloc(&ty_closure, sizeof *c);
  c->h.tag = T_CLOSURE;
  c->h.aux = arity;
  GC_STORE(c, c->name, vpop());
  GC_STORE(c, c->env, vpop());
  GC_STORE(c, c->body, vpop());
  GC_STORE(c, c->params, vpop());
  return (val)c;
}

val make_env(size_t n, val parent, val names) {
  vpush(parent);
  vpush(names);
  struct env *e = lisp_alloc(&ty_env, sizeof *e + n * sizeof(val));
  e->h.tag = T_ENV;
  e->h.aux = (uint32_t)n;
  GC_STORE(e, e->names, vpop());
  GC_STORE(e, e->parent, vpop());
  for (size_t i = 0; i < n; i++)
    e->values[i] = UNDEFINED; /* an immediate: no barrier needed */
  return (val)e;
}

/* The list of vstack[base..end) ending in `tail`; the stack entries are
 * left in place for the caller to pop. */
val list_from_stack(size_t base, size_t end, val tail) {
  vpush(tail);
  size_t acc = vsp() - 1;
  for (size_t i = end; i > base; i--) {
    val p = cons(vstack[i - 1], vstack[acc]);
    vstack[acc] = p;
  }
  return vpop();
}

void set_car(val p, val v) { GC_STORE(p, AS(pair, p)->car, v); }
void set_cdr(val p, val v) { GC_STORE(p, AS(pair, p)->cdr, v); }
void vector_set(val vec, size_t i, val v) {
  GC_STORE(vec, AS(vector, vec)->items[i], v);
}
void env_set(val e, size_t i, val v) {
  GC_STORE(e, AS(env, e)->values[i], v);
}
