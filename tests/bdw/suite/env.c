/*
 * env.c — Boehm GC's environment variables.  runs.txt runs this program
 * once per variable, with the variable set and its name as the argument;
 * each mode prints what the variable must have changed.
 *
 *   dont_gc      GC_DONT_GC=1           no collection at all
 *   divisor      GC_FREE_SPACE_DIVISOR  the divisor the program sees
 *   initial      GC_INITIAL_HEAP_SIZE   no collection before that much is used
 *   maximum      GC_MAXIMUM_HEAP_SIZE   allocation fails beyond it
 *   incremental  GC_ENABLE_INCREMENTAL  incremental mode is on
 *   markers      GC_MARKERS             a workload runs correctly
 *   stats        GC_PRINT_STATS         statistics go to stderr, not stdout
 */
#include <gc.h>

#include <stdlib.h>

#include "suite.h"

struct node {
  struct node *next;
  long value;
};

static __attribute__((noinline)) struct node *make_list(long n) {
  struct node *head = NULL;
  for (long i = 1; i <= n; i++) {
    struct node *c = GC_NEW(struct node);
    c->value = i;
    c->next = head;
    head = c;
  }
  return head;
}

static long sum_list(const struct node *l) {
  long s = 0;
  for (; l; l = l->next)
    s += l->value;
  return s;
}

static __attribute__((noinline)) void churn(long bytes) {
  for (long done = 0; done < bytes; done += 64)
    memset(GC_MALLOC(64), 0xA5, 64);
}

/* Lists of 64 KiB blocks until allocation fails; bytes allocated. */
static __attribute__((noinline)) long fill(void) {
  void **head = NULL;
  long bytes = 0;
  while (bytes < (256L << 20)) {
    void **block = GC_MALLOC(64 << 10);
    if (block == NULL)
      break;
    *block = head;
    head = block;
    bytes += 64 << 10;
  }
  return bytes;
}

static void *GC_CALLBACK null_oom(size_t n) {
  (void)n;
  return NULL;
}

static void workload(void) {
  struct node *kept = make_list(100000);
  for (int i = 0; i < 5; i++) {
    churn(16 << 20);
    suite_collect(1);
  }
  printf("workload: sum %ld\n", sum_list(kept));
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  GC_INIT();
  if (strcmp(mode, "dont_gc") == 0) {
    churn(64 << 20);
    GC_gcollect();
    printf("collections: %lu\n", GC_get_gc_no());
    SHOW("GC_is_disabled", GC_is_disabled());
  } else if (strcmp(mode, "divisor") == 0) {
    printf("free space divisor: %lu\n", GC_get_free_space_divisor());
    workload();
  } else if (strcmp(mode, "initial") == 0) {
    GC_word before = GC_get_gc_no();
    churn(16 << 20);
    SHOW("no collection in the first 16 MB of a 32 MB heap", GC_get_gc_no() == before);
  } else if (strcmp(mode, "maximum") == 0) {
    GC_set_oom_fn(null_oom);
    long bytes = fill();
    SHOW("allocation stopped below 40 MB", bytes < (40L << 20));
    SHOW("at least 8 MB were allocated", bytes >= (8L << 20));
  } else if (strcmp(mode, "incremental") == 0) {
    SHOW("incremental mode", GC_is_incremental_mode());
    workload();
  } else if (strcmp(mode, "markers") == 0 || strcmp(mode, "stats") == 0) {
    workload();
  } else {
    fprintf(stderr, "usage: env dont_gc|divisor|initial|maximum|incremental|markers|stats\n");
    return 2;
  }
  return 0;
}
