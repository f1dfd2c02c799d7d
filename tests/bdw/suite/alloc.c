/*
 * alloc.c — the allocation and query API as a Boehm GC client uses it:
 * every allocation function and macro, zeroing, realloc, strings, lists
 * from GC_malloc_many, aligned memory, uncollectable objects (scanned,
 * never freed), interior pointers and the one-past-the-end pointer,
 * GC_base / GC_size / GC_is_heap_ptr / GC_same_obj, the heap counters and
 * the version.
 */
#include <gc.h>
#include <gc/gc_inline.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "suite.h"

struct node {
  struct node *next;
  long value;
};

/* References the collector must not see: stored complemented. */
static GC_hidden_pointer hidden_unc, hidden_aunc;

static int all_zero(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i])
      return 0;
  return 1;
}

/* Fills memory, drops it, and checks that new memory is cleared. */
static __attribute__((noinline)) void dirty_heap(void) {
  for (int i = 0; i < 20000; i++) {
    size_t n = 16 + (size_t)(i % 37) * 8;
    memset(GC_MALLOC(n), 0xA5, n);
  }
}

/* Reuses freed memory of many size classes, writing a pattern into it: a
 * wrongly reclaimed object would show the pattern. */
static __attribute__((noinline)) void overwrite_free_memory(void) {
  for (int i = 0; i < 20000; i++) {
    size_t n = 16 + (size_t)(i % 16) * 8;
    memset(GC_MALLOC(n), 0xA5, n);
  }
}

static void test_zeroing(void) {
  dirty_heap();
  suite_collect(1);
  int zero = 1;
  for (int i = 0; i < 20000; i++) {
    size_t n = 16 + (size_t)(i % 37) * 8;
    void *p = GC_MALLOC(n);
    zero &= p != NULL && all_zero(p, n);
  }
  SHOW("GC_MALLOC memory is zeroed", zero);
  struct node *n = GC_NEW(struct node);
  SHOW("GC_NEW object is zeroed", n && !n->next && !n->value);
  long *a = GC_NEW_ATOMIC(long);
  SHOW("GC_NEW_ATOMIC gives an object", a != NULL && GC_size(a) >= sizeof(long));
  struct node *u = GC_NEW_UNCOLLECTABLE(struct node);
  SHOW("GC_NEW_UNCOLLECTABLE object is zeroed", u && !u->next && !u->value);
  GC_FREE(u);
  void *big = GC_malloc_ignore_off_page(300000);
  SHOW("GC_malloc_ignore_off_page large object is zeroed",
       big && all_zero(big, 300000));
  void *bigatomic = GC_malloc_atomic_ignore_off_page(300000);
  SHOW("GC_malloc_atomic_ignore_off_page gives an object",
       bigatomic && GC_size(bigatomic) >= 300000);
  SHOW("GC_malloc(0) gives an object", GC_malloc(0) != NULL);
}

static __attribute__((noinline)) struct node *make_list(int n) {
  struct node *head = NULL;
  for (int i = 0; i < n; i++) {
    struct node *c = GC_MALLOC(sizeof *c);
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

/* The only references to lists are in uncollectable objects that the
 * program keeps hidden: they survive because uncollectable objects are
 * never reclaimed and are scanned. */
static __attribute__((noinline)) void make_uncollectable(void) {
  struct node **unc = GC_MALLOC_UNCOLLECTABLE(4 * sizeof *unc);
  for (int i = 0; i < 4; i++)
    unc[i] = make_list(1000);
  hidden_unc = GC_HIDE_POINTER(unc);
  char *text = GC_MALLOC_ATOMIC_UNCOLLECTABLE(64);
  strcpy(text, "atomic uncollectable text");
  hidden_aunc = GC_HIDE_POINTER(text);
}

static __attribute__((noinline)) void churn(int n) {
  for (int i = 0; i < n; i++)
    (void)make_list(100);
}

static void test_uncollectable(void) {
  make_uncollectable();
  for (int round = 0; round < 3; round++) {
    churn(200);
    suite_collect(1);
    overwrite_free_memory();
  }
  struct node **unc = GC_REVEAL_POINTER(hidden_unc);
  long s = 0;
  for (int i = 0; i < 4; i++)
    s += sum_list(unc[i]);
  printf("lists kept only by an uncollectable object: sum %ld\n", s);
  printf("atomic uncollectable: %s\n", (char *)GC_REVEAL_POINTER(hidden_aunc));
  GC_FREE(unc);
  GC_FREE(GC_REVEAL_POINTER(hidden_aunc));
}

static void test_realloc(void) {
  char *p = GC_REALLOC(NULL, 10);
  strcpy(p, "abcdefghi");
  p = GC_REALLOC(p, 100000);
  SHOW("GC_REALLOC grow keeps the contents", strcmp(p, "abcdefghi") == 0);
  p = GC_REALLOC(p, 4);
  SHOW("GC_REALLOC shrink keeps the prefix", memcmp(p, "abcd", 4) == 0);
  SHOW("GC_REALLOC(p, 0) returns NULL", GC_REALLOC(p, 0) == NULL);
  int *u = GC_MALLOC_UNCOLLECTABLE(8 * sizeof(int));
  for (int i = 0; i < 8; i++)
    u[i] = i * i;
  u = GC_REALLOC(u, 1000 * sizeof(int));
  SHOW("GC_REALLOC of an uncollectable object keeps the contents",
       u[7] == 49 && u[3] == 9);
  GC_FREE(u);
}

static void test_strings(void) {
  char *s = GC_STRDUP("hello, collector");
  printf("GC_STRDUP: %s\n", s);
  char *t = GC_STRNDUP("truncated string", 9);
  printf("GC_STRNDUP: %s\n", t);
  SHOW("GC_strdup(NULL) is NULL", GC_strdup(NULL) == NULL);
}

static void test_many(void) {
  void *list = GC_malloc_many(48);
  int count = 0, ok = 1;
  for (void *p = list; p; p = GC_NEXT(p)) {
    count++;
    ok &= GC_size(p) >= 48 && all_zero((char *)p + sizeof(void *), 48 - sizeof(void *));
  }
  SHOW("GC_malloc_many gives cleared objects", count > 0 && ok);
}

static void test_aligned(void) {
  void *p = GC_memalign(64, 200);
  SHOW("GC_memalign(64) is aligned", p && ((uintptr_t)p % 64) == 0);
  void *q = GC_memalign(4096, 10000);
  SHOW("GC_memalign(4096) is aligned", q && ((uintptr_t)q % 4096) == 0);
  void *r = NULL;
  SHOW("GC_posix_memalign(128) succeeds",
       GC_posix_memalign(&r, 128, 1000) == 0 && ((uintptr_t)r % 128) == 0);
  SHOW("GC_posix_memalign(24) is EINVAL", GC_posix_memalign(&r, 24, 10) == EINVAL);
}

static char *kept_interior;     /* points inside an object */
static char *kept_past_the_end; /* points just past an object */

static __attribute__((noinline)) void make_interior(void) {
  char *a = GC_MALLOC(64);
  strcpy(a, "kept by an interior pointer");
  kept_interior = a + 20;
  char *b = GC_MALLOC(48);
  strcpy(b, "kept by a pointer past its end");
  kept_past_the_end = b + 48;
}

static void test_pointers(void) {
  make_interior();
  churn(300);
  suite_collect(2);
  overwrite_free_memory();
  printf("%s\n", kept_interior - 20);
  printf("%s\n", kept_past_the_end - 48);

  char *p = GC_MALLOC(100);
  SHOW("GC_base of an interior pointer", GC_base(p + 50) == p);
  int local = 0;
  SHOW("GC_base of a stack address is NULL", GC_base(&local) == NULL);
  char *m = malloc(32);
  SHOW("GC_base of malloc memory is NULL", GC_base(m) == NULL);
  SHOW("GC_is_heap_ptr(heap)", GC_is_heap_ptr(p + 99));
  SHOW("GC_is_heap_ptr(stack)", GC_is_heap_ptr(&local));
  free(m);
  SHOW("GC_size covers the request", GC_size(p) >= 100);
  SHOW("GC_same_obj returns its first argument", GC_same_obj(p + 10, p) == p + 10);
}

static void test_inline(void) {
  void *fl[GC_TINY_FREELISTS] = {0};
  void *w = NULL, *c = NULL;
  GC_MALLOC_WORDS(w, 3, fl);
  SHOW("GC_MALLOC_WORDS gives an object", w && GC_size(w) >= 3 * sizeof(void *));
  GC_CONS(c, w, NULL, fl);
  SHOW("GC_CONS stores both halves", c && ((void **)c)[0] == w && ((void **)c)[1] == NULL);
}

static void test_counters(void) {
  GC_word before = GC_get_gc_no();
  size_t total_before = GC_get_total_bytes();
  churn(1000); /* 1000 * 100 nodes of 16 bytes: at least 1.6 MB */
  SHOW("GC_get_total_bytes counts allocation",
       GC_get_total_bytes() >= total_before + 1600000);
  GC_gcollect();
  SHOW("GC_gcollect advances GC_get_gc_no", GC_get_gc_no() > before);
  SHOW("GC_gc_no agrees with GC_get_gc_no", GC_gc_no == GC_get_gc_no());
  size_t heap = GC_get_heap_size();
  SHOW("heap size is positive", heap > 0);
  SHOW("free bytes fit in the heap", GC_get_free_bytes() <= heap);
  SHOW("bytes since the collection are few", GC_get_bytes_since_gc() < 1000000);
  GC_word h = 0, f = 0, u = 0, s = 0, t = 0;
  GC_get_heap_usage_safe(&h, &f, &u, &s, &t);
  SHOW("GC_get_heap_usage_safe agrees", h == GC_get_heap_size() && f <= h && t > 0);
  struct GC_prof_stats_s ps;
  SHOW("GC_get_prof_stats fills the structure",
       GC_get_prof_stats(&ps, sizeof ps) == sizeof ps && ps.gc_no == GC_get_gc_no());
  unsigned v = GC_get_version();
  printf("GC_get_version: %u.%u.%u\n", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

int main(void) {
  printf("initialized before any call: %d\n", GC_is_init_called());
  printf("all interior pointers: %d\n", GC_all_interior_pointers);
  test_zeroing();
  printf("initialized after allocating: %d\n", GC_is_init_called());
  test_uncollectable();
  test_realloc();
  test_strings();
  test_many();
  test_aligned();
  test_pointers();
  test_inline();
  test_counters();
  return 0;
}
