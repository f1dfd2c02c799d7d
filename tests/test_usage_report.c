/*
 * test_usage_report.c — the GLEANER_STATS=2 leak/usage report: the heap
 * by kind and size class, what is still reachable and from where,
 * fragmentation and pauses.  Checked directly (usage_report_print into a
 * string) and end to end: this program runs itself again as a child with
 * GLEANER_STATS=2 and reads the report the child prints at exit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>
#include "diag_util.h"
#include "usage_report.h"

void *usage_retained; /* a "leak": still reachable at exit */
uintptr_t usage_uncollectable; /* hidden: the object is a root by itself */

static void assert_contains(const char *text, const char *needle) {
  if (!strstr(text, needle))
    fail_msg("expected \"%s\" in:\n%s", needle, text);
}

__attribute__((noinline)) static void make_heap(void) {
  usage_retained = gc_alloc_atomic(100000); /* large */
  for (int i = 0; i < 100; i++)
    memset(gc_alloc(48), 1, 48); /* garbage */
  void **list = NULL;
  for (int i = 0; i < 10; i++) {
    void **n = gc_alloc(32);
    n[0] = list;
    list = n;
  }
  /* The pointer must escape: gc_alloc_uncollectable is declared malloc-like,
   * so a store into an object whose address is dropped is a dead store to
   * the compiler (and the list would be garbage). */
  void **u = gc_alloc_uncollectable(64);
  u[0] = list;
  usage_uncollectable = hide(u);
}

static void report_describes_the_heap(void **state) {
  (void)state;
  make_heap();
  gc_collect();
  scrub_stack();
  text_stream t;
  text_open(&t);
  usage_report_print(t.f);
  char *text = text_close(&t);
  assert_contains(text, "by kind and size class");
  assert_contains(text, "atomic                  large");
  assert_contains(text, "uncollectable");
  assert_contains(text, "still reachable at exit: 12 objects");
  assert_contains(text, "held from: global 'usage_retained'");
  assert_contains(text, "held from: uncollectable object");
  assert_contains(text, "fragmentation: small blocks");
  assert_contains(text, "free blocks:");
  assert_contains(text, "pauses: ");
  free(text);
}

static void stats_2_prints_the_report_at_exit(void **state) {
  (void)state;
  char command[4200];
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  assert_true(n > 0);
  self[n] = 0;
  snprintf(command, sizeof command, "GLEANER_STATS=2 '%s' child 2>&1", self);
  FILE *p = popen(command, "r");
  assert_non_null(p);
  static char text[65536];
  size_t len = fread(text, 1, sizeof text - 1, p);
  text[len] = 0;
  assert_int_equal(pclose(p), 0);
  assert_contains(text, " minor), heap");               /* the summary */
  assert_contains(text, "heap at exit by kind and size class");
  assert_contains(text, "still reachable at exit");
  assert_contains(text, "global 'usage_retained'");
  assert_contains(text, "fragmentation");
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "child")) {
    make_heap();
    gc_collect();
    return 0; /* the report is printed by the atexit handler */
  }
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(report_describes_the_heap),
      cmocka_unit_test(stats_2_prints_the_report_at_exit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
