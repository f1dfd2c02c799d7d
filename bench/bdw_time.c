/*
 * bdw_time.c — run one program and report its cost: `bdw_time OUT CMD
 * [ARG...]` runs CMD with stdout to the file OUT (stderr discarded) and
 * prints "WALL_NS CPU_NS STATUS" on stdout: wall-clock time (monotonic
 * clock around fork..wait), user+system CPU time of the child and all its
 * threads (wait4's rusage, microsecond resolution), and the exit status
 * (128+signal when killed).  Used by bench/bdw_compare.sh: the CPU time is
 * less sensitive than the wall time to other load on the machine, which
 * delays the wake-up of a collector's helper threads.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* In the child: stdout to path, stderr to /dev/null, then exec. */
static void exec_child(const char *path, char **argv) {
  int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int null = open("/dev/null", O_WRONLY);
  if (out < 0 || null < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
    _exit(126);
  execvp(argv[0], argv);
  _exit(127);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bdw_time OUT CMD [ARG...]\n");
    return 2;
  }
  uint64_t start = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  if (pid == 0)
    exec_child(argv[1], argv + 2);
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid) {
    perror("wait4");
    return 2;
  }
  uint64_t wall = now_ns() - start;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("%llu %llu %d\n", (unsigned long long)wall,
         (unsigned long long)(tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime)), code);
  return 0;
}
