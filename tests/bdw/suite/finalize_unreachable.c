/*
 * finalize_unreachable.c — Boehm GC's GC_register_finalizer_unreachable:
 * an object with such a finalizer is not finalized while an object with an
 * unordered (_no_order) finalizer still reaches it, so in a dead pair
 * N (_no_order) -> U (_unreachable), N is finalized first and U in a later
 * collection.  (Needs GC_java_finalization, on by default.)
 */
#include <gc.h>

#include <stdlib.h>

#include "suite.h"

struct obj {
  struct obj *ref; /* the object it points to, or itself */
  void *field;     /* for GC_register_disappearing_link */
  char name[8];
};

static char order[256]; /* names of finalized objects, in order */

static void GC_CALLBACK record(void *p, void *cd) {
  (void)cd;
  strcat(order, ((struct obj *)p)->name);
  strcat(order, " ");
}

static __attribute__((noinline)) struct obj *make(const char *name) {
  struct obj *o = GC_NEW(struct obj);
  strcpy(o->name, name);
  return o;
}

/* One collection, then the queued finalizers; prints what ran. */
static void round_report(const char *label) {
  order[0] = '\0';
  suite_collect(1);
  GC_invoke_finalizers();
  printf("%s: %s\n", label, order[0] ? order : "(none)");
}

static __attribute__((noinline)) void make_unreachable_pair(void) {
  struct obj *n = make("N"), *u = make("U");
  n->ref = u;
  GC_REGISTER_FINALIZER_NO_ORDER(n, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER_UNREACHABLE(u, record, NULL, NULL, NULL);
}

static void test_unreachable(void) {
  make_unreachable_pair();
  round_report("unreachable round 1");
  round_report("unreachable round 2");
}

int main(void) {
  GC_INIT();
  GC_set_finalize_on_demand(1);
  printf("java finalization: %d\n", GC_get_java_finalization());
  test_unreachable();
  return 0;
}
