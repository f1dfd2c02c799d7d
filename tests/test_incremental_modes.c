/*
 * test_incremental_modes.c — mode selection (issue 3): GLEANER_INCREMENTAL
 * and GLEANER_BARRIER, and gc_config, decide whether marking is
 * incremental; without a barrier the collector stays stop-the-world (never
 * incremental without one), and a bad value is refused with a warning and
 * changes nothing.  In every mode a linked structure held by a global
 * survives collections driven by allocation.
 *
 * Every case runs in a child process (threads_util.h) with a fresh
 * collector and its own environment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gleaner.h"
#include "threads_util.h"

typedef struct node {
  struct node *next;
  uintptr_t value;
} node;

static node *volatile keep;

/* Builds a list, allocates garbage enough for several collections (or
 * cycles), checks the list. */
static int list_survives(void) {
  keep = NULL;
  for (uintptr_t i = 0; i < 20000; i++) {
    node *n = gc_alloc(sizeof *n);
    CHECK(n != NULL);
    n->value = i;
    GC_STORE(n, n->next, keep);
    keep = n;
  }
  for (int i = 0; i < 400000; i++)
    CHECK(gc_alloc(64) != NULL);
  gc_collect();
  uintptr_t expect = 20000;
  for (node *n = keep; n; n = n->next)
    CHECK(n->value == --expect);
  CHECK(expect == 0);
  return 0;
}

typedef struct mode_case {
  const char *incremental, *barrier; /* environment; NULL: unset */
  int config_incremental;            /* gc_config.incremental */
  int want;                          /* expected gc_is_incremental() */
} mode_case;

static int run_mode(void *arg) {
  const mode_case *mc = arg;
  unsetenv("GLEANER_INCREMENTAL");
  unsetenv("GLEANER_BARRIER");
  if (mc->incremental)
    setenv("GLEANER_INCREMENTAL", mc->incremental, 1);
  if (mc->barrier)
    setenv("GLEANER_BARRIER", mc->barrier, 1);
  gc_config cfg = {.incremental = mc->config_incremental};
  CHECK(gc_init(&cfg) == 0);
  CHECK(gc_is_incremental() == mc->want);
  return list_survives();
}

static void check_mode(mode_case mc) { assert_int_equal(run_in_child(run_mode, &mc), 0); }

static void explicit_barrier_is_incremental(void **state) {
  (void)state;
  check_mode((mode_case){"1", "explicit", 0, 1});
}

static void no_barrier_stays_stop_the_world(void **state) {
  (void)state;
  check_mode((mode_case){"1", "none", 0, 0});
}

static void incremental_off_by_environment(void **state) {
  (void)state;
  check_mode((mode_case){"0", "explicit", 0, 0});
}

static void incremental_by_config(void **state) {
  (void)state;
  check_mode((mode_case){NULL, "explicit", 1, 1});
}

/* An unknown barrier name is ignored with a warning: the default (the VM
 * barrier, or stop-the-world where it is unavailable) stands, and the heap
 * stays intact either way. */
static int run_bad_barrier(void *unused) {
  (void)unused;
  setenv("GLEANER_INCREMENTAL", "1", 1);
  setenv("GLEANER_BARRIER", "sometimes", 1);
  CHECK(gc_init(NULL) == 0);
  return list_survives();
}

static void bad_barrier_value_is_ignored(void **state) {
  (void)state;
  assert_int_equal(run_in_child(run_bad_barrier, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(explicit_barrier_is_incremental),
      cmocka_unit_test(no_barrier_stays_stop_the_world),
      cmocka_unit_test(incremental_off_by_environment),
      cmocka_unit_test(incremental_by_config),
      cmocka_unit_test(bad_barrier_value_is_ignored),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
