/*
 * symbols.c — the symbol table: every symbol name maps to exactly one
 * symbol object, so symbols compare with ==.
 *
 * The table is a vector of buckets (lists of symbols), an exact root.  It
 * hashes symbol *names* (content), never addresses, so it needs no rehash
 * when the compactor moves symbols.  Each symbol caches its name hash (used
 * by hash tables too), its global value (the global environment lives in
 * the symbols), and in `aux` the special form it names, if any.
 */
#include "lisp.h"

#include <string.h>

static val symtab;         /* vector of buckets; exact root */
static size_t symtab_count;
static val specials[SF_COUNT]; /* exact roots */

uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

static val bucket_find(val bucket, const char *name, size_t len) {
  for (; bucket != NIL; bucket = cdr(bucket)) {
    val name_str = sym_name(car(bucket));
    if (str_len(name_str) == len && memcmp(str_data(name_str), name, len) == 0)
      return car(bucket);
  }
  return NIL;
}

/* Doubles the bucket count; allocates. */
static void symtab_grow(void) {
  size_t old_n = AS(vector, symtab)->len;
  val fresh = make_vector(old_n * 2, NIL);
  vpush(fresh);
  for (size_t i = 0; i < old_n; i++) {
    while (AS(vector, symtab)->items[i] != NIL) {
      val cell = AS(vector, symtab)->items[i];
      vector_set(symtab, i, cdr(cell));
      size_t j = AS(symbol, car(cell))->hash & (old_n * 2 - 1);
      set_cdr(cell, AS(vector, vstack[vsp() - 1])->items[j]);
      vector_set(vstack[vsp() - 1], j, cell);
    }
  }
  symtab = vpop();
}

/* `name` must not point into the heap (the allocation may move it). */
val intern(const char *name, size_t len) {
  uint64_t h = hash_bytes(name, len);
  size_t n = AS(vector, symtab)->len;
  val found = bucket_find(AS(vector, symtab)->items[h & (n - 1)], name, len);
  if (found != NIL)
    return found;
  GC_FRAME(f, 2);
  val *str = SLOT(f, 0), *sym = SLOT(f, 1);
  *str = mk_string(name, len);
  *sym = lisp_alloc(&ty_symbol, sizeof(struct symbol));
  struct symbol *s = AS(symbol, *sym);
  s->h.tag = T_SYMBOL;
  s->hash = h;
  s->value = UNBOUND;
  GC_STORE(s, s->name, *str);
  if (++symtab_count > 2 * n) {
    symtab_grow();
    n = AS(vector, symtab)->len;
  }
  val cell = cons(*sym, AS(vector, symtab)->items[h & (n - 1)]);
  vector_set(symtab, h & (n - 1), cell);
  val result = *sym;
  GC_FRAME_END(f);
  return result;
}

val intern_c(const char *name) { return intern(name, strlen(name)); }

val special_symbol(enum special sf) { return specials[sf]; }

void symbols_init(void) {
  static const char *const names[SF_COUNT] = {
      [SF_QUOTE] = "quote", [SF_QUASIQUOTE] = "quasiquote",
      [SF_UNQUOTE] = "unquote", [SF_UNQUOTE_SPLICING] = "unquote-splicing",
      [SF_IF] = "if", [SF_DEFINE] = "define", [SF_SET] = "set!",
      [SF_LAMBDA] = "lambda", [SF_LET] = "let", [SF_LETSTAR] = "let*",
      [SF_LETREC] = "letrec", [SF_COND] = "cond", [SF_CASE] = "case",
      [SF_BEGIN] = "begin", [SF_AND] = "and", [SF_OR] = "or",
      [SF_WHEN] = "when", [SF_UNLESS] = "unless", [SF_DO] = "do",
      [SF_ELSE] = "else", [SF_ARROW] = "=>"};
  gc_root_add((void **)&symtab);
  symtab = make_vector(256, NIL);
  for (int i = 1; i < SF_COUNT; i++) {
    gc_root_add((void **)&specials[i]);
    specials[i] = intern_c(names[i]);
    specials[i]->aux = (uint32_t)i;
  }
  /* letrec* behaves as our letrec (sequential initialisation). */
  val letrec_star = intern_c("letrec*");
  letrec_star->aux = SF_LETREC;
}
