/*
 * root_walk.h — every root, described: a visitor-style enumeration of the
 * same root sources the marker scans (roots.c), for diagnostics that keep
 * their own traversal (the heap verifier, the retention explainer).
 *
 * Where the marker only needs words, a diagnostic needs to say where a word
 * came from: which thread and which frame (function name and offset from
 * libunwind), which loaded object's data segment, which explicit range or
 * exact slot.  A root_desc carries that.
 *
 * The caller's own frames: a diagnostic running inside the collector must
 * not count its own locals as roots.  `floor` names the lowest stack
 * address that belongs to the program: frames below it are skipped, and
 * the callee-saved registers are read (through libunwind's unwind tables)
 * as they were in the first frame above it, which is exactly what the
 * program had in its registers when it called into the collector.
 */
#ifndef GLEANER_ROOT_WALK_H
#define GLEANER_ROOT_WALK_H
#include "gc_state.h"

typedef enum root_kind {
  ROOT_REGISTERS,     /* registers of a frame, or a stopped thread's context */
  ROOT_STACK_FRAME,   /* the words of one stack frame walked by libunwind */
  ROOT_STACK_REST,    /* stack words not attributed to a walked frame */
  ROOT_DATA_SEGMENT,  /* a writable PT_LOAD segment of a loaded object */
  ROOT_RANGE,         /* an explicit gc_add_roots range */
  ROOT_EXACT,         /* a gc_root_add slot */
  ROOT_SHADOW_STACK,  /* a GC_FRAME slot */
  ROOT_UNCOLLECTABLE, /* an uncollectable object (found by the heap walk) */
} root_kind;

#define ROOT_PROC_NAME 96

typedef struct root_desc {
  root_kind kind;
  unsigned thread;          /* ordinal of the thread in the registry */
  unsigned long thread_id;  /* its pthread_t */
  bool current_thread;      /* the thread running the walk */
  bool main_thread;
  unsigned frame;           /* frame number, 0 = innermost reported frame */
  uintptr_t ip;             /* the frame's instruction pointer */
  uintptr_t proc_offset;    /* ip minus the start of its function */
  char proc[ROOT_PROC_NAME];/* function name (name_frames), or "" */
  const char *object;       /* data segment: path of the loaded object */
  const void *lo, *hi;      /* the whole range this root belongs to */
  size_t index;             /* range or exact-root number */
  void *site;               /* range/exact root: where it was registered */
} root_desc;

typedef struct root_walker {
  /* [lo, hi) is scanned ambiguously.  Stack ranges may hold words that
   * memcheck thinks uninitialised: read them through a defined copy. */
  void (*ambiguous)(const void *lo, const void *hi, const root_desc *d, void *ctx);
  /* *slot is an exact root. */
  void (*exact)(void **slot, const root_desc *d, void *ctx);
  void *ctx;
  const char *floor;     /* current thread: the program's frames start above */
  bool name_frames;      /* look up function names (unw_get_proc_name) */
  unsigned max_frames;   /* frames reported one by one above the floor */
} root_walker;

/* Lock held, world stopped.  Calls w->ambiguous / w->exact for every root
 * the marker would scan (uncollectable objects excepted: they are heap). */
void roots_walk(const root_walker *w);

/* One line naming a root (and the word at `word` inside it, if non-NULL):
 * thread and frame, symbol and library (dladdr), range or slot. */
void root_desc_print(const root_desc *d, const void *word, FILE *out);
#endif
