/*
 * explain.h — "why is this object alive?" (explain.c): the shortest path
 * from a root to an object, with each root named (thread and function for
 * stacks and registers, symbol and library for globals, range or slot for
 * explicit roots) and each object on the path given by address, size,
 * kind and the offset of the referring word.
 */
#ifndef GLEANER_EXPLAIN_H
#define GLEANER_EXPLAIN_H
#include "heap_walk.h"

/* The path from a root to record `index` of a finished walk. */
void explain_print_path(const heap_walk *hw, uint32_t index, FILE *out);
/* One object: address, size, kind, class/large. */
void explain_print_object(const walk_record *r, FILE *out);
/* The `limit` largest objects reached by the walk, each with its root. */
void explain_print_largest(const heap_walk *hw, unsigned limit, FILE *out);
/* Lock held, after marking: if GLEANER_EXPLAIN=0xADDR is set, say on
 * stderr whether that object is marked and why it is reachable. */
void explain_env_after_mark(const char *floor);
/* Read GLEANER_EXPLAIN again at the next collection (tests). */
void explain_env_reload(void);
#endif
