/*
 * hello.c — the smallest real Gleaner program: what a C application does
 * when it uses the collector instead of malloc/free.
 *
 * It builds linked lists with gc_alloc, checks them, drops them (each
 * lives only inside one call), collects, and prints the collector's
 * statistics.  Nothing is ever freed by hand; roots are found
 * conservatively (stack, registers, static data), so no registration or
 * write barrier is needed.  The exit status is nonzero if the list was
 * corrupted or no collection happened, so `make test` runs it as a smoke
 * test of the conservative path.
 *
 * Build inside the tree:   make build/examples/hello   (or: make examples)
 * Build like a user, against an installed copy:
 *
 *   make install PREFIX=/tmp/x
 *   cc -std=c11 examples/hello.c -o hello \
 *      $(PKG_CONFIG_PATH=/tmp/x/lib/pkgconfig pkg-config --cflags --libs gleaner) \
 *      -Wl,-rpath,/tmp/x/lib
 *   ./hello
 *
 * Statically (the private libraries are listed by `pkg-config --static`):
 *
 *   cc -std=c11 examples/hello.c -o hello -I/tmp/x/include \
 *      /tmp/x/lib/libgleaner.a -lunwind -ldl -lpthread
 */
#include <gleaner.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
  struct node *next;
  long value;
  char payload[48]; /* makes each node a realistic, non-trivial size */
};

/* A list of n nodes holding 1..n, newest first. */
static struct node *build_list(long n) {
  struct node *head = NULL;
  for (long i = 1; i <= n; i++) {
    struct node *cell = gc_alloc(sizeof *cell);
    if (cell == NULL) {
      fprintf(stderr, "hello: out of memory after %ld nodes\n", i - 1);
      exit(1);
    }
    cell->value = i;
    cell->next = head;
    head = cell;
  }
  return head;
}

static long sum_list(const struct node *l) {
  long sum = 0;
  for (; l != NULL; l = l->next)
    sum += l->value;
  return sum;
}

/* One generation: the list lives only in this call, so it is garbage as
 * soon as the call returns. */
static long one_round(long n) {
  struct node *list = build_list(n);
  return sum_list(list);
}

int main(void) {
  const long n = 100000;
  if (gc_init(NULL) != 0)
    return 1;

  for (int round = 0; round < 10; round++) {
    if (one_round(n) != n * (n + 1) / 2) {
      fprintf(stderr, "hello: list corrupted in round %d\n", round);
      return 1;
    }
  }
  gc_collect();

  gc_stats st;
  gc_get_stats(&st);
  printf("hello: built 10 lists of %ld nodes (%zu bytes each)\n", n,
         sizeof(struct node));
  printf("  allocated %llu bytes in total, %llu collections\n",
         (unsigned long long)st.allocated_bytes,
         (unsigned long long)st.collections);
  printf("  heap %zu bytes, live after the last collection %zu bytes\n",
         st.heap_bytes, st.live_bytes);
  printf("  pauses: max %.3f ms, total %.3f ms\n", st.pause_max_ns / 1e6,
         st.pause_total_ns / 1e6);
  if (st.collections == 0) {
    fprintf(stderr, "hello: no collection happened\n");
    return 1;
  }
  return 0;
}
