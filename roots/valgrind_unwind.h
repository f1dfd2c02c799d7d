/*
 * valgrind_unwind.h — letting memcheck watch libunwind walk a stack
 * (valgrind_unwind.c).  libunwind checks that a stack page is readable by
 * write(2)-ing its first byte into a pipe; memcheck then reports the
 * syscall reading an uninitialised stack byte, inside libunwind.  That
 * probe is deliberate, so under valgrind error reporting is turned off for
 * the duration of each unw_step call and nothing else: the collector's own
 * code around it, and the program, stay fully checked.  (Making the probed
 * bytes defined for the walk and restoring their V-bits afterwards does
 * not work for the page holding the stack pointer: memcheck marks stack
 * memory undefined again as libunwind's own frames grow into it.)
 */
#ifndef GLEANER_VALGRIND_UNWIND_H
#define GLEANER_VALGRIND_UNWIND_H
#define UNW_LOCAL_ONLY
#include <libunwind.h>

/* unw_step, with memcheck's reports muted inside it under valgrind. */
int unwind_step(unw_cursor_t *cursor);
#endif
