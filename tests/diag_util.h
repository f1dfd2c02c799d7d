/*
 * diag_util.h — helpers shared by the diagnostics tests (test_verify.c,
 * test_explain.c, test_faults.c, test_hardening.c): hidden pointers (a
 * complemented address is no root, so a test controls exactly what keeps
 * an object alive), a warn handler that records messages, a stack scrubber
 * (stale pointers in dead stack slots would otherwise be found by the
 * conservative scan of later frames), and an in-memory output stream.
 */
#ifndef GLEANER_DIAG_UTIL_H
#define GLEANER_DIAG_UTIL_H
#include "gleaner.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uintptr_t hide(const void *p) { return ~(uintptr_t)p; }
static inline void *reveal(uintptr_t h) { return (void *)~h; }
/* Reveal only at this point of the code: without the barrier the compiler
 * may compute the pointer early and keep it in a callee-saved register
 * across calls, where it really is a root. */
static inline __attribute__((always_inline)) void *reveal_now(uintptr_t h) {
  __asm__ volatile("" : "+r"(h)::"memory");
  return (void *)~h;
}

/* Warnings since the last warnings_reset(), newline-separated. */
static char warnings[16384];
static size_t warnings_len;
static unsigned warnings_count;
static void record_warning(const char *message) {
  size_t n = strlen(message);
  warnings_count++;
  if (warnings_len + n + 2 < sizeof warnings) {
    memcpy(warnings + warnings_len, message, n);
    warnings_len += n;
    warnings[warnings_len++] = '\n';
    warnings[warnings_len] = 0;
  }
}
static inline void warnings_reset(void) {
  warnings_len = 0;
  warnings_count = 0;
  warnings[0] = 0;
}
static inline void warnings_capture(void) {
  gc_set_warn_handler(record_warning);
  warnings_reset();
}

/* Overwrite the stack below the caller with zeros.  Not instrumented by
 * ASan: an instrumented frame surrounds the array with redzones that are
 * never written, and stale pointers would survive there. */
#if defined(__SANITIZE_ADDRESS__)
#define DIAG_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define DIAG_NO_ASAN
#endif
__attribute__((noinline)) DIAG_NO_ASAN static void scrub_stack(void) {
  volatile char pad[32768];
  memset((char *)pad, 0, sizeof pad);
  __asm__ volatile("" ::"r"(pad) : "memory");
}

/* An output stream into memory: text_open(); ... text_close() returns the
 * text (malloc'ed; caller frees). */
typedef struct text_stream { FILE *f; char *buf; size_t len; } text_stream;
static inline void text_open(text_stream *t) {
  t->buf = NULL;
  t->len = 0;
  t->f = open_memstream(&t->buf, &t->len);
}
static inline char *text_close(text_stream *t) {
  fclose(t->f);
  return t->buf;
}
#endif
