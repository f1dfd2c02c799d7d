/*
 * thread_reg.c — threads the collector did not create: a program built
 * with GC_THREADS but GC_NO_THREAD_REDIRECTS (as libraries that create
 * their own threads are), registering them by hand.
 *
 *   - a raw thread finds its stack base, registers (and is told of a
 *     duplicate registration), keeps a list only on its stack across
 *     collections run by main, and unregisters;
 *   - a raw thread registers through GC_call_with_stack_base;
 *   - main waits inside GC_do_blocking while a GC_pthread_create'd thread
 *     collects, and allocates inside GC_call_with_gc_active;
 *   - a thread is cancelled with GC_pthread_cancel and joined, and the
 *     collector keeps working;
 *   - GC_pthread_sigmask blocks and restores a signal.
 */
#define GC_THREADS
#define GC_NO_THREAD_REDIRECTS
#include <gc.h>

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "suite.h"

struct node {
  struct node *next;
  long value;
};

static __attribute__((noinline)) struct node *make_list(long n) {
  struct node *head = NULL;
  for (long i = 1; i <= n; i++) {
    struct node *c = GC_NEW(struct node);
    c->value = i;
    c->next = head;
    head = c;
  }
  return head;
}

static long sum_list(const struct node *l) {
  long s = 0;
  for (; l; l = l->next)
    s += l->value;
  return s;
}

static __attribute__((noinline)) void churn(void) {
  for (int i = 0; i < 100000; i++)
    memset(GC_MALLOC(48), 0xA5, 48);
}

/* ---- a raw thread that registers itself -------------------------------- */

static pthread_barrier_t step;
static int reg_first, reg_second, reg_query, unreg, stack_base_ok;
static long raw_sum;

static void *raw_thread(void *arg) {
  (void)arg;
  struct GC_stack_base sb;
  int local;
  stack_base_ok = GC_get_stack_base(&sb) == GC_SUCCESS &&
                  (char *)sb.mem_base > (char *)&local;
  reg_first = GC_register_my_thread(&sb);
  reg_second = GC_register_my_thread(&sb);
  reg_query = GC_thread_is_registered();
  struct node *volatile list = make_list(10000); /* only on this stack */
  pthread_barrier_wait(&step);                    /* main collects now */
  pthread_barrier_wait(&step);
  raw_sum = sum_list(list);
  unreg = GC_unregister_my_thread();
  return NULL;
}

/* ---- registration through GC_call_with_stack_base ----------------------- */

static long sb_sum;
static int sb_reg;

static void *GC_CALLBACK with_base(struct GC_stack_base *sb, void *arg) {
  (void)arg;
  sb_reg = GC_register_my_thread(sb);
  struct node *list = make_list(1000);
  GC_gcollect();
  churn();
  sb_sum = sum_list(list);
  GC_unregister_my_thread();
  return NULL;
}

static void *base_thread(void *arg) {
  return GC_call_with_stack_base(with_base, arg);
}

/* ---- GC_do_blocking / GC_call_with_gc_active ------------------------------ */

static pthread_barrier_t blocking_step;
static long active_sum;

static void *GC_CALLBACK active_part(void *arg) {
  (void)arg;
  struct node *list = make_list(500);
  churn();
  active_sum = sum_list(list);
  return NULL;
}

static void *GC_CALLBACK blocked_part(void *arg) {
  (void)arg;
  pthread_barrier_wait(&blocking_step); /* the collector thread runs */
  pthread_barrier_wait(&blocking_step);
  GC_call_with_gc_active(active_part, NULL);
  return (void *)42;
}

static void *collector_thread(void *arg) {
  (void)arg;
  pthread_barrier_wait(&blocking_step);
  churn();
  suite_collect(2);
  pthread_barrier_wait(&blocking_step);
  return NULL;
}

/* ---- cancellation ------------------------------------------------------- */

static void *sleeper(void *arg) {
  (void)arg;
  struct node *volatile list = make_list(100);
  (void)list;
  for (;;)
    pause(); /* a cancellation point */
  return NULL;
}

int main(void) {
  GC_INIT();
  GC_allow_register_threads();

  pthread_t t;
  pthread_barrier_init(&step, NULL, 2);
  if (pthread_create(&t, NULL, raw_thread, NULL) != 0)
    return 1;
  pthread_barrier_wait(&step);
  churn();
  suite_collect(3);
  pthread_barrier_wait(&step);
  pthread_join(t, NULL);
  SHOW("GC_get_stack_base gives the cold end", stack_base_ok);
  printf("register: %d, again: %d, registered: %d, unregister: %d\n",
         reg_first, reg_second, reg_query, unreg);
  printf("list on a registered raw thread's stack: sum %ld\n", raw_sum);

  if (pthread_create(&t, NULL, base_thread, NULL) != 0)
    return 1;
  pthread_join(t, NULL);
  printf("GC_call_with_stack_base registration: %d, sum %ld\n", sb_reg, sb_sum);

  pthread_barrier_init(&blocking_step, NULL, 2);
  if (GC_pthread_create(&t, NULL, collector_thread, NULL) != 0)
    return 1;
  void *r = GC_do_blocking(blocked_part, NULL);
  GC_pthread_join(t, NULL);
  printf("GC_do_blocking result: %ld, active part sum %ld\n", (long)(intptr_t)r,
         active_sum);

  if (GC_pthread_create(&t, NULL, sleeper, NULL) != 0)
    return 1;
  usleep(20000);
  void *ret = NULL;
  int cancelled = GC_pthread_cancel(t) == 0 && GC_pthread_join(t, &ret) == 0 &&
                  ret == PTHREAD_CANCELED;
  SHOW("cancelled thread joined", cancelled);
  GC_word before = GC_get_gc_no();
  suite_collect(1);
  SHOW("collections continue after the cancellation", GC_get_gc_no() > before);

  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  int masked = GC_pthread_sigmask(SIG_BLOCK, &set, &old) == 0;
  suite_collect(1);
  masked &= GC_pthread_sigmask(SIG_SETMASK, &old, NULL) == 0;
  SHOW("GC_pthread_sigmask blocks and restores", masked);
  return 0;
}
