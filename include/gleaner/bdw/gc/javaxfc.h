/*
 * gc/javaxfc.h — not provided by Gleaner's Boehm GC layer.
 *
 * Boehm GC ships this header; a program that includes it needs something
 * Gleaner cannot honour, so the build stops here with the reason instead of
 * failing (or silently misbehaving) later.
 */
#error "<gc/javaxfc.h> is not provided by Gleaner's Boehm GC layer: Gleaner cannot finalize all objects at exit (GC_finalize_all)"
