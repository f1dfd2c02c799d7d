/*
 * valgrind_unwind.c — see valgrind_unwind.h.  Callers keep the guard in
 * static memory (8 KiB, only filled under valgrind) and hold the lock.
 */
#include "valgrind_unwind.h"
#include "valgrind_support.h"
#include <valgrind/memcheck.h>

#define PAGE ((uintptr_t)4096)

void valgrind_unwind_begin(unwind_guard *g, const void *lo, const void *hi) {
  g->pages = 0;
  if (!running_on_valgrind() || (uintptr_t)hi <= (uintptr_t)lo)
    return;
  g->first_page = (uintptr_t)lo & ~(PAGE - 1);
  uintptr_t n = ((uintptr_t)hi - g->first_page + PAGE - 1) / PAGE;
  g->pages = n > UNWIND_GUARD_PAGES ? UNWIND_GUARD_PAGES : (uint32_t)n;
  for (uint32_t i = 0; i < g->pages; i++) {
    char *byte = (char *)(g->first_page + i * PAGE);
    /* 1: saved, restore it afterwards; 3: unaddressable (below the stack
     * pointer): defined for the walk, unaddressable again afterwards. */
    unsigned rc = VALGRIND_GET_VBITS(byte, &g->vbits[i], 1);
    g->state[i] = rc == 1 ? 1 : rc == 3 ? 2 : 0;
    if (g->state[i])
      (void)VALGRIND_MAKE_MEM_DEFINED(byte, 1);
  }
}

void valgrind_unwind_end(unwind_guard *g) {
  for (uint32_t i = 0; i < g->pages; i++) {
    char *byte = (char *)(g->first_page + i * PAGE);
    if (g->state[i] == 1)
      (void)VALGRIND_SET_VBITS(byte, &g->vbits[i], 1);
    else if (g->state[i] == 2)
      (void)VALGRIND_MAKE_MEM_NOACCESS(byte, 1);
  }
  g->pages = 0;
}
