/*
 * vm_mprotect.h — the fallback virtual-memory barrier (vm_mprotect.c):
 * mprotect + SIGSEGV, for kernels without asynchronous userfaultfd.
 */
#ifndef GLEANER_VM_MPROTECT_H
#define GLEANER_VM_MPROTECT_H
#include "gc_state.h"

bool mprotect_barrier_init(const char **why);
/* Write-protect the scanned blocks in [lo, hi). */
void mprotect_protect_range(uintptr_t lo, uintptr_t hi);
/* A block run entered use during a cycle: protect it if it is scanned. */
void mprotect_block_acquired(uint32_t index, uint32_t count);
/* Protect one card again before its objects are rescanned. */
void mprotect_rearm_card(uintptr_t card_lo);
/* During a cycle: put our handler back on top if it was replaced. */
void mprotect_poll(void);
/* The cycle is over: make the whole heap writable again. */
void mprotect_release_all(void);
#endif
