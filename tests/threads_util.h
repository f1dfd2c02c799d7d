/*
 * threads_util.h — helpers shared by the thread tests: running a scenario
 * in a child process (so each gets a freshly initialized collector with
 * its own configuration), and the test seed (printed, and taken back from
 * GLEANER_TEST_SEED for replay).
 */
#ifndef GLEANER_THREADS_UTIL_H
#define GLEANER_THREADS_UTIL_H
#include <gleaner.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static __attribute__((unused)) unsigned long test_seed(const char *what) {
  const char *env = getenv("GLEANER_TEST_SEED");
  unsigned long seed = env ? strtoul(env, NULL, 0) : (unsigned long)time(NULL) ^ (unsigned long)getpid();
  printf("# %s: seed %lu (replay with GLEANER_TEST_SEED=%lu)\n", what, seed, seed);
  fflush(stdout);
  return seed;
}

/* xorshift64*: per-thread, reproducible from its seed. */
static inline uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

/* Run fn(arg) in a child process; return its exit status (0 = success,
 * 128+n = killed by signal n). */
static __attribute__((unused)) int run_in_child(int (*fn)(void *), void *arg) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0)
  {
    int rc = fn(arg);
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    ;
  if (WIFSIGNALED(status)) {
    fprintf(stderr, "child killed by signal %d\n", WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}
/* In a scenario run by run_in_child: report the failed condition and make
 * the child exit with 1. */
#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

#endif
