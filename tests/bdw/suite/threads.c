/*
 * threads.c — a threaded producer/consumer on Boehm GC, built with
 * GC_THREADS so that pthread_create, pthread_join, pthread_detach and
 * pthread_exit go through the collector's redirects.
 *
 * Producers build messages (a header with a chain of atomic payload
 * blocks) and hand them over through a queue whose nodes and head live on
 * the collected heap; consumers check every message and keep a running
 * checksum.  Every thread also allocates garbage, so collections stop the
 * world while messages are in flight, in registers and on every stack.
 * A detached thread that leaves with pthread_exit and a thread created with
 * attributes complete the tour of the redirected calls.  Last, a thread
 * blocks every signal through pthread_sigmask (redirected to
 * GC_pthread_sigmask, which keeps the suspend signal out of the set) and
 * waits while the main thread collects: without that, no collection could
 * stop it.
 */
#define GC_THREADS
#include <gc.h>

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "suite.h"

#define PRODUCERS 3
#define CONSUMERS 3
#define MESSAGES_EACH 6000
#define BLOCKS 4

struct message {
  long id;
  long checksum;
  unsigned char *blocks[BLOCKS]; /* atomic payloads */
};

struct qnode {
  struct qnode *next;
  struct message *msg;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER;
static struct qnode *head, *tail; /* the queue, on the collected heap */
static int producers_left = PRODUCERS;
static long consumed, consumed_sum, bad_messages;

static struct message *make_message(long id) {
  struct message *m = GC_NEW(struct message);
  unsigned long seed = (unsigned long)id * 2654435761u + 1;
  long sum = 0;
  for (int b = 0; b < BLOCKS; b++) {
    size_t n = 32 + suite_rand(&seed) % 200;
    unsigned char *blk = GC_MALLOC_ATOMIC(n);
    for (size_t i = 0; i < n; i++) {
      blk[i] = (unsigned char)suite_rand(&seed);
      sum += blk[i];
    }
    m->blocks[b] = blk;
  }
  m->id = id;
  m->checksum = sum;
  return m;
}

static long message_sum(const struct message *m) {
  unsigned long seed = (unsigned long)m->id * 2654435761u + 1;
  long sum = 0;
  for (int b = 0; b < BLOCKS; b++) {
    size_t n = 32 + suite_rand(&seed) % 200;
    for (size_t i = 0; i < n; i++) {
      (void)suite_rand(&seed);
      sum += m->blocks[b][i];
    }
  }
  return sum;
}

static void *producer(void *arg) {
  long base = (long)(intptr_t)arg * MESSAGES_EACH;
  for (long i = 0; i < MESSAGES_EACH; i++) {
    struct qnode *q = GC_NEW(struct qnode);
    q->msg = make_message(base + i);
    for (int g = 0; g < 10; g++)
      (void)GC_MALLOC(64); /* garbage */
    pthread_mutex_lock(&lock);
    if (tail)
      tail->next = q;
    else
      head = q;
    tail = q;
    pthread_cond_signal(&nonempty);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  producers_left--;
  pthread_cond_broadcast(&nonempty);
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    while (head == NULL && producers_left > 0)
      pthread_cond_wait(&nonempty, &lock);
    struct qnode *q = head;
    if (q == NULL) {
      pthread_mutex_unlock(&lock);
      return NULL;
    }
    head = q->next;
    if (head == NULL)
      tail = NULL;
    pthread_mutex_unlock(&lock);
    long s = message_sum(q->msg);
    (void)GC_MALLOC(128); /* garbage */
    pthread_mutex_lock(&lock);
    consumed++;
    consumed_sum += q->msg->id;
    if (s != q->msg->checksum)
      bad_messages++;
    pthread_mutex_unlock(&lock);
  }
}

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int detached_done;
static long detached_result;

/* Detached; leaves through pthread_exit (redirected to GC_pthread_exit). */
static void *detached(void *arg) {
  (void)arg;
  long *v = GC_MALLOC(1000 * sizeof *v);
  for (int i = 0; i < 1000; i++)
    v[i] = i;
  GC_gcollect();
  long s = 0;
  for (int i = 0; i < 1000; i++)
    s += v[i];
  pthread_mutex_lock(&done_lock);
  detached_result = s;
  detached_done = 1;
  pthread_cond_signal(&done_cond);
  pthread_mutex_unlock(&done_lock);
  pthread_exit(NULL);
}

/* ---- a thread that blocks every signal ------------------------------- */

static pthread_mutex_t block_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t block_cond = PTHREAD_COND_INITIALIZER;
static int blocker_ready, blocker_release, suspend_still_deliverable;

static void *blocker(void *arg) {
  (void)arg;
  sigset_t all, now;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  pthread_sigmask(SIG_BLOCK, NULL, &now);
  void *keep = GC_MALLOC(128); /* this thread's stack holds a heap pointer */
  pthread_mutex_lock(&block_lock);
  suspend_still_deliverable = !sigismember(&now, GC_get_suspend_signal());
  blocker_ready = 1;
  pthread_cond_broadcast(&block_cond);
  while (!blocker_release)
    pthread_cond_wait(&block_cond, &block_lock);
  pthread_mutex_unlock(&block_lock);
  return keep;
}

static void test_signal_blocker(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, blocker, NULL) != 0)
    exit(1);
  pthread_mutex_lock(&block_lock);
  while (!blocker_ready)
    pthread_cond_wait(&block_cond, &block_lock);
  pthread_mutex_unlock(&block_lock);
  GC_word before = GC_get_gc_no();
  GC_gcollect();
  GC_gcollect();
  SHOW("collections with a thread that blocked every signal", GC_get_gc_no() >= before + 2);
  SHOW("the suspend signal stays deliverable", suspend_still_deliverable);
  SHOW("the suspend signal is a signal number", GC_get_suspend_signal() > 0);
  pthread_mutex_lock(&block_lock);
  blocker_release = 1;
  pthread_cond_broadcast(&block_cond);
  pthread_mutex_unlock(&block_lock);
  void *kept = NULL;
  pthread_join(t, &kept);
  SHOW("its object survived", kept != NULL && GC_base(kept) == kept);
}

int main(void) {
  GC_INIT();
  pthread_t prod[PRODUCERS], cons[CONSUMERS], det;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1u << 20);
  for (intptr_t i = 0; i < CONSUMERS; i++)
    if (pthread_create(&cons[i], &attr, consumer, NULL) != 0)
      return 1;
  for (intptr_t i = 0; i < PRODUCERS; i++)
    if (pthread_create(&prod[i], NULL, producer, (void *)i) != 0)
      return 1;
  if (pthread_create(&det, NULL, detached, NULL) != 0 || pthread_detach(det) != 0)
    return 1;
  for (int i = 0; i < PRODUCERS; i++)
    pthread_join(prod[i], NULL);
  for (int i = 0; i < CONSUMERS; i++)
    pthread_join(cons[i], NULL);
  pthread_mutex_lock(&done_lock);
  while (!detached_done)
    pthread_cond_wait(&done_cond, &done_lock);
  pthread_mutex_unlock(&done_lock);
  pthread_attr_destroy(&attr);

  long n = (long)PRODUCERS * MESSAGES_EACH;
  printf("consumed %ld of %ld messages\n", consumed, n);
  SHOW("every message id was seen once", consumed_sum == n * (n - 1) / 2);
  printf("damaged messages: %ld\n", bad_messages);
  printf("detached thread result: %ld\n", detached_result);
  SHOW("collections happened", GC_get_gc_no() > 1);
  test_signal_blocker();
  return 0;
}
