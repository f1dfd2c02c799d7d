/*
 * debug_finalize.c — finalizers and disappearing links in a GC_DEBUG
 * build: GC_REGISTER_FINALIZER and GC_GENERAL_REGISTER_DISAPPEARING_LINK
 * expand to the debug entry points, the finalizer must still receive the
 * object as the program allocated it, and the link must be cleared.
 */
#define GC_DEBUG
#include <gc.h>

#include "suite.h"

struct rec {
  struct rec *next;
  long value;
};

static int finalized_with_user_pointer;
static void *expected_object;

static void GC_CALLBACK fin(void *p, void *cd) {
  (void)cd;
  if (p == GC_REVEAL_POINTER((GC_hidden_pointer)expected_object))
    finalized_with_user_pointer++;
}

static GC_hidden_pointer link_word;

static __attribute__((noinline)) void make_finalizable(void) {
  struct rec *r = GC_NEW(struct rec);
  r->value = 7;
  expected_object = (void *)GC_HIDE_POINTER(r);
  GC_REGISTER_FINALIZER(r, fin, NULL, NULL, NULL);
  link_word = GC_HIDE_POINTER(r);
  GC_GENERAL_REGISTER_DISAPPEARING_LINK((void **)&link_word, r);
}

int main(void) {
  GC_INIT();
  GC_set_finalize_on_demand(1);
  make_finalizable();
  suite_collect(2);
  GC_invoke_finalizers();
  SHOW("finalizer received the object", finalized_with_user_pointer == 1);
  SHOW("disappearing link cleared", link_word == 0);
  return 0;
}
