/*
 * test_bdw_startup.c — what the cheap start-up of a Boehm GC program on
 * Gleaner must not change:
 *
 *   - the main thread's stack bounds, which Gleaner computes without
 *     reading /proc/self/maps (roots/stack_scan.c, main_thread_bounds), are
 *     exactly the ones glibc's pthread_getattr_np gives; another thread's
 *     come from pthread_getattr_np itself;
 *   - the marker helper threads GC_MARKERS asks for are started only once
 *     the heap is large enough to share the marking (mark_parallel.c), and
 *     then they are;
 *   - objects reachable only from the main stack survive the collections
 *     (the stack is scanned to the computed base).
 *
 * One process: the first test sets GC_MARKERS and then makes the first GC_
 * call.  Threads are counted in /proc/self/task.
 */
#define GC_THREADS 1
#include <gc.h>

#include "mutator.h"

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int thread_count(void) {
  DIR *d = opendir("/proc/self/task");
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n;
}

/* glibc's bounds of the calling thread: [*limit, *base). */
static void glibc_bounds(char **base, char **limit) {
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  assert_int_equal(pthread_getattr_np(pthread_self(), &attr), 0);
  assert_int_equal(pthread_attr_getstack(&attr, &addr, &size), 0);
  pthread_attr_destroy(&attr);
  *limit = addr;
  *base = (char *)addr + size;
}

static void main_stack_bounds_are_glibcs(void **state) {
  (void)state;
  setenv("GC_MARKERS", "2", 1);
  GC_INIT();
  char *base, *limit;
  glibc_bounds(&base, &limit);
  assert_ptr_equal(gleaner_self->stack_base, base);
  assert_ptr_equal(gleaner_self->stack_limit, limit);
}

static void *thread_bounds(void *arg) {
  char **out = arg;
  GC_MALLOC(16); /* registered by GC_pthread_create already */
  glibc_bounds(&out[0], &out[1]);
  out[2] = gleaner_self->stack_base;
  out[3] = gleaner_self->stack_limit;
  return NULL;
}

static void thread_stack_bounds_are_glibcs(void **state) {
  (void)state;
  char *seen[4] = {0};
  pthread_t t;
  assert_int_equal(GC_pthread_create(&t, NULL, thread_bounds, seen), 0);
  assert_int_equal(GC_pthread_join(t, NULL), 0);
  assert_non_null(seen[0]);
  assert_ptr_equal(seen[2], seen[0]);
  assert_ptr_equal(seen[3], seen[1]);
}

#define LIST_NODES 40000 /* 40,000 x 256 bytes: 10 MB, ~160 blocks */

struct node {
  struct node *next;
  char pad[256 - sizeof(struct node *)];
};

static __attribute__((noinline)) struct node *make_list(int n) {
  struct node *head = NULL;
  for (int i = 0; i < n; i++) {
    struct node *x = GC_MALLOC(sizeof *x);
    assert_non_null(x);
    x->next = head;
    head = x;
  }
  return head;
}

static int list_length(const struct node *x) {
  int n = 0;
  for (; x; x = x->next)
    n++;
  return n;
}

static void markers_start_with_a_large_heap(void **state) {
  (void)state;
  int before = thread_count();
  GC_gcollect(); /* a small heap: one marker is enough */
  GC_gcollect();
  assert_int_equal(thread_count(), before);
  struct node *volatile list = make_list(LIST_NODES); /* only on this stack */
  GC_gcollect();
  assert_int_equal(thread_count(), before + 1); /* GC_MARKERS=2: one helper */
  GC_gcollect();
  assert_int_equal(list_length(list), LIST_NODES);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(main_stack_bounds_are_glibcs),
      cmocka_unit_test(markers_start_with_a_large_heap), /* before any other thread */
      cmocka_unit_test(thread_stack_bounds_are_glibcs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
