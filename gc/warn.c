/*
 * warn.c — how the collector talks to the user: the warn handler for bad
 * input (the heap stays intact and the program goes on), the out-of-memory
 * handler, and gc_fatal for broken internal invariants (silent corruption
 * is the one unacceptable outcome, so those abort loudly).
 */
#include "gc_state.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void default_warn(const char *message) {
  fprintf(stderr, "gleaner: %s\n", message);
}

static gc_warn_fn current_warn(void) {
  return G && G->warn ? G->warn : default_warn;
}

void gc_warnf(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  current_warn()(buf);
}

void gc_fatal(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  if ((size_t)n >= sizeof buf)
    n = sizeof buf - 1;
  /* write(2) rather than stdio: the heap may be in any state. */
  ssize_t ignored = write(2, "gleaner: fatal: ", 16);
  ignored = write(2, buf, (size_t)n);
  ignored = write(2, "\n", 1);
  (void)ignored;
  abort();
}

gc_warn_fn gc_set_warn_handler(gc_warn_fn fn) {
  ensure_init();
  gc_warn_fn old = current_warn();
  G->warn = fn ? fn : default_warn;
  return old;
}

gc_oom_fn gc_set_oom_handler(gc_oom_fn fn) {
  ensure_init();
  gc_oom_fn old = G->oom;
  G->oom = fn;
  return old;
}
