/*
 * quasiquote.c — `template with ,expr and ,@expr, including nested
 * quasiquotes (an inner ` raises the level, each , lowers it; only level-1
 * unquotes are evaluated).
 *
 * The template is part of the program (rooted by the caller's eval frame),
 * but its sub-lists are only reachable through it, so each recursion level
 * roots the sub-template it works on: the evaluation of an unquote may
 * move every object.
 */
#include "lisp.h"

static bool tagged(val x, enum special sf) {
  return is_pair(x) && car(x) == special_symbol(sf) && is_pair(cdr(x));
}

/* (tag inner) with inner = quasi(cadr(x)) at `depth`. */
static val rewrap(val x, val env, int depth) {
  vpush(car(x));
  val inner = quasi(car(cdr(x)), env, depth);
  val l = cons(inner, NIL);
  return cons(vpop(), l);
}

/* Copy of list `a` followed by `tail` (for ,@). */
static val append_copy(val a, val tail) {
  size_t base = vsp();
  for (; is_pair(a); a = cdr(a))
    vpush(car(a));
  if (a != NIL)
    lisp_error("unquote-splicing: not a list", a);
  val r = list_from_stack(base, vsp(), tail);
  vset_sp(base);
  return r;
}

val quasi(val x, val env, int depth) {
  if (!is_pair(x))
    return x;
  if (tagged(x, SF_UNQUOTE))
    return depth == 1 ? eval(car(cdr(x)), env) : rewrap(x, env, depth - 1);
  if (tagged(x, SF_QUASIQUOTE))
    return rewrap(x, env, depth + 1);
  GC_FRAME(f, 3);
  val *tmpl = SLOT(f, 0), *e = SLOT(f, 1), *head = SLOT(f, 2);
  *tmpl = x;
  *e = env;
  val result;
  if (depth == 1 && tagged(car(x), SF_UNQUOTE_SPLICING)) {
    *head = eval(car(cdr(car(x))), env);
    val rest = quasi(cdr(*tmpl), *e, depth);
    result = append_copy(*head, rest);
  } else {
    *head = quasi(car(x), env, depth);
    val rest = quasi(cdr(*tmpl), *e, depth);
    result = cons(*head, rest);
  }
  GC_FRAME_END(f);
  return result;
}
