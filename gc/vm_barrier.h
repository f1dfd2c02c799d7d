/*
 * vm_barrier.h — dirty-page tracking for programs that call no barrier
 * (vm_barrier.c): Linux userfaultfd asynchronous write-protection read
 * back with the PAGEMAP_SCAN ioctl.
 */
#ifndef GLEANER_VM_BARRIER_H
#define GLEANER_VM_BARRIER_H
#include "gc_state.h"

#define CARD_SHIFT 12
#define CARD_SIZE ((uintptr_t)1 << CARD_SHIFT)

/* Set up once (lock held, at init or first use); false if unavailable,
 * with the reason in *why. */
bool vm_barrier_init(const char **why);
bool vm_barrier_ready(void);
/* Set up the userfaultfd mechanism only (never the mprotect fallback,
 * which would install a signal handler): for minor collections. */
bool vm_barrier_init_uffd(void);
void vm_barrier_after_fork_child(void);
/* Lock held: blocks [first, first + count) leave the free pool, or a
 * listed block with old objects is taken by a cursor (generational.c):
 * pages that a protecting walk left protected are unprotected, so that
 * the allocator's first writes do not fault. */
void vm_block_taken(uint32_t first, uint32_t count);
/* Minor collections (userfaultfd only): record the pages written since
 * the last protection into the dirty cards, without protecting them, in
 * the blocks that hold old (marked) objects; and, after the flip, protect
 * every page of the blocks in use. */
size_t vm_record_written(void);
void vm_protect_in_use(void);
/* Re-arm write protection on [*cursor, end), at most max_bytes of it per
 * call, recording the pages written since into the dirty cards if record
 * (userfaultfd only); advances *cursor.  Returns true when *cursor
 * reached end. */
bool vm_protect_step(uintptr_t *cursor, uintptr_t end, size_t max_bytes, bool record);
/* Record every page written since it was last protected into the dirty
 * card set, and protect it again.  Returns the number of dirty pages. */
size_t vm_collect_dirty(void);
/* The same, bounded: harvest from *cursor on until max_pages dirty pages
 * were found; returns true (and rewinds *cursor) when the heap's end was
 * reached, i.e. a round is complete. */
bool vm_collect_dirty_step(uintptr_t *cursor, size_t max_pages, size_t *pages);
/* True when the mprotect fallback is in use (read(2) into scanned heap
 * memory then fails with EFAULT during a cycle). */
bool vm_barrier_is_mprotect(void);
/* Hooks for the mprotect fallback (no-ops with userfaultfd). */
void vm_block_acquired(uint32_t index, uint32_t count);
void vm_poll(void);
void vm_rearm_card(uintptr_t card_lo);
void vm_cycle_end(void);
#endif
