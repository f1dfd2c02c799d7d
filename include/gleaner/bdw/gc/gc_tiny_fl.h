/*
 * gc/gc_tiny_fl.h — the free-list sizing constants that gc_inline.h clients
 * use to declare their own free-list arrays.  Gleaner's inline allocation
 * macros do not use those arrays (see gc_inline.h), but programs still
 * declare them, so the constants keep Boehm GC's values.
 */
#ifndef GC_TINY_FL_H
#define GC_TINY_FL_H

#if defined(__LP64__) || defined(_LP64)
#define GC_GRANULE_BYTES 16
#define GC_GRANULE_WORDS 2
#else
#define GC_GRANULE_BYTES 8
#define GC_GRANULE_WORDS 2
#endif
#define GC_WORDS_TO_GRANULES(n) ((n) * sizeof(void *) / GC_GRANULE_BYTES)
#define GC_TINY_FREELISTS 25
#define GC_RAW_BYTES_FROM_INDEX(i) ((i) * GC_GRANULE_BYTES)

#endif /* GC_TINY_FL_H */
