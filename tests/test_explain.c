/*
 * test_explain.c — the retention explainer names the real reason an
 * object is alive: a global (by symbol, via dladdr; this program is linked
 * -rdynamic), a stack frame of a named function (libunwind), a chain of
 * objects with the offset of each referring word, an explicit range, an
 * exact root, an uncollectable object; it says so when the object is
 * garbage or not an object at all; GLEANER_EXPLAIN prints at collections;
 * and the summary lists the heap by kind/class and the largest objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>
#include "diag_util.h"
#include "explain.h"

void *explain_global_holder; /* non-static: named by dladdr */
void *explain_big_holder;

static int last_rc;

/* gc_explain(reveal(h)) into a string; the caller frees it. */
__attribute__((noinline)) static char *explain_text(uintptr_t h) {
  text_stream t;
  text_open(&t);
  FILE *f = t.f;
  last_rc = gc_explain(reveal_now(h), f);
  return text_close(&t);
}

static void assert_contains(const char *text, const char *needle) {
  if (!strstr(text, needle))
    fail_msg("expected \"%s\" in:\n%s", needle, text);
}

static char *addr_text(uintptr_t h) {
  static char buf[32];
  snprintf(buf, sizeof buf, "%p", reveal(h));
  return buf;
}

__attribute__((noinline)) static uintptr_t store_in_global(size_t n) {
  void *p = gc_alloc(n);
  explain_global_holder = p;
  return hide(p);
}

static void global_root_is_named_by_symbol(void **state) {
  (void)state;
  uintptr_t h = store_in_global(40);
  scrub_stack();
  char *text = explain_text(h);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "reachable; a shortest path");
  assert_contains(text, "global 'explain_global_holder'");
  assert_contains(text, addr_text(h));
  assert_contains(text, "48 bytes  conservative"); /* 40 rounds up to a 48-byte slot */
  free(text);
  explain_global_holder = NULL;
}

__attribute__((noinline)) static uintptr_t fresh_hidden(size_t n) { return hide(gc_alloc(n)); }

__attribute__((noinline)) void hold_in_named_frame(uintptr_t h, char **out) {
  void *volatile local = reveal(h);
  *out = explain_text(h);
  __asm__ volatile("" ::"r"(&local) : "memory");
}

static void stack_root_is_named_by_function(void **state) {
  (void)state;
  uintptr_t h = fresh_hidden(100);
  scrub_stack();
  char *text;
  hold_in_named_frame(h, &text);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "stack of thread");
  assert_contains(text, "hold_in_named_frame+0x");
  assert_contains(text, "(main, current)");
  free(text);
}

/* global -> a -> b -> c, each link at a different offset. */
__attribute__((noinline)) static uintptr_t build_chain(uintptr_t *a_out) {
  void **a = gc_alloc(32), **b = gc_alloc(64);
  char *c = gc_alloc_atomic(24);
  a[1] = b;
  b[2] = c;
  explain_global_holder = a;
  *a_out = hide(a);
  return hide(c);
}

static void chain_of_three_shows_offsets(void **state) {
  (void)state;
  uintptr_t ha;
  uintptr_t hc = build_chain(&ha);
  scrub_stack();
  char *text = explain_text(hc);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "global 'explain_global_holder'");
  assert_contains(text, "via the word at +0x8 of");
  assert_contains(text, "via the word at +0x10 of");
  assert_contains(text, "32 bytes  atomic"); /* 24 rounds up to 32 */
  assert_contains(text, addr_text(ha));
  free(text);
  explain_global_holder = NULL;
}

static void garbage_is_reported_unreachable(void **state) {
  (void)state;
  uintptr_t h = fresh_hidden(64);
  scrub_stack();
  char *text = explain_text(h);
  assert_int_equal(last_rc, 1);
  assert_contains(text, "not reachable from any root");
  free(text);
}

__attribute__((noinline)) static uintptr_t store_interior_in_global(void) {
  char *p = gc_alloc(100);
  explain_global_holder = p + 40;
  return hide(p);
}

static void interior_references_are_pointed_out(void **state) {
  (void)state;
  uintptr_t h = store_interior_in_global();
  scrub_stack();
  char *text = explain_text(h);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "global 'explain_global_holder'");
  assert_contains(text, "points +40 bytes from its start");
  free(text);
  explain_global_holder = NULL;
}

static void non_objects_are_rejected(void **state) {
  (void)state;
  int local;
  char *text = explain_text(hide(&local));
  assert_int_equal(last_rc, -1);
  assert_contains(text, "not an allocated heap object");
  free(text);
  warnings_capture();
  assert_int_equal(gc_explain(NULL, stderr), -1);
  assert_non_null(strstr(warnings, "gc_explain(NULL)"));
  gc_set_warn_handler(NULL);
}

static void range_and_exact_roots_are_named(void **state) {
  (void)state;
  void **table = calloc(8, sizeof(void *)); /* malloc memory: no root by itself */
  void **slot = calloc(1, sizeof(void *));
  uintptr_t hr = fresh_hidden(80), he = fresh_hidden(96);
  table[3] = reveal(hr);
  *slot = reveal(he);
  gc_add_roots(table, table + 8);
  gc_root_add(slot);
  scrub_stack();
  char *text = explain_text(hr);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "root range #");
  assert_contains(text, "word at +0x18");
  assert_contains(text, "registered by range_and_exact_roots_are_named+0x");
  free(text);
  text = explain_text(he);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "exact root #");
  assert_contains(text, "registered by range_and_exact_roots_are_named+0x");
  free(text);
  gc_root_remove(slot);
  gc_remove_roots(table, table + 8);
  free(slot);
  free(table);
}

__attribute__((noinline)) static uintptr_t held_by_uncollectable(uintptr_t *u_out) {
  void **u = gc_alloc_uncollectable(32);
  u[0] = gc_alloc(16);
  *u_out = hide(u);
  return hide(u[0]);
}

static void uncollectable_object_is_a_root(void **state) {
  (void)state;
  uintptr_t hu;
  uintptr_t h = held_by_uncollectable(&hu);
  scrub_stack();
  char *text = explain_text(h);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "uncollectable object");
  free(text);
  gc_free(reveal(hu));
}

static gc_type pair_type = {.name = "pair", .size = 16,
                            .pointer_bitmap = (const uint64_t[]){3}, .bitmap_words = 1};

__attribute__((noinline)) static uintptr_t typed_chain(void) {
  void **p = gc_alloc_typed(&pair_type, 16);
  p[1] = gc_alloc(16);
  explain_global_holder = p;
  return hide(p[1]);
}

static void precise_objects_show_their_type(void **state) {
  (void)state;
  assert_int_equal(gc_type_register(&pair_type), 0);
  uintptr_t h = typed_chain();
  scrub_stack();
  char *text = explain_text(h);
  assert_int_equal(last_rc, 0);
  assert_contains(text, "precise 'pair'");
  assert_contains(text, "via the word at +0x8 of");
  free(text);
  explain_global_holder = NULL;
}

static void summary_lists_kinds_and_largest(void **state) {
  (void)state;
  explain_big_holder = gc_alloc_atomic(300 * 1024);
  uintptr_t h = store_in_global(40);
  scrub_stack();
  char *text = explain_text(h);
  assert_contains(text, "by kind and class");
  assert_contains(text, "atomic                  large");
  assert_contains(text, "largest reachable objects:");
  /* The largest object comes first, with its root. */
  const char *largest = strstr(text, "largest reachable objects:");
  const char *big = strstr(largest, "327680 bytes  atomic");
  assert_non_null(big);
  assert_non_null(strstr(big, "held from: global 'explain_big_holder'"));
  free(text);
  explain_big_holder = explain_global_holder = NULL;
}

/* GLEANER_EXPLAIN=0xADDR: every collection says whether it is marked. */
static void env_variable_explains_at_collection(void **state) {
  (void)state;
  uintptr_t h = store_in_global(56);
  char value[32];
  snprintf(value, sizeof value, "%lx", (unsigned long)(uintptr_t)reveal(h));
  setenv("GLEANER_EXPLAIN", value, 1);
  explain_env_reload();
  FILE *tmp = tmpfile();
  int saved = dup(2);
  fflush(stderr);
  dup2(fileno(tmp), 2);
  gc_collect();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  unsetenv("GLEANER_EXPLAIN");
  explain_env_reload();
  char text[8192] = {0};
  rewind(tmp);
  size_t n = fread(text, 1, sizeof text - 1, tmp);
  fclose(tmp);
  assert_true(n > 0);
  assert_contains(text, "GLEANER_EXPLAIN=");
  assert_contains(text, "marked by the collector");
  assert_contains(text, "global 'explain_global_holder'");
  explain_global_holder = NULL;
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(global_root_is_named_by_symbol),
      cmocka_unit_test(stack_root_is_named_by_function),
      cmocka_unit_test(chain_of_three_shows_offsets),
      cmocka_unit_test(garbage_is_reported_unreachable),
      cmocka_unit_test(interior_references_are_pointed_out),
      cmocka_unit_test(non_objects_are_rejected),
      cmocka_unit_test(range_and_exact_roots_are_named),
      cmocka_unit_test(uncollectable_object_is_a_root),
      cmocka_unit_test(precise_objects_show_their_type),
      cmocka_unit_test(summary_lists_kinds_and_largest),
      cmocka_unit_test(env_variable_explains_at_collection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
