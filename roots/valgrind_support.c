/*
 * valgrind_support.c — see valgrind_support.h.  The client requests cost a
 * few no-op instructions outside valgrind.
 */
#include "valgrind_support.h"
#include "gc_state.h"
#include <string.h>
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

bool running_on_valgrind(void) { return RUNNING_ON_VALGRIND != 0; }

void valgrind_scan_copy(const char *lo, const char *hi,
                        void (*scan)(const void *lo, const void *hi)) {
  enum { CHUNK = 4096 };
  uintptr_t copy[CHUNK / sizeof(uintptr_t)];
  lo = (const char *)((uintptr_t)lo & ~(uintptr_t)7);
  while (lo < hi) {
    size_t n = (size_t)(hi - lo) < CHUNK ? (size_t)(hi - lo) : CHUNK;
    /* Read through a defined view: memcpy would itself be checked. */
    VALGRIND_DISABLE_ADDR_ERROR_REPORTING_IN_RANGE(lo, n);
    memcpy(copy, lo, n);
    VALGRIND_ENABLE_ADDR_ERROR_REPORTING_IN_RANGE(lo, n);
    VALGRIND_MAKE_MEM_DEFINED(copy, n);
    scan(copy, (const char *)copy + n);
    lo += n;
  }
}
