/*
 * suite.h — helpers shared by the compatibility-suite programs (not part of
 * any collector's API).
 *
 * The programs print only facts that hold under any correct conservative
 * collector: "was this object kept", "did at least most of these die".
 * A stale copy of a pointer in a dead stack frame may keep one object alive
 * a little longer under either collector, so before asking whether
 * something died the programs clear the stack below them and collect more
 * than once.
 */
#ifndef SUITE_H
#define SUITE_H

#include <stdio.h>
#include <string.h>

#define SHOW(label, cond) printf("%s: %s\n", (label), (cond) ? "yes" : "no")

/* Overwrites the stack area that the callee frames below the caller used. */
static __attribute__((noinline, unused)) void suite_clear_stack(void) {
  volatile char area[32768];
  memset((char *)area, 0, sizeof area);
  __asm__ __volatile__("" : : "r"(area) : "memory");
}

/* n full collections, each after clearing the dead stack. */
static __attribute__((noinline, unused)) void suite_collect(int n) {
  for (int i = 0; i < n; i++) {
    suite_clear_stack();
    GC_gcollect();
  }
}

/* A deterministic pseudo-random sequence (xorshift), for repeatable data. */
static __attribute__((unused)) unsigned long suite_rand(unsigned long *state) {
  unsigned long x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

#endif /* SUITE_H */
