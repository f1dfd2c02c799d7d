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
 *      registers, general and vector (see clear_zmm_high for why the
 *      vector ones matter), the only registers a returned-from function
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

#if defined(__x86_64__)
/* Vector registers: memcpy, memset and realloc move heap pointers through
 * them (glibc uses zmm16-31 on AVX-512 machines), and the dynamic linker's
 * lazy-binding trampoline (_dl_runtime_resolve_xsavec) saves the whole
 * vector state on the stack, inside the collector's own frames, the first
 * time the collector calls a library function.  So they are zeroed too. */
__attribute__((target("avx512f"), noinline)) static void clear_zmm_high(void) {
  __asm__ volatile("vpxord %%zmm16, %%zmm16, %%zmm16\n\tvpxord %%zmm17, %%zmm17, %%zmm17\n\t"
                   "vpxord %%zmm18, %%zmm18, %%zmm18\n\tvpxord %%zmm19, %%zmm19, %%zmm19\n\t"
                   "vpxord %%zmm20, %%zmm20, %%zmm20\n\tvpxord %%zmm21, %%zmm21, %%zmm21\n\t"
                   "vpxord %%zmm22, %%zmm22, %%zmm22\n\tvpxord %%zmm23, %%zmm23, %%zmm23\n\t"
                   "vpxord %%zmm24, %%zmm24, %%zmm24\n\tvpxord %%zmm25, %%zmm25, %%zmm25\n\t"
                   "vpxord %%zmm26, %%zmm26, %%zmm26\n\tvpxord %%zmm27, %%zmm27, %%zmm27\n\t"
                   "vpxord %%zmm28, %%zmm28, %%zmm28\n\tvpxord %%zmm29, %%zmm29, %%zmm29\n\t"
                   "vpxord %%zmm30, %%zmm30, %%zmm30\n\tvpxord %%zmm31, %%zmm31, %%zmm31"
                   : : : "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
                     "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30",
                     "xmm31");
}
__attribute__((target("avx"), noinline)) static void clear_ymm(void) {
  __asm__ volatile("vzeroall" : : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                   "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                   "xmm15");
}
__attribute__((noinline)) static void clear_xmm(void) {
  __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\t"
                   "pxor %%xmm3, %%xmm3\n\tpxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
                   "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm8, %%xmm8\n\t"
                   "pxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
                   "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\tpxor %%xmm14, %%xmm14\n\t"
                   "pxor %%xmm15, %%xmm15"
                   : : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                     "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}
#endif

/* Not instrumented by AddressSanitizer: in an instrumented frame the
 * array is surrounded by redzones that memset never writes, and stale
 * pointers of dead frames survive there (docs/diagnostics.md). */
#if defined(__SANITIZE_ADDRESS__)
#define WEAK_TEST_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define WEAK_TEST_NO_ASAN
#endif
__attribute__((noinline)) WEAK_TEST_NO_ASAN static void scrub_stack(void) {
  volatile char buf[64 * 1024];
  memset((char *)buf, 0, sizeof buf);
  __asm__ volatile("" : : "r"(buf) : "memory");
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f"))
    clear_zmm_high();
  if (__builtin_cpu_supports("avx"))
    clear_ymm();
  else
    clear_xmm();
  __asm__ volatile("xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
                   "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%r8d, %%r8d\n\t"
                   "xor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\txor %%r11d, %%r11d"
                   : : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
#endif
}

__attribute__((noinline, unused)) static void collect_clean(void) {
  scrub_stack();
  gc_collect();
  scrub_stack();
}

/* Warnings are counted, not printed (a handler must not allocate). */
static int warnings_seen;
static char last_warning[512];
__attribute__((unused)) static void counting_warn(const char *message) {
  warnings_seen++;
  strncpy(last_warning, message, sizeof last_warning - 1);
}
#endif
