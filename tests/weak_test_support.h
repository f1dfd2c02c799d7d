/*
 * weak_test_support.h — helpers shared by the finalization, weak-link and
 * ephemeron tests.
 *
 * Making an object unreachable under conservative stack scanning: a test
 * must not leave a copy of the address anywhere the collector scans.
 *   1. Objects are created inside noinline functions that return only a
 *      hidden value (HIDE: address XOR a constant that is never a heap
 *      address), so no live variable of the test names the object.
 *   2. Before collecting, collect_clean() calls scrub_stack(), which
 *      writes zeros over 64 KiB of stack below the current frame — where
 *      the dead frames of the creating functions (and of earlier
 *      finalizer runs) left stale copies — and zeroes the caller-saved
 *      registers, which are the only registers a returned-from function
 *      can leave a stale value in.  The collection then runs deeper than
 *      any scrubbed frame, so what it scans is either zero or live.
 *   3. A hidden address is turned back into a pointer only inside a
 *      noinline helper: in the test body the compiler may keep the
 *      unhidden value in a callee-saved register across calls, and every
 *      deeper frame that saves that register puts it on the stack.
 *   4. Links (gc_weak_link) are stored in malloc memory or atomic heap
 *      objects, which are never scanned.
 * An object meant to stay alive is kept in a static variable (data
 * segments are scanned), which a test clears to let it die.
 */
#ifndef WEAK_TEST_SUPPORT_H
#define WEAK_TEST_SUPPORT_H
#include "gleaner.h"
#include <stdint.h>
#include <string.h>

#define HIDE_MASK ((uintptr_t)0xA5A5000000000005ull)
#define HIDE(p) ((uintptr_t)(p) ^ HIDE_MASK)
#define UNHIDE(h) ((void *)((uintptr_t)(h) ^ HIDE_MASK))

__attribute__((noinline)) static void scrub_stack(void) {
  volatile char buf[64 * 1024];
  memset((char *)buf, 0, sizeof buf);
  __asm__ volatile("" : : "r"(buf) : "memory");
#if defined(__x86_64__)
  __asm__ volatile("xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
                   "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%r8d, %%r8d\n\t"
                   "xor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\txor %%r11d, %%r11d"
                   : : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
#endif
}

__attribute__((noinline)) static void collect_clean(void) {
  scrub_stack();
  gc_collect();
  scrub_stack();
}

/* Warnings are counted, not printed (a handler must not allocate). */
static int warnings_seen;
static char last_warning[512];
static void counting_warn(const char *message) {
  warnings_seen++;
  strncpy(last_warning, message, sizeof last_warning - 1);
}
#endif
