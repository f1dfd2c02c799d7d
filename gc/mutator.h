/*
 * mutator.h — the per-thread record: allocation cursors, shadow-stack top,
 * stack bounds.  One per registered thread, in mmapped memory (so that it
 * is never mistaken for a root), reached through the thread-local pointer
 * gleaner_self.
 *
 * An allocation cursor hands out the free slots of one bitmap word of one
 * block: `remaining` has a bit per free slot not yet handed out.  The fast
 * path (alloc_fast.h) only clears the lowest bit; the alloc bits of the
 * block are updated when the cursor moves on or is flushed (heap_layout.h
 * invariant I3).
 *
 * A cursor sets aside, under the lock, every free slot of the block it
 * takes (alloc bits set at once); `reserved` remembers, per bitmap word,
 * which slots those are, so that the owner moves from word to word
 * without the lock and a flush can give back what was not handed out.
 * The protocol between the owner and a collection that stops it is at
 * the top of alloc.c.
 */
#ifndef GLEANER_MUTATOR_H
#define GLEANER_MUTATOR_H

#include "gleaner.h"
#include "heap_layout.h"
#include "size_classes.h"
#include <ucontext.h>

typedef struct alloc_cursor {
  uint64_t remaining;  /* free slots of the current word not handed out */
  char *word_base;     /* address of the slot of bit 0 of the current word */
  uint32_t size;       /* slot size */
  uint32_t block;      /* block index + 1; 0: no block */
  uint32_t word;       /* current word index in the block's bitmaps */
} alloc_cursor;
/* 32 bytes: the fast path indexes cursors with a shift. */
_Static_assert(sizeof(alloc_cursor) == 32, "cursor is 32 bytes");

/* Slots set aside for one cursor in its block, per bitmap word, not yet
 * handed to the cursor's current word (alloc.c). */
typedef uint64_t cursor_reserve[BITMAP_WORDS];

/* mutator.stopped during a collection. */
#define MUTATOR_RUNNING 0  /* the collecting thread itself, or no collection */
#define MUTATOR_SIGNALED 1 /* stopped in the suspend handler: it may have been
                              interrupted inside the allocation fast path */
#define MUTATOR_PARKED 2   /* in a blocking region: not inside any allocation */

/* Only these kinds have thread-local cursors; the uncollectable kinds are
 * rare and go through the locked slow path. */
#define CURSOR_KINDS 3

typedef struct mutator {
  alloc_cursor cursors[CURSOR_KINDS][NUM_CLASSES];
  gc_frame *frame_top;        /* shadow stack of exact roots */
  struct mutator *next;       /* registry of threads */
  pthread_t thread;
  char *stack_base;           /* highest address of the stack (exclusive) */
  char *stack_limit;          /* lowest address of the stack */
  /* State saved by a stopped or blocked thread (roots/stop_world.c,
   * roots/threads.c).  `stopped` is the thread's part in the current
   * stop-the-world (MUTATOR_*): written by the collector, under the lock,
   * while the world is stopped.  `blocking` is set by gc_enter_blocking
   * (atomic, release) and cleared by gc_leave_blocking under the lock;
   * `ack_gen` is the stop generation the signal handler last answered. */
  ucontext_t saved_context;
  char *saved_sp;
  volatile int stopped;
  volatile int blocking;
  volatile uint32_t ack_gen;
  int is_main;
  uint64_t alloc_count;       /* for stress mode */
  uint64_t alloc_epoch;       /* G->collections at its last slow path */
  /* CURSOR_KINDS * NUM_CLASSES entries, indexed like `cursors`; they live
   * in the same mapping, right after the record (MUTATOR_MAP_BYTES), so
   * the unregistered dummy (a static, scanned as data) stays small.
   * Dirty bits: per kind, a bit per class whose set-aside slots are not
   * zeroed yet.  Both written by the owner only (under the lock when
   * setting aside) and by a collection (giving slots back). */
  cursor_reserve *reserved;
  uint64_t reserved_dirty[CURSOR_KINDS];
} mutator;
_Static_assert(NUM_CLASSES <= 64, "reserved_dirty has a bit per class");

/* Bytes mapped for one mutator record and its reservations. */
#define MUTATOR_MAP_BYTES \
  (sizeof(mutator) + sizeof(cursor_reserve) * CURSOR_KINDS * NUM_CLASSES)

/* The calling thread's record; points at an empty dummy (all cursors empty)
 * until the thread is registered, so the fast path needs no NULL test. */
extern __thread mutator *gleaner_self
    __attribute__((tls_model("initial-exec"), visibility("hidden")));
extern mutator gleaner_unregistered __attribute__((visibility("hidden")));

mutator *mutator_current(void); /* registers the thread if needed */
#endif
