/*
 * signals.c — a Boehm GC client that owns SIGPWR (Gleaner's default
 * stop-the-world signal) and so moves the collector to SIGUSR2 with
 * GC_set_suspend_signal before GC_INIT, as Boehm GC allows.  The program's
 * own SIGPWR handler keeps working, the choice holds after initialization
 * (a later GC_set_suspend_signal has no effect), and collections still
 * stop threads: two threads build lists while the main thread collects,
 * one of them after blocking every signal through the redirected
 * pthread_sigmask.
 */
#define GC_THREADS
#include <gc.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "suite.h"

struct node {
  struct node *next;
  long value;
};

static volatile sig_atomic_t own_handler_ran;
static void on_sigpwr(int sig) {
  (void)sig;
  own_handler_ran = 1;
}

static void *builder(void *arg) {
  if (arg != NULL) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
  }
  struct node *head = NULL;
  for (long i = 1; i <= 200000; i++) {
    struct node *n = GC_NEW(struct node);
    n->value = i;
    n->next = head;
    head = n;
    if (i % 50000 == 0)
      GC_gcollect();
  }
  long sum = 0;
  for (struct node *n = head; n; n = n->next)
    sum += n->value;
  return sum == 200000L * 200001L / 2 ? (void *)1 : NULL;
}

int main(void) {
  GC_set_suspend_signal(SIGUSR2);
  GC_INIT();
  SHOW("the suspend signal is SIGUSR2", GC_get_suspend_signal() == SIGUSR2);
  GC_set_suspend_signal(SIGUSR1); /* too late: no effect */
  SHOW("it stays SIGUSR2 after initialization", GC_get_suspend_signal() == SIGUSR2);

  signal(SIGPWR, on_sigpwr);
  raise(SIGPWR);
  SHOW("the program's own SIGPWR handler ran", own_handler_ran);

  GC_word before = GC_get_gc_no();
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    if (pthread_create(&t[i], NULL, builder, i ? (void *)1 : NULL) != 0)
      return 1;
  for (int i = 0; i < 4; i++)
    GC_gcollect();
  int ok = 1;
  for (int i = 0; i < 2; i++) {
    void *r;
    pthread_join(t[i], &r);
    ok &= r != NULL;
  }
  SHOW("threads' lists intact after collections", ok);
  SHOW("collections happened", GC_get_gc_no() >= before + 4);
  return 0;
}
