/*
 * gc/gc_backptr.h — not provided by Gleaner's Boehm GC layer.
 *
 * Boehm GC ships this header; a program that includes it needs something
 * Gleaner cannot honour, so the build stops here with the reason instead of
 * failing (or silently misbehaving) later.
 */
#error "<gc/gc_backptr.h> is not provided by Gleaner's Boehm GC layer: Gleaner keeps no back pointers (use gleaner.h's gc_explain to see why an object is alive)"
