/*
 * types.c — the Gleaner type descriptors of every interpreter object.
 *
 * Each object kind is one registered gc_type.  Kinds whose slots can hold
 * immediates (fixnums, booleans, ...) use a trace function that visits only
 * the slots currently holding heap pointers: an immediate is never handed
 * to the collector.  Kinds whose slots hold only heap pointers or NULL
 * (closures, tables, weak entries) use a pointer bitmap instead, which lets
 * the collector trace them without calling back into us.  Pointer-free
 * kinds (flonums, strings, primitives) declare neither.  Variable-sized
 * kinds give a size function; it reads only the length field written right
 * after allocation, and returns exactly the size we asked for.
 */
#include "lisp.h"

#include <stdlib.h>

static inline void visit_val(val *slot, gc_visit_fn visit, void *ctx) {
  if (is_heap(*slot))
    visit((void **)slot, ctx);
}

static void trace_pair(void *o, gc_visit_fn visit, void *ctx) {
  struct pair *p = o;
  visit_val(&p->car, visit, ctx);
  visit_val(&p->cdr, visit, ctx);
}

static void trace_symbol(void *o, gc_visit_fn visit, void *ctx) {
  struct symbol *s = o;
  visit_val(&s->name, visit, ctx);
  visit_val(&s->value, visit, ctx);
}

static void trace_vector(void *o, gc_visit_fn visit, void *ctx) {
  struct vector *v = o;
  for (size_t i = 0; i < v->len; i++)
    visit_val(&v->items[i], visit, ctx);
}

static void trace_env(void *o, gc_visit_fn visit, void *ctx) {
  struct env *e = o;
  visit_val(&e->parent, visit, ctx);
  visit_val(&e->names, visit, ctx);
  visit_val(&e->extra, visit, ctx);
  for (uint32_t i = 0; i < e->h.aux; i++)
    visit_val(&e->values[i], visit, ctx);
}

static void trace_entry(void *o, gc_visit_fn visit, void *ctx) {
  struct entry *e = o;
  visit_val(&e->key, visit, ctx);
  visit_val(&e->value, visit, ctx);
  visit_val(&e->next, visit, ctx);
}

static size_t size_string(const void *o) {
  return sizeof(struct string) + ((const struct string *)o)->len + 1;
}
static size_t size_vector(const void *o) {
  return sizeof(struct vector) + ((const struct vector *)o)->len * sizeof(val);
}
static size_t size_env(const void *o) {
  return sizeof(struct env) + ((const struct env *)o)->h.aux * sizeof(val);
}

/* Word i of the object is an exact slot when bit i is set (word 0 is the
 * header). */
static const uint64_t closure_bitmap[1] = {(1u << 1) | (1u << 2) | (1u << 3) |
                                           (1u << 4)};
static const uint64_t table_bitmap[1] = {1u << 2};
static const uint64_t wentry_bitmap[1] = {(1u << 1) | (1u << 2)};

gc_type ty_pair = {.name = "lisp-pair", .size = sizeof(struct pair),
                   .trace = trace_pair};
gc_type ty_flonum = {.name = "lisp-flonum", .size = sizeof(struct flonum)};
gc_type ty_string = {.name = "lisp-string", .size_fn = size_string};
gc_type ty_symbol = {.name = "lisp-symbol", .size = sizeof(struct symbol),
                     .trace = trace_symbol};
gc_type ty_vector = {.name = "lisp-vector", .size_fn = size_vector,
                     .trace = trace_vector};
gc_type ty_closure = {.name = "lisp-closure", .size = sizeof(struct closure),
                      .pointer_bitmap = closure_bitmap, .bitmap_words = 1};
gc_type ty_prim = {.name = "lisp-primitive", .size = sizeof(struct prim)};
gc_type ty_env = {.name = "lisp-env", .size_fn = size_env, .trace = trace_env};
gc_type ty_table = {.name = "lisp-table", .size = sizeof(struct table),
                    .pointer_bitmap = table_bitmap, .bitmap_words = 1};
gc_type ty_entry = {.name = "lisp-entry", .size = sizeof(struct entry),
                    .trace = trace_entry};
gc_type ty_wentry = {.name = "lisp-weak-entry", .size = sizeof(struct wentry),
                     .pointer_bitmap = wentry_bitmap, .bitmap_words = 1};

void types_init(void) {
  gc_type *all[] = {&ty_pair,    &ty_flonum, &ty_string, &ty_symbol,
                    &ty_vector,  &ty_closure, &ty_prim,  &ty_env,
                    &ty_table,   &ty_entry,  &ty_wentry};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    if (gc_type_register(all[i]) != 0) {
      fprintf(stderr, "lisp: cannot register type %s\n", all[i]->name);
      exit(2);
    }
  }
}

/* The one allocation entry point: may collect, so every unrooted val the
 * caller holds is stale afterwards (rule R1). */
void *lisp_alloc(const gc_type *t, size_t n) {
  void *p = gc_alloc_typed(t, n);
  if (p == NULL)
    lisp_error("out of memory", NO_IRRITANT);
  return p;
}
