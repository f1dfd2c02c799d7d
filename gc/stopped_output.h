/*
 * stopped_output.h — text written while the world is stopped, printed
 * once it runs again (stopped_output.c).
 *
 * Why: gc_explain and the exit report describe the heap with every other
 * thread stopped, and a stopped thread may hold the lock of the FILE they
 * print to (a printf to stderr interrupted by the suspend signal), or the
 * malloc lock that a stdio buffer allocation would take.  So the text
 * goes to a memory stream made before the world stops; its buffer grows
 * with meta_alloc (mmap), and it is unbuffered, so no write reaches malloc
 * or another thread's lock.  After the restart it is copied to the real
 * FILE.
 */
#ifndef GLEANER_STOPPED_OUTPUT_H
#define GLEANER_STOPPED_OUTPUT_H
#include <stdbool.h>
#include <stdio.h>

typedef struct stopped_output {
  FILE *stream;   /* write here while stopped (the real FILE if open failed) */
  FILE *dest;
  char *buf;      /* meta_alloc memory */
  size_t len, cap;
  bool failed;    /* the buffer could not grow: text was lost */
} stopped_output;

/* World running: a stream for the stopped section (its first 64 KiB are
 * mapped now, so a typical report never grows it while stopped), or dest
 * itself when no memory can be had (then the text is written directly, as
 * before; test_faults relies on a report still getting out then). */
FILE *stopped_output_open(stopped_output *o, FILE *dest);
/* World running again: copy what was written to dest and release. */
void stopped_output_finish(stopped_output *o);
#endif
