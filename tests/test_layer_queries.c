/*
 * test_layer_queries.c — the core's answers to layers built on it
 * (gc/layer_queries.h): the cheap collection count agrees with gc_stats
 * and advances with every collection; the heap reservation is exactly the
 * largest limit gc_set_max_heap accepts; the suspend signal is the one
 * whose handler the collector installed, SIGUSR2 here because main
 * prefers it before initializing (and later preferences are refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gleaner.h"
#include "layer_queries.h"

static int warnings;
static void count_warning(const char *msg) {
  (void)msg;
  warnings++;
}

static void test_collection_count(void **state) {
  (void)state;
  uint64_t before = layer_collection_count();
  gc_collect();
  gc_collect();
  assert_int_equal(layer_collection_count(), before + 2);
  gc_stats s;
  gc_get_stats(&s);
  assert_int_equal(layer_collection_count(), s.collections);
}

static void *volatile sink;

static void test_collection_count_sees_allocation_collections(void **state) {
  (void)state;
  uint64_t before = layer_collection_count();
  for (int i = 0; i < 1 << 20; i++)
    sink = gc_alloc(64); /* 64 MiB of garbage: the pacer collects */
  sink = NULL;
  gc_stats s;
  gc_get_stats(&s);
  assert_true(layer_collection_count() > before);
  assert_int_equal(layer_collection_count(), s.collections);
}

static void test_heap_reservation_is_the_largest_limit(void **state) {
  (void)state;
  size_t r = layer_heap_reservation();
  assert_true(r > 0);
  gc_warn_fn old = gc_set_warn_handler(count_warning);
  warnings = 0;
  assert_int_equal(gc_set_max_heap(r), 0);
  assert_int_not_equal(gc_set_max_heap(r + 1), 0);
  assert_int_equal(warnings, 1);
  gc_set_warn_handler(old);
  assert_non_null(gc_alloc(1 << 20)); /* the limit in force is r */
}

static void test_suspend_signal(void **state) {
  (void)state;
  int sig = layer_suspend_signal();
  const char *env = getenv("GLEANER_SUSPEND_SIGNAL");
  assert_int_equal(sig, env ? atoi(env) : SIGUSR2);
  struct sigaction sa;
  assert_int_equal(sigaction(sig, NULL, &sa), 0);
  assert_true(sa.sa_flags & SA_SIGINFO); /* the collector's handler */
  assert_ptr_not_equal((void *)sa.sa_sigaction, (void *)SIG_DFL);
}

static void test_signal_preference_too_late(void **state) {
  (void)state;
  int sig = layer_suspend_signal();
  assert_int_equal(layer_prefer_suspend_signal(SIGUSR1), -1);
  assert_int_equal(layer_suspend_signal(), sig);
}

int main(void) {
  if (layer_prefer_suspend_signal(SIGKILL) != -1 || layer_prefer_suspend_signal(0) != -1 ||
      layer_prefer_suspend_signal(SIGUSR2) != 0) {
    fprintf(stderr, "layer_prefer_suspend_signal before initialization: wrong answer\n");
    return 1;
  }
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_collection_count),
      cmocka_unit_test(test_collection_count_sees_allocation_collections),
      cmocka_unit_test(test_heap_reservation_is_the_largest_limit),
      cmocka_unit_test(test_suspend_signal),
      cmocka_unit_test(test_signal_preference_too_late),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
