/*
 * gc/gc_version.h — the Boehm GC API level that Gleaner's compatibility
 * layer reproduces.
 *
 * Programs compare these numbers with GC_get_version() to detect a header /
 * library mismatch, and some test GC_VERSION_MAJOR to choose between API
 * generations.  We report the Boehm release whose documented semantics the
 * layer follows (8.2.2), so such checks take their modern branch and
 * GC_get_version() agrees with the header.  GC_GLEANER tells a program that
 * it is in fact running on Gleaner.
 */
#ifndef GC_VERSION_H
#define GC_VERSION_H

#define GC_VERSION_MAJOR 8
#define GC_VERSION_MINOR 2
#define GC_VERSION_MICRO 2

/* Defined only by Gleaner's headers: the layer's own version. */
#define GC_GLEANER 1
#define GC_GLEANER_VERSION_MAJOR 0
#define GC_GLEANER_VERSION_MINOR 1

#endif /* GC_VERSION_H */
