/*
 * mark.h — the tri-color marker (mark.c).
 *
 * Colors: white = mark bit 0; grey = mark bit 1 and the object (or a part
 * of it) is on the grey stack; black = mark bit 1 and scanned.
 * Tri-color invariant (holds whenever the mutator runs during a cycle):
 * no black object points to a white one except through a slot recorded by
 * a barrier (explicit or virtual-memory dirty tracking) that remark will
 * rescan.  Objects allocated during a cycle are black (alloc.c).
 *
 * Every root source feeds the marker through two entry points:
 * mark_ambiguous_range (every aligned word may be a pointer; targets are
 * pinned) and mark_exact_slot (the slot holds a pointer or a non-heap
 * value; the target may move).
 */
#ifndef GLEANER_MARK_H
#define GLEANER_MARK_H
#include "gc_state.h"

/* One marker's grey stack: entries [lo, hi) to scan (lo | 1: precise). */
typedef struct grey_entry { uintptr_t lo, hi; } grey_entry;
typedef struct grey_stack {
  grey_entry *items;
  size_t count, capacity;
  uint64_t bytes_scanned;
} grey_stack;

void mark_begin(void);
void mark_ambiguous_range(const void *lo, const void *hi);
void mark_ambiguous_word(uintptr_t w);
void mark_exact_slot(void **slot);
/* Mark everything reachable from the grey stack, scanning at most
 * budget_bytes (SIZE_MAX: no limit).  Returns true when the stack is empty. */
bool mark_drain(size_t budget_bytes);
bool mark_stack_empty(void);
/* Drain everything on this thread only (many small drains). */
bool mark_drain_serial(void);
/* Grey an object again (its contents changed after it was scanned). */
void mark_scan_object(uint32_t bi, uint32_t slot);
/* Grey a range of words of a marked conservative object. */
void mark_push_range(uintptr_t lo, uintptr_t hi);
uint64_t mark_bytes_scanned(void);

/* Grey-stack overflow (mark.c): growth failures and heap rescans since
 * start-up (for tests and statistics). */
uint64_t mark_overflow_count(void);
uint64_t mark_overflow_rescans(void);

/* For mark_parallel.c: the collecting thread's stack, growing a stack,
 * and the drain loop with atomic mark bits on a marker's own stack (it
 * does not maintain block_meta.marked: recount after the drain).
 * grey_grow returns false when the stack could not grow: it then dropped
 * entries from its top instead (they are recovered by a heap rescan after
 * the drain), so there is room unless the stack has no memory at all. */
grey_stack *mark_main_stack(void);
bool grey_grow(grey_stack *gs);
bool mark_drain_shared(grey_stack *gs, size_t budget_bytes);
#endif
