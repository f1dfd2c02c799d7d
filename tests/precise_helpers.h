/*
 * precise_helpers.h — shared by the precise-object and compaction tests:
 * hidden addresses, stack clearing, warning capture, and a forced
 * compaction cycle.
 *
 * Why hide addresses: the stack is scanned conservatively, so any copy of
 * an object's address left in a local pins that object.  A test that wants
 * an object to be named only exactly keeps its old address XOR-ed with a
 * mask (never a heap address) in malloc memory, which is not scanned.
 */
#ifndef PRECISE_HELPERS_H
#define PRECISE_HELPERS_H

#include "compact.h"
#include "gleaner.h"
#include <stdint.h>
#include <string.h>

#define HIDE_MASK ((uintptr_t)0x5A5A5A5A5A5A5A5Aull)
static inline uintptr_t hide(const void *p) { return (uintptr_t)p ^ HIDE_MASK; }
static inline void *unhide(uintptr_t h) { return (void *)(h ^ HIDE_MASK); }

/* Overwrite the dead part of the stack below the caller, where helpers
 * left copies of addresses. */
#if defined(__SANITIZE_ADDRESS__) /* redzones around buf would keep stale words */
#define PRECISE_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define PRECISE_NO_ASAN
#endif
static __attribute__((noinline, unused)) PRECISE_NO_ASAN void clear_stack(void) {
  volatile char buf[32768];
  memset((char *)buf, 0, sizeof buf);
  __asm__ volatile("" : : "r"(buf) : "memory");
}

/* Two full collections: the first measures every block's live bytes, the
 * second evacuates (with threshold 100 every precise block qualifies). */
static __attribute__((noinline, unused)) void compact_now(void) {
  clear_stack();
  gc_collect();
  clear_stack();
  gc_collect();
}

/* Warning capture. */
static char captured_warnings[8192];
static unsigned captured_count;
static inline void capture_warn(const char *message) {
  size_t used = strlen(captured_warnings);
  if (used + strlen(message) + 2 < sizeof captured_warnings) {
    strcat(captured_warnings, message);
    strcat(captured_warnings, "\n");
  }
  captured_count++;
}
static inline void capture_begin(void) {
  captured_warnings[0] = 0;
  captured_count = 0;
  gc_set_warn_handler(capture_warn);
}
static inline void capture_end(void) { gc_set_warn_handler(NULL); }
static inline int captured(const char *needle) { return strstr(captured_warnings, needle) != NULL; }
#endif
