/*
 * finalize_all.c — GC_finalize_all (gc/javaxfc.h), as a Java-style runtime
 * calls it at exit: every registered finalizer runs, also those of objects
 * still reachable from a global, and a finalizer that registers a new one
 * gets it run in the same call; afterwards nothing is registered, so a
 * later collection runs nothing more.
 */
#include <gc.h>
#include <gc/javaxfc.h>

#include "suite.h"

struct obj {
  struct obj *next;
  int id;
};

static struct obj *reachable; /* a list kept by a global */
static int ran, reregistered_ran;

static void GC_CALLBACK count(void *p, void *cd) {
  (void)p;
  (void)cd;
  ran++;
}

static void GC_CALLBACK second(void *p, void *cd) {
  (void)p;
  (void)cd;
  reregistered_ran++;
}

static void GC_CALLBACK registers_another(void *p, void *cd) {
  (void)cd;
  ran++;
  GC_REGISTER_FINALIZER(p, second, NULL, NULL, NULL);
}

static __attribute__((noinline)) void make_objects(void) {
  for (int i = 0; i < 10; i++) {
    struct obj *o = GC_NEW(struct obj);
    o->id = i;
    o->next = reachable;
    reachable = o;
    GC_REGISTER_FINALIZER(o, i == 0 ? registers_another : count, NULL, NULL, NULL);
  }
  for (int i = 0; i < 5; i++) /* unreachable ones */
    GC_REGISTER_FINALIZER_NO_ORDER(GC_NEW(struct obj), count, NULL, NULL, NULL);
}

int main(void) {
  GC_INIT();
  GC_set_finalize_on_demand(1);
  make_objects();
  GC_finalize_all();
  printf("finalizers run by GC_finalize_all: %d\n", ran);
  printf("the one registered by a finalizer: %d\n", reregistered_ran);
  int listed = 0;
  for (struct obj *o = reachable; o; o = o->next)
    listed += o->id >= 0;
  printf("reachable objects still intact: %d\n", listed);
  suite_collect(2);
  printf("run by a later collection: %d\n", GC_invoke_finalizers());
  return 0;
}
