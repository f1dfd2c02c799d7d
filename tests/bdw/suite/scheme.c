/*
 * scheme.c — the data model of a Scheme-style runtime on Boehm GC:
 *
 *   - tagged values: the low three bits of a word say what it is, so the
 *     only references to pairs, vectors and strings carry tag bits (they
 *     point a few bytes into the object);
 *   - a symbol table that does not keep symbols alive: uncollectable chain
 *     nodes hold hidden pointers with disappearing links, read under
 *     GC_call_with_alloc_lock, pruned when the collector clears them;
 *   - a global environment in uncollectable memory, which is scanned and so
 *     keeps the symbols and values bound in it alive.
 */
#include <gc.h>

#include <stdint.h>
#include <stdlib.h>

#include "suite.h"

typedef uintptr_t val;
#define TAG_MASK ((val)7)
#define TAG_FIXNUM ((val)1)
#define TAG_PAIR ((val)2)
#define TAG_SYMBOL ((val)3)
#define TAG_STRING ((val)5)
#define TAG_VECTOR ((val)7)
#define NIL ((val)0)

#define FIXNUM(n) (((val)(n) << 3) | TAG_FIXNUM)
#define FIXNUM_VALUE(v) ((long)((intptr_t)(v) >> 3))
#define UNTAG(v) ((void *)((v) & ~TAG_MASK))
#define TAG(p, t) ((val)(p) | (t))

struct pair { val car, cdr; };
struct symbol { val name; unsigned long hash; };
struct vector { long length; val items[]; };

static val cons(val a, val d) {
  struct pair *p = GC_MALLOC(sizeof *p);
  p->car = a;
  p->cdr = d;
  return TAG(p, TAG_PAIR);
}
#define CAR(v) (((struct pair *)UNTAG(v))->car)
#define CDR(v) (((struct pair *)UNTAG(v))->cdr)

static val make_string(const char *s) {
  size_t n = strlen(s);
  char *data = GC_MALLOC_ATOMIC(n + 1);
  memcpy(data, s, n + 1);
  return TAG(data, TAG_STRING);
}
#define STRING_CHARS(v) ((const char *)UNTAG(v))

/* ---- the weak symbol table --------------------------------------------- */

#define NBUCKETS 256
struct chain {
  GC_hidden_pointer symbol; /* hidden: the table does not keep it alive */
  struct chain *next;
};
static struct chain **buckets; /* uncollectable */

static unsigned long hash_name(const char *s) {
  unsigned long h = 5381;
  while (*s)
    h = h * 33 + (unsigned char)*s++;
  return h;
}

struct lookup {
  const char *name;
  unsigned long hash;
  struct symbol *found;
  struct chain *dead; /* cleared nodes, freed after the lock is released */
};

/* Under the allocation lock (no allocation, no GC_FREE there): reveal,
 * compare, and unlink the chain nodes whose symbol the collector has
 * cleared. */
static void *GC_CALLBACK lookup_locked(void *arg) {
  struct lookup *l = arg;
  struct chain **link = &buckets[l->hash % NBUCKETS];
  while (*link) {
    struct chain *c = *link;
    if (c->symbol == 0) {
      *link = c->next;
      c->next = l->dead;
      l->dead = c;
      continue;
    }
    struct symbol *s = GC_REVEAL_POINTER(c->symbol);
    if (s->hash == l->hash && strcmp(STRING_CHARS(s->name), l->name) == 0) {
      l->found = s;
      return NULL;
    }
    link = &c->next;
  }
  return NULL;
}

struct insert { struct chain *node; struct lookup *l; };

static void *GC_CALLBACK insert_locked(void *arg) {
  struct insert *ins = arg;
  lookup_locked(ins->l); /* someone may have interned it meanwhile */
  if (ins->l->found == NULL) {
    struct chain **b = &buckets[ins->l->hash % NBUCKETS];
    ins->node->next = *b;
    *b = ins->node;
  }
  return NULL;
}

static void free_dead(struct lookup *l) {
  while (l->dead) {
    struct chain *next = l->dead->next;
    GC_FREE(l->dead);
    l->dead = next;
  }
}

static val intern(const char *name) {
  struct lookup l = {name, hash_name(name), NULL, NULL};
  GC_call_with_alloc_lock(lookup_locked, &l);
  free_dead(&l);
  if (l.found)
    return TAG(l.found, TAG_SYMBOL);
  struct symbol *s = GC_MALLOC(sizeof *s);
  s->name = make_string(name);
  s->hash = l.hash;
  struct chain *node = GC_MALLOC_UNCOLLECTABLE(sizeof *node);
  node->symbol = GC_HIDE_POINTER(s);
  if (GC_GENERAL_REGISTER_DISAPPEARING_LINK((void **)&node->symbol, s) != GC_SUCCESS)
    abort();
  struct insert ins = {node, &l};
  GC_call_with_alloc_lock(insert_locked, &ins);
  free_dead(&l);
  if (l.found) {
    GC_unregister_disappearing_link((void **)&node->symbol);
    GC_FREE(node);
    return TAG(l.found, TAG_SYMBOL);
  }
  return TAG(s, TAG_SYMBOL);
}

static void *GC_CALLBACK count_locked(void *arg) {
  long *live = arg;
  for (int i = 0; i < NBUCKETS; i++)
    for (struct chain *c = buckets[i]; c; c = c->next)
      if (c->symbol != 0)
        (*live)++;
  return NULL;
}

static long live_symbols(void) {
  long live = 0;
  GC_call_with_alloc_lock(count_locked, &live);
  return live;
}

/* ---- the global environment: uncollectable, hence scanned --------------- */

#define ENV_SIZE 512
struct binding { val symbol, value; };
static struct binding *env; /* uncollectable */
static int env_used;

static void define(val sym, val value) {
  env[env_used].symbol = sym;
  env[env_used].value = value;
  env_used++;
}

static val lookup_env(val sym) {
  for (int i = 0; i < env_used; i++)
    if (env[i].symbol == sym)
      return env[i].value;
  return NIL;
}

/* ---- programs ------------------------------------------------------------ */

static val list_of_range(long n) {
  val l = NIL;
  for (long i = n; i > 0; i--)
    l = cons(FIXNUM(i), l);
  return l;
}

static long sum(val l) {
  long s = 0;
  for (; l != NIL; l = CDR(l))
    s += FIXNUM_VALUE(CAR(l));
  return s;
}

static __attribute__((noinline)) void make_symbols(void) {
  char name[32];
  for (int i = 0; i < 2000; i++) {
    snprintf(name, sizeof name, "sym-%d", i);
    val s = intern(name);
    if (i % 10 == 0)
      define(s, list_of_range(i % 100 + 1));
  }
}

static __attribute__((noinline)) void churn(void) {
  for (int i = 0; i < 2000; i++)
    (void)list_of_range(50);
}

static val kept_list;   /* a tagged reference in a global */
static val kept_vector; /* tag 7: points 7 bytes into the object */

static __attribute__((noinline)) void make_tagged(void) {
  kept_list = list_of_range(50000);
  struct vector *v = GC_MALLOC(sizeof *v + 16 * sizeof(val));
  v->length = 16;
  for (int i = 0; i < 16; i++)
    v->items[i] = make_string(i % 2 ? "odd" : "even");
  kept_vector = TAG(v, TAG_VECTOR);
}

int main(void) {
  GC_INIT();
  buckets = GC_MALLOC_UNCOLLECTABLE(NBUCKETS * sizeof *buckets);
  env = GC_MALLOC_UNCOLLECTABLE(ENV_SIZE * sizeof *env);

  make_symbols();
  make_tagged();
  for (int round = 0; round < 3; round++) {
    churn();
    suite_collect(2);
  }
  long live = live_symbols();
  SHOW("bound symbols survive", live >= 200);
  SHOW("most unbound symbols were dropped", live < 200 + 1800 / 10);

  int same = 1;
  long bound_sum = 0;
  char name[32];
  for (int i = 0; i < 2000; i += 10) {
    snprintf(name, sizeof name, "sym-%d", i);
    val s = intern(name);
    same &= lookup_env(s) != NIL;
    bound_sum += sum(lookup_env(s));
  }
  SHOW("re-interning a bound name gives the bound symbol", same);
  printf("sum of the bound values: %ld\n", bound_sum);

  printf("sum of the tagged list: %ld\n", sum(kept_list));
  struct vector *v = UNTAG(kept_vector);
  printf("vector: %ld items, [0]=%s [15]=%s\n", v->length,
         STRING_CHARS(v->items[0]), STRING_CHARS(v->items[15]));
  return 0;
}
