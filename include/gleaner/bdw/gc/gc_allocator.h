/*
 * gc/gc_allocator.h — not provided by Gleaner's Boehm GC layer.
 *
 * Boehm GC ships this header; a program that includes it needs something
 * Gleaner cannot honour, so the build stops here with the reason instead of
 * failing (or silently misbehaving) later.
 */
#error "<gc/gc_allocator.h> is not provided by Gleaner's Boehm GC layer: Gleaner's Boehm layer is for C; the C++ allocators are not provided"
