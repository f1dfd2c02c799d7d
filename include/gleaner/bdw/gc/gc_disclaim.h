/*
 * gc/gc_disclaim.h — not provided by Gleaner's Boehm GC layer.
 *
 * Boehm GC ships this header; a program that includes it needs something
 * Gleaner cannot honour, so the build stops here with the reason instead of
 * failing (or silently misbehaving) later.
 */
#error "<gc/gc_disclaim.h> is not provided by Gleaner's Boehm GC layer: Gleaner has no reclaim notifiers (use finalizers)"
