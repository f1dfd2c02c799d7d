/*
 * mt_gcbench.c — a multi-threaded GCBench-shaped workload, built three
 * ways (bench/threads.mk): Gleaner (default), Boehm GC with GC_THREADS
 * (-DUSE_BOEHM), and malloc/free (-DUSE_MALLOC).
 *
 * The main thread first builds the shared long-lived data (a complete
 * binary tree of depth LONG_LIVED_DEPTH and an array of ARRAY_SIZE
 * doubles), which stays live for the whole run.  Then each of T threads
 * does the same work as one GCBench run: for depths MIN_DEPTH..MAX_DEPTH
 * (step 2) it builds and drops 2 * 2^STRETCH / 2^depth trees top-down and
 * as many bottom-up.  Every thread does the full amount, so with perfect
 * scaling T threads take as long as one: throughput = nodes allocated per
 * second, printed with the elapsed time.
 *
 *   mt_gcbench THREADS [STRETCH_DEPTH]
 * Output: one line "mt_gcbench <collector> threads=T seconds=S
 * mnodes_per_s=R" plus, for Gleaner, collections and stop-the-world
 * median/max.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(USE_BOEHM)
#define GC_THREADS
#include <gc.h>
#define NAME "boehm"
#define ALLOC(n) GC_MALLOC(n)
#define ALLOC_ATOMIC(n) GC_MALLOC_ATOMIC(n)
#define FREE(p) ((void)(p))
#define INIT() GC_INIT()
#define THREAD_CREATE GC_pthread_create
#define THREAD_JOIN GC_pthread_join
#elif defined(USE_MALLOC)
#define NAME "malloc"
#define ALLOC(n) calloc(1, n)
#define ALLOC_ATOMIC(n) calloc(1, n)
#define FREE(p) free(p)
#define INIT() ((void)0)
#define THREAD_CREATE pthread_create
#define THREAD_JOIN pthread_join
#else
#include <gleaner.h>
#define NAME "gleaner"
#define ALLOC(n) gc_alloc(n)
#define ALLOC_ATOMIC(n) gc_alloc_atomic(n)
#define FREE(p) ((void)(p))
#define INIT() gc_init(NULL)
#define THREAD_CREATE gc_pthread_create
#define THREAD_JOIN gc_pthread_join
/* Internal (hidden; linked from build/libgleaner-internal.a): time to
 * stop the world, median and max. */
void stw_summary(uint64_t *p50_ns, uint64_t *max_ns, uint64_t *count);
#endif

#define LONG_LIVED_DEPTH 16
#define ARRAY_SIZE 500000
#define MIN_DEPTH 4
#define MAX_DEPTH 16

typedef struct node {
  struct node *left, *right;
  int i, j;
} node;

static int stretch_depth = 18;
static node *long_lived;   /* globals: roots for both collectors */
static double *array;

static node *new_node(node *l, node *r) {
  node *n = ALLOC(sizeof(node));
  n->left = l;
  n->right = r;
  return n;
}

static void free_tree(node *n) {
#if defined(USE_MALLOC)
  if (!n)
    return;
  free_tree(n->left);
  free_tree(n->right);
  free(n);
#else
  (void)n;
#endif
}

static long tree_size(int depth) { return (1L << (depth + 1)) - 1; }

static void populate(int depth, node *n) {
  if (depth <= 0)
    return;
  n->left = new_node(NULL, NULL);
  n->right = new_node(NULL, NULL);
  populate(depth - 1, n->left);
  populate(depth - 1, n->right);
}

static node *make_tree(int depth) {
  if (depth <= 0)
    return new_node(NULL, NULL);
  return new_node(make_tree(depth - 1), make_tree(depth - 1));
}

static void *worker(void *arg) {
  long *nodes = arg;
  long count = 0;
  for (int d = MIN_DEPTH; d <= MAX_DEPTH; d += 2) {
    long iters = 2 * tree_size(stretch_depth) / tree_size(d);
    for (long i = 0; i < iters; i++) {
      node *t = new_node(NULL, NULL);
      populate(d, t);
      free_tree(t);
      t = make_tree(d);
      free_tree(t);
      count += 2 * tree_size(d);
    }
  }
  *nodes = count;
  return NULL;
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (argc > 2)
    stretch_depth = atoi(argv[2]);
  if (threads < 1 || threads > 64 || stretch_depth < MAX_DEPTH) {
    fprintf(stderr, "usage: mt_gcbench THREADS [STRETCH_DEPTH >= %d]\n", MAX_DEPTH);
    return 2;
  }
  INIT();
  long_lived = new_node(NULL, NULL);
  populate(LONG_LIVED_DEPTH, long_lived);
  array = ALLOC_ATOMIC(sizeof(double) * ARRAY_SIZE);
  for (int i = 0; i < ARRAY_SIZE / 2; i++)
    array[i] = 1.0 / (i + 1);
  pthread_t tid[64];
  long nodes[64];
  double t0 = seconds();
  for (int i = 0; i < threads; i++)
    if (THREAD_CREATE(&tid[i], NULL, worker, &nodes[i]) != 0) {
      fprintf(stderr, "thread creation failed\n");
      return 1;
    }
  long total = 0;
  for (int i = 0; i < threads; i++) {
    THREAD_JOIN(tid[i], NULL);
    total += nodes[i];
  }
  double elapsed = seconds() - t0;
  if (!long_lived || array[1000] != 1.0 / 1001) {
    fprintf(stderr, "long-lived data lost\n");
    return 1;
  }
  printf("mt_gcbench %s threads=%d seconds=%.3f mnodes_per_s=%.2f", NAME, threads, elapsed,
         total / elapsed / 1e6);
#if !defined(USE_BOEHM) && !defined(USE_MALLOC)
  gc_stats st;
  gc_get_stats(&st);
  uint64_t p50, max, count;
  stw_summary(&p50, &max, &count);
  printf(" collections=%llu stw_p50_us=%.1f stw_max_us=%.1f markers=%u",
         (unsigned long long)st.collections, p50 / 1e3, max / 1e3, st.markers_used);
#elif defined(USE_BOEHM)
  printf(" collections=%lu", (unsigned long)GC_get_gc_no());
#endif
  printf("\n");
  return 0;
}
