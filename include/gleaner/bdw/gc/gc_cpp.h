/*
 * gc/gc_cpp.h — not provided by Gleaner's Boehm GC layer.
 *
 * Boehm GC ships this header; a program that includes it needs something
 * Gleaner cannot honour, so the build stops here with the reason instead of
 * failing (or silently misbehaving) later.
 */
#error "<gc/gc_cpp.h> is not provided by Gleaner's Boehm GC layer: Gleaner's Boehm layer is for C; C++ operator new/gc_cleanup are not provided"
