/*
 * incremental_scenarios.h — the classic lost-object scenario, run by
 * test_incremental_explicit.c and test_incremental_vm.c under their
 * barrier.
 *
 * During a cycle: A is black (marked and scanned), C is white and named
 * only by the unscanned object `holder`.  The mutator moves the reference
 * to C into A (or into a stack slot, or a global) and erases the original.
 * Without a barrier C is freed while reachable; with one it survives.
 * The scenario checks its own preconditions (A marked, C unmarked at the
 * moment of the move) so that a pass means the barrier did the work.
 */
#ifndef GLEANER_INCREMENTAL_SCENARIOS_H
#define GLEANER_INCREMENTAL_SCENARIOS_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "gc_state.h"
#include "incremental.h"
#include "mark.h"
#include "object_map.h"
#include "test_util.h"

typedef struct obj {
  struct obj *p;
  uint64_t payload[5];
} obj;

#define CHAIN 20000
static obj *global_a;       /* A: black early */
static obj *global_chain;   /* a long chain whose last node names C */
/* volatile: a global that is only written would be optimized away */
static obj *volatile global_dest;

static int is_marked(const void *p) {
  object_ref r;
  if (!object_find((uintptr_t)p, &r))
    return 0;
  return bit_test(G->bits[r.block].mark, r.slot);
}

static __attribute__((noinline)) obj *build_chain_with_c(uintptr_t *c_hidden) {
  obj *head = NULL;
  for (int i = 0; i < CHAIN; i++) {
    obj *n = gc_alloc(sizeof *n);
    n->p = head;
    head = n;
  }
  obj *last = head;
  while (last->p)
    last = last->p;
  obj *c = gc_alloc(sizeof *c);
  for (int k = 0; k < 5; k++)
    c->payload[k] = 0xC0FFEE00u + (uint64_t)k;
  last->p = c;
  *c_hidden = hide(c);
  return head;
}

static __attribute__((noinline)) obj *chain_last(obj *head) {
  while (head->p && head->p->p)
    head = head->p;
  return head; /* the node whose p is C */
}

/* Start a cycle and mark until A is black and C still white. */
static __attribute__((noinline)) void run_until_a_black(uintptr_t c_hidden) {
  while (!incremental_in_cycle())
    gc_collect_a_little();
  state_lock();
  for (int i = 0; i < 1000 && !is_marked(global_a); i++)
    mark_drain(256);
  mark_drain(256); /* A's own (empty) contents are scanned by now */
  int a_black = is_marked(global_a), c_white = !is_marked(reveal(c_hidden));
  state_unlock();
  assert_true(a_black);
  assert_true(c_white);
}

static __attribute__((noinline)) void finish_cycle(void) {
  clear_stack_below();
  while (gc_collect_a_little())
    ;
}

static __attribute__((noinline)) int c_intact(uintptr_t c_hidden) {
  obj *c = reveal(c_hidden);
  if (!gc_base(c))
    return 0;
  for (int k = 0; k < 5; k++)
    if (c->payload[k] != 0xC0FFEE00u + (uint64_t)k)
      return 0;
  return 1;
}

enum destination { INTO_BLACK_OBJECT, INTO_GLOBAL };

/* Moves C's reference; `barrier` selects GC_STORE or a raw store. */
static __attribute__((noinline)) void move_reference(enum destination d, int barrier) {
  obj *last = chain_last(global_chain);
  obj *c = last->p;
  if (d == INTO_BLACK_OBJECT) {
    if (barrier)
      GC_STORE(global_a, global_a->p, c);
    else
      global_a->p = c;
  } else {
    global_dest = c;
  }
  if (barrier)
    GC_STORE(last, last->p, NULL);
  else
    last->p = NULL;
}

static void scenario(enum destination d, int barrier, int expect_survival) {
  uintptr_t c_hidden;
  global_a = gc_alloc(sizeof(obj));
  global_dest = NULL;
  global_chain = build_chain_with_c(&c_hidden);
  clear_stack_below();
  run_until_a_black(c_hidden);
  move_reference(d, barrier);
  finish_cycle();
  assert_int_equal(c_intact(c_hidden), expect_survival);
  global_a = NULL;
  global_chain = NULL;
  global_dest = NULL;
}

/* The stack variant: C's only reference sits in this frame's local. */
static __attribute__((noinline)) int move_into_stack_and_finish(void) {
  obj *last = chain_last(global_chain);
  obj *volatile local = last->p;
  last->p = NULL;
  finish_cycle();
  obj *c = local;
  for (int k = 0; k < 5; k++)
    if (!gc_base(c) || c->payload[k] != 0xC0FFEE00u + (uint64_t)k)
      return 0;
  return 1;
}

static void scenario_stack(void) {
  uintptr_t c_hidden;
  global_a = gc_alloc(sizeof(obj));
  global_chain = build_chain_with_c(&c_hidden);
  clear_stack_below();
  run_until_a_black(c_hidden);
  assert_true(move_into_stack_and_finish());
  global_a = NULL;
  global_chain = NULL;
}

static void lost_object_through_global(void **state) {
  (void)state;
  scenario(INTO_GLOBAL, 0, 1); /* globals are rescanned at remark */
}

static void lost_object_through_stack(void **state) {
  (void)state;
  scenario_stack();
}
#endif
