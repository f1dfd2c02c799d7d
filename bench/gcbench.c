/*
 * gcbench.c — GCBench-shaped throughput workload (after Ellis, Kovac and
 * Boehm's classic GCBench), written once for every memory manager through
 * alloc_shim.h.
 *
 * Shape: a temporary "stretch" tree of depth 18 is built and dropped; then
 * a long-lived tree of depth 16 and an array of 500,000 doubles stay live
 * while complete binary trees of depth 4, 6, ..., 16 are built top-down
 * (parent first, children stored into it) and bottom-up (children first),
 * 2*size(18)/size(d) times each, where size(d) = 2^(d+1) - 1 nodes of 32
 * bytes.  The malloc variant frees every tree after use.
 *
 * Verification (a benchmark of a broken collector is worthless): every node
 * carries its remaining depth and the serial number of its tree; every
 * short-lived tree is walked completely after it is built, and the
 * long-lived tree and the array at the end, after every collection.  Any
 * mismatch ends the run with FAIL.  Verification time is measured and
 * subtracted from the reported time so that it does not dilute the
 * comparison (it is reported separately as verify_s).  cpu_s, the process
 * CPU time of the same span (all threads, verification included), is the
 * number to read when other processes share the cores.
 *
 * Threads (-t N, default 1): the long-lived data are built once and shared;
 * the short-lived trees of each depth are split among N threads, so the
 * total work is the same for every N and time_s compares directly.
 *
 * Options: -t threads (default: env BENCH_THREADS, else 1),
 *          -d max depth (16), -l long-lived depth (16),
 *          -s stretch depth (18), -a array length (500000).
 * Env: BENCH_INJECT_FAULT=1 corrupts one node before its check (the test
 *      suite uses it to prove that verification can fail).
 */
#include "alloc_shim.h"
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char W[] = "gcbench";

typedef struct node {
  struct node *left, *right;
  long depth; /* levels below this node */
  long tag;   /* serial number of the tree it belongs to */
} node;

_Static_assert(sizeof(node) == 32, "GCBench nodes are 32 bytes");

typedef struct params {
  int threads, max_depth, long_depth, stretch_depth;
  long array_len;
} params;

static int inject_fault;

static long tree_size(int depth) { return (1L << (depth + 1)) - 1; }

/* Inline in every variant: GCC inlines it by itself without the explicit
 * barrier and not with it (two more calls, though cold), a 15% difference
 * in mutator time that measures the compiler's heuristics, not the
 * collector. */
static inline node *new_node(node *left, node *right, long depth, long tag) {
  node *n = bench_checked(W, bench_alloc(sizeof(node)));
  BENCH_STORE(n, n->left, left);
  BENCH_STORE(n, n->right, right);
  n->depth = depth;
  n->tag = tag;
  return n;
}

/* Top-down: the parent exists before its children are stored into it. */
static void populate(node *n, int depth, long tag) {
  if (depth <= 0)
    return;
  BENCH_STORE(n, n->left, new_node(NULL, NULL, depth - 1, tag));
  BENCH_STORE(n, n->right, new_node(NULL, NULL, depth - 1, tag));
  populate(n->left, depth - 1, tag);
  populate(n->right, depth - 1, tag);
}

/* Bottom-up: children first, then the parent that points at them. */
static node *make_tree(int depth, long tag) {
  if (depth <= 0)
    return new_node(NULL, NULL, 0, tag);
  node *l = make_tree(depth - 1, tag);
  node *r = make_tree(depth - 1, tag);
  return new_node(l, r, depth, tag);
}

/* Full walk; returns the node count or fails loudly. */
static long check_tree(const node *n, long depth, long tag) {
  if (!n)
    bench_fail(W, "missing node (tree %ld, depth %ld)", tag, depth);
  if (n->depth != depth || n->tag != tag)
    bench_fail(W, "corrupt node %p: depth %ld tag %ld, expected %ld/%ld",
               (const void *)n, n->depth, n->tag, depth, tag);
  if (depth == 0) {
    if (n->left || n->right)
      bench_fail(W, "leaf %p of tree %ld has children", (const void *)n, tag);
    return 1;
  }
  return 1 + check_tree(n->left, depth - 1, tag) +
         check_tree(n->right, depth - 1, tag);
}

static void verify_tree(const node *root, int depth, long tag) {
  if (inject_fault == 1 && depth > 0) {
    inject_fault = 2; /* once: a leaf claims the wrong tree */
    node *leaf = root->left;
    while (leaf->left)
      leaf = leaf->left;
    leaf->tag ^= 1;
  }
  long count = check_tree(root, depth, tag);
  if (count != tree_size(depth))
    bench_fail(W, "tree %ld has %ld nodes, expected %ld", tag, count,
               tree_size(depth));
}

/* Give a tree back: free() under malloc, nothing under a collector. */
static void drop_tree(node *n) {
  if (BENCH_HAS_COLLECTOR || !n)
    return;
  drop_tree(n->left);
  drop_tree(n->right);
  bench_drop(n);
}

static double array_value(long i) { return 1.0 / (double)(i + 1); }

static void verify_array(const double *a, long len) {
  for (long i = 0; i < len; i++)
    if (a[i] != array_value(i))
      bench_fail(W, "array[%ld] = %g, expected %g", i, a[i], array_value(i));
}

/* One worker's share of the short-lived trees. */
typedef struct worker {
  const params *p;
  int index;
  uint64_t start_ns, end_ns, verify_ns;
  long trees;
} worker;

static long share(long total, int parts, int index) {
  return total / parts + (index < total % parts ? 1 : 0);
}

static void build_depth(worker *w, int depth) {
  long iters = 2 * tree_size(w->p->stretch_depth) / tree_size(depth);
  long mine = share(iters, w->p->threads, w->index);
  long tag_base = ((long)w->index << 40) | ((long)depth << 32);
  for (long k = 0; k < mine; k++) {
    long tag = tag_base | (2 * k);
    node *top = new_node(NULL, NULL, depth, tag);
    populate(top, depth, tag);
    uint64_t v0 = bench_now_ns();
    verify_tree(top, depth, tag);
    w->verify_ns += bench_now_ns() - v0;
    drop_tree(top);

    node *bottom = make_tree(depth, tag + 1);
    v0 = bench_now_ns();
    verify_tree(bottom, depth, tag + 1);
    w->verify_ns += bench_now_ns() - v0;
    drop_tree(bottom);
    w->trees += 2;
  }
}

static void *worker_main(void *arg) {
  worker *w = arg;
  for (int d = 4; d <= w->p->max_depth; d += 2)
    build_depth(w, d);
  w->end_ns = bench_now_ns();
  return NULL;
}

static void run_workers(const params *p, worker *ws) {
  uint64_t start = bench_now_ns();
  for (int i = 0; i < p->threads; i++)
    ws[i] = (worker){.p = p, .index = i, .start_ns = start};
  if (p->threads == 1) {
    worker_main(&ws[0]);
    return;
  }
  pthread_t *tids = calloc((unsigned)p->threads, sizeof *tids);
  if (!tids)
    bench_fail(W, "calloc");
  for (int i = 0; i < p->threads; i++)
    if (bench_thread_create(&tids[i], worker_main, &ws[i]) != 0)
      bench_fail(W, "thread create %d failed", i);
  for (int i = 0; i < p->threads; i++)
    if (bench_thread_join(tids[i]) != 0)
      bench_fail(W, "thread join %d failed", i);
  free(tids);
}

static void parse(int argc, char **argv, params *p) {
  *p = (params){1, 16, 16, 18, 500000};
  const char *env_threads = getenv("BENCH_THREADS");
  if (env_threads)
    p->threads = (int)bench_parse_u64(W, "BENCH_THREADS", env_threads);
  int c;
  while ((c = getopt(argc, argv, "t:d:l:s:a:")) != -1) {
    uint64_t v = optarg ? bench_parse_u64(W, "option", optarg) : 0;
    switch (c) {
    case 't': p->threads = (int)v; break;
    case 'd': p->max_depth = (int)v; break;
    case 'l': p->long_depth = (int)v; break;
    case 's': p->stretch_depth = (int)v; break;
    case 'a': p->array_len = (long)v; break;
    default: bench_fail(W, "usage: gcbench [-t threads] [-d max] [-l long] "
                           "[-s stretch] [-a array]");
    }
  }
  if (p->threads < 1 || p->threads > 64 || p->max_depth < 4 ||
      p->max_depth > 24 || p->long_depth > 24 || p->stretch_depth < 4 ||
      p->stretch_depth > 24 || p->array_len < 1)
    bench_fail(W, "parameters out of range");
}

/* The temporary tree lives only in this frame: kept in main, its address
 * can stay in a register or stack slot of main for the whole run (a dead
 * store of NULL is no help), and a conservative collector then retains all
 * of it (16 MiB at depth 18), depending on how the compiler allocated
 * registers in that build.  Returns the time its check took. */
static __attribute__((noinline)) uint64_t stretch_phase(const params *p) {
  node *stretch = make_tree(p->stretch_depth, -1);
  uint64_t v0 = bench_now_ns();
  verify_tree(stretch, p->stretch_depth, -1);
  uint64_t took = bench_now_ns() - v0;
  drop_tree(stretch);
  return took;
}

int main(int argc, char **argv) {
  params p;
  parse(argc, argv, &p);
  const char *fault = getenv("BENCH_INJECT_FAULT");
  inject_fault = fault && fault[0] == '1';
  bench_gc_init();

  uint64_t t0 = bench_now_ns(), cpu0 = bench_cpu_ns();
  uint64_t stretch_verify = stretch_phase(&p);

  node *long_lived = new_node(NULL, NULL, p.long_depth, -2);
  populate(long_lived, p.long_depth, -2);
  double *array =
      bench_checked(W, bench_alloc_atomic(sizeof(double) * (size_t)p.array_len));
  for (long i = 0; i < p.array_len; i++)
    array[i] = array_value(i);
  uint64_t t1 = bench_now_ns();

  worker *ws = calloc((unsigned)p.threads, sizeof *ws);
  if (!ws)
    bench_fail(W, "calloc");
  run_workers(&p, ws);
  uint64_t cpu1 = bench_cpu_ns();

  /* The long-lived data must have survived every collection intact. */
  uint64_t v0 = bench_now_ns();
  verify_tree(long_lived, p.long_depth, -2);
  verify_array(array, p.array_len);
  uint64_t final_verify = bench_now_ns() - v0;

  /* Timed: set-up (minus its check) plus the slowest worker's own work. */
  uint64_t worst = 0, verify_all = stretch_verify + final_verify;
  long trees = 0;
  for (int i = 0; i < p.threads; i++) {
    uint64_t busy = ws[i].end_ns - ws[i].start_ns - ws[i].verify_ns;
    worst = busy > worst ? busy : worst;
    verify_all += ws[i].verify_ns;
    trees += ws[i].trees;
  }
  double time_s = (double)(t1 - t0 - stretch_verify + worst) / 1e9;
  /* CPU time of set-up and workers, verification included (its wall time
   * is no measure of its CPU time on a loaded machine). */
  double cpu_s = (double)(cpu1 - cpu0) / 1e9;
  printf("RESULT gcbench %s threads=%d time_s=%.4f cpu_s=%.4f verify_s=%.4f "
         "trees=%ld rss_kb=%ld",
         BENCH_VARIANT, p.threads, time_s, cpu_s, (double)verify_all / 1e9,
         trees, bench_peak_rss_kb());
  bench_collector_fields(stdout);
  printf("\n");
  drop_tree(long_lived);
  bench_drop(array);
  free(ws);
  return 0;
}
