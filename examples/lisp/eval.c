/*
 * eval.c — the evaluator: a tree-walking interpreter over S-expressions
 * with proper tail calls.
 *
 * eval() keeps its state in one GC_FRAME of three slots — the expression
 * X, the environment E and a scratch slot T — and loops instead of
 * recursing whenever an expression is in tail position (the branches of
 * if/cond/case/when/unless, the last expression of a body, the last of
 * and/or, and procedure application).  A special form handler returns
 * DONE with a result, TAIL after replacing X (and maybe E), or APPLY after
 * pushing a procedure and its arguments on the value stack.  Application
 * of a closure binds a fresh environment frame and continues with its
 * body in the same loop, so a tail-recursive Scheme loop runs in constant
 * C stack.  Non-tail recursion is bounded by the C stack: eval() checks
 * the stack pointer against a limit computed from RLIMIT_STACK and raises
 * a Scheme error instead of crashing.
 *
 * Rooting: X, E, T and the value stack hold every val that lives across
 * an allocation (each nested eval() may collect and move everything).  A
 * raw val is only used between two allocations.
 */
#include "lisp.h"

#include <sys/resource.h>

enum step { DONE, TAIL, APPLY };
struct state {
  val *x, *e, *t;  /* the frame slots of the running eval() */
  val result;      /* DONE: the value */
  size_t base;     /* APPLY: procedure at vstack[base], arguments above */
};
typedef enum step (*special_fn)(struct state *s);

static uintptr_t stack_limit; /* lowest address eval() may reach */

static inline val cadr(val v) { return car(cdr(v)); }
static inline val cddr(val v) { return cdr(cdr(v)); }

/* ---- variables ------------------------------------------------------------ */

/* The storage of a variable: `*slot`, inside object `holder` (for the write
 * barrier).  Valid until the next allocation. */
struct loc {
  val holder;
  val *slot;
};

static inline val binding_name(val names) {
  val n = is_pair(names) ? car(names) : names;
  return is_pair(n) ? car(n) : n;
}

/* The binding of sym in frame e itself, or a NULL slot. */
static inline struct loc locate_in_frame(val sym, val e) {
  struct env *fr = AS(env, e);
  val names = fr->names;
  for (uint32_t i = 0; i < fr->h.aux; i++) {
    if (binding_name(names) == sym)
      return (struct loc){e, &fr->values[i]};
    names = is_pair(names) ? cdr(names) : NIL;
  }
  for (val a = fr->extra; a != NIL; a = cdr(a))
    if (car(car(a)) == sym)
      return (struct loc){car(a), &AS(pair, car(a))->cdr};
  return (struct loc){NIL, NULL};
}

static struct loc locate(val sym, val env) {
  for (val e = env; e != NIL; e = AS(env, e)->parent) {
    struct loc l = locate_in_frame(sym, e);
    if (l.slot != NULL)
      return l;
  }
  return (struct loc){sym, &AS(symbol, sym)->value};
}

static val lookup(val sym, val env) {
  val v = *locate(sym, env).slot;
  if (GC_UNLIKELY(v == UNBOUND))
    lisp_error("unbound variable", sym);
  if (GC_UNLIKELY(v == UNDEFINED))
    lisp_error("variable used before its definition", sym);
  return v;
}

/* (define sym value) in env: the innermost frame gets the binding (an
 * internal define in a body adds to that frame's alist). */
static void define_var(val sym, val value, val env) {
  if (env == NIL) {
    GC_STORE(sym, AS(symbol, sym)->value, value);
    return;
  }
  struct loc l = locate_in_frame(sym, env);
  if (l.slot != NULL) {
    GC_STORE(l.holder, *l.slot, value);
    return;
  }
  vpush(env);
  val cell = cons(sym, value);
  val extra = cons(cell, AS(env, vstack[vsp() - 1])->extra);
  env = vpop();
  GC_STORE(env, AS(env, env)->extra, extra);
}

/* ---- evaluation helpers --------------------------------------------------- */

/* Variables and constants without a recursive eval() call. */
static inline val eval_arg(val a, val env) {
  if (is_symbol(a))
    return lookup(a, env);
  if (!is_pair(a))
    return a;
  return eval(a, env);
}

/* Evaluates all but the last expression of body; the last becomes the
 * tail expression. */
static enum step run_body(struct state *s, val body) {
  if (!is_pair(body)) {
    s->result = UNSPEC;
    return DONE;
  }
  *s->t = body;
  while (is_pair(cdr(*s->t))) {
    eval(car(*s->t), *s->e);
    *s->t = cdr(*s->t);
  }
  *s->x = car(*s->t);
  return TAIL;
}

static void check_form(bool ok, const char *msg, val form) {
  if (GC_UNLIKELY(!ok))
    lisp_error(msg, form);
}

/* ---- special forms ---------------------------------------------------------- */

static enum step sf_quote(struct state *s) {
  check_form(is_pair(cdr(*s->x)), "quote: bad syntax", *s->x);
  s->result = cadr(*s->x);
  return DONE;
}

static enum step sf_if(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)) && is_pair(cddr(x)), "if: bad syntax", x);
  val test = eval_arg(cadr(x), *s->e);
  x = *s->x;
  if (truthy(test)) {
    *s->x = car(cddr(x));
    return TAIL;
  }
  val alt = cdr(cddr(x));
  if (alt == NIL) {
    s->result = UNSPEC;
    return DONE;
  }
  *s->x = car(alt);
  return TAIL;
}

static enum step sf_define(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)), "define: bad syntax", x);
  val target = cadr(x);
  val value;
  if (is_pair(target)) {
    check_form(is_symbol(car(target)), "define: bad name", x);
    check_form(is_pair(cddr(x)), "define: empty body", x);
    value = make_closure(cdr(target), cddr(x), *s->e, car(target));
    target = car(cadr(*s->x));
  } else {
    check_form(is_symbol(target), "define: bad name", x);
    value = is_pair(cddr(x)) ? eval_arg(car(cddr(x)), *s->e) : UNSPEC;
    target = cadr(*s->x);
    if (tag_of(value) == T_CLOSURE && AS(closure, value)->name == NIL)
      GC_STORE(value, AS(closure, value)->name, target);
  }
  define_var(target, value, *s->e);
  s->result = UNSPEC;
  return DONE;
}

static enum step sf_set(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)) && is_symbol(cadr(x)) && is_pair(cddr(x)),
             "set!: bad syntax", x);
  val value = eval_arg(car(cddr(x)), *s->e);
  val sym = cadr(*s->x);
  struct loc l = locate(sym, *s->e);
  if (*l.slot == UNBOUND)
    lisp_error("set!: unbound variable", sym);
  GC_STORE(l.holder, *l.slot, value);
  s->result = UNSPEC;
  return DONE;
}

static enum step sf_lambda(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)) && is_pair(cddr(x)), "lambda: bad syntax", x);
  s->result = make_closure(cadr(x), cddr(x), *s->e, NIL);
  return DONE;
}

static enum step sf_begin(struct state *s) {
  return run_body(s, cdr(*s->x));
}

/* Checks a binding list ((name init) ...) and returns its length. */
static size_t check_bindings(val bindings, val form) {
  size_t n = 0;
  for (; is_pair(bindings); bindings = cdr(bindings), n++) {
    val b = car(bindings);
    check_form(is_pair(b) && is_symbol(car(b)), "bad binding", form);
  }
  check_form(bindings == NIL, "bad binding list", form);
  return n;
}

/* Pushes the value of each init of `bindings` (rooted in the form *s->x,
 * reached through `bindings_of`) evaluated in *s->e. */
static size_t push_inits(struct state *s, val (*bindings_of)(val)) {
  size_t n = 0;
  *s->t = bindings_of(*s->x);
  while (is_pair(*s->t)) {
    val b = car(*s->t);
    val v = is_pair(cdr(b)) ? eval_arg(cadr(b), *s->e) : UNSPEC;
    vpush(v);
    *s->t = cdr(*s->t);
    n++;
  }
  return n;
}

static val let_bindings(val x) { return cadr(x); }
static val named_let_bindings(val x) { return car(cddr(x)); }

static enum step sf_named_let(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cddr(x)) && is_pair(cdr(cddr(x))), "let: bad syntax", x);
  check_bindings(car(cddr(x)), x);
  /* env1 binds only the loop name (the first element of cdr(x)). */
  val env1 = make_env(1, *s->e, cdr(*s->x));
  vpush(env1);
  x = *s->x;
  val proc = make_closure(car(cddr(x)), cdr(cddr(x)), env1, cadr(x));
  env1 = vpop();
  env_set(env1, 0, proc);
  s->base = vsp();
  vpush(proc);
  push_inits(s, named_let_bindings);
  return APPLY;
}

static enum step sf_let(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)), "let: bad syntax", x);
  if (is_symbol(cadr(x)))
    return sf_named_let(s);
  check_bindings(cadr(x), x);
  size_t base = vsp();
  size_t n = push_inits(s, let_bindings);
  val env = make_env(n, *s->e, cadr(*s->x));
  for (size_t i = 0; i < n; i++)
    env_set(env, i, vstack[base + i]);
  vset_sp(base);
  *s->e = env;
  return run_body(s, cddr(*s->x));
}

static enum step sf_letstar(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)), "let*: bad syntax", x);
  check_bindings(cadr(x), x);
  /* One frame per binding, so later inits see (and may shadow) earlier
   * names; names = the rest of the binding list, of which only the first
   * element counts. */
  vpush(cadr(x));
  while (is_pair(vstack[vsp() - 1])) {
    val b = car(vstack[vsp() - 1]);
    val v = is_pair(cdr(b)) ? eval_arg(cadr(b), *s->e) : UNSPEC;
    vpush(v);
    val env = make_env(1, *s->e, vstack[vsp() - 2]);
    env_set(env, 0, vpop());
    *s->e = env;
    vstack[vsp() - 1] = cdr(vstack[vsp() - 1]);
  }
  vpop();
  return run_body(s, cddr(*s->x));
}

static enum step sf_letrec(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)), "letrec: bad syntax", x);
  size_t n = check_bindings(cadr(x), x);
  *s->e = make_env(n, *s->e, cadr(*s->x));
  *s->t = cadr(*s->x);
  for (size_t i = 0; i < n; i++) {
    val b = car(*s->t);
    val v = is_pair(cdr(b)) ? eval_arg(cadr(b), *s->e) : UNSPEC;
    env_set(*s->e, i, v);
    *s->t = cdr(*s->t);
  }
  return run_body(s, cddr(*s->x));
}

/* A clause's body: its expressions, or the test value when it has none,
 * or (test => proc): proc applied to the test value. */
static enum step clause_body(struct state *s, val clause, val test_value) {
  val body = cdr(clause);
  if (body == NIL) {
    s->result = test_value;
    return DONE;
  }
  if (car(body) == special_symbol(SF_ARROW) && is_pair(cdr(body))) {
    s->base = vsp();
    vpush(test_value);
    val proc = eval_arg(cadr(body), *s->e);
    vpush(vstack[s->base]);
    vstack[s->base] = proc;
    return APPLY;
  }
  return run_body(s, body);
}

static enum step sf_cond(struct state *s) {
  *s->t = cdr(*s->x);
  for (; is_pair(*s->t); *s->t = cdr(*s->t)) {
    val clause = car(*s->t);
    check_form(is_pair(clause), "cond: bad clause", clause);
    if (car(clause) == special_symbol(SF_ELSE))
      return run_body(s, cdr(clause));
    val v = eval_arg(car(clause), *s->e);
    if (truthy(v))
      return clause_body(s, car(*s->t), v);
  }
  s->result = UNSPEC;
  return DONE;
}

static enum step sf_case(struct state *s) {
  check_form(is_pair(cdr(*s->x)), "case: bad syntax", *s->x);
  val key = eval_arg(cadr(*s->x), *s->e);
  for (val c = cddr(*s->x); is_pair(c); c = cdr(c)) {
    val clause = car(c);
    check_form(is_pair(clause), "case: bad clause", clause);
    bool hit = car(clause) == special_symbol(SF_ELSE);
    for (val d = car(clause); !hit && is_pair(d); d = cdr(d))
      hit = eqv(car(d), key);
    if (hit)
      return run_body(s, cdr(clause));
  }
  s->result = UNSPEC;
  return DONE;
}

static enum step sf_and(struct state *s) {
  *s->t = cdr(*s->x);
  if (!is_pair(*s->t)) {
    s->result = TRUE_V;
    return DONE;
  }
  while (is_pair(cdr(*s->t))) {
    if (!truthy(eval_arg(car(*s->t), *s->e))) {
      s->result = FALSE_V;
      return DONE;
    }
    *s->t = cdr(*s->t);
  }
  *s->x = car(*s->t);
  return TAIL;
}

static enum step sf_or(struct state *s) {
  *s->t = cdr(*s->x);
  if (!is_pair(*s->t)) {
    s->result = FALSE_V;
    return DONE;
  }
  while (is_pair(cdr(*s->t))) {
    val v = eval_arg(car(*s->t), *s->e);
    if (truthy(v)) {
      s->result = v;
      return DONE;
    }
    *s->t = cdr(*s->t);
  }
  *s->x = car(*s->t);
  return TAIL;
}

static enum step when_unless(struct state *s, bool when) {
  check_form(is_pair(cdr(*s->x)), "when/unless: bad syntax", *s->x);
  val test = eval_arg(cadr(*s->x), *s->e);
  if (truthy(test) == when)
    return run_body(s, cddr(*s->x));
  s->result = UNSPEC;
  return DONE;
}
static enum step sf_when(struct state *s) { return when_unless(s, true); }
static enum step sf_unless(struct state *s) { return when_unless(s, false); }

static enum step sf_quasiquote(struct state *s) {
  check_form(is_pair(cdr(*s->x)), "quasiquote: bad syntax", *s->x);
  s->result = quasi(cadr(*s->x), *s->e, 1);
  return DONE;
}

/* A fresh frame for the do variables, parent vstack[base], values from
 * vstack[base + 1 ...]; pops the values. */
static val do_frame(struct state *s, size_t base, size_t n) {
  val env = make_env(n, vstack[base], cadr(*s->x));
  for (size_t i = 0; i < n; i++)
    env_set(env, i, vstack[base + 1 + i]);
  vset_sp(base + 1);
  return env;
}

/* (do ((var init step) ...) (test result ...) body ...): each iteration
 * binds fresh variables, so closures made by the body keep their values. */
static enum step sf_do(struct state *s) {
  val x = *s->x;
  check_form(is_pair(cdr(x)) && is_pair(cddr(x)) && is_pair(car(cddr(x))),
             "do: bad syntax", x);
  size_t n = check_bindings(cadr(x), x);
  size_t base = vsp();
  vpush(*s->e);
  push_inits(s, let_bindings);
  *s->e = do_frame(s, base, n);
  while (!truthy(eval_arg(car(car(cddr(*s->x))), *s->e))) {
    for (*s->t = cdr(cddr(*s->x)); is_pair(*s->t); *s->t = cdr(*s->t))
      eval(car(*s->t), *s->e);
    for (*s->t = cadr(*s->x); is_pair(*s->t); *s->t = cdr(*s->t)) {
      val spec = car(*s->t);
      vpush(is_pair(cddr(spec)) ? eval_arg(car(cddr(spec)), *s->e)
                                : lookup(car(spec), *s->e));
    }
    *s->e = do_frame(s, base, n);
  }
  vset_sp(base);
  return run_body(s, cdr(car(cddr(*s->x))));
}

static const special_fn specials[SF_COUNT] = {
    [SF_QUOTE] = sf_quote,   [SF_QUASIQUOTE] = sf_quasiquote,
    [SF_IF] = sf_if,         [SF_DEFINE] = sf_define,
    [SF_SET] = sf_set,       [SF_LAMBDA] = sf_lambda,
    [SF_LET] = sf_let,       [SF_LETSTAR] = sf_letstar,
    [SF_LETREC] = sf_letrec, [SF_COND] = sf_cond,
    [SF_CASE] = sf_case,     [SF_BEGIN] = sf_begin,
    [SF_AND] = sf_and,       [SF_OR] = sf_or,
    [SF_WHEN] = sf_when,     [SF_UNLESS] = sf_unless,
    [SF_DO] = sf_do,
};

/* ---- application -------------------------------------------------------- */

/* (apply f a ... lst) on the stack becomes (f a ... elements-of-lst). */
static void spread_apply(size_t base) {
  size_t top = vsp();
  if (top - base < 3)
    lisp_error("apply: needs a procedure and a list", NO_IRRITANT);
  val lst = vpop();
  for (size_t i = base; i + 2 < top; i++)
    vstack[i] = vstack[i + 1];
  vset_sp(top - 2);
  for (; is_pair(lst); lst = cdr(lst))
    vpush(car(lst));
  if (lst != NIL)
    lisp_error("apply: last argument is not a list", lst);
}

/* Binds the arguments of the closure at vstack[base] in a new frame,
 * pops them, and returns the frame. */
static val bind_args(size_t base) {
  size_t argc = vsp() - base - 1;
  uint32_t arity = vstack[base]->aux;
  size_t required = arity >> 1, n = required + (arity & 1);
  if (argc < required || (!(arity & 1) && argc > required))
    lisp_error("wrong number of arguments to", vstack[base]);
  if (arity & 1) {
    val rest = list_from_stack(base + 1 + required, vsp(), NIL);
    vset_sp(base + 1 + required);
    vpush(rest);
  }
  struct closure *c = AS(closure, vstack[base]);
  val env = make_env(n, c->env, c->params);
  for (size_t i = 0; i < n; i++)
    env_set(env, i, vstack[base + 1 + i]);
  return env;
}

static enum step apply_proc(struct state *s, size_t base) {
  for (;;) {
    val proc = vstack[base];
    size_t argc = vsp() - base - 1;
    if (tag_of(proc) == T_CLOSURE) {
      *s->e = bind_args(base);
      val body = AS(closure, vstack[base])->body;
      vset_sp(base);
      return run_body(s, body);
    }
    if (tag_of(proc) != T_PRIM)
      lisp_error("not a procedure", proc);
    struct prim *p = AS(prim, proc);
    if (p->kind == PK_APPLY) {
      spread_apply(base);
      continue;
    }
    if (argc < p->h.aux || (p->max_args >= 0 && argc > (size_t)p->max_args))
      lisp_error("wrong number of arguments to", proc);
    s->result = p->fn(argc, &vstack[base + 1]);
    vset_sp(base);
    return DONE;
  }
}

static void check_stack(void) {
  char probe;
  if (GC_UNLIKELY((uintptr_t)&probe < stack_limit))
    lisp_error("recursion too deep", NO_IRRITANT);
}

static enum step eval_combination(struct state *s) {
  val x = *s->x;
  val head = car(x);
  if (is_symbol(head) && head->aux != SF_NONE && specials[head->aux])
    return specials[head->aux](s);
  s->base = vsp();
  vpush(eval_arg(head, *s->e));
  for (*s->t = cdr(*s->x); is_pair(*s->t); *s->t = cdr(*s->t))
    vpush(eval_arg(car(*s->t), *s->e));
  if (*s->t != NIL)
    lisp_error("improper argument list", *s->x);
  return APPLY;
}

val eval(val x, val env) {
  check_stack();
  GC_FRAME(f, 3);
  struct state s = {SLOT(f, 0), SLOT(f, 1), SLOT(f, 2), UNSPEC, 0};
  *s.x = x;
  *s.e = env;
  for (;;) {
    x = *s.x;
    if (is_symbol(x)) {
      s.result = lookup(x, *s.e);
      break;
    }
    if (!is_pair(x)) {
      s.result = x;
      break;
    }
    enum step st = eval_combination(&s);
    if (st == APPLY)
      st = apply_proc(&s, s.base);
    if (st == DONE)
      break;
  }
  GC_FRAME_END(f);
  return s.result;
}

val eval_toplevel(val x) { return eval(x, NIL); }

/* The stack limit: RLIMIT_STACK below the current frame, less a margin
 * for the primitives, the printer and the collector's own stack scan. */
void eval_init(void) {
  char here;
  struct rlimit rl;
  size_t size = 8u << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    size = rl.rlim_cur;
  if (size > (1u << 30))
    size = 1u << 30;
  size_t margin = size / 8 > (256u << 10) ? size / 8 : (256u << 10);
  if (margin > size / 2)
    margin = size / 2;
  stack_limit = (uintptr_t)&here - (size - margin);
}
