/*
 * typed.c — gc_typed.h: descriptors made from bitmaps, typed objects and
 * arrays of typed records.  Pointers stored in the words a descriptor marks
 * keep their targets alive; pointer-free descriptors give objects that hold
 * plain data.
 */
#include <gc.h>
#include <gc/gc_typed.h>

#include <stddef.h>

#include "suite.h"

struct rec {
  struct rec *left; /* pointer */
  long key;         /* data */
  char *label;      /* pointer */
  double weight;    /* data */
};

static GC_descr rec_descr, data_descr;

static __attribute__((noinline)) struct rec *make_tree(int depth, long *next_key) {
  if (depth == 0)
    return NULL;
  struct rec *r = GC_MALLOC_EXPLICITLY_TYPED(sizeof *r, rec_descr);
  r->key = (*next_key)++;
  r->weight = 0.5 * (double)r->key;
  r->label = GC_MALLOC_ATOMIC(16);
  snprintf(r->label, 16, "n%ld", r->key);
  r->left = make_tree(depth - 1, next_key);
  return r;
}

static __attribute__((noinline)) void churn(void) {
  long k = 0;
  for (int i = 0; i < 2000; i++)
    (void)make_tree(20, &k);
}

int main(void) {
  GC_INIT();
  GC_word bm[GC_BITMAP_SIZE(struct rec)] = {0};
  GC_set_bit(bm, GC_WORD_OFFSET(struct rec, left));
  GC_set_bit(bm, GC_WORD_OFFSET(struct rec, label));
  rec_descr = GC_make_descriptor(bm, GC_WORD_LEN(struct rec));
  GC_word none[1] = {0};
  data_descr = GC_make_descriptor(none, 4);

  long key = 0;
  struct rec *tree = make_tree(500, &key);
  struct rec *array = GC_CALLOC_EXPLICITLY_TYPED(1000, sizeof(struct rec), rec_descr);
  for (int i = 0; i < 1000; i++) {
    array[i].key = i;
    array[i].label = GC_MALLOC_ATOMIC(8);
    snprintf(array[i].label, 8, "a%d", i);
  }
  long *data = GC_MALLOC_EXPLICITLY_TYPED(100 * sizeof(long), data_descr);
  for (int i = 0; i < 100; i++)
    data[i] = i * 3;
  struct rec *big = GC_malloc_explicitly_typed_ignore_off_page(sizeof *big, rec_descr);
  big->left = tree;

  for (int i = 0; i < 3; i++) {
    churn();
    suite_collect(1);
  }
  long sum = 0, n = 0;
  for (struct rec *r = big->left; r; r = r->left, n++)
    sum += r->key + (long)r->weight + (r->label[0] == 'n');
  printf("typed list: %ld records, checksum %ld, last label %s\n", n, sum,
         tree->left->left->label);
  long asum = 0;
  for (int i = 0; i < 1000; i++)
    asum += array[i].key + (array[i].label[0] == 'a');
  printf("typed array: checksum %ld, label %s\n", asum, array[999].label);
  long dsum = 0;
  for (int i = 0; i < 100; i++)
    dsum += data[i];
  printf("pointer-free typed object: sum %ld\n", dsum);
  volatile size_t huge = (size_t)-1 / 8; /* count * 64 overflows */
  SHOW("calloc of an impossible size fails",
       GC_calloc_explicitly_typed(huge, 64, rec_descr) == NULL);
  return 0;
}
