/*
 * debug.c — a GC_DEBUG build: every allocation macro expands to a
 * GC_debug_* entry point that records the call site.  The program uses
 * them as a debug build of a real client would: allocate, reallocate,
 * free, duplicate strings, and use the checked pointer arithmetic (GC_PTR_ADD,
 * GC_PRE_INCR, GC_POST_INCR) and stores (GC_PTR_STORE).  It also smashes
 * the end of an object and frees it: the collector reports that on stderr
 * and carries on.  (Finalizers and links in a GC_DEBUG build:
 * debug_finalize.c.)
 */
#define GC_DEBUG
#include <gc.h>
#include <gc/gc_typed.h>

#include "suite.h"

struct rec {
  struct rec *next;
  long value;
};

static __attribute__((noinline)) struct rec *make_list(int n) {
  struct rec *head = NULL;
  for (int i = 0; i < n; i++) {
    struct rec *r = GC_MALLOC(sizeof *r);
    r->value = i;
    r->next = head;
    head = r;
  }
  return head;
}

static __attribute__((noinline)) void smash_and_free(void) {
  volatile size_t overrun = 12; /* two bytes past the end, unknown to the compiler */
  char *p = GC_MALLOC_ATOMIC(10);
  memset(p, 'x', overrun);
  GC_FREE(p);
}

int main(void) {
  GC_INIT();

  struct rec *l = make_list(10000);
  for (int i = 0; i < 3; i++) {
    (void)make_list(10000);
    suite_collect(1);
  }
  long s = 0;
  for (struct rec *r = l; r; r = r->next)
    s += r->value;
  printf("debug-allocated list survives: sum %ld\n", s);

  int *v = GC_MALLOC(10 * sizeof *v);
  int zero = 1;
  for (int i = 0; i < 10; i++)
    zero &= v[i] == 0;
  SHOW("GC_MALLOC memory is zeroed", zero);
  for (int i = 0; i < 10; i++)
    v[i] = i;
  v = GC_REALLOC(v, 1000 * sizeof *v);
  SHOW("GC_REALLOC keeps the contents", v[9] == 9 && v[0] == 0);
  SHOW("GC_REALLOC clears the new part", v[10] == 0 && v[999] == 0);
  v = GC_REALLOC(v, 5 * sizeof *v);
  SHOW("GC_REALLOC shrink keeps the prefix", v[4] == 4);
  GC_FREE(v);

  char *str = GC_STRDUP("debug string");
  char *strn = GC_STRNDUP("debug string", 5);
  printf("%s / %s\n", str, strn);
  struct rec *u = GC_MALLOC_UNCOLLECTABLE(sizeof *u);
  u->next = make_list(100);
  char *au = GC_MALLOC_ATOMIC_UNCOLLECTABLE(16);
  strcpy(au, "uncollectable");
  suite_collect(1);
  printf("%s, list head %ld\n", au, u->next->value);
  GC_FREE(u);
  GC_FREE(au);
  GC_FREE(NULL);

  GC_descr d = GC_make_descriptor((GC_word[]){1}, 2);
  struct rec *typed = GC_MALLOC_EXPLICITLY_TYPED(sizeof(struct rec), d);
  typed->next = make_list(10);
  suite_collect(1);
  printf("typed (debug): next value %ld\n", typed->next->value);

  int *arr = GC_MALLOC(8 * sizeof *arr);
  int *q = GC_PTR_ADD(arr, 3);
  int *r = arr;
  GC_PRE_INCR(r, 2);
  int *before = GC_POST_INCR(r);
  SHOW("checked pointer arithmetic", q == arr + 3 && before == arr + 2 && r == arr + 3);
  struct rec *holder = GC_NEW(struct rec);
  struct rec *target = GC_NEW(struct rec);
  target->value = 99;
  GC_PTR_STORE(&holder->next, target);
  SHOW("GC_PTR_STORE stores", holder->next == target);

  smash_and_free();
  printf("carried on after freeing a smashed object\n");
  return 0;
}
