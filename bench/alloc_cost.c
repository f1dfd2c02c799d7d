/*
 * alloc_cost.c — the cost of one 32-byte allocation, amortized over
 * 1,000,000 allocations including whatever collection work they cause.
 *
 * The measured loop is the function bench_measured_loop(), which
 * scripts/bench-run.sh selects with callgrind's --toggle-collect, so
 * process start-up, collector initialization and a warm-up of the same
 * loop are not counted: instructions / count is the amortized cost.  Run
 * natively, the program also reports nanoseconds per allocation.
 *
 * Each allocation lands in a ring of 1024 global slots (a root), and the
 * object it replaces becomes garbage (freed under malloc): a small live set,
 * so the numbers are the allocator's fast path plus amortized collection of
 * a mostly dead heap.  Every object's id is written and checked when it
 * leaves the ring, so an allocator that hands out live memory fails.
 *
 * Options: -n count (1000000), -w warm-up count (100000).
 */
#include "alloc_shim.h"
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static const char W[] = "alloc";

#define RING 1024
typedef struct obj {
  uint64_t id;
  uint64_t pad[3];
} obj;
_Static_assert(sizeof(obj) == 32, "allocations are 32 bytes");

static obj *ring[RING];
static uint64_t next_id;

static __attribute__((noinline)) void alloc_loop(uint64_t count) {
  for (uint64_t i = 0; i < count; i++) {
    uint64_t id = next_id++;
    obj **slot = &ring[id % RING];
    obj *old = *slot;
    if (old) {
      if (old->id != id - RING)
        bench_fail(W, "object %p has id %llu, expected %llu", (void *)old,
                   (unsigned long long)old->id,
                   (unsigned long long)(id - RING));
      bench_drop(old);
    }
    obj *o = bench_checked(W, bench_alloc(sizeof(obj)));
    o->id = id;
    *slot = o;
  }
}

/* The only function callgrind counts (--toggle-collect). */
__attribute__((noinline)) void bench_measured_loop(uint64_t count);
__attribute__((noinline)) void bench_measured_loop(uint64_t count) {
  alloc_loop(count);
}

int main(int argc, char **argv) {
  uint64_t count = 1000000, warm = 100000;
  int c;
  while ((c = getopt(argc, argv, "n:w:")) != -1) {
    switch (c) {
    case 'n': count = bench_parse_u64(W, "-n", optarg); break;
    case 'w': warm = bench_parse_u64(W, "-w", optarg); break;
    default: bench_fail(W, "usage: alloc_cost [-n count] [-w warm-up]");
    }
  }
  if (count < 1)
    bench_fail(W, "count must be positive");
  bench_gc_init();
  alloc_loop(warm);
  uint64_t t0 = bench_now_ns();
  bench_measured_loop(count);
  double ns = (double)(bench_now_ns() - t0) / (double)count;
  for (uint64_t id = next_id - RING; id < next_id; id++)
    if (ring[id % RING]->id != id)
      bench_fail(W, "ring slot of id %llu corrupt", (unsigned long long)id);
  printf("RESULT alloc %s count=%llu ns_per_alloc=%.2f rss_kb=%ld",
         BENCH_VARIANT, (unsigned long long)count, ns, bench_peak_rss_kb());
  bench_collector_fields(stdout);
  printf("\n");
  return 0;
}
