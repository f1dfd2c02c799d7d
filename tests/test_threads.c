/*
 * test_threads.c — the thread API: registration and automatic
 * unregistration, gc_pthread_create's argument surviving a collection
 * before the thread runs, a thread parked in a blocking region whose
 * stack holds the only reference to a structure, threads created and
 * exiting while other threads collect, fork() of a multi-threaded
 * program, and the stop-the-world statistics.
 *
 * Every scenario runs in a child process (threads_util.h) with a fresh
 * collector, so registry counts and statistics start from zero.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "gc_state.h"
#include "test_util.h"
#include "threads_util.h"

static unsigned long seed;

static unsigned registered_threads(void) {
  unsigned n = 0;
  pthread_mutex_lock(&G->lock);
  for (mutator *m = G->mutators; m; m = m->next)
    n++;
  pthread_mutex_unlock(&G->lock);
  return n;
}

/* A linked list of n cells whose payload is a function of the index. */
typedef struct cell { struct cell *next; uint64_t index, check; } cell;

static __attribute__((noinline)) cell *make_list(unsigned n, uint64_t salt) {
  cell *head = NULL;
  for (unsigned i = 0; i < n; i++) {
    cell *c = gc_alloc(sizeof(cell));
    if (!c)
      return NULL;
    c->next = head;
    c->index = n - 1 - i;
    c->check = (n - 1 - i) * 0x9E3779B97F4A7C15ull ^ salt;
    head = c;
  }
  return head;
}

static bool list_ok(const cell *c, unsigned n, uint64_t salt) {
  for (unsigned i = 0; i < n; i++, c = c->next)
    if (!c || c->index != i || c->check != (i * 0x9E3779B97F4A7C15ull ^ salt))
      return false;
  return c == NULL;
}

/* Allocate and drop enough garbage that freed slots get reused. */
static __attribute__((noinline)) void churn(unsigned rounds) {
  for (unsigned r = 0; r < rounds; r++) {
    for (int i = 0; i < 2000; i++) {
      uint64_t *g = gc_alloc(sizeof(cell));
      g[0] = g[1] = g[2] = 0xdeadbeefdeadbeefull;
    }
    gc_collect();
  }
}

/* ---- registration --------------------------------------------------- */

static void *register_and_exit(void *arg) {
  sem_t *go = arg;
  if (gc_register_thread() != 0)
    return (void *)1;
  if (gc_register_thread() != 1) /* already registered */
    return (void *)1;
  void *p = gc_alloc(100);
  sem_wait(go);
  return p ? NULL : (void *)1;
}

static int scenario_registration(void *unused) {
  (void)unused;
  CHECK(gc_init(NULL) == 0);
  CHECK(gc_thread_is_registered());
  CHECK(registered_threads() == 1);
  pthread_t t[4];
  sem_t go;
  sem_init(&go, 0, 0);
  for (int i = 0; i < 4; i++)
    CHECK(pthread_create(&t[i], NULL, register_and_exit, &go) == 0);
  /* Wait until all four are registered. */
  for (int spins = 0; registered_threads() != 5 && spins < 10000; spins++)
    usleep(1000);
  CHECK(registered_threads() == 5);
  gc_collect(); /* stops the four (they wait in sem_wait) */
  for (int i = 0; i < 4; i++)
    sem_post(&go);
  for (int i = 0; i < 4; i++) {
    void *rv;
    pthread_join(t[i], &rv);
    CHECK(rv == NULL);
  }
  /* Unregistered at exit by the key destructor. */
  CHECK(registered_threads() == 1);
  gc_collect(); /* must not signal the dead threads */
  return 0;
}

static void registration(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_registration, NULL), 0);
}

static void *exit_early(void *arg) {
  (void)arg;
  gc_pthread_exit((void *)42);
}

static void *explicit_unregister(void *arg) {
  (void)arg;
  void *p = gc_alloc(16);
  int rc = gc_unregister_thread();
  return (p && rc == 0 && !gc_thread_is_registered()) ? NULL : (void *)1;
}

static int scenario_wrappers(void *unused) {
  (void)unused;
  CHECK(gc_init(NULL) == 0);
  pthread_t t;
  void *rv;
  CHECK(gc_pthread_create(&t, NULL, exit_early, NULL) == 0);
  CHECK(gc_pthread_join(t, &rv) == 0);
  CHECK(rv == (void *)42);
  CHECK(gc_pthread_create(&t, NULL, explicit_unregister, NULL) == 0);
  CHECK(gc_pthread_join(t, &rv) == 0);
  CHECK(rv == NULL);
  CHECK(registered_threads() == 1);
  CHECK(gc_pthread_create(&t, NULL, exit_early, NULL) == 0);
  CHECK(gc_pthread_detach(t) == 0);
  for (int spins = 0; registered_threads() != 1 && spins < 10000; spins++)
    usleep(1000);
  CHECK(registered_threads() == 1);
  return 0;
}

static void pthread_wrappers(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_wrappers, NULL), 0);
}

/* ---- detection of unregistered threads ------------------------------ */

static atomic_int implicit_warnings;

static void count_implicit(const char *message) {
  if (strstr(message, "without having been registered"))
    atomic_fetch_add(&implicit_warnings, 1);
}

static void *allocate_unregistered(void *arg) {
  (void)arg;
  return gc_alloc(32); /* plain pthread: registered implicitly, with a warning */
}

static void *allocate_registered(void *arg) {
  (void)arg;
  return gc_alloc(32);
}

static int scenario_detect_unregistered(void *unused) {
  (void)unused;
  setenv("GLEANER_CHECK_THREADS", "1", 1);
  CHECK(gc_init(NULL) == 0);
  gc_set_warn_handler(count_implicit);
  pthread_t t;
  void *rv;
  CHECK(gc_pthread_create(&t, NULL, allocate_registered, NULL) == 0);
  gc_pthread_join(t, &rv);
  CHECK(rv != NULL && atomic_load(&implicit_warnings) == 0);
  CHECK(pthread_create(&t, NULL, allocate_unregistered, NULL) == 0);
  pthread_join(t, &rv);
  CHECK(rv != NULL && atomic_load(&implicit_warnings) == 1);
  return 0;
}

static void unregistered_threads_are_detected(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_detect_unregistered, NULL), 0);
}

/* ---- the argument of gc_pthread_create ------------------------------ */

typedef struct start_gate { sem_t ready, go; } start_gate;
static start_gate *gate; /* malloc: not a root */

static void *check_arg_later(void *arg) {
  sem_post(&gate->ready);
  sem_wait(&gate->go); /* the parent collects meanwhile */
  return list_ok(arg, 500, 7) ? NULL : (void *)1;
}

static __attribute__((noinline)) int start_with_hidden_list(pthread_t *t) {
  return gc_pthread_create(t, NULL, check_arg_later, make_list(500, 7));
}

static int scenario_create_arg(void *unused) {
  (void)unused;
  CHECK(gc_init(NULL) == 0);
  gate = malloc(sizeof *gate);
  sem_init(&gate->ready, 0, 0);
  sem_init(&gate->go, 0, 0);
  pthread_t t;
  CHECK(start_with_hidden_list(&t) == 0);
  sem_wait(&gate->ready);
  clear_stack_below();
  churn(5);
  sem_post(&gate->go);
  void *rv;
  pthread_join(t, &rv);
  CHECK(rv == NULL);
  return 0;
}

static void create_argument_survives(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_create_arg, NULL), 0);
}

/* ---- a thread parked in a blocking region --------------------------- */

static sem_t parked, release_parked;

static __attribute__((noinline)) bool park_holding_list(void) {
  cell *only = make_list(2000, 99); /* the only reference: this frame */
  gc_enter_blocking();
  sem_post(&parked);
  while (sem_wait(&release_parked) != 0) /* EINTR: retry */
    ;
  gc_leave_blocking();
  bool ok = list_ok(only, 2000, 99);
  /* Still usable after leaving: allocate and collect from here. */
  cell *more = make_list(100, 5);
  gc_collect();
  return ok && list_ok(more, 100, 5) && list_ok(only, 2000, 99);
}

static void *parked_thread(void *arg) {
  (void)arg;
  return park_holding_list() ? NULL : (void *)1;
}

static void *busy_collector(void *arg) {
  atomic_int *stop = arg;
  while (!atomic_load(stop))
    churn(1);
  return NULL;
}

static int scenario_blocking(void *unused) {
  (void)unused;
  CHECK(gc_init(NULL) == 0);
  sem_init(&parked, 0, 0);
  sem_init(&release_parked, 0, 0);
  pthread_t p, c[2];
  atomic_int stop = 0;
  CHECK(gc_pthread_create(&p, NULL, parked_thread, NULL) == 0);
  sem_wait(&parked);
  for (int i = 0; i < 2; i++)
    CHECK(gc_pthread_create(&c[i], NULL, busy_collector, &stop) == 0);
  clear_stack_below();
  churn(30);
  gc_stats st;
  gc_get_stats(&st);
  CHECK(st.collections >= 30);
  atomic_store(&stop, 1);
  for (int i = 0; i < 2; i++)
    gc_pthread_join(c[i], NULL);
  sem_post(&release_parked);
  void *rv;
  gc_pthread_join(p, &rv);
  CHECK(rv == NULL);
  return 0;
}

static void blocking_region_keeps_stack_roots(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_blocking, NULL), 0);
}

/* ---- threads created and exiting during collections ----------------- */

typedef struct short_job { uint64_t salt; int how; } short_job;

static void *short_lived(void *arg) {
  short_job *job = arg; /* a heap object: kept by the start record, then us */
  cell *l = make_list(200, job->salt);
  if (job->how == 1)
    gc_collect();
  bool ok = list_ok(l, 200, job->salt) && job->salt == ((short_job *)arg)->salt;
  if (job->how == 2)
    gc_pthread_exit(ok ? NULL : (void *)1);
  return ok ? NULL : (void *)1;
}

static int scenario_churn_threads(void *unused) {
  (void)unused;
  CHECK(gc_init(NULL) == 0);
  uint64_t rng = seed | 1;
  atomic_int stop = 0;
  pthread_t collectors[2];
  for (int i = 0; i < 2; i++)
    CHECK(gc_pthread_create(&collectors[i], NULL, busy_collector, &stop) == 0);
  unsigned failures = 0;
  for (int round = 0; round < 40; round++) {
    pthread_t t[8];
    bool detached[8];
    for (int i = 0; i < 8; i++) {
      short_job *job = gc_alloc(sizeof *job);
      job->salt = rng_next(&rng);
      job->how = (int)(rng_next(&rng) % 3);
      detached[i] = rng_next(&rng) % 4 == 0;
      CHECK(gc_pthread_create(&t[i], NULL, short_lived, job) == 0);
      if (detached[i])
        gc_pthread_detach(t[i]);
    }
    for (int i = 0; i < 8; i++) {
      void *rv = NULL;
      if (!detached[i] && gc_pthread_join(t[i], &rv) == 0 && rv != NULL)
        failures++;
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 2; i++)
    gc_pthread_join(collectors[i], NULL);
  CHECK(failures == 0);
  /* Detached ones finish on their own; all unregister. */
  for (int spins = 0; registered_threads() != 1 && spins < 10000; spins++)
    usleep(1000);
  CHECK(registered_threads() == 1);
  return 0;
}

static void threads_created_and_exiting_during_collections(void **state) {
  (void)state;
#if defined(__SANITIZE_THREAD__)
  /* Under TSan this scenario can hang: a thread newly started by TSan's
   * pthread_create interceptor sometimes keeps the collector's suspend
   * signal queued inside TSan and never runs the handler (seen with GCC
   * 12's libtsan; docs/threads.md).  The normal and helgrind runs cover it. */
  skip();
#endif
  assert_int_equal(run_in_child(scenario_churn_threads, NULL), 0);
}

/* ---- fork ------------------------------------------------------------ */

static void *allocating_thread(void *arg) {
  atomic_int *stop = arg;
  cell *mine = make_list(300, 3);
  while (!atomic_load(stop)) {
    cell *tmp = make_list(50, 4);
    if (!list_ok(tmp, 50, 4) || !list_ok(mine, 300, 3))
      return (void *)1;
  }
  return NULL;
}

static int child_after_fork(cell *kept) {
  /* Only this thread exists here: allocate, collect, check. */
  if (registered_threads() != 1)
    return 10;
  cell *fresh = make_list(1000, 11);
  churn(3);
  if (!list_ok(kept, 400, 8) || !list_ok(fresh, 1000, 11))
    return 11;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  /* TSan cannot start threads in the child of a multi-threaded fork (it
   * still counts the parent's threads); glibc can.  tests/threads.mk.
   * ASan's allocator has no fork handler: a lock a parent thread held at
   * fork() stays taken in the child, and pthread_create's calloc there
   * hung once in ~5 runs (gcc 12). */
  return 0;
#endif
  pthread_t t; /* and threads still work in the child */
  if (gc_pthread_create(&t, NULL, exit_early, NULL) != 0)
    return 12;
  void *rv;
  gc_pthread_join(t, &rv);
  return rv == (void *)42 ? 0 : 13;
}

static int scenario_fork(void *unused) {
  (void)unused;
  CHECK(gc_init(NULL) == 0);
  atomic_int stop = 0;
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    CHECK(gc_pthread_create(&t[i], NULL, allocating_thread, &stop) == 0);
  cell *kept = make_list(400, 8);
  for (int i = 0; i < 5; i++) {
    usleep(2000);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
      _exit(child_after_fork(kept));
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      fprintf(stderr, "fork child: status %d\n", status);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 3; i++) {
    void *rv;
    gc_pthread_join(t[i], &rv);
    CHECK(rv == NULL);
  }
  CHECK(list_ok(kept, 400, 8));
  return 0;
}

static void fork_then_allocate_in_child(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_fork, NULL), 0);
}

/* ---- statistics ----------------------------------------------------- */

static void *wait_on(void *arg) {
  sem_wait(arg);
  return NULL;
}

static int scenario_stats(void *unused) {
  (void)unused;
  gc_config cfg = {.markers = 2};
  CHECK(gc_init(&cfg) == 0);
  sem_t s;
  sem_init(&s, 0, 0);
  pthread_t t;
  CHECK(gc_pthread_create(&t, NULL, wait_on, &s) == 0);
  /* A graph large enough for the parallel drain (> 64 blocks). */
  cell *big = make_list(200000, 1);
  /* A drain does not wait for a helper that is slow to wake (valgrind,
   * busy machine): some collection within a few uses both markers. */
  gc_stats st;
  for (int attempt = 0; attempt < 50; attempt++) {
    gc_collect();
    gc_get_stats(&st);
    if (st.markers_used == 2)
      break;
    usleep(2000); /* let the helper reach its wait loop (valgrind runs one thread at a time) */
  }
  CHECK(st.stw_max_ns > 0);
  /* Under valgrind (make test-valgrind sets GLEANER_VALGRIND) the woken
   * helper may never run during a drain: valgrind runs one thread at a
   * time and its default lock is unfair (1-2 runs in 6 missed it in 50
   * collections; --fair-sched=yes makes this program 10x slower).  The
   * two-marker check is made in the native runs. */
  CHECK(st.markers_used == 2 || (getenv("GLEANER_VALGRIND") && st.markers_used == 1));
  CHECK(st.mark_ns_total > 0);
  CHECK(list_ok(big, 200000, 1));
  sem_post(&s);
  gc_pthread_join(t, NULL);
  return 0;
}

static void stats_report_stop_time_and_markers(void **state) {
  (void)state;
  assert_int_equal(run_in_child(scenario_stats, NULL), 0);
}

int main(void) {
  seed = test_seed("test_threads");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(registration),
      cmocka_unit_test(pthread_wrappers),
      cmocka_unit_test(unregistered_threads_are_detected),
      cmocka_unit_test(create_argument_survives),
      cmocka_unit_test(blocking_region_keeps_stack_roots),
      cmocka_unit_test(threads_created_and_exiting_during_collections),
      cmocka_unit_test(fork_then_allocate_in_child),
      cmocka_unit_test(stats_report_stop_time_and_markers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
