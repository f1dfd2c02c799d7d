/*
 * test_bdw_layer.c — what the Boehm GC layer does on Gleaner that the
 * side-by-side suite cannot compare with Boehm GC's output: the
 * environment and the directly written variables reaching Gleaner's own
 * settings, the extra byte, the warn-proc bridge (format, '%' escaping),
 * GC_DEBUG overwrite reports, the pointer checks, the allocation lock, heap
 * limits inside the reservation, and the refusal of unknown kinds.
 *
 * One process: the first test sets the environment and then makes the
 * first GC_ call, which initializes the collector from it.
 */
#include <gc.h>
#include <gc/gc_inline.h>
#include <gleaner.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- captured warnings -------------------------------------------------- */

static char last_raw[1024];    /* msg as the warn proc received it */
static char last_print[1024];  /* what printf(msg, arg) would print */
static int warnings;

static void GC_CALLBACK capture(char *msg, GC_word arg) {
  snprintf(last_raw, sizeof last_raw, "%s", msg);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
  snprintf(last_print, sizeof last_print, msg, arg);
#pragma GCC diagnostic pop
  warnings++;
}

static void reset_capture(void) {
  last_raw[0] = last_print[0] = '\0';
  warnings = 0;
}

/* ---- tests -------------------------------------------------------------- */

static void environment_reaches_gleaner(void **state) {
  (void)state;
  setenv("GC_FREE_SPACE_DIVISOR", "9", 1);
  setenv("GC_INITIAL_HEAP_SIZE", "8M", 1);
  assert_int_equal(GC_is_init_called(), 0);
  void *p = GC_malloc(10); /* the first call initializes */
  assert_non_null(p);
  assert_int_equal(GC_is_init_called(), 1);
  assert_int_equal(GC_get_free_space_divisor(), 9);
  assert_int_equal(gc_get_free_space_divisor(), 9);
  /* 8 MB before the first collection after start-up. */
  GC_word before = GC_get_gc_no();
  for (int i = 0; i < 4000; i++)
    (void)GC_malloc(1000);
  assert_int_equal(GC_get_gc_no(), before);
  GC_set_free_space_divisor(3);
}

static void dont_gc_variable_disables_gleaner(void **state) {
  (void)state;
  assert_false(gc_is_disabled());
  GC_dont_gc = 1;
  (void)GC_malloc(8); /* any call applies it */
  assert_true(gc_is_disabled());
  GC_dont_gc = 2;
  GC_enable();
  assert_int_equal(GC_dont_gc, 1);
  assert_true(gc_is_disabled());
  GC_dont_gc = 0;
  (void)GC_base(NULL);
  assert_false(gc_is_disabled());
  GC_disable();
  assert_true(gc_is_disabled());
  GC_enable();
  assert_false(gc_is_disabled());
}

static void divisor_and_dont_expand_variables(void **state) {
  (void)state;
  GC_free_space_divisor = 6;
  GC_gcollect(); /* collections re-read the variables */
  assert_int_equal(gc_get_free_space_divisor(), 6);
  GC_dont_expand = 1;
  GC_gcollect();
  assert_true(gc_get_free_space_divisor() >= 64);
  GC_set_dont_expand(0);
  assert_int_equal(gc_get_free_space_divisor(), 6);
  GC_free_space_divisor = 3;
  for (int i = 0; i < 2000; i++) /* past an allocation checkpoint */
    (void)GC_malloc(100);
  assert_int_equal(gc_get_free_space_divisor(), 3);
}

static void extra_byte_follows_all_interior_pointers(void **state) {
  (void)state;
  assert_int_equal(GC_get_all_interior_pointers(), 1);
  assert_true(GC_size(GC_malloc(16)) > 16);   /* 17 bytes asked for */
  assert_true(GC_size(GC_malloc_uncollectable(16)) >= 16);
  GC_set_all_interior_pointers(0);
  assert_int_equal(GC_size(GC_malloc(16)), 16);
  GC_set_all_interior_pointers(1);
  assert_true(GC_size(GC_malloc_atomic(32)) > 32);
}

static void warnings_reach_the_warn_proc(void **state) {
  (void)state;
  GC_warn_proc old = GC_get_warn_proc();
  GC_set_warn_proc(capture);
  reset_capture();
  GC_set_free_space_divisor(0); /* refused by the layer */
  assert_int_equal(warnings, 1);
  assert_string_equal(last_raw,
                      "GC Warning: GC_set_free_space_divisor(0) ignored: the divisor "
                      "must be positive\n");
  reset_capture();
  int local;
  GC_free(&local); /* refused by Gleaner itself */
  assert_int_equal(warnings, 1);
  assert_true(strncmp(last_raw, "GC Warning: ", 12) == 0);
  assert_non_null(strstr(last_raw, "gc_free"));
  GC_set_warn_proc(old);
  assert_ptr_equal(GC_get_warn_proc(), old);
}

static void debug_overwrite_is_reported_with_its_site(void **state) {
  (void)state;
  GC_set_warn_proc(capture);
  reset_capture();
  volatile size_t overrun = 11;
  char *p = GC_debug_malloc(10, "odd%sname.c", 42);
  memset(p, 'x', overrun);
  GC_debug_free(p);
  assert_int_equal(warnings, 1);
  assert_non_null(strstr(last_raw, "smashed"));
  assert_non_null(strstr(last_raw, "odd%%sname.c:42")); /* escaped for printf */
  assert_non_null(strstr(last_print, "odd%sname.c:42"));

  reset_capture();
  char *q = GC_debug_malloc(10, __FILE__, __LINE__);
  memset(q, 'y', 10);
  q = GC_debug_realloc(q, 20, __FILE__, __LINE__);
  for (int i = 10; i < 20; i++)
    assert_int_equal(q[i], 0);
  q = GC_debug_realloc(q, 5, __FILE__, __LINE__);
  GC_debug_free(q);
  assert_int_equal(warnings, 0);

  GC_debug_free(GC_malloc(24)); /* not a debug object */
  assert_int_equal(warnings, 1);
  assert_non_null(strstr(last_raw, "GC_DEBUG"));
  GC_set_warn_proc(GC_ignore_warn_proc);
}

static int visible_failures, same_obj_failures;
static void GC_CALLBACK count_visible(void *p) { (void)p; visible_failures++; }
static void GC_CALLBACK count_same(void *p, void *q) {
  (void)p;
  (void)q;
  same_obj_failures++;
}

void *a_global_slot;

static void pointer_checks(void **state) {
  (void)state;
  GC_is_visible_print_proc = count_visible;
  GC_same_obj_print_proc = count_same;
  void *local = NULL;
  void **heap = GC_malloc(4 * sizeof(void *));
  void **outside = malloc(4 * sizeof(void *));
  (void)GC_is_visible(&local);
  (void)GC_is_visible(&a_global_slot);
  (void)GC_is_visible(heap + 1);
  assert_int_equal(visible_failures, 0);
  (void)GC_is_visible(outside);
  assert_int_equal(visible_failures, 1);
  GC_add_roots(outside, outside + 4);
  (void)GC_is_visible(outside + 2);
  assert_int_equal(visible_failures, 1);
  GC_remove_roots(outside, outside + 4);
  (void)GC_is_visible(outside + 2);
  assert_int_equal(visible_failures, 2);
  free(outside);

  char *a = GC_malloc(64), *b = GC_malloc(64);
  assert_ptr_equal(GC_same_obj(a + 10, a), a + 10);
  assert_int_equal(same_obj_failures, 0);
  (void)GC_same_obj(a, b);
  assert_int_equal(same_obj_failures, 1);
  (void)GC_same_obj(&local, &a_global_slot); /* neither in the heap */
  assert_int_equal(same_obj_failures, 1);
  char *cur = a;
  GC_PRE_INCR(cur, 8);
  assert_ptr_equal(cur, a + 8);
}

static void *GC_CALLBACK inside_lock(void *arg) {
  *(int *)arg = gc_is_disabled();
  return arg;
}

static void alloc_lock_holds_off_collection(void **state) {
  (void)state;
  int disabled = 0;
  assert_ptr_equal(GC_call_with_alloc_lock(inside_lock, &disabled), &disabled);
  assert_int_equal(disabled, 1);
  assert_false(gc_is_disabled());
}

static void heap_limit_and_back(void **state) {
  (void)state;
  GC_set_max_heap_size(16 << 20);
  void *oom_before = (void *)GC_get_oom_fn();
  assert_null(GC_malloc(64 << 20)); /* more than the limit */
  GC_set_max_heap_size(0);          /* the whole reservation again */
  void *big = GC_malloc(64 << 20);
  assert_non_null(big);
  assert_ptr_equal((void *)GC_get_oom_fn(), oom_before);
}

static void unknown_kinds_are_refused(void **state) {
  (void)state;
  GC_set_warn_proc(capture);
  reset_capture();
  assert_null(GC_malloc_kind(64, 7));
  assert_int_equal(warnings, 1);
  assert_non_null(GC_malloc_kind(64, GC_I_PTRFREE));
  assert_non_null(GC_malloc_kind(64, GC_I_NORMAL));
  GC_set_warn_proc(GC_ignore_warn_proc);
}

/* Refuses every data segment of libc (*stdout lives in one of them). */
static int segments_seen;
static void *libc_data;
static int GC_CALLBACK refuse_libc(const char *name, void *start, size_t size) {
  (void)start;
  (void)size;
  segments_seen++;
  return strstr(name, "libc.so") == NULL;
}

static void static_roots_callback_excludes(void **state) {
  (void)state;
  libc_data = (void *)stdout; /* libc's FILE object, in libc's data */
  GC_is_visible_print_proc = count_visible;
  visible_failures = 0;
  (void)GC_is_visible(libc_data);
  assert_int_equal(visible_failures, 0);
  GC_register_has_static_roots_callback(refuse_libc);
  assert_true(segments_seen > 0);
  (void)GC_is_visible(libc_data);
  assert_int_equal(visible_failures, 1); /* excluded: no longer a root */
  (void)GC_is_visible(&a_global_slot);   /* this program's own data stays */
  assert_int_equal(visible_failures, 1);
  GC_register_has_static_roots_callback(0);
}

static void prof_stats_mark_unknown_fields(void **state) {
  (void)state;
  struct GC_prof_stats_s s;
  assert_int_equal(GC_get_prof_stats(&s, sizeof s), sizeof s);
  assert_true(s.heapsize_full > 0);
  assert_int_equal(s.non_gc_bytes, (GC_word)-1);
  assert_int_equal(s.obtained_from_os_bytes, (GC_word)-1);
  assert_int_equal(GC_get_version(), (8u << 16) | (2u << 8) | 2u);
#ifndef GC_GLEANER
  fail_msg("GC_GLEANER is not defined by Gleaner's gc.h");
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(environment_reaches_gleaner),
      cmocka_unit_test(dont_gc_variable_disables_gleaner),
      cmocka_unit_test(divisor_and_dont_expand_variables),
      cmocka_unit_test(extra_byte_follows_all_interior_pointers),
      cmocka_unit_test(warnings_reach_the_warn_proc),
      cmocka_unit_test(debug_overwrite_is_reported_with_its_site),
      cmocka_unit_test(pointer_checks),
      cmocka_unit_test(alloc_lock_holds_off_collection),
      cmocka_unit_test(heap_limit_and_back),
      cmocka_unit_test(unknown_kinds_are_refused),
      cmocka_unit_test(static_roots_callback_excludes),
      cmocka_unit_test(prof_stats_mark_unknown_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
