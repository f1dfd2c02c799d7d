/*
 * fragmentation.c — does compaction give memory back?  And what does it
 * cost a program that builds trees of precise objects?
 *
 *   fragmentation frag [MiB] [rounds] [seed]
 *     1. fill ~MiB (default 256) with objects of mixed small sizes
 *        (32..256 bytes), referenced from chunk objects;
 *     2. drop a random 80 %;
 *     3. for `rounds` rounds (default 6): drop a random quarter of the
 *        live bytes and allocate as many bytes of a different size mix
 *        (384..2048 bytes), so the old holes fit none of the new sizes
 *        and the live size stays about constant.
 *     Prints peak and final RSS over live bytes (live = bytes the program
 *     asked for and still references), and the compaction figures.
 *   fragmentation gcbench
 *     GCBench (Boehm's shape: a long-lived tree and array, then top-down
 *     and bottom-up trees of depth 4..16) with precise tree nodes; prints
 *     the time.
 * Built with -DUSE_GLEANER (precise gc_type objects; GLEANER_COMPACT=0|1
 * selects the mode) or -DUSE_BDW (Boehm GC, GC_MALLOC: it cannot move).
 * The seed is printed and taken back as the last argument.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef USE_GLEANER
#include "compact.h"
#include "gleaner.h"
#define COLLECTOR "gleaner"
#else
#include <gc.h>
#define COLLECTOR "bdw"
#endif

/* ---- the collector under test, behind four calls ----------------------- */

#define CHUNK_SLOTS 1022 /* 8 KiB with the header: fits its size class exactly */

typedef struct blob {
  struct blob *link; /* an exact slot (kept NULL: tracing cost only) */
  uint64_t size;     /* requested bytes, checked at the end */
  uint64_t stamp;
} blob;

typedef struct chunk {
  void *slot[CHUNK_SLOTS];
} chunk;

typedef struct tree {
  struct tree *left, *right;
  int64_t i, j;
} tree;

#ifdef USE_GLEANER
static const uint64_t first_word[1] = {1};
static const uint64_t all_words[1] = {~(uint64_t)0};
static gc_type blob_type = {.name = "blob", .size = sizeof(blob),
                            .pointer_bitmap = first_word, .bitmap_words = 1};
static gc_type chunk_type = {.name = "chunk", .size = sizeof(chunk),
                             .pointer_bitmap = all_words, .bitmap_words = 1};
static const uint64_t tree_bits[1] = {3};
static gc_type tree_type = {.name = "tree", .size = sizeof(tree),
                            .pointer_bitmap = tree_bits, .bitmap_words = 1};
static void collector_init(void) {
  gc_init(NULL);
  gc_type_register(&blob_type);
  gc_type_register(&chunk_type);
  gc_type_register(&tree_type);
}
static blob *new_blob(size_t n) { return gc_alloc_typed(&blob_type, n); }
static chunk *new_chunk(void) { return gc_alloc_typed(&chunk_type, sizeof(chunk)); }
static tree *new_tree(void) { return gc_alloc_typed(&tree_type, sizeof(tree)); }
static double *new_doubles(size_t n) { return gc_alloc_atomic(n * sizeof(double)); }
/* Roots: malloc slots registered exactly (malloc memory is not scanned). */
static void add_roots(void **slots, size_t n) {
  for (size_t i = 0; i < n; i++)
    gc_root_add(&slots[i]);
}
static void full_collect(void) {
  gc_collect();
  gc_collect(); /* the second cycle evacuates what the first measured */
  gc_release_memory();
}
static const char *mode(void) {
  const char *c = getenv("GLEANER_COMPACT");
  return c && !strcmp(c, "0") ? "gleaner, compaction off" : "gleaner, compaction on";
}
#else
static void collector_init(void) { GC_INIT(); }
static blob *new_blob(size_t n) { return GC_MALLOC(n); }
static chunk *new_chunk(void) { return GC_MALLOC(sizeof(chunk)); }
static tree *new_tree(void) { return GC_MALLOC(sizeof(tree)); }
static double *new_doubles(size_t n) { return GC_MALLOC_ATOMIC(n * sizeof(double)); }
static void add_roots(void **slots, size_t n) { GC_add_roots(slots, slots + n); }
static void full_collect(void) {
  GC_gcollect();
  GC_gcollect_and_unmap();
}
static const char *mode(void) { return "Boehm GC"; }
#endif

/* ---- measurement ------------------------------------------------------- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Process CPU time: less disturbed than wall time on a shared machine. */
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t rss_bytes(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  size_t kib = 0, n = strlen(field);
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, field, n))
      kib = strtoull(line + n + 1, NULL, 10);
  if (f)
    fclose(f);
  return kib << 10;
}

static uint64_t rng;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* ---- the fragmentation workload ---------------------------------------- */

typedef struct table {
  chunk **chunks; /* malloc array; each element an exact root */
  size_t nchunks;
  size_t live_bytes;
} table;

static size_t old_size(void) { return 32 + (rnd() % 15) * 16; }     /* 32..256 */
static size_t new_size(void) { return 384 + (rnd() % 14) * 128; }  /* 384..2048 */

static void put(table *t, size_t index, size_t n) {
  blob *b = new_blob(n);
  if (!b) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  b->size = n;
  b->stamp = index;
  t->chunks[index / CHUNK_SLOTS]->slot[index % CHUNK_SLOTS] = b;
  t->live_bytes += n;
}

static blob *get(table *t, size_t index) {
  return t->chunks[index / CHUNK_SLOTS]->slot[index % CHUNK_SLOTS];
}

static void drop(table *t, size_t index) {
  blob *b = get(t, index);
  if (b) {
    t->live_bytes -= b->size;
    t->chunks[index / CHUNK_SLOTS]->slot[index % CHUNK_SLOTS] = NULL;
  }
}

static size_t fill(table *t, size_t target_bytes) {
  size_t count = 0, capacity = target_bytes / 16 / CHUNK_SLOTS + 1;
  t->chunks = calloc(capacity, sizeof(chunk *));
  add_roots((void **)t->chunks, capacity);
  while (t->live_bytes < target_bytes) {
    if (count % CHUNK_SLOTS == 0)
      t->chunks[t->nchunks++] = new_chunk();
    put(t, count++, old_size());
  }
  return count;
}

static void check_table(table *t, size_t count) {
  size_t live = 0;
  for (size_t i = 0; i < count; i++) {
    blob *b = get(t, i);
    if (!b)
      continue;
    if (b->stamp != i) {
      fprintf(stderr, "corrupt object at index %zu\n", i);
      exit(1);
    }
    live += b->size;
  }
  if (live != t->live_bytes) {
    fprintf(stderr, "live bytes %zu, expected %zu\n", live, t->live_bytes);
    exit(1);
  }
}

static void print_compaction(double seconds) {
#ifdef USE_GLEANER
  compact_totals c;
  compact_get_totals(&c);
  double mib = (double)c.bytes_moved / (1 << 20);
  printf("  compaction: %" PRIu64 " pauses, max %.1f ms, total %.1f ms wall / %.1f ms cpu; "
         "moved %.1f MiB in %" PRIu64 " objects\n"
         "  copy rate: %.0f MiB/s cpu (%.0f MiB/s wall); copy+fix-up %.0f MiB/s cpu (%.0f wall)\n",
         c.cycles, c.pause_max_ns / 1e6, c.pause_total_ns / 1e6, c.pause_cpu_ns / 1e6, mib,
         c.objects_moved, c.copy_cpu_ns ? mib / (c.copy_cpu_ns / 1e9) : 0.0,
         c.copy_ns_total ? mib / (c.copy_ns_total / 1e9) : 0.0,
         c.pause_cpu_ns ? mib / (c.pause_cpu_ns / 1e9) : 0.0,
         c.pause_total_ns ? mib / (c.pause_total_ns / 1e9) : 0.0);
  if (c.cycles)
    printf("RESULT copy %s cpu_mib_s=%.0f wall_mib_s=%.0f max_pause_ms=%.1f\n", mode(),
           c.copy_cpu_ns ? mib / (c.copy_cpu_ns / 1e9) : 0.0,
           c.copy_ns_total ? mib / (c.copy_ns_total / 1e9) : 0.0, c.pause_max_ns / 1e6);
  gc_stats s;
  gc_get_stats(&s);
  printf("  collections %" PRIu64 ", pause total %.1f ms, max %.1f ms; workload %.2f s\n",
         s.collections, s.pause_total_ns / 1e6, s.pause_max_ns / 1e6, seconds);
#else
  printf("  collections %zu; workload %.2f s\n", (size_t)GC_get_gc_no(), seconds);
#endif
}

static int run_frag(size_t mib, int rounds) {
  table *t = calloc(1, sizeof *t);
  double start = now_s();
  size_t count = fill(t, mib << 20);
  size_t fill_live = t->live_bytes;
  for (size_t i = 0; i < count; i++)
    if (rnd() % 5 != 0)
      drop(t, i);
  size_t peak_round_rss = 0;
  size_t *freed = malloc(count * sizeof *freed);
  for (int r = 0; r < rounds; r++) {
    /* Drop a random quarter of the live bytes, then allocate as many bytes
     * of the new size mix into the freed indices. */
    size_t target = t->live_bytes / 4, dropped = 0, nfreed = 0;
    while (dropped < target) {
      size_t i = rnd() % count;
      blob *b = get(t, i);
      if (!b)
        continue;
      dropped += b->size;
      drop(t, i);
      freed[nfreed++] = i;
    }
    for (size_t k = 0, added = 0; added < dropped && k < nfreed; k++) {
      size_t n = new_size();
      put(t, freed[k], n);
      added += n;
    }
    size_t rss = rss_bytes("VmRSS:");
    if (rss > peak_round_rss)
      peak_round_rss = rss;
  }
  double seconds = now_s() - start;
  free(freed);
  check_table(t, count);
  full_collect();
  size_t final_rss = rss_bytes("VmRSS:"), peak = rss_bytes("VmHWM:");
  /* Live = the objects' requested bytes plus the chunks that hold them:
   * both are data the program keeps. */
  size_t chunk_bytes = t->nchunks * sizeof(chunk);
  double live = (double)(t->live_bytes + chunk_bytes);
  fill_live += chunk_bytes;
  printf("%s: filled %.0f MiB (%zu objects), live after drop+%d rounds %.1f MiB "
         "(objects %.1f + chunks %.1f)\n", mode(), fill_live / 1048576.0, count, rounds,
         live / 1048576.0, t->live_bytes / 1048576.0, chunk_bytes / 1048576.0);
  printf("  peak RSS %.0f MiB = %.2f x fill live; peak RSS in rounds %.0f MiB = %.2f x live; "
         "final RSS %.1f MiB = %.2f x live\n",
         peak / 1048576.0, peak / (double)fill_live, peak_round_rss / 1048576.0,
         peak_round_rss / live, final_rss / 1048576.0, final_rss / live);
  printf("RESULT frag %s: final_rss_mib=%.1f live_mib=%.1f final_ratio=%.3f peak_ratio=%.3f\n",
         mode(), final_rss / 1048576.0, live / 1048576.0, final_rss / live,
         peak / (double)fill_live);
  print_compaction(seconds);
#ifdef USE_GLEANER
  gc_stats st;
  gc_get_stats(&st);
  printf("  collector view: heap %.1f MiB, live %.1f MiB; chunks %.1f MiB\n",
         st.heap_bytes / 1048576.0, st.live_bytes / 1048576.0,
         t->nchunks * sizeof(chunk) / 1048576.0);
  if (getenv("FRAG_SMAPS")) {
    char cmd[128];
    snprintf(cmd, sizeof cmd,
             "awk '/^[0-9a-f]+-/{r=$1} /^Rss:/{if ($2 > 1024) print r, $2, \"KiB\"}' "
             "/proc/%d/smaps", (int)getpid());
    if (system(cmd) != 0)
      printf("  (smaps not readable)\n");
  }
#endif
  return 0;
}

/* ---- GCBench with precise nodes ----------------------------------------- */

enum { STRETCH_DEPTH = 18, LONG_LIVED_DEPTH = 16, ARRAY_SIZE = 500000, MIN_DEPTH = 4,
       MAX_DEPTH = 16 };

static int tree_size(int depth) { return (1 << (depth + 1)) - 1; }
static int iterations(int depth) { return 2 * tree_size(STRETCH_DEPTH) / tree_size(depth); }

static void populate(int depth, tree *node) {
  if (depth-- <= 0)
    return;
  node->left = new_tree();
  node->right = new_tree();
  populate(depth, node->left);
  populate(depth, node->right);
}

static tree *make_tree(int depth) {
  if (depth <= 0)
    return new_tree();
  tree *l = make_tree(depth - 1), *r = make_tree(depth - 1);
  tree *n = new_tree();
  n->left = l;
  n->right = r;
  return n;
}

static int run_gcbench(void) {
  double start = now_s(), cpu_start = cpu_s();
  (void)make_tree(STRETCH_DEPTH);
  tree **long_lived = calloc(1, sizeof *long_lived);
  add_roots((void **)long_lived, 1);
  *long_lived = new_tree();
  populate(LONG_LIVED_DEPTH, *long_lived);
  double *array = new_doubles(ARRAY_SIZE);
  for (int i = 0; i < ARRAY_SIZE / 2; i++)
    array[i] = 1.0 / i;
  for (int d = MIN_DEPTH; d <= MAX_DEPTH; d += 2) {
    int iters = iterations(d);
    for (int i = 0; i < iters; i++) {
      tree *t = new_tree();
      populate(d, t);
    }
    for (int i = 0; i < iters; i++)
      (void)make_tree(d);
  }
  if (!*long_lived || array[1000] != 1.0 / 1000) {
    fprintf(stderr, "gcbench: long-lived data lost\n");
    return 1;
  }
  double seconds = now_s() - start, cpu = cpu_s() - cpu_start;
  printf("%s: GCBench (precise nodes) %.3f s (cpu %.3f s)\n", mode(), seconds, cpu);
  printf("RESULT gcbench %s: cpu=%.3f seconds=%.3f\n", mode(), cpu, seconds);
  print_compaction(seconds);
  return 0;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "frag";
  size_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 256;
  int rounds = argc > 3 ? atoi(argv[3]) : 6;
  uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
  rng = seed * 2654435761u + 1;
  collector_init();
  if (!strcmp(what, "gcbench"))
    return run_gcbench();
  printf("seed %" PRIu64 " (replay: %s frag %zu %d %" PRIu64 ")\n", seed, argv[0], mib, rounds,
         seed);
  return run_frag(mib, rounds);
}
