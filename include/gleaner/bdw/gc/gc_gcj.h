/*
 * gc/gc_gcj.h — not provided by Gleaner's Boehm GC layer.
 *
 * Boehm GC ships this header; a program that includes it needs something
 * Gleaner cannot honour, so the build stops here with the reason instead of
 * failing (or silently misbehaving) later.
 */
#error "<gc/gc_gcj.h> is not provided by Gleaner's Boehm GC layer: Gleaner has no GCJ-style object kind (use gleaner.h's gc_type for precise objects)"
