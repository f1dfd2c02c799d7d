/*
 * test_bad_input.c — bad input is expected input.
 *
 * Every misuse below must be detected, reported through the warn handler by
 * one message that names the call (and the address, printed with %p, when
 * there is one), and must change nothing: foreign memory keeps its bytes,
 * a wrongly "freed" object stays allocated and intact, and a random graph of
 * objects built before the first test (tracked by the shadow model) is
 * verified after every test, before and after a collection.
 *
 *   gc_free:    stack, malloc, global and read-only addresses; interior
 *               pointers (small and large objects); double frees.
 *   gc_alloc / gc_alloc_atomic with impossible sizes: NULL, errno ENOMEM,
 *               the out-of-memory handler is called (and its result is what
 *               the caller gets).
 *   gc_calloc:  count * size overflow.
 *   gc_realloc: foreign, interior and freed pointers; impossible sizes
 *               (the old object is left intact).
 *   gc_base / gc_size on odd pointers (foreign, interior, last byte, one
 *               past the end, atomic objects): right answers, no warnings.
 */
#include "shadow_model.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#define GRAPH_ROOTS 8
#define GRAPH_OBJECTS 300
#define MAX_WARNINGS 16

static void *g_graph_roots[GRAPH_ROOTS];
static sm_model g_model;
static uint64_t g_global_word = 0x1234567890ABCDEFull;
static const char g_readonly[] = "read-only bytes";

static char g_warnings[MAX_WARNINGS][512];
static unsigned g_nwarnings;
static unsigned g_oom_calls;
static size_t g_oom_requested;
static void *g_oom_result;

static void capture_warning(const char *msg) {
  if (g_nwarnings < MAX_WARNINGS)
    snprintf(g_warnings[g_nwarnings], sizeof g_warnings[0], "%s", msg);
  g_nwarnings++;
}

static void *count_oom(size_t requested) {
  g_oom_calls++;
  g_oom_requested = requested;
  return g_oom_result;
}

static void reset_reports(void) {
  g_nwarnings = 0;
  g_oom_calls = 0;
  g_oom_requested = 0;
  g_oom_result = NULL;
}

/* True when `call` occurs in msg as a whole name ("gc_alloc" does not match
 * inside "gc_alloc_atomic"). */
static int names_call(const char *msg, const char *call) {
  size_t len = strlen(call);
  for (const char *s = strstr(msg, call); s; s = strstr(s + 1, call)) {
    char next = s[len];
    int before_ok = s == msg || !(s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z'));
    if (before_ok && !(next == '_' || (next >= 'a' && next <= 'z') || (next >= '0' && next <= '9')))
      return 1;
  }
  return 0;
}

/* Exactly one warning since the last reset, naming `call` and, when addr is
 * not NULL, the address as %p prints it. */
static void expect_warning(const char *call, const void *addr) {
  if (g_nwarnings != 1) {
    for (unsigned i = 0; i < g_nwarnings && i < MAX_WARNINGS; i++)
      fprintf(stderr, "  warning %u: %s\n", i, g_warnings[i]);
    fail_msg("%s: expected exactly one warning, got %u", call, g_nwarnings);
  }
  if (!names_call(g_warnings[0], call))
    fail_msg("warning does not name %s: \"%s\"", call, g_warnings[0]);
  if (addr) {
    char text[32];
    snprintf(text, sizeof text, "%p", addr);
    if (!strstr(g_warnings[0], text))
      fail_msg("warning does not name the address %s: \"%s\"", text, g_warnings[0]);
  }
  reset_reports();
}

static void expect_no_warning(const char *what) {
  if (g_nwarnings) fail_msg("%s: unexpected warning \"%s\"", what, g_warnings[0]);
}

/* ---- the graph that must stay intact ------------------------------------ */

static void verify_graph(void) {
  if (sm_verify_reachable(&g_model)) fail_msg("heap damaged: %s", g_model.err);
}

/* Small garbage: a wrongly freed object's memory would be handed out here. */
static __attribute__((noinline)) void churn(size_t size, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    void *p = gc_alloc(size);
    if (p) memset(p, 0xEE, size);
  }
}

static int setup(void **state) {
  (void)state;
  if (gc_init(NULL) != 0) return -1;
  gc_set_warn_handler(capture_warning);
  gc_set_oom_handler(count_oom);
  sm_init(&g_model, 2024, GRAPH_ROOTS);
  for (unsigned i = 0; i < GRAPH_ROOTS; i++) g_model.roots[i].where = &g_graph_roots[i];
  if (sm_build_graph(&g_model, GRAPH_ROOTS, GRAPH_OBJECTS, 2000)) {
    fprintf(stderr, "building the graph: %s\n", g_model.err);
    return -1;
  }
  reset_reports();
  return 0;
}

/* Before every test: no reports left over from a failed one. */
static int start_clean(void **state) {
  (void)state;
  reset_reports();
  return 0;
}

/* After every test: the graph is intact, survives a collection and churn. */
static int check_heap(void **state) {
  (void)state;
  reset_reports();
  verify_graph();
  gc_collect();
  churn(64, 20000);
  verify_graph();
  expect_no_warning("collecting after the test");
  return 0;
}

/* ---- gc_free ------------------------------------------------------------- */

static void free_foreign_pointers(void **state) {
  (void)state;
  uint64_t local = 0xFEEDFACECAFEBEEFull;
  unsigned char *heap = malloc(64);
  assert_non_null(heap);
  memset(heap, 0x42, 64);

  gc_free(&local);
  expect_warning("gc_free", &local);
  gc_free(heap);
  expect_warning("gc_free", heap);
  gc_free(heap + 8);
  expect_warning("gc_free", heap + 8);
  gc_free(&g_global_word);
  expect_warning("gc_free", &g_global_word);
  gc_free((void *)g_readonly);
  expect_warning("gc_free", g_readonly);
  gc_free((void *)(uintptr_t)0x10);
  expect_warning("gc_free", (void *)(uintptr_t)0x10);

  assert_true(local == 0xFEEDFACECAFEBEEFull);
  for (int i = 0; i < 64; i++) assert_int_equal(heap[i], 0x42);
  assert_true(g_global_word == 0x1234567890ABCDEFull);
  free(heap);
}

static void free_null_is_quiet(void **state) {
  (void)state;
  gc_free(NULL);
  expect_no_warning("gc_free(NULL)");
}

/* p + offset is not an object start: reported, and p stays allocated. */
static void free_interior(size_t size, size_t offset) {
  unsigned char *p = gc_alloc(size);
  assert_non_null(p);
  memset(p, 0x77, size);
  gc_free(p + offset);
  expect_warning("gc_free", p + offset);
  assert_ptr_equal(gc_base(p), p);
  gc_collect();
  churn(size < 4096 ? size : 64, 5000);
  assert_ptr_equal(gc_base(p), p);
  for (size_t i = 0; i < size; i++)
    if (p[i] != 0x77) fail_msg("object %p (%zu bytes) changed at byte %zu after gc_free(p + %zu)", (void *)p, size, i, offset);
  sm_keep(p);
}

static void free_interior_pointers(void **state) {
  (void)state;
  free_interior(64, 16);
  free_interior(64, 63);
  free_interior(200000, 70000);
  free_interior(200000, 199999);
}

static void double_free(void **state) {
  (void)state;
  size_t sizes[] = {48, 200000};
  for (int i = 0; i < 2; i++) {
    void *p = gc_alloc(sizes[i]);
    assert_non_null(p);
    gc_free(p);
    expect_no_warning("first gc_free");
    gc_free(p); /* nothing allocated in between: still free */
    expect_warning("gc_free", p);
    assert_null(gc_base(p));
  }
}

/* ---- impossible sizes ---------------------------------------------------- */

static void expect_enomem(void *result, const char *call, size_t requested) {
  int err = errno;
  assert_null(result);
  assert_int_equal(err, ENOMEM);
  if (g_oom_calls != 1) fail_msg("%s(%zu): the out-of-memory handler ran %u times", call, requested, g_oom_calls);
  expect_warning(call, NULL);
}

static void alloc_impossible_sizes(void **state) {
  (void)state;
  size_t sizes[] = {SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 15, SIZE_MAX / 2 + 1, (size_t)1 << 50};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    errno = 0;
    expect_enomem(gc_alloc(sizes[i]), "gc_alloc", sizes[i]);
    errno = 0;
    expect_enomem(gc_alloc_atomic(sizes[i]), "gc_alloc_atomic", sizes[i]);
  }
  errno = 0;
  void *p = gc_alloc(SIZE_MAX);
  (void)p;
  assert_true(g_oom_requested == SIZE_MAX); /* the handler learns the request */
  reset_reports();
}

static void oom_handler_result_is_returned(void **state) {
  (void)state;
  static char reserve[64];
  g_oom_result = reserve;
  void *p = gc_alloc(SIZE_MAX);
  assert_ptr_equal(p, reserve);
  assert_int_equal(g_oom_calls, 1);
  reset_reports();
}

static void calloc_overflow(void **state) {
  (void)state;
  size_t pairs[][2] = {{SIZE_MAX / 2 + 1, 2}, {2, SIZE_MAX / 2 + 1}, {(size_t)1 << 32, (size_t)1 << 32},
                       {SIZE_MAX, SIZE_MAX}, {3, SIZE_MAX / 3 + 1}};
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
    errno = 0;
    void *p = gc_calloc(pairs[i][0], pairs[i][1]);
    int err = errno;
    assert_null(p);
    assert_int_equal(err, ENOMEM);
    expect_warning("gc_calloc", NULL);
  }
  unsigned char *ok = gc_calloc(1000, 8);
  assert_non_null(ok);
  assert_true(gc_size(ok) >= 8000);
  for (int i = 0; i < 8000; i++) assert_int_equal(ok[i], 0);
  expect_no_warning("gc_calloc(1000, 8)");
}

/* ---- gc_realloc ---------------------------------------------------------- */

static void realloc_foreign_pointers(void **state) {
  (void)state;
  uint64_t local = 0xFEEDFACECAFEBEEFull;
  unsigned char *heap = malloc(64);
  assert_non_null(heap);
  memset(heap, 0x42, 64);

  assert_null(gc_realloc(&local, 100));
  expect_warning("gc_realloc", &local);
  assert_null(gc_realloc(heap, 100));
  expect_warning("gc_realloc", heap);
  assert_null(gc_realloc(&g_global_word, 8));
  expect_warning("gc_realloc", &g_global_word);

  assert_true(local == 0xFEEDFACECAFEBEEFull);
  for (int i = 0; i < 64; i++) assert_int_equal(heap[i], 0x42);
  assert_true(g_global_word == 0x1234567890ABCDEFull);
  free(heap);
}

static void realloc_interior_and_freed(void **state) {
  (void)state;
  unsigned char *p = gc_alloc(96);
  assert_non_null(p);
  memset(p, 0x31, 96);
  assert_null(gc_realloc(p + 32, 200));
  expect_warning("gc_realloc", p + 32);
  assert_ptr_equal(gc_base(p), p);
  for (int i = 0; i < 96; i++) assert_int_equal(p[i], 0x31);

  void *q = gc_alloc(96);
  assert_non_null(q);
  gc_free(q);
  expect_no_warning("gc_free");
  assert_null(gc_realloc(q, 200));
  expect_warning("gc_realloc", q);
  sm_keep(p);
}

static void realloc_impossible_size(void **state) {
  (void)state;
  unsigned char *p = gc_alloc(100);
  assert_non_null(p);
  memset(p, 0x5E, 100);
  errno = 0;
  void *q = gc_realloc(p, SIZE_MAX);
  int err = errno;
  assert_null(q);
  assert_int_equal(err, ENOMEM);
  expect_warning("gc_realloc", NULL);
  assert_ptr_equal(gc_base(p), p);
  for (int i = 0; i < 100; i++) assert_int_equal(p[i], 0x5E);
  reset_reports();
}

/* ---- gc_base / gc_size on odd pointers ----------------------------------- */

static void queries_on_odd_pointers(void **state) {
  (void)state;
  uint64_t local = 1;
  void *heap = malloc(32);
  const void *foreign[] = {&local, heap, &g_global_word, g_readonly, NULL, (void *)(uintptr_t)1,
                           (void *)(uintptr_t)0x1000, (void *)UINTPTR_MAX, (void *)(UINTPTR_MAX - 7)};
  for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
    assert_null(gc_base(foreign[i]));
    assert_int_equal(gc_size(foreign[i]), 0);
  }
  free(heap);

  size_t sizes[] = {1, 16, 40, 1000, 5000, 70000, 1 << 20};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    for (int atomic = 0; atomic < 2; atomic++) {
      size_t n = sizes[i];
      char *p = atomic ? gc_alloc_atomic(n) : gc_alloc(n);
      assert_non_null(p);
      size_t usable = gc_size(p);
      assert_true(usable >= n);
      assert_ptr_equal(gc_base(p), p);
      assert_ptr_equal(gc_base(p + n / 2), p);
      assert_ptr_equal(gc_base(p + n - 1), p);
      assert_ptr_equal(gc_base(p + usable - 1), p);
      assert_int_equal(gc_size(p + n - 1), usable);
      assert_ptr_not_equal(gc_base(p + usable), p); /* one past the end */
      sm_keep(p);
    }
  }
  expect_no_warning("gc_base / gc_size");
}

#define T(f) cmocka_unit_test_setup_teardown(f, start_clean, check_heap)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(free_foreign_pointers),    T(free_null_is_quiet),       T(free_interior_pointers),
      T(double_free),              T(alloc_impossible_sizes),   T(oom_handler_result_is_returned),
      T(calloc_overflow),          T(realloc_foreign_pointers), T(realloc_interior_and_freed),
      T(realloc_impossible_size),  T(queries_on_odd_pointers),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
