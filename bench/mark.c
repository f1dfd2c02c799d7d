/*
 * mark.c — full-collection marking rate on a large random graph: 512 MiB of
 * 32-byte nodes (2^24 nodes), every node reachable from one local variable,
 * then one timed full collection (gc_collect / GC_gcollect).  The rate is
 * graph bytes / collection time in MiB/s.  Only collectors have an entry;
 * the malloc build of this file is refused.
 *
 * Graph: node ids are "chain positions" 0..n-1 handed out to the nodes in a
 * pseudo-random order (a seeded bijection), so position order and address
 * order are unrelated.  Edge 0 of position k leads to position k+1 (every
 * node reachable from position 0), edges 1 and 2 to positions given by a
 * seeded hash of k.  Every edge is therefore a jump to a random address:
 * the marker's memory-latency problem in its plain form.
 *
 * The build runs with collection disabled and a temporary position->node
 * table in malloc memory (never scanned by either collector); the table is
 * freed before the timed collection, so only the graph keeps the graph
 * alive.
 *
 * Verification: after the timed collections, a further 64 MiB of nodes is
 * allocated and filled with a poison id (any node wrongly reclaimed is
 * likely reused and overwritten), then the whole chain is walked from the
 * root and every node's id and both random edges are checked.
 *
 * Options: -m MiB (512), -c timed collections (1; the first is reported as
 *          the rate, the rest as extra fields).
 * Env: BENCH_SEED (replay), BENCH_INJECT_FAULT=1 (corrupts one edge).
 */
#include "alloc_shim.h"
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#if !BENCH_HAS_COLLECTOR
#error "mark.c measures a collector; there is no malloc variant"
#endif

static const char W[] = "mark";

typedef struct node {
  struct node *edge[3];
  uint64_t id;
} node;
_Static_assert(sizeof(node) == 32, "graph nodes are 32 bytes");

#define POISON UINT64_MAX

/* A seeded bijection on [0, 2^bits): add, multiply by odd constants and
 * xor-shift right are each invertible modulo 2^bits. */
static uint64_t mix_bits(uint64_t x, unsigned bits, uint64_t seed) {
  uint64_t mask = (bits == 64) ? UINT64_MAX : (1ull << bits) - 1;
  unsigned s = bits / 2 + 1;
  x = (x + seed) & mask;
  x = (x * 0x9e3779b97f4a7c15ull) & mask;
  x ^= x >> s;
  x = (x * 0xbf58476d1ce4e5b9ull) & mask;
  x ^= x >> s;
  x = (x * 0x94d049bb133111ebull) & mask;
  x ^= x >> s;
  return x;
}

/* A bijection on [0, n) by cycle walking the one on the next power of 2. */
static uint64_t position_of(uint64_t i, uint64_t n, unsigned bits,
                            uint64_t seed) {
  uint64_t x = mix_bits(i, bits, seed);
  while (x >= n)
    x = mix_bits(x, bits, seed);
  return x;
}

static uint64_t edge_target(uint64_t k, int e, uint64_t n, uint64_t seed) {
  return bench_mix64(seed ^ (k * 4 + (uint64_t)e)) % n;
}

/* The table hides its pointers (xor) so that nothing but the graph could
 * ever make a node reachable, even if the table were scanned. */
#define HIDE(p) ((uintptr_t)(p) ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull)
#define UNHIDE(v) ((node *)((v) ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull))

static node *build(uint64_t n, uint64_t seed) {
  unsigned bits = 1;
  while ((1ull << bits) < n)
    bits++;
  uintptr_t *table = malloc(n * sizeof *table);
  if (!table)
    bench_fail(W, "malloc of the build table");
  for (uint64_t i = 0; i < n; i++) {
    node *x = bench_checked(W, bench_alloc(sizeof(node)));
    uint64_t k = position_of(i, n, bits, seed);
    x->id = k;
    table[k] = HIDE(x);
  }
  for (uint64_t k = 0; k < n; k++) {
    node *x = UNHIDE(table[k]);
    node *next = k + 1 < n ? UNHIDE(table[k + 1]) : NULL;
    BENCH_STORE(x, x->edge[0], next);
    for (int e = 1; e < 3; e++)
      BENCH_STORE(x, x->edge[e],
                  UNHIDE(table[edge_target(k, e, n, seed)]));
  }
  node *root = UNHIDE(table[0]);
  free(table);
  return root;
}

/* Allocate and poison `count` nodes that are garbage right away. */
static void churn(uint64_t count) {
  for (uint64_t i = 0; i < count; i++) {
    node *x = bench_checked(W, bench_alloc(sizeof(node)));
    x->edge[0] = x->edge[1] = x->edge[2] = NULL;
    x->id = POISON;
  }
}

static void verify(const node *root, uint64_t n, uint64_t seed) {
  const node *x = root;
  for (uint64_t k = 0; k < n; k++, x = x->edge[0]) {
    if (!x)
      bench_fail(W, "chain ends at position %llu of %llu",
                 (unsigned long long)k, (unsigned long long)n);
    if (x->id != k)
      bench_fail(W, "node %p at position %llu has id %#llx",
                 (const void *)x, (unsigned long long)k,
                 (unsigned long long)x->id);
    for (int e = 1; e < 3; e++) {
      uint64_t want = edge_target(k, e, n, seed);
      if (!x->edge[e] || x->edge[e]->id != want)
        bench_fail(W, "position %llu edge %d is wrong (want %llu)",
                   (unsigned long long)k, e, (unsigned long long)want);
    }
  }
  if (x)
    bench_fail(W, "chain longer than %llu nodes", (unsigned long long)n);
}

int main(int argc, char **argv) {
  uint64_t mib = 512, timed = 1;
  int c;
  while ((c = getopt(argc, argv, "m:c:")) != -1) {
    switch (c) {
    case 'm': mib = bench_parse_u64(W, "-m", optarg); break;
    case 'c': timed = bench_parse_u64(W, "-c", optarg); break;
    default: bench_fail(W, "usage: mark [-m MiB] [-c collections]");
    }
  }
  if (mib < 1 || mib > (1u << 20) || timed < 1 || timed > 10)
    bench_fail(W, "parameters out of range");
  uint64_t seed = bench_seed(W);
  const char *fault = getenv("BENCH_INJECT_FAULT");
  uint64_t n = mib * 1024 * 1024 / sizeof(node);
  bench_gc_init();

  bench_disable();
  uint64_t b0 = bench_now_ns();
  node *root = build(n, seed);
  double build_s = (double)(bench_now_ns() - b0) / 1e9;
  bench_enable();

  double gc_ms[10];
  for (uint64_t i = 0; i < timed; i++) {
    uint64_t t0 = bench_now_ns();
    bench_collect();
    gc_ms[i] = (double)(bench_now_ns() - t0) / 1e6;
  }
  long rss_kb = bench_peak_rss_kb();

  if (fault && fault[0] == '1')
    root->edge[0]->edge[1] = root;
  churn(n / 8);
  verify(root, n, seed);

  printf("RESULT mark %s mib=%llu rate_mib_s=%.1f gc_ms=%.2f build_s=%.3f "
         "rss_kb=%ld",
         BENCH_VARIANT, (unsigned long long)mib,
         (double)mib / (gc_ms[0] / 1e3), gc_ms[0], build_s, rss_kb);
  for (uint64_t i = 1; i < timed; i++)
    printf(" gc%llu_ms=%.2f", (unsigned long long)i + 1, gc_ms[i]);
  bench_collector_fields(stdout);
  printf("\n");
  return 0;
}
