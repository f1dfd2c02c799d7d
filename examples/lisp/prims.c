/*
 * prims.c — how primitives are defined and how they check arguments.
 *
 * A primitive is a pointer-free precise object (its C function and name
 * live outside the heap) bound to a global symbol.  Its function receives
 * argc and argv, a pointer into the value stack: the collector updates
 * those slots when it moves objects, so a primitive that allocates simply
 * re-reads argv[i] afterwards.  Arity is checked by the evaluator.
 */
#include "lisp.h"

#include <math.h>

void define_prim(const char *name, prim_fn fn, int min, int max, int kind) {
  val sym = intern_c(name);
  vpush(sym);
  struct prim *p = lisp_alloc(&ty_prim, sizeof *p);
  sym = vpop();
  p->h.tag = T_PRIM;
  p->h.aux = (uint32_t)min;
  p->max_args = max;
  p->kind = kind;
  p->fn = fn;
  p->name = name;
  GC_STORE(sym, AS(symbol, sym)->value, (val)p);
}

void arg_check(const char *who, bool ok, const char *expected, val v) {
  if (GC_UNLIKELY(!ok))
    type_error(who, expected, v);
}

int64_t arg_int(const char *who, val v) {
  if (GC_LIKELY(is_fix(v)))
    return fix_val(v);
  if (is_flonum(v) && flo_val(v) == floor(flo_val(v)) &&
      fabs(flo_val(v)) < 9.2e18)
    return (int64_t)flo_val(v);
  type_error(who, "an integer", v);
}

double arg_num(const char *who, val v) {
  if (is_fix(v))
    return (double)fix_val(v);
  if (is_flonum(v))
    return flo_val(v);
  type_error(who, "a number", v);
}

size_t arg_index(const char *who, val v, size_t limit) {
  if (!is_fix(v) || fix_val(v) < 0 || (uint64_t)fix_val(v) >= limit)
    who_error(who, "index out of range", v);
  return (size_t)fix_val(v);
}
