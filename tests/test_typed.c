/*
 * test_typed.c — precise types: registration, allocation, exact tracing
 * through bitmaps and trace functions, GC_TYPE_NO_MOVE, identity hashes,
 * and bad input, each caught with a clear message through the warn
 * handler:
 *   - a type with an inconsistent size (bitmap slot straddling the end;
 *     an allocation smaller than the type; a size function claiming more
 *     than was allocated);
 *   - a trace function reporting a slot outside its object;
 *   - gc_unpin without gc_pin, gc_pin of a non-object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>

#include "gc_state.h"
#include "precise_helpers.h"

typedef struct cell {
  uint64_t tag;
  struct cell *car;
  struct cell *cdr;
} cell;

static const uint64_t cell_bitmap[1] = {0x6}; /* words 1 and 2 */
static gc_type cell_type = {.name = "cell", .size = sizeof(cell),
                            .pointer_bitmap = cell_bitmap, .bitmap_words = 1};

static void cell_trace(void *o, gc_visit_fn visit, void *ctx) {
  cell *c = o;
  visit((void **)&c->car, ctx);
  visit((void **)&c->cdr, ctx);
}
static gc_type traced_cell_type = {.name = "traced-cell", .size = sizeof(cell),
                                   .trace = cell_trace};
static gc_type fixed_cell_type = {.name = "fixed-cell", .size = sizeof(cell),
                                  .pointer_bitmap = cell_bitmap, .bitmap_words = 1,
                                  .flags = GC_TYPE_NO_MOVE};

static int setup(void **state) {
  (void)state;
  gc_init(NULL);
  assert_int_equal(gc_type_register(&cell_type), 0);
  assert_int_equal(gc_type_register(&traced_cell_type), 0);
  assert_int_equal(gc_type_register(&fixed_cell_type), 0);
  compact_set_threshold(100);
  return 0;
}

static cell *new_cell(gc_type *t, uint64_t tag) {
  cell *c = gc_alloc_typed(t, sizeof(cell));
  assert_non_null(c);
  c->tag = tag;
  return c;
}

static void test_alloc_queries(void **state) {
  (void)state;
  cell *c = new_cell(&cell_type, 1);
  assert_ptr_equal(gc_type_of(c), &cell_type);
  assert_ptr_equal(gc_base((char *)c + 5), c);
  assert_true(gc_size(c) >= sizeof(cell));
  assert_null(gc_type_of(gc_alloc(32)));
  assert_int_equal((uintptr_t)c % 16, 0);
}

/* Builds a list of n cells of type t hanging from *root, each tagged;
 * keeps no address on the live stack. */
static __attribute__((noinline)) void build_list(gc_type *t, void **root, int n) {
  for (int i = 0; i < n; i++) {
    cell *c = new_cell(t, (uint64_t)i);
    GC_STORE(c, c->cdr, *root);
    GC_STORE(c, c->car, new_cell(t, 1000 + (uint64_t)i)); /* alive only via car */
    *root = c;
  }
}

static void check_list(void *head, int n) {
  cell *c = head;
  for (int i = n - 1; i >= 0; i--) {
    assert_non_null(c);
    assert_int_equal(c->tag, (uint64_t)i);
    assert_non_null(c->car);
    assert_int_equal(c->car->tag, 1000 + (uint64_t)i);
    c = c->cdr;
  }
  assert_null(c);
}

/* Exact tracing keeps everything named by the bitmap or trace function
 * alive, across collections that also move the objects. */
static void test_tracing_keeps_referents(void **state) {
  (void)state;
  void **roots = calloc(2, sizeof(void *));
  gc_root_add(&roots[0]);
  gc_root_add(&roots[1]);
  build_list(&cell_type, &roots[0], 2000);
  build_list(&traced_cell_type, &roots[1], 2000);
  for (int i = 0; i < 3; i++) {
    compact_now();
    check_list(roots[0], 2000);
    check_list(roots[1], 2000);
  }
  gc_root_remove(&roots[0]);
  gc_root_remove(&roots[1]);
  free(roots);
}

static __attribute__((noinline)) void build_fixed(void **root, uintptr_t *old, int n) {
  for (int i = 0; i < n; i++) {
    cell *c = new_cell(&fixed_cell_type, (uint64_t)i);
    GC_STORE(c, c->cdr, *root);
    *root = c;
    old[i] = hide(c);
  }
}

static void test_no_move_type_stays(void **state) {
  (void)state;
  void **root = calloc(1, sizeof(void *));
  uintptr_t old[64];
  gc_root_add(root);
  build_fixed(root, old, 64);
  compact_now();
  cell *c = *root;
  for (int i = 63; i >= 0; i--, c = c->cdr)
    assert_ptr_equal(c, unhide(old[i]));
  gc_root_remove(root);
  free(root);
}

static void test_identity_hash(void **state) {
  (void)state;
  cell *a = new_cell(&cell_type, 1), *b = new_cell(&cell_type, 2);
  uint64_t ha = gc_identity_hash(a), hb = gc_identity_hash(b);
  assert_int_not_equal(ha, hb);
  assert_int_equal(gc_identity_hash(a), ha);
  void *plain = gc_alloc(16);
  assert_int_equal(gc_identity_hash(plain), gc_identity_hash(plain));
}

/* ---- bad input ---------------------------------------------------------- */

static void test_type_with_inconsistent_size(void **state) {
  (void)state;
  static const uint64_t straddle[1] = {0x2}; /* word 1 = bytes 8..16 */
  gc_type bad = {.name = "straddler", .size = 12, .pointer_bitmap = straddle,
                 .bitmap_words = 1};
  capture_begin();
  assert_int_equal(gc_type_register(&bad), -1);
  capture_end();
  assert_true(captured("straddler"));
  assert_true(captured("inconsistent size"));

  gc_type no_size = {.name = "sizeless"};
  capture_begin();
  assert_int_equal(gc_type_register(&no_size), -1);
  capture_end();
  assert_true(captured("neither a fixed size nor a size function"));

  capture_begin();
  assert_null(gc_alloc_typed(&cell_type, sizeof(cell) - 8));
  capture_end();
  assert_true(captured("smaller than the type's size"));

  gc_type unregistered = {.name = "ghost", .size = 16};
  capture_begin();
  assert_null(gc_alloc_typed(&unregistered, 16));
  capture_end();
  assert_true(captured("not registered"));
}

/* A size function that claims more than the allocation: the compactor
 * must not copy past the slot; it reports and leaves the object put. */
typedef struct liar { uint64_t claimed; uint64_t payload; } liar;
static size_t liar_size(const void *o) { return ((const liar *)o)->claimed; }
static gc_type liar_type = {.name = "liar", .size = sizeof(liar), .size_fn = liar_size};

static __attribute__((noinline)) void build_liars(void **slots, uintptr_t *old, int n) {
  for (int i = 0; i < n; i++) {
    liar *l = gc_alloc_typed(&liar_type, sizeof(liar));
    l->claimed = 4096;
    l->payload = (uint64_t)i;
    slots[i] = l;
    old[i] = hide(l);
  }
}

static void test_size_function_inconsistent(void **state) {
  (void)state;
  assert_int_equal(gc_type_register(&liar_type), 0);
  enum { N = 32 };
  void **slots = calloc(N, sizeof(void *));
  uintptr_t old[N];
  for (int i = 0; i < N; i++)
    gc_root_add(&slots[i]);
  build_liars(slots, old, N);
  capture_begin();
  compact_now();
  capture_end();
  assert_true(captured("type 'liar': size function reports 4096 bytes"));
  assert_true(captured("inconsistent size"));
  for (int i = 0; i < N; i++) {
    assert_ptr_equal(slots[i], unhide(old[i]));
    assert_int_equal(((liar *)slots[i])->payload, (uint64_t)i);
  }
  for (int i = 0; i < N; i++)
    gc_root_remove(&slots[i]);
  free(slots);
}

/* A trace function that reports a slot past the end of its object. */
static void overreaching_trace(void *o, gc_visit_fn visit, void *ctx) {
  cell *c = o;
  visit((void **)&c->car, ctx);
  visit((void **)((char *)c + 4096), ctx);
}
static gc_type overreach_type = {.name = "overreacher", .size = sizeof(cell),
                                 .trace = overreaching_trace};

static void test_trace_slot_outside_object(void **state) {
  (void)state;
  assert_int_equal(gc_type_register(&overreach_type), 0);
  void **root = calloc(1, sizeof(void *));
  gc_root_add(root);
  cell *c = gc_alloc_typed(&overreach_type, sizeof(cell));
  c->tag = 7;
  GC_STORE(c, c->car, new_cell(&cell_type, 8));
  *root = c;
  capture_begin();
  gc_collect();
  capture_end();
  assert_true(captured("trace function of type 'overreacher' reported slot"));
  assert_true(captured("outside its object"));
  assert_int_equal(((cell *)*root)->car->tag, 8); /* the good slot still counts */
  gc_root_remove(root);
  free(root);
}

static void test_pin_misuse(void **state) {
  (void)state;
  cell *c = new_cell(&cell_type, 1);
  capture_begin();
  gc_unpin(c);
  capture_end();
  assert_true(captured("gc_unpin"));
  assert_true(captured("without a matching gc_pin"));

  static int not_heap;
  capture_begin();
  gc_pin(&not_heap);
  capture_end();
  assert_true(captured("gc_pin"));
  assert_true(captured("not a heap object"));

  capture_begin();
  gc_pin((char *)c + 8);
  capture_end();
  assert_true(captured("interior pointer"));
  /* Nothing was pinned by the bad calls. */
  capture_begin();
  gc_unpin(c);
  capture_end();
  assert_true(captured("without a matching gc_pin"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_alloc_queries),
      cmocka_unit_test(test_tracing_keeps_referents),
      cmocka_unit_test(test_no_move_type_stays),
      cmocka_unit_test(test_identity_hash),
      cmocka_unit_test(test_type_with_inconsistent_size),
      cmocka_unit_test(test_size_function_inconsistent),
      cmocka_unit_test(test_trace_slot_outside_object),
      cmocka_unit_test(test_pin_misuse),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
