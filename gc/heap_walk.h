/*
 * heap_walk.h — an independent breadth-first traversal of the heap from
 * the roots, for diagnostics (verify.c, explain.c).
 *
 * It shares nothing with the marker's state: reachability is recorded in
 * its own visited bitmap and records, so it can check the marker's result
 * (the verifier) or explain it (the explainer).  Every object reached gets
 * one record with its parent (the record that first reached it, or a root)
 * and the address of the referring word; records are in breadth-first
 * order, so following parents from any record gives a shortest path from
 * a root.  Objects are found as the marker finds them: ambiguous words
 * (roots, conservative objects) may point anywhere inside an allocated
 * object; precise objects are traced through their gc_type.
 *
 * All scratch memory is mmapped (never heap, never a data segment), so a
 * walk neither allocates in the heap nor becomes a root itself.
 */
#ifndef GLEANER_HEAP_WALK_H
#define GLEANER_HEAP_WALK_H
#include "object_map.h"
#include "root_walk.h"

#define WALK_NONE UINT32_MAX

typedef struct walk_record {
  char *start;      /* first byte of the slot (the header for precise) */
  size_t size;      /* bytes of the slot or large run */
  uint32_t block;   /* head block */
  uint32_t slot;
  uint32_t parent;  /* record that first reached it, or WALK_NONE (a root) */
  uint32_t root;    /* index in roots[] of the root its path starts from */
  uintptr_t ref;    /* address of the referring word (in the parent or root) */
  uintptr_t value;  /* what that word holds: an interior pointer shows here */
} walk_record;

typedef struct walk_options {
  const char *floor;  /* the program's frames start above (root_walk.h) */
  bool name_frames;
  unsigned max_frames;
  uintptr_t stop_at;  /* slot start to look for (found: its record) */
  bool stop_when_found; /* stop there rather than walk everything */
} walk_options;

typedef struct heap_walk {
  walk_record *records;
  size_t count, capacity;
  root_desc *roots;
  size_t root_count, root_capacity;
  uint64_t *visited;      /* one bit per slot, BITMAP_WORDS words per block */
  size_t visited_bytes;
  uint32_t blocks;        /* blocks covered by visited */
  uintptr_t stop_at;      /* from walk_options */
  bool stop_when_found;
  uint32_t found;         /* record of stop_at, or WALK_NONE */
  bool failed;            /* scratch memory could not be mapped */
  /* Root being enumerated: stored in roots[] when it first reaches an
   * object (most roots reach nothing new). */
  const root_desc *pending;
  uint32_t pending_index;
} heap_walk;

/* Lock held, cursors flushed or not (handed-out slots count as objects).
 * 0 on success, -1 if scratch memory ran out (hw->failed; partial). */
int heap_walk_run(heap_walk *hw, const walk_options *opt);
void heap_walk_release(heap_walk *hw);

/* The user-visible start and size of a record's object. */
char *walk_user_start(const walk_record *r);
size_t walk_user_size(const walk_record *r);

/* Read one word that may be a stack word memcheck thinks undefined or an
 * ASan redzone (roots are read blind, by design). */
uintptr_t walk_load_word(const uintptr_t *p);
#endif
