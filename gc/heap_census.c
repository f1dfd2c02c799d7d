/*
 * heap_census.c — one pass over the block table counting allocated
 * objects and bytes per kind and size class, large objects per kind, free
 * and decommitted blocks, and the free runs (external fragmentation: a
 * heap with many short free runs cannot place a large object).
 * Internal fragmentation is what slots waste at the end of each block;
 * what a slot wastes beyond the requested size is unknown (the request is
 * not recorded, except for precise objects).
 */
#include "heap_census.h"
#include <inttypes.h>
#include <string.h>

const char *kind_name(unsigned kind) {
  static const char *const names[NUM_KINDS] = {"conservative", "atomic", "precise",
                                               "uncollectable", "atomic-uncollectable"};
  return kind < NUM_KINDS ? names[kind] : "?";
}

static unsigned popcount_alloc(uint32_t i, uint32_t nslots) {
  unsigned n = 0;
  for (uint32_t w = 0; w * 64 < nslots && w < BITMAP_WORDS; w++)
    n += (unsigned)__builtin_popcountll(G->bits[i].alloc[w]);
  return n;
}

static void count_free_run(heap_census *c, uint64_t *run) {
  if (!*run)
    return;
  c->free_runs++;
  if (*run > c->largest_free_run)
    c->largest_free_run = *run;
  *run = 0;
}

void heap_census_take(heap_census *c) {
  memset(c, 0, sizeof *c);
  uint64_t run = 0;
  for (uint32_t i = 0; i < G->high_water; i++) {
    const block_meta *b = &G->blocks[i];
    if (b->state == BLOCK_FREE) {
      c->free_blocks++;
      c->decommitted_blocks += (b->flags & BF_DECOMMITTED) != 0;
      run++;
      continue;
    }
    count_free_run(c, &run);
    if (b->state == BLOCK_SMALL && b->kind < NUM_KINDS && b->size_class < NUM_CLASSES) {
      census_cell *cell = &c->small[b->kind][b->size_class];
      unsigned n = popcount_alloc(i, b->nslots);
      cell->blocks++;
      cell->objects += n;
      cell->bytes += (uint64_t)n * b->obj_size;
      c->small_block_bytes += BLOCK_SIZE;
      c->small_slot_bytes += (uint64_t)n * b->obj_size;
      c->small_tail_bytes += BLOCK_SIZE - (uint64_t)b->nslots * b->obj_size;
    } else if (b->state == BLOCK_LARGE_HEAD && b->kind < NUM_KINDS) {
      c->large_objects[b->kind]++;
      c->large_blocks[b->kind] += b->run_blocks;
      c->large_bytes[b->kind] += (uint64_t)b->run_blocks * BLOCK_SIZE;
    }
  }
  count_free_run(c, &run);
  c->committed_blocks = G->high_water - c->decommitted_blocks;
  for (unsigned k = 0; k < NUM_KINDS; k++) {
    c->objects += c->large_objects[k];
    c->bytes += c->large_bytes[k];
    for (unsigned cls = 0; cls < NUM_CLASSES; cls++) {
      c->objects += c->small[k][cls].objects;
      c->bytes += c->small[k][cls].bytes;
    }
  }
}

void heap_census_print(const heap_census *c, FILE *out) {
  fprintf(out, "  %-22s %6s %8s %10s %14s %7s\n", "kind", "class", "slot B", "objects",
          "bytes", "blocks");
  for (unsigned k = 0; k < NUM_KINDS; k++) {
    for (unsigned cls = 0; cls < NUM_CLASSES; cls++) {
      const census_cell *cell = &c->small[k][cls];
      if (!cell->blocks)
        continue;
      fprintf(out, "  %-22s %6u %8u %10" PRIu64 " %14" PRIu64 " %7" PRIu64 "\n", kind_name(k),
              cls, gleaner_class_size[cls], cell->objects, cell->bytes, cell->blocks);
    }
    if (c->large_objects[k])
      fprintf(out, "  %-22s %6s %8s %10" PRIu64 " %14" PRIu64 " %7" PRIu64 "\n", kind_name(k),
              "large", "-", c->large_objects[k], c->large_bytes[k], c->large_blocks[k]);
  }
  fprintf(out, "  total: %" PRIu64 " objects, %" PRIu64 " bytes; %" PRIu64
               " blocks committed, %" PRIu64 " free (%" PRIu64 " decommitted)\n",
          c->objects, c->bytes, c->committed_blocks, c->free_blocks, c->decommitted_blocks);
}
