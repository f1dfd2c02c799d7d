/*
 * test_verify.c — the heap verifier passes a healthy heap under every kind
 * of activity (with GLEANER_VERIFY on for every collection), and catches
 * each kind of damage it is meant to catch: a reachable object the marker
 * left white (reported with the path that reaches it), counters that
 * disagree with bitmaps, a mark on a free slot, dirty free memory, a broken
 * available list, a broken large run, and an inconsistent cursor.
 * Damage is done by hand under the lock and undone before the lock is let
 * go, so the heap stays usable for the next test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "diag_util.h"
#include "alloc.h"
#include "mark.h"
#include "roots.h"
#include "sweep.h"
#include "verify.h"

void *verify_global_holder;

static void assert_contains(const char *text, const char *needle) {
  if (!strstr(text, needle))
    fail_msg("expected \"%s\" in:\n%s", needle, text);
}

/* A mixed workload: every kind, small and large, frees and reallocs. */
__attribute__((noinline)) static void churn(unsigned rounds) {
  static const uint64_t node_bitmap[1] = {1};
  static gc_type node_type = {.name = "node", .size = 24, .pointer_bitmap = node_bitmap,
                              .bitmap_words = 1};
  gc_type_register(&node_type);
  void **keep = gc_alloc(64 * sizeof(void *));
  verify_global_holder = keep;
  for (unsigned r = 0; r < rounds; r++) {
    for (unsigned i = 0; i < 64; i++) {
      size_t n = 8 + (i * 37 + r * 101) % 3000;
      void *p;
      switch ((i + r) % 6) {
      case 0: p = gc_alloc(n); break;
      case 1: p = gc_alloc_atomic(n); break;
      case 2: p = gc_alloc_typed(&node_type, 24); break;
      case 3: p = gc_alloc(40000 + n * 10); break; /* large */
      case 4: p = gc_realloc(keep[(i + 1) % 64], n); break;
      default: p = gc_alloc_uncollectable(n); gc_free(p); p = gc_alloc(n); break;
      }
      if (p && (i + r) % 6 == 2)
        ((void **)p)[0] = keep[i];
      keep[i] = p;
      if (i % 7 == 0 && keep[i] && (i + r) % 6 != 4) {
        gc_free(keep[i]);
        keep[i] = NULL;
      }
    }
  }
}

static void healthy_heap_verifies_clean(void **state) {
  (void)state;
  churn(20);
  scrub_stack();
  assert_int_equal(gc_verify(), 0);
  verify_global_holder = NULL;
  assert_int_equal(gc_verify(), 0);
}

static void verify_every_collection_under_stress(void **state) {
  (void)state;
  int saved_verify = G->cfg.verify;
  unsigned saved_stress = G->cfg.stress;
  G->cfg.verify = 1; /* a violation would abort the test program */
  G->cfg.stress = 50;
  uint64_t before = G->collections;
  churn(10);
  G->cfg.stress = saved_stress;
  G->cfg.verify = saved_verify;
  assert_true(G->collections > before + 10);
  verify_global_holder = NULL;
}

/* global -> a -> b -> c */
__attribute__((noinline)) static uintptr_t build_chain(void) {
  void **a = gc_alloc(32), **b = gc_alloc(48);
  void **c = gc_alloc(80);
  a[2] = b;
  b[3] = c;
  verify_global_holder = a;
  return hide(c);
}

/* The object behind a hidden pointer, without leaving the pointer in the
 * caller's registers. */
__attribute__((noinline)) static void find_hidden(uintptr_t h, uint32_t *block,
                                                  uint32_t *slot) {
  object_ref r = {0};
  assert_true(object_find((uintptr_t)reveal(h), &r));
  *block = r.block;
  *slot = r.slot;
}

/* Mark as a collection does, then let the verifier check the result. */
static void mark_like_a_collection(void) {
  cursors_flush_all();
  sweep_clear_marks();
  mark_begin();
  roots_mark_all();
  mark_drain(SIZE_MAX);
}

static void missed_mark_is_reported_with_its_path(void **state) {
  (void)state;
  uintptr_t hc = build_chain();
  scrub_stack();
  text_stream t;
  text_open(&t);
  verify_report_to(t.f);
  warnings_capture();
  state_lock();
  mark_like_a_collection();
  assert_int_equal(verify_marks_after_cycle(), 0);
  uint32_t block, slot; /* not an object_ref: its start field would be a root */
  find_hidden(hc, &block, &slot);
  bit_clear(G->bits[block].mark, slot); /* the marker "missed" c */
  int missed = verify_marks_after_cycle();
  bit_set(G->bits[block].mark, slot);
  state_unlock();
  verify_report_to(NULL);
  gc_set_warn_handler(NULL);
  char *text = text_close(&t);
  assert_int_equal(missed, 1);
  assert_contains(warnings, "was not marked by the collector");
  assert_contains(text, "global 'verify_global_holder'");
  assert_contains(text, "via the word at +0x10 of");
  assert_contains(text, "via the word at +0x18 of");
  char addr[32];
  snprintf(addr, sizeof addr, "%p  80 bytes", reveal_now(hc));
  assert_contains(text, addr);
  free(text);
  verify_global_holder = NULL;
}

/* Run verify_metadata with one piece of damage applied by `damage` and
 * undone by `repair`; returns the warnings. */
typedef void (*tamper_fn)(uint32_t block, bool undo);
static int metadata_errors_with(tamper_fn tamper, uint32_t block) {
  warnings_capture();
  state_lock();
  int clean = verify_metadata();
  tamper(block, false);
  int errors = verify_metadata();
  tamper(block, true);
  int after = verify_metadata();
  state_unlock();
  gc_set_warn_handler(NULL);
  assert_int_equal(clean, 0);
  assert_int_equal(after, 0);
  return errors;
}

static uint32_t block_of(const void *p) { return block_index((uintptr_t)p); }

static void tamper_count(uint32_t b, bool undo) { G->blocks[b].allocated += undo ? -1u : 1u; }
static void tamper_mark_free_slot(uint32_t b, bool undo) {
  uint32_t last = G->blocks[b].nslots - 1; /* a fresh block: the last slot is free */
  if (undo) {
    bit_clear(G->bits[b].mark, last);
    G->blocks[b].marked--;
  } else {
    bit_set(G->bits[b].mark, last);
    G->blocks[b].marked++;
  }
}
static void tamper_free_slot_data(uint32_t b, bool undo) {
  char *last = block_base(b) + (size_t)(G->blocks[b].nslots - 1) * G->blocks[b].obj_size;
  last[5] = undo ? 0 : 0x5a;
}
static void tamper_listed_flag(uint32_t b, bool undo) {
  if (undo)
    G->blocks[b].flags &= (uint8_t)~BF_LISTED;
  else
    G->blocks[b].flags |= BF_LISTED;
}
static void tamper_large_tail(uint32_t b, bool undo) {
  G->blocks[b + 1].head = undo ? b : b + 7;
}
static void tamper_state(uint32_t b, bool undo) {
  G->blocks[b].state = undo ? BLOCK_SMALL : BLOCK_FREE; /* free map now disagrees */
}

static void metadata_damage_is_caught(void **state) {
  (void)state;
  void *keep[4];
  keep[0] = gc_alloc_atomic(12000); /* alone in its class: no dead slots */
  keep[1] = gc_alloc(3 * BLOCK_SIZE);
  uint32_t small = block_of(keep[0]), large = block_of(keep[1]);
  gc_collect(); /* the block is flipped and listed with free slots; cursors let go */
  assert_true(metadata_errors_with(tamper_count, small) >= 1);
  assert_non_null(strstr(warnings, "allocated count"));
  assert_true(metadata_errors_with(tamper_mark_free_slot, small) >= 1);
  assert_non_null(strstr(warnings, "marked but not allocated"));
  assert_true(metadata_errors_with(tamper_free_slot_data, small) >= 1);
  assert_non_null(strstr(warnings, "is not zero"));
  assert_true(metadata_errors_with(tamper_large_tail, large) >= 1);
  assert_non_null(strstr(warnings, "of its run has state"));
  assert_true(metadata_errors_with(tamper_state, small) >= 1);
  assert_non_null(strstr(warnings, "free-map bit"));
  keep[2] = keep[0];
  __asm__ volatile("" ::"r"(keep) : "memory");
}

static void list_damage_is_caught(void **state) {
  (void)state;
  void *p = gc_alloc_atomic(2000);
  uint32_t b = block_of(p);
  gc_collect();
  state_lock();
  bool listed = G->blocks[b].flags & BF_LISTED;
  state_unlock();
  if (listed) {
    /* Flag removed from a listed block: membership and flags disagree. */
    warnings_capture();
    state_lock();
    G->blocks[b].flags &= (uint8_t)~BF_LISTED;
    int errors = verify_metadata();
    G->blocks[b].flags |= BF_LISTED;
    state_unlock();
    gc_set_warn_handler(NULL);
    assert_true(errors >= 1);
  } else {
    assert_true(metadata_errors_with(tamper_listed_flag, b) >= 1);
  }
  assert_non_null(strstr(warnings, "BF_LISTED"));
  __asm__ volatile("" ::"r"(p) : "memory");
}

static void cursor_damage_is_caught(void **state) {
  (void)state;
  void *p = gc_alloc(16); /* the thread's cursor for class 0 now owns a block */
  warnings_capture();
  state_lock();
  alloc_cursor *c = &gleaner_self->cursors[KIND_CONSERVATIVE][0];
  assert_true(c->block != 0);
  c->word_base += 16; /* the cursor would hand out misaligned slots */
  int errors = verify_metadata();
  c->word_base -= 16;
  int after = verify_metadata();
  state_unlock();
  gc_set_warn_handler(NULL);
  assert_true(errors >= 1);
  assert_int_equal(after, 0);
  assert_non_null(strstr(warnings, "word base or size inconsistent"));
  __asm__ volatile("" ::"r"(p) : "memory");
}

/* Two unreachable precise objects; the first's header is made to look
 * moved, forwarding to the second, which is not marked: a broken
 * forwarding the post-compaction check must report. */
static const uint64_t fwd_bitmap[1] = {1};
static gc_type fwd_type = {.name = "fwd", .size = 32, .pointer_bitmap = fwd_bitmap,
                           .bitmap_words = 1};

__attribute__((noinline)) static void two_garbage_precise(uintptr_t *a, uintptr_t *b) {
  *a = hide(gc_alloc_typed(&fwd_type, 32));
  *b = hide(gc_alloc_typed(&fwd_type, 32));
}

static void broken_forwarding_is_caught(void **state) {
  (void)state;
  assert_int_equal(gc_type_register(&fwd_type), 0);
  uintptr_t ha, hb;
  two_garbage_precise(&ha, &hb);
  scrub_stack();
  warnings_capture();
  state_lock();
  mark_like_a_collection();
  precise_header *moved = (precise_header *)reveal_now(ha) - 1;
  const gc_type *saved = moved->type;
  int clean = verify_metadata_after_compaction();
  moved->type = (const gc_type *)((char *)reveal_now(hb) - sizeof(precise_header));
  int errors = verify_metadata_after_compaction();
  moved->type = saved;
  state_unlock();
  gc_set_warn_handler(NULL);
  assert_int_equal(clean, 0);
  assert_int_equal(errors, 1);
  assert_non_null(strstr(warnings, "is not a marked copy"));
}

int main(void) {
  gc_init(NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(healthy_heap_verifies_clean),
      cmocka_unit_test(verify_every_collection_under_stress),
      cmocka_unit_test(missed_mark_is_reported_with_its_path),
      cmocka_unit_test(metadata_damage_is_caught),
      cmocka_unit_test(list_damage_is_caught),
      cmocka_unit_test(cursor_damage_is_caught),
      cmocka_unit_test(broken_forwarding_is_caught),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
