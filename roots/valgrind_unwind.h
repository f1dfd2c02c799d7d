/*
 * valgrind_unwind.h — letting memcheck watch libunwind walk a stack
 * (valgrind_unwind.c).  libunwind probes whether a stack page is readable
 * by write(2)-ing its first byte into a pipe; memcheck then reports the
 * syscall reading an uninitialised stack byte.  Around a walk, the first
 * byte of each stack page is made defined and afterwards given back its
 * exact previous state (VALGRIND_GET/SET_VBITS), so the program's own
 * stack stays fully checked.  Outside valgrind both calls return at once.
 */
#ifndef GLEANER_VALGRIND_UNWIND_H
#define GLEANER_VALGRIND_UNWIND_H
#include <stdint.h>

#define UNWIND_GUARD_PAGES 4096 /* 16 MiB of stack; pages beyond are left as they are */

typedef struct unwind_guard {
  uintptr_t first_page;
  uint32_t pages;
  uint8_t vbits[UNWIND_GUARD_PAGES];
  uint8_t state[UNWIND_GUARD_PAGES]; /* 0: untouched, 1: vbits saved, 2: was unaddressable */
} unwind_guard;

/* Before walking the stack [lo, hi). */
void valgrind_unwind_begin(unwind_guard *g, const void *lo, const void *hi);
/* After the walk: every probed byte back to its previous state. */
void valgrind_unwind_end(unwind_guard *g);
#endif
