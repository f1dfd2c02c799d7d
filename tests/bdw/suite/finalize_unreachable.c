/*
 * finalize_unreachable.c — Boehm GC's GC_register_finalizer_unreachable:
 * an object with such a finalizer is not finalized while an object with an
 * unordered (_no_order) finalizer still reaches it, so in a dead pair
 * N (_no_order) -> U (_unreachable), N is finalized first and U in a later
 * collection — also through a plain object in between (N -> P -> U).
 * The control: with an ordered finalizer on the target (N -> O), both run
 * in the same collection.  Towards ordered objects it is ordered: A -> U
 * finalizes A, then U; U alone is finalized at once; U reachable from
 * itself is never finalized (a finalization cycle, as for the ordered
 * kind).  (Needs GC_java_finalization, on by default.)  The _no_order kind
 * that goes with it in Java-style runtimes: what it points to does not
 * delay it (N3 -> O above), but an ordered object that reaches it does
 * (A2 -> N5: A2 first).
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

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `order`, sorted (finalizers queued in one collection run in
 * an order neither collector specifies). */
static void sort_names(void) {
  char copy[sizeof order], *names[32];
  int n = 0;
  strcpy(copy, order);
  for (char *t = strtok(copy, " "); t != NULL && n < 32; t = strtok(NULL, " "))
    names[n++] = t;
  qsort(names, (size_t)n, sizeof names[0], by_name);
  order[0] = '\0';
  for (int i = 0; i < n; i++) {
    strcat(order, names[i]);
    strcat(order, " ");
  }
}

/* One collection, then the queued finalizers; prints what ran. */
static void round_report(const char *label) {
  order[0] = '\0';
  suite_collect(1);
  GC_invoke_finalizers();
  sort_names();
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

/* N (_no_order) -> P (no finalizer) -> U (_unreachable). */
static __attribute__((noinline)) void make_indirect(void) {
  struct obj *n = make("N2"), *p = make("P"), *u = make("U2");
  n->ref = p;
  p->ref = u;
  GC_REGISTER_FINALIZER_NO_ORDER(n, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER_UNREACHABLE(u, record, NULL, NULL, NULL);
}

static void test_indirect(void) {
  make_indirect();
  round_report("indirect round 1");
  round_report("indirect round 2");
}

/* The control: N (_no_order) -> O (ordered) die together. */
static __attribute__((noinline)) void make_ordered_target(void) {
  struct obj *n = make("N3"), *o = make("O");
  n->ref = o;
  GC_REGISTER_FINALIZER_NO_ORDER(n, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER(o, record, NULL, NULL, NULL);
}

static void test_ordered_target(void) {
  make_ordered_target();
  round_report("ordered target round 1");
}

/* A (ordered) -> U (_unreachable), and a lone U. */
static __attribute__((noinline)) void make_after_ordered(void) {
  struct obj *a = make("A"), *u = make("U4"), *lone = make("L");
  a->ref = u;
  GC_REGISTER_FINALIZER(a, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER_UNREACHABLE(u, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER_UNREACHABLE(lone, record, NULL, NULL, NULL);
}

static void test_after_ordered(void) {
  make_after_ordered();
  round_report("after ordered round 1");
  round_report("after ordered round 2");
}

/* A2 (ordered) -> N5 (_no_order). */
static __attribute__((noinline)) void make_ordered_over_no_order(void) {
  struct obj *a = make("A2"), *n = make("N5");
  a->ref = n;
  GC_REGISTER_FINALIZER(a, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER_NO_ORDER(n, record, NULL, NULL, NULL);
}

static void test_ordered_over_no_order(void) {
  make_ordered_over_no_order();
  round_report("ordered over no-order round 1");
  round_report("ordered over no-order round 2");
}

/* U -> U: a cycle; the warning goes to the warn proc, counted here. */
static int cycle_warnings;
static void GC_CALLBACK count_warning(char *msg, GC_word arg) {
  (void)arg;
  if (strstr(msg, "ycle") != NULL)
    cycle_warnings++;
}

static __attribute__((noinline)) void make_self_loop(void) {
  struct obj *u = make("S");
  u->ref = u;
  GC_REGISTER_FINALIZER_UNREACHABLE(u, record, NULL, NULL, NULL);
}

static void test_self_loop(void) {
  GC_warn_proc old = GC_get_warn_proc();
  GC_set_warn_proc(count_warning);
  make_self_loop();
  round_report("self loop round 1");
  round_report("self loop round 2");
  GC_set_warn_proc(old);
  SHOW("self loop reported", cycle_warnings > 0);
}

int main(void) {
  GC_INIT();
  GC_set_finalize_on_demand(1);
  printf("java finalization: %d\n", GC_get_java_finalization());
  test_unreachable();
  test_indirect();
  test_ordered_target();
  test_after_ordered();
  test_self_loop();
  test_ordered_over_no_order();
  return 0;
}
