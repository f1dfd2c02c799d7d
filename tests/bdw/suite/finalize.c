/*
 * finalize.c — finalization order, resurrection and disappearing links,
 * with Boehm GC's documented semantics:
 *
 *   - ordered finalizers run in topological order: in a dead chain
 *     A -> B -> C, one object per collection, head first;
 *   - a finalizer may resurrect its object (and re-register itself);
 *   - an object reachable from itself is never finalized by an ordered
 *     finalizer, but is with _ignore_self; unordered (_no_order) objects in
 *     a cycle are all finalized at once;
 *   - short links are cleared before finalizers run, long links only when
 *     the object is really gone (not while a finalizer resurrected it);
 *   - GC_register_disappearing_link clears a field of the dying object
 *     before its finalizer sees it;
 *   - the registration calls report the previous finalizer, links can be
 *     unregistered and moved, with Boehm's result codes;
 *   - finalizers run by themselves after GC_gcollect unless
 *     GC_finalize_on_demand, in which case the notifier is called instead,
 *     after each collection while finalizers wait; GC_gcollect runs due
 *     finalizers before collecting, even while collection is disabled.
 *
 * Objects are made in separate functions and kept only as hidden pointers,
 * so that no stale copy on the stack keeps them alive.  (The _unreachable
 * kind: finalize_unreachable.c.)
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

/* ---- ordered chain ---------------------------------------------------- */

static __attribute__((noinline)) void make_chain(void) {
  struct obj *a = make("A"), *b = make("B"), *c = make("C");
  a->ref = b;
  b->ref = c;
  GC_REGISTER_FINALIZER(c, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER(a, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER(b, record, NULL, NULL, NULL);
}

static void test_chain(void) {
  make_chain();
  round_report("chain round 1");
  round_report("chain round 2");
  round_report("chain round 3");
  round_report("chain round 4");
}

/* ---- resurrection ------------------------------------------------------- */

static struct obj *resurrected;
static int resurrections;

static void GC_CALLBACK resurrect(void *p, void *cd) {
  (void)cd;
  resurrected = p;
  if (++resurrections == 1) /* once more: finalizable again */
    GC_REGISTER_FINALIZER(p, resurrect, NULL, NULL, NULL);
}

static __attribute__((noinline)) void make_phoenix(void) {
  struct obj *o = make("phoenix");
  o->ref = make("child");
  GC_REGISTER_FINALIZER(o, resurrect, NULL, NULL, NULL);
}

static void test_resurrection(void) {
  make_phoenix();
  round_report("resurrection round 1");
  printf("resurrected: %s with %s, count %d\n", resurrected ? resurrected->name : "-",
         resurrected ? resurrected->ref->name : "-", resurrections);
  resurrected = NULL;
  round_report("resurrection round 2");
  printf("resurrected again: %s, count %d\n", resurrected ? resurrected->name : "-",
         resurrections);
  resurrected = NULL;
  round_report("resurrection round 3");
  printf("count after the last drop: %d\n", resurrections);
}

/* ---- cycles and finalizer kinds ---------------------------------------- */

static __attribute__((noinline)) void make_cycles(void) {
  struct obj *s = make("S");
  s->ref = s;
  GC_REGISTER_FINALIZER(s, record, NULL, NULL, NULL);
  struct obj *i = make("I");
  i->ref = i;
  GC_REGISTER_FINALIZER_IGNORE_SELF(i, record, NULL, NULL, NULL);
  struct obj *p = make("P"), *q = make("Q");
  p->ref = q;
  q->ref = p;
  GC_REGISTER_FINALIZER(p, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER(q, record, NULL, NULL, NULL);
  struct obj *x = make("X"), *y = make("Y");
  x->ref = y;
  y->ref = x;
  GC_REGISTER_FINALIZER_NO_ORDER(x, record, NULL, NULL, NULL);
  GC_REGISTER_FINALIZER_NO_ORDER(y, record, NULL, NULL, NULL);
}

static void test_cycles(void) {
  make_cycles();
  order[0] = '\0';
  suite_collect(2);
  GC_invoke_finalizers();
  suite_collect(2);
  GC_invoke_finalizers();
  SHOW("self-referencing ordered object finalized", strstr(order, "S ") != NULL);
  SHOW("self-referencing ignore_self object finalized", strstr(order, "I ") != NULL);
  SHOW("ordered cycle finalized", strstr(order, "P ") || strstr(order, "Q "));
  SHOW("unordered cycle finalized",
       strstr(order, "X ") != NULL && strstr(order, "Y ") != NULL);
}

/* ---- links ---------------------------------------------------------------- */

static GC_hidden_pointer short_link, long_link, moved_link;
static int field_was_cleared = -1;

static void GC_CALLBACK check_field(void *p, void *cd) {
  (void)cd;
  field_was_cleared = ((struct obj *)p)->field == NULL;
}

static __attribute__((noinline)) void make_linked(void) {
  struct obj *o = make("L");
  short_link = GC_HIDE_POINTER(o);
  long_link = GC_HIDE_POINTER(o);
  GC_GENERAL_REGISTER_DISAPPEARING_LINK((void **)&short_link, o);
  GC_REGISTER_LONG_LINK((void **)&long_link, o);
  o->field = make("field");
  GC_register_disappearing_link(&o->field);
  GC_REGISTER_FINALIZER(o, check_field, NULL, NULL, NULL);
}

static __attribute__((noinline)) void make_resurrected_linked(void) {
  struct obj *o = make("RL");
  short_link = GC_HIDE_POINTER(o);
  long_link = GC_HIDE_POINTER(o);
  GC_GENERAL_REGISTER_DISAPPEARING_LINK((void **)&short_link, o);
  GC_REGISTER_LONG_LINK((void **)&long_link, o);
  resurrections = 1; /* resurrect without re-registering */
  GC_REGISTER_FINALIZER(o, resurrect, NULL, NULL, NULL);
}

static void test_links(void) {
  make_linked();
  suite_collect(1);
  GC_invoke_finalizers();
  printf("after one collection: short link %s, long link %s\n",
         short_link ? "set" : "cleared", long_link ? "set" : "cleared");
  SHOW("field link cleared before the finalizer", field_was_cleared == 1);
  suite_collect(2);
  printf("after the finalizer: long link %s\n", long_link ? "set" : "cleared");

  resurrected = NULL;
  make_resurrected_linked();
  suite_collect(1);
  GC_invoke_finalizers();
  suite_collect(2);
  printf("resurrected object: short link %s, long link %s\n",
         short_link ? "set" : "cleared", long_link ? "set" : "cleared");
  SHOW("long link still reveals the object",
       long_link && GC_REVEAL_POINTER(long_link) == resurrected);
  resurrected = NULL;
}

static __attribute__((noinline)) void make_moved(GC_hidden_pointer *from) {
  struct obj *o = make("M");
  *from = GC_HIDE_POINTER(o);
  GC_GENERAL_REGISTER_DISAPPEARING_LINK((void **)from, o);
}

static void test_link_calls(void) {
  static GC_hidden_pointer a, b, other;
  make_moved(&a);
  printf("move to itself: %d\n", GC_move_disappearing_link((void **)&a, (void **)&a));
  printf("move: %d\n", GC_move_disappearing_link((void **)&a, (void **)&moved_link));
  printf("move from an unregistered link: %d\n",
         GC_move_disappearing_link((void **)&a, (void **)&b));
  make_moved(&other);
  printf("move onto a registered link: %d\n",
         GC_move_disappearing_link((void **)&moved_link, (void **)&other));
  int unreg1 = GC_unregister_disappearing_link((void **)&other);
  int unreg2 = GC_unregister_disappearing_link((void **)&other);
  printf("unregister: %d, again: %d\n", unreg1, unreg2);
  a = GC_HIDE_POINTER(&a); /* no longer a link: must not be touched */
  suite_collect(2);
  printf("moved link %s, old location %s, unregistered link %s\n",
         moved_link ? "set" : "cleared", a == GC_HIDE_POINTER(&a) ? "untouched" : "changed",
         other ? "untouched" : "cleared");
  static GC_hidden_pointer l1, l2;
  struct obj *lo = make("long");
  l1 = GC_HIDE_POINTER(lo);
  int reg = GC_REGISTER_LONG_LINK((void **)&l1, lo);
  int mv = GC_move_long_link((void **)&l1, (void **)&l2);
  int mv_again = GC_move_long_link((void **)&l1, (void **)&l2);
  l2 = GC_HIDE_POINTER(lo);
  int un = GC_unregister_long_link((void **)&l2);
  int un_again = GC_unregister_long_link((void **)&l2);
  printf("long link: register %d, move %d, move again %d, unregister %d, again %d\n",
         reg, mv, mv_again, un, un_again);
  GC_reachable_here(lo);

  struct obj *t1 = make("t1"), *t2 = make("t2");
  b = GC_HIDE_POINTER(t1);
  int first = GC_general_register_disappearing_link((void **)&b, t1);
  int second = GC_general_register_disappearing_link((void **)&b, t2);
  printf("register a link twice: %d then %d\n", first, second);
  GC_unregister_disappearing_link((void **)&b);
  GC_reachable_here(t1);
  GC_reachable_here(t2);
}

/* ---- registration calls -------------------------------------------------- */

static void GC_CALLBACK other_fn(void *p, void *cd) {
  (void)p;
  (void)cd;
}

static void test_registration(void) {
  struct obj *o = make("R");
  GC_finalization_proc ofn = other_fn;
  void *ocd = &ofn;
  GC_REGISTER_FINALIZER(o, record, (void *)1, &ofn, &ocd);
  SHOW("first registration reports no previous finalizer", ofn == 0 && ocd == NULL);
  GC_REGISTER_FINALIZER(o, other_fn, (void *)2, &ofn, &ocd);
  SHOW("second registration reports the first",
       ofn == record && ocd == (void *)1);
  GC_REGISTER_FINALIZER(o, 0, NULL, &ofn, &ocd);
  SHOW("removal reports the second", ofn == other_fn && ocd == (void *)2);
  long local;
  ofn = other_fn;
  GC_register_finalizer(&local, record, NULL, &ofn, &ocd);
  SHOW("a non-heap object reports no finalizer", ofn == 0 && ocd == NULL);
  GC_reachable_here(o);
}

/* ---- many objects, automatic running, on-demand mode --------------------- */

static int counted;
static void GC_CALLBACK count(void *p, void *cd) {
  (void)p;
  (void)cd;
  counted++;
}

static __attribute__((noinline)) void make_many(int n) {
  for (int i = 0; i < n; i++)
    GC_REGISTER_FINALIZER_NO_ORDER(make("many"), count, NULL, NULL, NULL);
}

static int notified;
static void GC_CALLBACK notifier(void) { notified++; }

static void test_modes(void) {
  make_many(1000);
  suite_collect(1);
  SHOW("finalizers are pending after the collection", GC_should_invoke_finalizers());
  int ran = GC_invoke_finalizers();
  suite_collect(1);
  ran += GC_invoke_finalizers();
  SHOW("at least 99% of 1000 finalized", counted >= 990 && ran == counted);
  SHOW("none pending afterwards", !GC_should_invoke_finalizers());

  GC_set_finalize_on_demand(0);
  counted = 0;
  make_many(100);
  suite_collect(2);
  SHOW("without on-demand mode, GC_gcollect ran the finalizers", counted >= 95);

  GC_set_finalize_on_demand(1);
  GC_set_finalizer_notifier(notifier);
  counted = 0;
  make_many(100);
  suite_collect(2);
  SHOW("in on-demand mode nothing ran by itself", counted == 0);
  SHOW("the notifier was called", notified > 0);
  int before = notified;
  suite_collect(1);
  SHOW("called again after the next collection while they wait", notified > before);
  GC_invoke_finalizers();
  SHOW("GC_invoke_finalizers ran them", counted >= 95);

  /* GC_gcollect runs due finalizers before collecting, even disabled. */
  counted = 0;
  make_many(100);
  suite_collect(2);
  GC_set_finalize_on_demand(0);
  GC_disable();
  GC_gcollect();
  GC_enable();
  SHOW("a disabled GC_gcollect still ran the due finalizers", counted >= 95);
  GC_set_finalize_on_demand(1);
}

int main(void) {
  GC_INIT();
  GC_set_finalize_on_demand(1);
  printf("java finalization: %d\n", GC_get_java_finalization());
  test_chain();
  test_resurrection();
  test_cycles();
  test_links();
  test_link_calls();
  test_registration();
  test_modes();
  return 0;
}
