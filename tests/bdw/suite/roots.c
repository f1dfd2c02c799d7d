/*
 * roots.c — root ranges as Boehm GC clients manage them: memory from
 * malloc is not scanned unless given to GC_add_roots; a removed or cleared
 * range keeps nothing alive any more; GC_exclude_static_roots takes part
 * of the program's own data out of the root set.  Whether an object died
 * is read from a disappearing link.
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

static GC_hidden_pointer watched;
static __attribute__((noinline)) void *make_watched(void) {
  struct node *l = make_list(1000);
  watched = GC_HIDE_POINTER(l);
  GC_general_register_disappearing_link((void **)&watched, l);
  return l;
}

static void test_roots(void) {
  /* malloc'd memory is not scanned, unless given to GC_add_roots. */
  void **cell = malloc(4 * sizeof *cell);
  cell[0] = cell[1] = cell[2] = cell[3] = NULL;
  cell[2] = make_watched();
  GC_add_roots(cell, cell + 4);
  churn(8 << 20);
  suite_collect(2);
  printf("list kept by an added root range: sum %ld\n", sum_list(cell[2]));
  GC_remove_roots(cell, cell + 4);
  suite_collect(2);
  SHOW("dropped once the range is removed", watched == 0);

  cell[1] = make_watched();
  GC_add_roots(cell, cell + 4);
  suite_collect(2);
  SHOW("kept again by the range", watched != 0);
  GC_clear_roots();
  suite_collect(2);
  SHOW("dropped once the ranges are cleared", watched == 0);
  free(cell);
}

void *excluded_area[8]; /* not static: the store must stay */

static void test_exclusion(void) {
  excluded_area[3] = make_watched();
  GC_exclude_static_roots(excluded_area, excluded_area + 8);
  suite_collect(2);
  SHOW("an excluded static area keeps nothing alive", watched == 0);
}

int main(void) {
  GC_INIT();
  test_roots();
  test_exclusion();
  return 0;
}
