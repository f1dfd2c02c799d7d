/*
 * test_generational.c — minor collections (gc/generational.c).
 *
 * What can go wrong with sticky mark bits is that a young object reachable
 * only from an old one is freed, because the old object is never visited
 * and its page was not recorded as written.  Each scenario below makes an
 * old object (marked by a full collection) hold the only reference to
 * young objects — by a plain store, through a chain of young objects, by
 * read(2) writing into the old object (the kernel writes, not the
 * program), and in the child of a fork() — then runs minor collections
 * while allocating objects of the same size filled with another pattern,
 * which would overwrite a wrongly freed object, and checks every young
 * object's contents.  A control checks that minor collections do free
 * young garbage (otherwise the scenarios would pass vacuously), and every
 * scenario ends with gc_verify().
 *
 * The scenarios need minor collections, which need userfaultfd's
 * asynchronous write protection (Linux >= 6.7): where it is missing the
 * test fails with the reason (GLEANER_TEST_ALLOW_NO_MINOR=1, and
 * running under valgrind, make it a skip instead).
 */
#include "test_util.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define SLOTS 64
#define YOUNG_SIZE 48
#define CHAIN 8

typedef struct young {
  struct young *next;
  uint64_t pattern[4];
} young;

static void **old_table; /* the old object: the only path to the young ones */

static uint64_t pattern_of(unsigned k, unsigned j) {
  return 0x9e3779b97f4a7c15ull * (k * 16 + j + 1);
}

static uint64_t minors(void) {
  gc_stats s;
  gc_get_stats(&s);
  return s.minor_collections;
}

/* Allocate garbage of the young objects' size, filled with another
 * pattern, until `count` more minor collections have run. */
static __attribute__((noinline)) void churn_minors(unsigned count) {
  uint64_t until = minors() + count;
  for (unsigned long i = 0; minors() < until; i++) {
    uint64_t *g = gc_alloc(YOUNG_SIZE);
    assert_non_null(g);
    memset(g, 0xEE, YOUNG_SIZE);
    if (i > 50u * 1000 * 1000)
      fail_msg("no minor collection after %lu allocations", i);
  }
}

static __attribute__((noinline)) young *new_young(unsigned k, young *next) {
  young *y = gc_alloc(YOUNG_SIZE);
  assert_non_null(y);
  y->next = next;
  for (unsigned j = 0; j < 4; j++)
    y->pattern[j] = pattern_of(k, j);
  return y;
}

static __attribute__((noinline)) void check_young(unsigned k, const young *y) {
  assert_non_null(y);
  assert_ptr_equal(gc_base((void *)y), y);
  for (unsigned j = 0; j < 4; j++)
    if (y->pattern[j] != pattern_of(k, j))
      fail_msg("young object %u lost: word %u is %#llx", k, j,
               (unsigned long long)y->pattern[j]);
}

/* The old object: allocated, then made old by a full collection. */
static __attribute__((noinline)) void make_old_table(void) {
  old_table = gc_alloc(SLOTS * sizeof(void *));
  assert_non_null(old_table);
  collect_clean();
}

static __attribute__((noinline)) void store_young(unsigned k) {
  old_table[k] = new_young(k, NULL);
}

static void test_store_into_old_object(void **state) {
  (void)state;
  make_old_table(); /* old: the minors below find it marked */
  for (unsigned k = 0; k < SLOTS; k++) {
    store_young(k); /* the only reference, in an old object */
    clear_stack_below();
    churn_minors(k % 3 == 0 ? 1 : 0);
  }
  clear_stack_below();
  churn_minors(3);
  for (unsigned k = 0; k < SLOTS; k++)
    check_young(k, old_table[k]);
  assert_int_equal(gc_verify(), 0);
}

/* old -> y0 -> y1 -> ... : only the head is stored into the old object,
 * the rest hang from young objects written after it. */
static __attribute__((noinline)) void store_chain(unsigned slot) {
  young *head = NULL;
  for (unsigned c = 0; c < CHAIN; c++)
    head = new_young(slot * CHAIN + c, head);
  old_table[slot] = head;
}

static void test_chain_from_old_object(void **state) {
  (void)state;
  make_old_table();
  for (unsigned slot = 0; slot < 8; slot++) {
    store_chain(slot);
    clear_stack_below();
    churn_minors(1);
  }
  churn_minors(2);
  for (unsigned slot = 0; slot < 8; slot++) {
    const young *y = old_table[slot];
    for (unsigned c = CHAIN; c-- > 0; y = y->next)
      check_young(slot * CHAIN + c, y);
    assert_null(y);
  }
  assert_int_equal(gc_verify(), 0);
}

/* The kernel stores the pointer: read(2) from a pipe into the old object.
 * No allocation runs between the write and the read, so nothing collects
 * while the pointer is only in the pipe. */
static __attribute__((noinline)) void read_young_into_old(int fds[2], unsigned k) {
  young *y = new_young(k, NULL);
  assert_int_equal(write(fds[1], &y, sizeof y), (ssize_t)sizeof y);
  y = NULL;
  assert_int_equal(read(fds[0], &old_table[k], sizeof(void *)), (ssize_t)sizeof(void *));
}

static void test_read2_into_old_object(void **state) {
  (void)state;
  make_old_table();
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  for (unsigned k = 0; k < SLOTS; k++) {
    read_young_into_old(fds, k);
    clear_stack_below();
    if (k % 8 == 7)
      churn_minors(1);
  }
  close(fds[0]);
  close(fds[1]);
  churn_minors(2);
  for (unsigned k = 0; k < SLOTS; k++)
    check_young(k, old_table[k]);
  assert_int_equal(gc_verify(), 0);
}

/* The control: young garbage is freed by minor collections alone. */
static void test_minor_frees_young_garbage(void **state) {
  (void)state;
  make_old_table();
  uintptr_t hidden[16];
  for (unsigned i = 0; i < 16; i++)
    hidden[i] = alloc_hidden(YOUNG_SIZE, 0, 0x11);
  uint64_t full_before;
  gc_stats s;
  gc_get_stats(&s);
  full_before = s.collections - s.minor_collections;
  clear_stack_below();
  churn_minors(2);
  gc_get_stats(&s);
  unsigned freed = 0;
  for (unsigned i = 0; i < 16; i++)
    freed += !is_live(hidden[i]) || *(unsigned char *)reveal(hidden[i]) != 0x11;
  /* Only judge when no full collection ran meanwhile. */
  if (s.collections - s.minor_collections == full_before)
    assert_true(freed >= 12); /* a stale stack word may keep a few */
}

/* A fork()ed child keeps allocating: its heap is registered anew
 * (vm_barrier_after_fork_child) and its minor collections still find
 * young objects stored into old ones. */
static void test_fork_child(void **state) {
  (void)state;
  make_old_table();
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    for (unsigned k = 0; k < SLOTS; k++) {
      store_young(k);
      clear_stack_below();
      if (k % 4 == 0)
        churn_minors(1);
    }
    churn_minors(2);
    int bad = 0;
    for (unsigned k = 0; k < SLOTS; k++) {
      const young *y = old_table[k];
      for (unsigned j = 0; j < 4; j++)
        bad |= !y || y->pattern[j] != pattern_of(k, j);
    }
    _exit(bad || gc_verify() != 0 ? 1 : 0);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

/* Whether the page holding p is write-protected by userfaultfd right now
 * (/proc/self/pagemap bit 57, PM_UFFD_WP; readable without privileges). */
static bool page_write_protected(const void *p) {
  FILE *f = fopen("/proc/self/pagemap", "rb");
  assert_non_null(f);
  uint64_t entry = 0;
  long page = sysconf(_SC_PAGESIZE);
  assert_int_equal(fseek(f, (long)((uintptr_t)p / (uintptr_t)page * sizeof entry), SEEK_SET), 0);
  assert_int_equal(fread(&entry, sizeof entry, 1, f), 1);
  fclose(f);
  assert_true(entry >> 63 & 1); /* present: it was written */
  return entry >> 57 & 1;
}

/* The rule: pointer-free blocks are never protected (a program
 * writing I/O buffers would fault on each page once per cycle, for
 * nothing).  After a collection the blocks in use are protected again for
 * the next minor one: a scanned large object's pages are (the control),
 * an atomic one's are not. */
static void test_atomic_blocks_never_protected(void **state) {
  (void)state;
  size_t size = (size_t)256 << 10;
  char *atomic = gc_alloc_atomic(size), *scanned = gc_alloc(size);
  assert_non_null(atomic);
  assert_non_null(scanned);
  memset(atomic, 0x5A, size);
  memset(scanned, 0, size);
  collect_clean();
  for (size_t off = 0; off < size; off += 64 << 10) {
    assert_true(page_write_protected(scanned + off));
    assert_false(page_write_protected(atomic + off));
  }
  assert_int_equal((unsigned char)atomic[size - 1], 0x5A);
  assert_ptr_equal(gc_base(scanned), scanned);
}

/* valgrind does not emulate userfaultfd (make test-valgrind sets
 * GLEANER_VALGRIND). */
static int allow_no_minor(void) {
  return getenv("GLEANER_TEST_ALLOW_NO_MINOR") || getenv("GLEANER_VALGRIND");
}

int main(void) {
  gc_config cfg = {.initial_heap = (size_t)2 << 20}; /* minors come often (1 MiB of heap sets them up) */
  gc_init(&cfg);
  {
    /* Fail early, with the reason, where minor collections cannot run. */
    for (int i = 0; i < 3 && minors() == 0; i++) {
      collect_clean();
      for (int j = 0; j < 200000; j++)
        assert_non_null(gc_alloc(YOUNG_SIZE));
    }
  }
  if (minors() == 0) {
    fprintf(stderr, "test_generational: no minor collection ran (userfaultfd "
                    "asynchronous write protection missing?)%s\n",
            allow_no_minor() ? ": skipped" : "");
    return allow_no_minor() ? 0 : 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_store_into_old_object),
      cmocka_unit_test(test_chain_from_old_object),
      cmocka_unit_test(test_read2_into_old_object),
      cmocka_unit_test(test_minor_frees_young_garbage),
      cmocka_unit_test(test_fork_child),
      cmocka_unit_test(test_atomic_blocks_never_protected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
