/*
 * test_util.h — helpers for tests that must observe reclamation under a
 * conservative collector.
 *
 * A pointer the test wants to watch without keeping it alive is stored
 * "hidden" (XOR with a mask), so no word in memory equals it.  Objects are
 * allocated in noinline functions, and before a collection the test calls
 * clear_stack_below() to overwrite the dead part of the stack where stale
 * copies of pointers may remain.  After a collection an unreachable object
 * has its alloc bit cleared, so gc_base(revealed pointer) returns NULL
 * until the slot is reused — that is how tests see that it was freed.
 */
#ifndef GLEANER_TEST_UTIL_H
#define GLEANER_TEST_UTIL_H
#include <gleaner.h>
#include <stdint.h>
#include <string.h>

#define HIDE_MASK ((uintptr_t)0x5a5a5a5a5a5a5a5aull)
/* Not inline: a revealed pointer must not be computed once and kept in a
 * callee-saved register across the collections the test makes. */
static __attribute__((noinline, unused)) uintptr_t hide(const void *p) {
  return (uintptr_t)p ^ HIDE_MASK;
}
static __attribute__((noinline, unused)) void *reveal(uintptr_t h) {
  __asm__ volatile("" ::: "memory");
  return (void *)(h ^ HIDE_MASK);
}

static __attribute__((noinline, unused)) void clear_stack_below(void) {
  volatile char buf[64 * 1024];
  memset((char *)buf, 0, sizeof buf);
  __asm__ volatile("" ::"r"(buf) : "memory");
}

/* Allocate n bytes filled with byte b; return it hidden. */
static __attribute__((noinline, unused)) uintptr_t alloc_hidden(size_t n, int atomic, int b) {
  char *p = atomic ? gc_alloc_atomic(n) : gc_alloc(n);
  if (p)
    memset(p, b, n);
  return hide(p);
}

static __attribute__((noinline, unused)) int is_live(uintptr_t h) { return gc_base(reveal(h)) != NULL; }

/* *slot = revealed h, done in a frame of its own so no register or stack
 * word of the caller keeps the pointer. */
static __attribute__((noinline, unused)) void store_revealed(void **slot, uintptr_t h, size_t offset) {
  *slot = (char *)reveal(h) + offset;
}

static __attribute__((noinline, unused)) void collect_clean(void) {
  clear_stack_below();
  gc_collect();
}
#endif
