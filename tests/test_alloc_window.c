/*
 * test_alloc_window.c — a new object is reachable from the moment the
 * allocator drops the collector's lock.
 *
 * The hazard: after state_unlock() an allocation entry point still has to
 * return the object, and the compiler may keep only a block index or an
 * offset in a register across the unlock call and add the heap base
 * afterwards.  Another thread that was waiting for the lock then stops
 * this one by signal in between, finds no pointer to the new object in
 * its registers or stack, and frees it: the caller gets a freed object.
 * (Found by the threads torture under GLEANER_VERIFY=1: a large object
 * written after its block had been freed and reused.)
 *
 * How the window is hit every time: this program is linked with
 * -Wl,--wrap=pthread_mutex_unlock (tests/alloc_window.mk), so the
 * library's unlock of the collector's lock lands in __wrap_ below.  While
 * the main thread is inside an allocation call, every such unlock hands
 * over to a collector thread and waits until it has run a full collection
 * (which stops the main thread right there, inside the wrapper, with the
 * allocation entry point's registers as they are at that point).  When the
 * call returns, its object must still be allocated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include "gc_state.h"

int __real_pthread_mutex_unlock(pthread_mutex_t *m);

static _Thread_local int armed;   /* this thread is inside a checked call */
static sem_t collect_now, collected;
static volatile int stop_collector;
static unsigned long windows;     /* collections run inside a window */

static void wait_retrying(sem_t *s) {
  while (sem_wait(s) != 0 && errno == EINTR)
    ;
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m) {
  int rc = __real_pthread_mutex_unlock(m);
  if (armed && G && m == &G->lock) {
    windows++;
    sem_post(&collect_now);
    wait_retrying(&collected);
  }
  return rc;
}

static void *collector(void *unused) {
  (void)unused;
  for (;;) {
    wait_retrying(&collect_now);
    if (stop_collector)
      return NULL;
    gc_collect();
    sem_post(&collected);
  }
}

static pthread_t collector_thread;

static int start(void **state) {
  (void)state;
  if (gc_init(NULL) != 0)
    return -1;
  sem_init(&collect_now, 0, 0);
  sem_init(&collected, 0, 0);
  return gc_pthread_create(&collector_thread, NULL, collector, NULL);
}

static int finish(void **state) {
  (void)state;
  stop_collector = 1;
  sem_post(&collect_now);
  return gc_pthread_join(collector_thread, NULL);
}

/* The object a call returned is allocated, whole and zero (freed and
 * reused memory would be neither). */
static void check_fresh(const char *call, void *p, size_t n) {
  if (!p)
    fail_msg("%s(%zu) returned NULL", call, n);
  if (gc_base(p) != p)
    fail_msg("%s(%zu) = %p: the object was reclaimed before the call returned", call, n, p);
  if (gc_size(p) < n)
    fail_msg("%s(%zu) = %p: only %zu bytes", call, n, p, gc_size(p));
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++)
    if (c[i])
      fail_msg("%s(%zu) = %p: byte %zu is %#x, not zero", call, n, p, i, c[i]);
}

typedef void *(*alloc_fn)(size_t);
static void *call_alloc_typed(size_t n);
static void *call_realloc(size_t n);
static void *call_calloc(size_t n) { return gc_calloc(1, n); }
static void *call_aligned(size_t n) { return gc_alloc_aligned(64, n); }

static const struct { const char *name; alloc_fn fn; } calls[] = {
    {"gc_alloc", gc_alloc},
    {"gc_alloc_atomic", gc_alloc_atomic},
    {"gc_alloc_uncollectable", gc_alloc_uncollectable},
    {"gc_calloc", call_calloc},
    {"gc_alloc_aligned", call_aligned},
    {"gc_alloc_typed", call_alloc_typed},
    {"gc_realloc", call_realloc},
};

static gc_type blob_type = {.name = "blob", .size = 16, .flags = 0};
static void *call_alloc_typed(size_t n) { return gc_alloc_typed(&blob_type, n); }
static void *call_realloc(size_t n) {
  armed = 0;
  void *old = gc_alloc(24);
  armed = 1;
  return gc_realloc(old, n);
}

/* Sizes that take every path: the cursor's next word, a new block, a
 * large run of one and of several blocks. */
static const size_t sizes[] = {16, 200, 4000, 32768, 40000, 200000};

static void every_call_returns_a_live_object(void **state) {
  (void)state;
  assert_int_equal(gc_type_register(&blob_type), 0);
  unsigned long before = windows;
  for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      /* Enough objects that a small class needs its slow path. */
      for (int rep = 0; rep < 70; rep++) {
        size_t n = sizes[s];
        if (rep > 2 && n >= 4000)
          break;
        armed = 1;
        void *p = calls[c].fn(n);
        armed = 0;
        check_fresh(calls[c].name, p, n);
        if (calls[c].fn == gc_alloc_uncollectable)
          gc_free(p);
      }
    }
  }
  /* The windows were really exercised: every large allocation unlocks. */
  assert_true(windows - before >= 4 * sizeof calls / sizeof calls[0]);
  assert_int_equal(gc_verify(), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_call_returns_a_live_object),
  };
  return cmocka_run_group_tests(tests, start, finish);
}
