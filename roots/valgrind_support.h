/*
 * valgrind_support.h — letting memcheck see the conservative scan for what
 * it is.  Stack and register words are copied into a buffer that is marked
 * defined and scanned there, so memcheck reports no uninitialised reads in
 * the collector and the user's own stack stays checked.
 */
#ifndef GLEANER_VALGRIND_SUPPORT_H
#define GLEANER_VALGRIND_SUPPORT_H
#include <stdbool.h>
#include <stddef.h>

bool running_on_valgrind(void);
void valgrind_scan_copy(const char *lo, const char *hi,
                        void (*scan)(const void *lo, const void *hi));
#endif
