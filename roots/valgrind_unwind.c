/*
 * valgrind_unwind.c — see valgrind_unwind.h.  Outside valgrind this is
 * unw_step plus one client-request check (a few instructions).
 */
#include "valgrind_unwind.h"
#include "valgrind_support.h"
#include <valgrind/valgrind.h>

int unwind_step(unw_cursor_t *cursor) {
  if (!running_on_valgrind())
    return unw_step(cursor);
  VALGRIND_DISABLE_ERROR_REPORTING;
  int rc = unw_step(cursor);
  VALGRIND_ENABLE_ERROR_REPORTING;
  return rc;
}
