/*
 * test_faults.c — fault injection: the operating system says no, and the
 * collector must answer NULL/ENOMEM or report, never crash or corrupt, and
 * the heap must stay usable afterwards (verified with gc_verify).
 *
 * How faults are injected: see tests/fault_plan.h (link-time wrapping of
 * mmap, mprotect, madvise, mremap and pthread_create; nothing in the
 * library changes).  Grey-stack and thread-creation failures are in
 * test_faults_marking.c.
 *
 * Also here: the heap limit (gc_set_max_heap, as GLEANER_MAX_HEAP) reached
 * under load gives NULL and ENOMEM, the out-of-memory handler is told, and
 * the program continues once it drops references.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include "diag_util.h"
#include "fault_plan.h"
#include "gc_state.h"

/* ---- helpers ---------------------------------------------------------------- */

void *faults_holder; /* the live list: node[0] = next */
static unsigned oom_calls;
static void *count_oom(size_t n) {
  (void)n;
  oom_calls++;
  return NULL;
}

/* Allocate n-byte nodes onto the live list until an allocation fails or
 * `limit` nodes; returns how many were allocated, errno of the failure. */
__attribute__((noinline)) static size_t fill_until_failure(size_t n, size_t limit, int *err) {
  size_t count = 0;
  *err = 0;
  while (count < limit) {
    errno = 0;
    void **node = gc_alloc(n);
    if (!node) {
      *err = errno;
      break;
    }
    node[0] = faults_holder;
    faults_holder = node;
    count++;
  }
  return count;
}

__attribute__((noinline)) static uintptr_t filled_large(size_t n, int byte) {
  char *p = gc_alloc_atomic(n);
  assert_non_null(p);
  memset(p, byte, n);
  return hide(p);
}

static bool all_zero(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return false;
  return true;
}

/* ---- tests ---------------------------------------------------------------- */

static void heap_growth_failure_gives_null_then_recovers(void **state) {
  (void)state;
  gc_set_oom_handler(count_oom);
  oom_calls = 0;
  arm(F_MPROTECT, 0, -1); /* the heap cannot grow any more */
  int err;
  size_t got = fill_until_failure(100 * 1024, 100000, &err);
  disarm_all();
  assert_true(got < 100000);
  assert_int_equal(err, ENOMEM);
  assert_true(oom_calls >= 1);
  /* Small objects too, once every committed block is full. */
  arm(F_MPROTECT, 0, -1);
  got = fill_until_failure(1000, 1000000, &err);
  disarm_all();
  assert_true(got < 1000000);
  assert_int_equal(err, ENOMEM);
  /* The OS says yes again: allocation works, the heap is sound. */
  void *p = gc_alloc(100 * 1024);
  assert_non_null(p);
  faults_holder = NULL;
  scrub_stack();
  assert_int_equal(gc_verify(), 0);
  gc_set_oom_handler(NULL);
}

/* A run freed while madvise fails must not be handed out with its old data. */
static void decommit_failure_never_leaks_old_data(void **state) {
  (void)state;
  size_t n = 24 * BLOCK_SIZE; /* long enough to be decommitted when freed */
  uintptr_t h = filled_large(n, 0xA5);
  (void)h;
  scrub_stack();
  arm(F_MADVISE, 0, -1);
  gc_collect(); /* frees the run; its madvise fails */
  long failed = plan[F_MADVISE].failed;
  disarm_all();
  assert_true(failed >= 1);
  assert_int_equal(gc_verify(), 0);
  char *q = gc_alloc_atomic(n);
  assert_non_null(q);
  assert_true(all_zero(q, n));
}

static void release_failure_keeps_heap_consistent(void **state) {
  (void)state;
  uintptr_t h = filled_large(4 * BLOCK_SIZE, 0x3C);
  (void)h;
  scrub_stack();
  gc_collect(); /* the run is free, dirty */
  arm(F_MADVISE, 0, -1);
  gc_release_memory(); /* every madvise fails */
  disarm_all();
  assert_int_equal(gc_verify(), 0);
  for (int i = 0; i < 8; i++) {
    char *q = gc_alloc_atomic(4 * BLOCK_SIZE);
    assert_non_null(q);
    assert_true(all_zero(q, 4 * BLOCK_SIZE));
  }
}

__attribute__((noinline)) static uintptr_t fresh_in_global(size_t n) {
  void *p = gc_alloc(n);
  faults_holder = p;
  return hide(p);
}

static void diagnostics_without_scratch_memory_report_cleanly(void **state) {
  (void)state;
  uintptr_t h = fresh_in_global(64);
  warnings_capture();
  text_stream t;
  text_open(&t);
  arm(F_MMAP, 0, -1);
  int rc = gc_explain(reveal_now(h), t.f);
  disarm_all();
  char *text = text_close(&t);
  assert_int_equal(rc, -1);
  assert_non_null(strstr(text, "no memory"));
  free(text);
  arm(F_MMAP, 0, -1);
  int errors = gc_verify(); /* marks cannot be checked; metadata still is */
  disarm_all();
  gc_set_warn_handler(NULL);
  assert_int_equal(errors, 0);
  assert_non_null(strstr(warnings, "no memory for the verification walk"));
  assert_int_equal(gc_verify(), 0);
  faults_holder = NULL;
}

static void heap_limit_under_load_gives_enomem_then_continues(void **state) {
  (void)state;
  faults_holder = NULL;
  gc_collect();
  size_t saved = G->cfg.max_heap;
  gc_stats s;
  gc_get_stats(&s);
  assert_int_equal(gc_set_max_heap(s.heap_bytes + ((size_t)16 << 20)), 0);
  gc_set_oom_handler(count_oom);
  oom_calls = 0;
  int err;
  size_t got = fill_until_failure(4096, 10000000, &err);
  assert_true(got > 1000);
  assert_int_equal(err, ENOMEM);
  assert_true(oom_calls >= 1);
  /* Large requests fail the same way. */
  errno = 0;
  assert_null(gc_alloc((size_t)32 << 20));
  assert_int_equal(errno, ENOMEM);
  /* Drop the references: the program continues. */
  faults_holder = NULL;
  scrub_stack();
  gc_collect();
  got = fill_until_failure(4096, 1000, &err);
  assert_int_equal(got, 1000);
  assert_int_equal(err, 0);
  faults_holder = NULL;
  assert_int_equal(gc_verify(), 0);
  gc_set_oom_handler(NULL);
  assert_int_equal(gc_set_max_heap(saved), 0);
}

/* The same through the environment, in a child process started with
 * GLEANER_MAX_HEAP=16M: exit status 0 when the child saw ENOMEM, and then
 * recovered after dropping its references. */
static int heap_limit_child(void) {
  int err;
  size_t got = fill_until_failure(8192, 100000000, &err);
  if (err != ENOMEM || got < 100 || got * 8192 > ((size_t)32 << 20))
    return 1;
  faults_holder = NULL;
  scrub_stack();
  gc_collect();
  got = fill_until_failure(8192, 500, &err);
  return got == 500 && gc_verify() == 0 ? 0 : 2;
}

static void gleaner_max_heap_environment_is_honoured(void **state) {
  (void)state;
  char self[4096], command[4200];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  assert_true(n > 0);
  self[n] = 0;
  snprintf(command, sizeof command, "GLEANER_MAX_HEAP=16M '%s' heap-limit-child", self);
  assert_int_equal(system(command), 0);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "heap-limit-child"))
    return heap_limit_child();
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(heap_growth_failure_gives_null_then_recovers),
      cmocka_unit_test(decommit_failure_never_leaks_old_data),
      cmocka_unit_test(release_failure_keeps_heap_consistent),
      cmocka_unit_test(diagnostics_without_scratch_memory_report_cleanly),
      cmocka_unit_test(heap_limit_under_load_gives_enomem_then_continues),
      cmocka_unit_test(gleaner_max_heap_environment_is_honoured),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
