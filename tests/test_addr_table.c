/*
 * test_addr_table.c — the address-keyed table behind finalizers and weak
 * links: random inserts, finds, removals and bulk filters checked against
 * a plain array model, with key patterns that collide (consecutive words,
 * one key per 64 KiB, one per 512 MiB).  Prints its seed; replay with
 * ADDR_TABLE_SEED=n.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "addr_table.h"

typedef struct entry {
  const void *key;
  uintptr_t value;
} entry;

static uint64_t rng_state;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

#define UNIVERSE 20000
static const void *key_of(unsigned pattern, size_t i) {
  static const uintptr_t strides[] = {8, 16, 65536, (uintptr_t)1 << 29};
  return (const void *)((uintptr_t)0x100000000000ull + i * strides[pattern]);
}

static bool keep_odd_values(void *e, void *ctx) {
  (void)ctx;
  return ((entry *)e)->value & 1;
}

static void run_pattern(unsigned pattern) {
  addr_table t;
  addr_table_init(&t, sizeof(entry));
  static uintptr_t model[UNIVERSE]; /* 0: absent, else value */
  memset(model, 0, sizeof model);
  size_t present = 0;
  for (int step = 0; step < 200000; step++) {
    size_t i = rng() % UNIVERSE;
    const void *k = key_of(pattern, i);
    entry *e = addr_table_find(&t, k);
    assert_true((e != NULL) == (model[i] != 0));
    if (e)
      assert_int_equal(e->value, model[i]);
    unsigned op = (unsigned)(rng() % 16);
    if (op < 9 && !e) {
      e = addr_table_insert(&t, k);
      assert_non_null(e);
      e->value = model[i] = (rng() | 2) & 0xffff;
      present++;
    } else if (op < 15 && e) {
      addr_table_remove(&t, e);
      model[i] = 0;
      present--;
    } else if (op == 15 && step % 50 == 0) {
      size_t dropped = addr_table_filter(&t, keep_odd_values, NULL);
      size_t expect = 0;
      for (size_t j = 0; j < UNIVERSE; j++)
        if (model[j] && !(model[j] & 1)) {
          model[j] = 0;
          expect++;
        }
      assert_int_equal(dropped, expect);
      present -= expect;
    }
    assert_int_equal(t.count, present);
    if (step % 20000 == 0)
      assert_int_equal(addr_table_check(&t), 0);
  }
  assert_int_equal(addr_table_check(&t), 0);
  addr_table_release(&t);
}

static bool keep_below_ten(void *e, void *ctx) {
  (void)ctx;
  return ((entry *)e)->value < 10;
}

/* Mass removal twice in a row shrinks the table; it must stay correct and
 * keep growing afterwards. */
static void test_shrink_after_mass_removal(void **s) {
  (void)s;
  addr_table t;
  addr_table_init(&t, sizeof(entry));
  for (size_t round = 0; round < 3; round++) {
    for (size_t i = 0; i < 10000; i++) {
      bool inserted;
      entry *e = addr_table_find_or_insert(&t, key_of(1, i), &inserted);
      assert_non_null(e);
      if (inserted)
        e->value = i;
    }
    assert_int_equal(t.count, 10000);
    assert_int_equal(addr_table_filter(&t, keep_below_ten, NULL), 9990);
    addr_table_rebuild_index(&t); /* a second sparse rebuild: shrinks */
    assert_true(t.index_size <= 64);
    assert_int_equal(addr_table_check(&t), 0);
    for (size_t i = 0; i < 10000; i++) {
      entry *e = addr_table_find(&t, key_of(1, i));
      assert_true((e != NULL) == (i < 10));
    }
  }
  addr_table_release(&t);
}

static void test_consecutive_words(void **s) { (void)s; run_pattern(0); }
static void test_granules(void **s) { (void)s; run_pattern(1); }
static void test_one_per_block(void **s) { (void)s; run_pattern(2); }
static void test_one_per_512_mib(void **s) { (void)s; run_pattern(3); }

int main(void) {
  const char *env = getenv("ADDR_TABLE_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
  printf("test_addr_table: seed %llu (ADDR_TABLE_SEED to replay)\n", (unsigned long long)seed);
  rng_state = seed * 2654435761u + 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_consecutive_words),
      cmocka_unit_test(test_granules),
      cmocka_unit_test(test_one_per_block),
      cmocka_unit_test(test_one_per_512_mib),
      cmocka_unit_test(test_shrink_after_mass_removal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
