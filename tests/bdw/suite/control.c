/*
 * control.c — collection control as Boehm GC clients use it: disabling
 * (GC_disable/GC_enable nesting, and writing GC_dont_gc directly), stop
 * functions, collections that unmap, the free-space divisor as a variable
 * and through its setter, heap expansion, a maximum heap size with an
 * out-of-memory function and retries, warn procs, the allocation lock,
 * the collection counter read as a variable,
 * and a few harmless calls (displacements, GC_clear_stack).  (Root ranges:
 * roots.c.)
 */
#include <gc.h>
#include <gc/gc_mark.h>

#include <stdlib.h>

#include "suite.h"

struct node {
  struct node *next;
  long value;
};

static __attribute__((noinline)) void churn(long bytes) {
  for (long done = 0; done < bytes; done += 64)
    memset(GC_MALLOC(64), 0xA5, 64);
}

static void test_disable(void) {
  GC_word start = GC_get_gc_no();
  GC_disable();
  GC_disable();
  GC_enable();
  SHOW("disabled after disable, disable, enable", GC_is_disabled());
  churn(64 << 20);
  GC_gcollect();
  SHOW("no collection while disabled", GC_get_gc_no() == start);
  GC_enable();
  SHOW("enabled again", !GC_is_disabled());
  GC_gcollect();
  SHOW("collections resume", GC_get_gc_no() > start);

  start = GC_get_gc_no();
  GC_dont_gc = 1; /* the old way */
  churn(64 << 20);
  GC_gcollect();
  SHOW("no collection while GC_dont_gc is set", GC_get_gc_no() == start);
  GC_dont_gc = 0;
  GC_gcollect();
  SHOW("collections resume when GC_dont_gc is cleared", GC_get_gc_no() > start);
}

static int stop_calls;
static int GC_CALLBACK stop_now(void) { stop_calls++; return 1; }
static int GC_CALLBACK never_stop(void) { return 0; }

/* Programs read GC_gc_no directly, to see whether a collection happened
 * since they last looked — also one the allocator started. */
static void test_gc_no_variable(void) {
  GC_word start = GC_gc_no;
  churn(256 << 20); /* several times the heap the earlier tests grew */
  SHOW("GC_gc_no advances with collections started by allocation", GC_gc_no > start);
  SHOW("GC_get_gc_no agrees with GC_gc_no", GC_get_gc_no() == GC_gc_no);
}

static void test_stop_functions(void) {
  GC_word start = GC_get_gc_no();
  int r = GC_try_to_collect(stop_now);
  SHOW("GC_try_to_collect(stop) reports an abandoned collection",
       r == 0 && stop_calls > 0);
  SHOW("GC_try_to_collect(never stop) collects",
       GC_try_to_collect(never_stop) == 1 && GC_get_gc_no() > start);
  GC_stop_func old = GC_get_stop_func();
  GC_set_stop_func(never_stop);
  SHOW("GC_get_stop_func returns what was set", GC_get_stop_func() == never_stop);
  GC_set_stop_func(old);
  start = GC_get_gc_no();
  GC_gcollect_and_unmap();
  SHOW("GC_gcollect_and_unmap collects", GC_get_gc_no() > start);
  GC_set_force_unmap_on_gcollect(1);
  SHOW("force unmap flag set", GC_get_force_unmap_on_gcollect() == 1);
  GC_gcollect();
  GC_set_force_unmap_on_gcollect(0);
}

static void test_tuning(void) {
  printf("default free space divisor: %lu\n", GC_get_free_space_divisor());
  GC_set_free_space_divisor(5);
  printf("after GC_set_free_space_divisor(5): %lu\n", GC_free_space_divisor);
  GC_free_space_divisor = 4;
  churn(4 << 20);
  printf("after assigning 4: %lu\n", GC_get_free_space_divisor());
  GC_set_free_space_divisor(3);
  SHOW("GC_expand_hp succeeds", GC_expand_hp(4 << 20) == 1);
  GC_set_max_retries(2);
  printf("max retries: %lu\n", GC_get_max_retries());
  GC_set_dont_expand(1);
  SHOW("dont_expand set", GC_get_dont_expand() == 1);
  churn(8 << 20);
  GC_set_dont_expand(0);
  GC_register_displacement(8);
  GC_set_all_interior_pointers(1);
  printf("all interior pointers: %d\n", GC_get_all_interior_pointers());
  SHOW("GC_clear_stack returns its argument", GC_clear_stack(&stop_calls) == &stop_calls);
}

static size_t oom_requested;
static void *GC_CALLBACK oom(size_t n) {
  oom_requested = n;
  return NULL;
}

/* Holds on to lists until allocation fails under a 48 MB limit. */
static __attribute__((noinline)) struct node **fill_until_failure(int *filled) {
  struct node **keep = calloc(4096, sizeof *keep);
  GC_add_roots(keep, keep + 4096);
  int n = 0;
  while (n < 4096) {
    void *block = GC_MALLOC(64 << 10);
    if (block == NULL)
      break;
    keep[n++] = block;
  }
  *filled = n;
  return keep;
}

static void test_heap_limit(void) {
  GC_set_oom_fn(oom);
  SHOW("GC_get_oom_fn returns what was set", GC_get_oom_fn() == oom);
  GC_set_max_heap_size(48 << 20);
  int filled = 0;
  struct node **keep = fill_until_failure(&filled);
  SHOW("allocation failed under the limit", filled < 4096);
  SHOW("the oom function got the request", oom_requested >= (64 << 10));
  SHOW("at least 16 MB were allocated first", filled >= 256);
  GC_remove_roots(keep, keep + 4096);
  free(keep);
  suite_collect(2);
  SHOW("allocation works again after dropping", GC_MALLOC(64 << 10) != NULL);
  GC_set_max_heap_size(0);
  SHOW("unlimited again", GC_MALLOC(64 << 20) != NULL);
}

static int warnings;
static void GC_CALLBACK count_warning(char *msg, GC_word arg) {
  (void)msg;
  (void)arg;
  warnings++;
}

static void *GC_CALLBACK locked(void *arg) { return (char *)arg + 1; }

static void test_misc(void) {
  GC_warn_proc old = GC_get_warn_proc();
  GC_set_warn_proc(count_warning);
  SHOW("GC_get_warn_proc returns what was set", GC_get_warn_proc() == count_warning);
  GC_set_warn_proc(GC_ignore_warn_proc);
  GC_set_warn_proc(old);
  static char token[2];
  SHOW("GC_call_with_alloc_lock returns the function's result",
       GC_call_with_alloc_lock(locked, token) == token + 1);
  GC_start_performance_measurement();
  suite_collect(1);
  SHOW("collection time is measured", GC_get_full_gc_total_time() < 100000);
}

int main(void) {
  GC_INIT();
  test_heap_limit(); /* first, while the heap is small */
  test_disable();
  test_gc_no_variable();
  test_stop_functions();
  test_tuning();
  test_misc();
  return 0;
}
