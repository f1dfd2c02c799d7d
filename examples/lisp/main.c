/*
 * main.c — the `lisp` command.
 *
 *   lisp [--stats] [file.scm]
 *
 * With a file: runs it as a script (exit status 1 if it raised an error).
 * Without: a REPL on standard input (prompts only on a terminal).
 * --stats: at exit, one line on stderr with wall and CPU time, peak and
 * final RSS and the collector's counters (used by the bench-lisp target).
 */
#include "lisp.h"

#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void lisp_repl(FILE *in);

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set size now, from /proc (0 where unavailable). */
static long current_rss_kb(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL)
    return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void print_run_stats(double wall) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  gc_stats st;
  gc_get_stats(&st);
  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  fprintf(stderr,
          "stats: wall=%.3f cpu=%.3f maxrss_kb=%ld rss_kb=%ld collections=%llu "
          "heap_bytes=%zu live_bytes=%zu objects_moved=%llu bytes_moved=%llu "
          "pause_max_ms=%.3f pause_total_ms=%.3f\n",
          wall, cpu, ru.ru_maxrss, current_rss_kb(),
          (unsigned long long)st.collections,
          st.heap_bytes, st.live_bytes, (unsigned long long)st.objects_moved,
          (unsigned long long)st.bytes_moved, (double)st.pause_max_ns / 1e6,
          (double)st.pause_total_ns / 1e6);
}

int main(int argc, char **argv) {
  bool stats = false;
  int i = 1;
  if (i < argc && strcmp(argv[i], "--stats") == 0) {
    stats = true;
    i++;
  }
  if (i < argc && argv[i][0] == '-' && argv[i][1] != 0) {
    fprintf(stderr, "usage: lisp [--stats] [file.scm]\n");
    return 2;
  }
  double start = now_s();
  lisp_init();
  int status = 0;
  if (i < argc)
    status = lisp_run_file(argv[i]) ? 0 : 1;
  else
    lisp_repl(stdin);
  fflush(stdout);
  if (stats)
    print_run_stats(now_s() - start);
  return status;
}
