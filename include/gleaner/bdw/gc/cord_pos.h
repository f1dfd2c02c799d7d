/*
 * gc/cord_pos.h — not provided by Gleaner's Boehm GC layer.
 *
 * Boehm GC ships this header; a program that includes it needs something
 * Gleaner cannot honour, so the build stops here with the reason instead of
 * failing (or silently misbehaving) later.
 */
#error "<gc/cord_pos.h> is not provided by Gleaner's Boehm GC layer: the cord string library belongs to Boehm GC's libcord, which Gleaner does not provide"
