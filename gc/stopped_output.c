/*
 * stopped_output.c — a memory stream for text produced with the world
 * stopped (why: stopped_output.h).
 *
 * The stream is a fopencookie stream whose write function appends to a
 * meta_alloc buffer.  fopencookie itself allocates with malloc, so it is
 * made (and closed) while the world runs; during the stopped section
 * only the write function runs.  The stream is unbuffered: glibc then
 * formats each call into a buffer on the stack and calls the write
 * function once, with no stdio buffer to allocate.
 */
#include "stopped_output.h"
#include "meta_alloc.h"
#include <string.h>

static ssize_t cookie_write(void *cookie, const char *data, size_t n) {
  stopped_output *o = cookie;
  if (o->len + n > o->cap) {
    size_t cap = o->cap;
    while (cap < o->len + n)
      cap *= 2;
    char *b = meta_realloc(o->buf, cap);
    if (!b) {
      o->failed = true;
      return 0; /* a write error on the stream; the text is cut short */
    }
    o->buf = b;
    o->cap = cap;
  }
  memcpy(o->buf + o->len, data, n);
  o->len += n;
  return (ssize_t)n;
}

#define FIRST_BYTES ((size_t)64 * 1024) /* most reports fit: no growth while stopped */

FILE *stopped_output_open(stopped_output *o, FILE *dest) {
  *o = (stopped_output){.dest = dest};
  cookie_io_functions_t io = {.write = cookie_write};
  o->buf = meta_alloc(FIRST_BYTES);
  if (!o->buf) {
    o->stream = dest; /* no memory now: write directly, as before */
    return dest;
  }
  o->cap = FIRST_BYTES;
  o->stream = fopencookie(o, "w", io);
  if (o->stream && setvbuf(o->stream, NULL, _IONBF, 0) != 0) {
    fclose(o->stream);
    o->stream = NULL;
  }
  if (!o->stream)
    o->stream = dest;
  return o->stream;
}

void stopped_output_finish(stopped_output *o) {
  if (o->stream != o->dest) {
    fclose(o->stream);
    if (o->len)
      fwrite(o->buf, 1, o->len, o->dest);
    if (o->failed)
      fputs("\n(gleaner: out of memory for the report; the rest is missing)\n", o->dest);
  }
  meta_free(o->buf);
  *o = (stopped_output){0};
}
