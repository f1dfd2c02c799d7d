/*
 * incremental.c — incremental collection in a program that knows nothing
 * about barriers (GC_enable_incremental, as Boehm GC clients turn it on).
 *
 * A binary tree is rewired at random while collections advance in small
 * steps (GC_collect_a_little and ordinary allocation): subtrees are moved
 * from one place to another, replaced by fresh copies, and values are
 * rewritten.  A write the collector missed would free a reachable node;
 * its memory would then be reused and the final checksum, computed over
 * the whole tree, would differ.  The sequence is fixed (seeded), so the
 * expected checksum is too.
 */
#include <gc.h>

#include <stdlib.h>

#include "suite.h"

struct tree {
  struct tree *left, *right;
  long value;
  char *tag; /* atomic */
};

static __attribute__((noinline)) struct tree *build(int depth, long *counter) {
  if (depth == 0)
    return NULL;
  struct tree *t = GC_NEW(struct tree);
  t->value = (*counter)++;
  t->tag = GC_MALLOC_ATOMIC(8);
  snprintf(t->tag, 8, "%ld", t->value % 1000);
  t->left = build(depth - 1, counter);
  t->right = build(depth - 1, counter);
  return t;
}

static long checksum(const struct tree *t) {
  if (t == NULL)
    return 7;
  return (t->value * 31 + atol(t->tag)) ^ (checksum(t->left) * 3 + checksum(t->right));
}

/* A random slot (the address of a child pointer) at depth d or less, if
 * the path ends early. */
static struct tree **pick(struct tree **root, unsigned long *seed, int d) {
  struct tree **slot = root;
  for (int i = 0; i < d && *slot; i++)
    slot = (suite_rand(seed) & 1) ? &(*slot)->left : &(*slot)->right;
  return slot;
}

int main(void) {
  GC_INIT();
  GC_enable_incremental();
  unsigned long seed = 12345;
  long counter = 0;
  struct tree *root = build(16, &counter);
  for (int step = 0; step < 20000; step++) {
    /* Two slots at the same depth: neither subtree contains the other. */
    int depth = 1 + (int)(suite_rand(&seed) % 12);
    struct tree **a = pick(&root, &seed, depth);
    struct tree **b = pick(&root, &seed, depth);
    switch (suite_rand(&seed) % 3) {
    case 0: { /* swap two subtrees */
      struct tree *x = *a;
      *a = *b;
      *b = x;
      break;
    }
    case 1: /* replace a subtree by a fresh one */
      *a = build(1 + (int)(suite_rand(&seed) % 5), &counter);
      break;
    default: /* rewrite a value and its tag */
      if (*a) {
        (*a)->value = (long)(suite_rand(&seed) % 100000);
        (*a)->tag = GC_MALLOC_ATOMIC(8);
        snprintf((*a)->tag, 8, "%ld", (*a)->value % 1000);
      }
    }
    for (int g = 0; g < 20; g++)
      (void)GC_MALLOC(48); /* garbage, which paces the collector */
    if (step % 16 == 0)
      (void)GC_collect_a_little();
  }
  int steps = 0;
  while (GC_collect_a_little() && steps < 1000000)
    steps++;
  GC_start_incremental_collection();
  suite_collect(1);
  printf("tree checksum: %ld\n", checksum(root));
  return 0;
}
