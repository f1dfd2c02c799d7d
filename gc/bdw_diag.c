/*
 * bdw_diag.c — warnings, the statistics log and out-of-memory exits of the
 * Boehm GC layer.
 *
 * Warnings: Gleaner reports through one handler taking a plain message;
 * Boehm programs install a GC_warn_proc taking a printf format and one word
 * argument.  The bridge installed at initialization hands each Gleaner
 * message to the current GC_warn_proc as "GC Warning: <text>\n" with every
 * '%' doubled, so a proc that does printf(msg, arg) prints the text as is.
 * While the program has not installed a proc of its own, Gleaner's default
 * handler keeps printing (stderr).  The layer's own warnings take the same
 * path.
 *
 * Statistics: GC_print_stats (or GC_PRINT_STATS in the environment) prints
 * Gleaner's summary at exit to GC_LOG_FILE, the descriptor given to
 * GC_set_log_fd, or stderr.
 */
#include "bdw_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BDW_WARN_MAX 512

static gc_warn_fn gleaner_default_warn;
static FILE *log_file;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
/* What GC_get_warn_proc returns until the program installs its own: prints
 * the format with its argument to stderr, as Boehm's default does. */
static void GC_CALLBACK default_warn_proc(char *msg, GC_word arg) {
  fprintf(stderr, msg, arg);
  fflush(stderr);
}
#pragma GCC diagnostic pop

static GC_warn_proc current_warn = default_warn_proc;

/* "GC Warning: <msg>\n" with each '%' doubled, truncated to fit. */
static void format_for_proc(const char *msg, char *out, size_t cap) {
  static const char prefix[] = "GC Warning: ";
  size_t n = 0;
  for (const char *s = prefix; *s && n + 1 < cap; s++)
    out[n++] = *s;
  for (const char *s = msg; *s && n + 3 < cap; s++) {
    if (*s == '%')
      out[n++] = '%';
    out[n++] = *s;
  }
  out[n++] = '\n';
  out[n] = '\0';
}

static void deliver(const char *msg) {
  GC_warn_proc proc = __atomic_load_n(&current_warn, __ATOMIC_ACQUIRE);
  gc_warn_fn plain = __atomic_load_n(&gleaner_default_warn, __ATOMIC_ACQUIRE);
  if (proc == default_warn_proc && plain != NULL) {
    plain(msg);
    return;
  }
  char buf[BDW_WARN_MAX];
  format_for_proc(msg, buf, sizeof buf);
  proc(buf, 0);
}

static void bridge(const char *msg) { deliver(msg); }

void bdw_diag_init(void) {
  gc_warn_fn previous = gc_set_warn_handler(bridge);
  if (previous != bridge)
    __atomic_store_n(&gleaner_default_warn, previous, __ATOMIC_RELEASE);
}

void bdw_warnf(const char *fmt, ...) {
  char msg[BDW_WARN_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  deliver(msg);
}

GC_API void GC_CALL GC_set_warn_proc(GC_warn_proc proc) {
  __atomic_store_n(&current_warn, proc ? proc : default_warn_proc,
                   __ATOMIC_RELEASE);
}

GC_API GC_warn_proc GC_CALL GC_get_warn_proc(void) {
  return __atomic_load_n(&current_warn, __ATOMIC_ACQUIRE);
}

GC_API void GC_CALLBACK GC_ignore_warn_proc(char *msg, GC_word arg) {
  (void)msg;
  (void)arg;
}

/* ---- statistics log ----------------------------------------------------- */

static void print_stats_at_exit(void) {
  if (__atomic_load_n(&GC_print_stats, __ATOMIC_RELAXED) == 0)
    return;
  FILE *out = log_file ? log_file : stderr;
  gc_print_stats(out);
  fflush(out);
}

void bdw_log_init(void) {
  const char *path = getenv("GC_LOG_FILE");
  if (path != NULL && log_file == NULL) {
    log_file = fopen(path, "w");
    if (log_file == NULL)
      bdw_warnf("GC_LOG_FILE: cannot open %s", path);
  }
  atexit(print_stats_at_exit);
}

GC_API void GC_CALL GC_set_log_fd(int fd) {
  int copy = dup(fd);
  FILE *f = copy >= 0 ? fdopen(copy, "w") : NULL;
  if (f == NULL) {
    if (copy >= 0)
      close(copy);
    bdw_warnf("GC_set_log_fd(%d): not a writable descriptor", fd);
    return;
  }
  log_file = f;
}


GC_API void GC_CALL GC_abort_on_oom(void) {
  fputs("Insufficient memory for the allocation\n", stderr);
  exit(1);
}
