/*
 * lisp.h — the value representation and object layouts of the example
 * Scheme interpreter, and the rules every file of it follows so that the
 * Gleaner compactor may move any of its objects at any allocation.
 *
 * Values.  A `val` is one machine word:
 *   - NULL is the empty list ();
 *   - a word with bit 63 set is an immediate: fixnums (bits 63..62 = 10,
 *     62-bit two's complement payload) and the other immediates (bits
 *     63..62 = 11: booleans, characters, unspecified, undefined, eof).
 *     User-space addresses on x86-64/AArch64 never have bit 63 set, so no
 *     immediate can ever be mistaken for a heap address — by the collector
 *     visiting an exact slot, or by the conservative stack scanner;
 *   - anything else is the start of a precise Gleaner object allocated with
 *     gc_alloc_typed, whose first word is a `struct obj` header (our own
 *     tag; the collector keeps its own metadata out of band).
 *
 * Rooting rules (the compactor moves objects named only by exact
 * references, so a raw C pointer is stale after any allocation):
 *   R1. A val that must survive an allocation lives in a GC_FRAME slot, on
 *       the value stack (vpush/vpop, an exact shadow frame, below), or in a
 *       global registered with gc_root_add.  It is re-read after every call
 *       that may allocate.  Allocating functions are marked "allocates".
 *   R2. Constructors (cons, make_vector, ...) protect their own val
 *       arguments, so cons(a, b) is safe for any a, b the caller has just
 *       read; but allocating calls are never nested in another call's
 *       argument list (C leaves the evaluation order open).
 *   R3. Every store of a val into a heap object goes through GC_STORE (the
 *       write barrier of incremental marking), including initialising
 *       stores into fresh objects.
 *   R4. Nothing hashes on the address of a heap object: eq-hashing uses
 *       gc_identity_hash, which survives moves.
 * The conservative stack scan would pin objects a stale C local still
 * names, which hides rule violations; `make lisp-rootcheck` runs the
 * suite against rootcheck/movegc.c, which moves every object at every
 * collection and trusts only exact roots.
 */
#ifndef LISP_H
#define LISP_H

#include <gleaner.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct obj *val;

/* ---- immediates -------------------------------------------------------- */

#define IMM_BIT ((uint64_t)1 << 63)
#define IMM_OTHER ((uint64_t)3 << 62)
#define FIX_MAX (((int64_t)1 << 61) - 1)
#define FIX_MIN (-((int64_t)1 << 61))

enum imm_kind { IK_BOOL = 1, IK_CHAR = 2, IK_SPECIAL = 3 };
#define MK_IMM(kind, payload)                                                 \
  ((val)(uintptr_t)(IMM_OTHER | ((uint64_t)(payload) << 8) | (kind)))

#define NIL ((val)0)
#define FALSE_V MK_IMM(IK_BOOL, 0)
#define TRUE_V MK_IMM(IK_BOOL, 1)
#define UNSPEC MK_IMM(IK_SPECIAL, 0)   /* result of set!, display, ... */
#define UNDEFINED MK_IMM(IK_SPECIAL, 1) /* letrec variable before its init */
#define EOF_V MK_IMM(IK_SPECIAL, 2)
#define UNBOUND MK_IMM(IK_SPECIAL, 3) /* global without a definition */
#define NO_IRRITANT MK_IMM(IK_SPECIAL, 4) /* lisp_error with nothing to show */

static inline uint64_t bits(val v) { return (uint64_t)(uintptr_t)v; }
static inline bool is_imm(val v) { return (bits(v) & IMM_BIT) != 0; }
static inline bool is_heap(val v) { return v != NIL && !is_imm(v); }
static inline bool is_fix(val v) { return (bits(v) >> 62) == 2; }
static inline int64_t fix_val(val v) { return (int64_t)(bits(v) << 2) >> 2; }
static inline bool fix_fits(int64_t n) { return n >= FIX_MIN && n <= FIX_MAX; }
static inline val mk_fix(int64_t n) {
  return (val)(uintptr_t)(IMM_BIT | ((uint64_t)n & (~(uint64_t)0 >> 2)));
}
static inline bool is_char(val v) {
  return (bits(v) >> 62) == 3 && (bits(v) & 0xff) == IK_CHAR;
}
static inline val mk_char(unsigned c) { return MK_IMM(IK_CHAR, c); }
static inline unsigned char_val(val v) {
  return (unsigned)((bits(v) & ~IMM_OTHER) >> 8);
}
static inline val mk_bool(bool b) { return b ? TRUE_V : FALSE_V; }
static inline bool truthy(val v) { return v != FALSE_V; }

/* ---- heap objects -------------------------------------------------------- */

enum tag {
  T_PAIR = 1, T_FLONUM, T_STRING, T_SYMBOL, T_VECTOR, T_CLOSURE, T_PRIM,
  T_ENV, T_TABLE, T_ENTRY, T_WENTRY
};

struct obj {
  uint32_t tag;
  uint32_t aux; /* per-type small field, see each layout */
};
struct pair { struct obj h; val car, cdr; };
struct flonum { struct obj h; double d; };
struct string { struct obj h; size_t len; char data[]; }; /* NUL-terminated */
struct symbol { struct obj h; /* aux: special form id */
  val name; val value; uint64_t hash; };
struct vector { struct obj h; size_t len; val items[]; };
struct closure { struct obj h; /* aux: required<<1 | has_rest */
  val params, body, env, name; };
typedef val (*prim_fn)(size_t argc, val *argv);
struct prim { struct obj h; /* aux: minimum argc */
  int32_t max_args; /* -1: any */ int32_t kind; prim_fn fn; const char *name; };
/* A lexical frame: values[i] is named by the i-th element of `names` (a
 * symbol, or a binding (sym init) / (sym) pair, or the symbol tail of an
 * improper parameter list); `extra` is an alist of internal defines. */
struct env { struct obj h; /* aux: number of values */
  val parent, names, extra; val values[]; };
struct table { struct obj h; /* aux: enum table_kind */
  size_t count; val buckets; };
/* Hash-table chain elements; `hash` caches the key's hash for growth. */
struct entry { struct obj h; val key, value, next; uint64_t hash; };
struct wentry { struct obj h; gc_ephemeron *eph; val next; uint64_t hash; };

enum prim_kind { PK_NORMAL = 0, PK_APPLY };
enum table_kind { TK_EQUAL = 0, TK_EQ, TK_WEAK };


static inline uint32_t tag_of(val v) { return is_heap(v) ? v->tag : 0; }
static inline bool is_pair(val v) { return tag_of(v) == T_PAIR; }
static inline bool is_symbol(val v) { return tag_of(v) == T_SYMBOL; }
static inline bool is_string(val v) { return tag_of(v) == T_STRING; }
static inline bool is_flonum(val v) { return tag_of(v) == T_FLONUM; }
static inline bool is_vector(val v) { return tag_of(v) == T_VECTOR; }
static inline bool is_table(val v) { return tag_of(v) == T_TABLE; }
static inline bool is_number(val v) { return is_fix(v) || is_flonum(v); }
static inline bool is_procedure(val v) {
  return tag_of(v) == T_CLOSURE || tag_of(v) == T_PRIM;
}

#define AS(type, v) ((struct type *)(v))
static inline val car(val v) { return AS(pair, v)->car; }
static inline val cdr(val v) { return AS(pair, v)->cdr; }
static inline double flo_val(val v) { return AS(flonum, v)->d; }
static inline const char *str_data(val v) { return AS(string, v)->data; }
static inline size_t str_len(val v) { return AS(string, v)->len; }
static inline val sym_name(val v) { return AS(symbol, v)->name; }

/* ---- the value stack: an exact shadow frame whose count is the depth ---- */

#define VSTACK_SIZE (1u << 16)
extern val *vstack; /* malloc'd: an exact root only, never scanned ambiguously */
extern gc_frame vstack_frame; /* slots = vstack, count = stack pointer */
_Noreturn void vstack_overflow(void);
static inline size_t vsp(void) { return vstack_frame.count; }
static inline void vpush(val v) {
  if (GC_UNLIKELY(vstack_frame.count == VSTACK_SIZE))
    vstack_overflow();
  vstack[vstack_frame.count++] = v;
}
static inline val vpop(void) { return vstack[--vstack_frame.count]; }
static inline void vset_sp(size_t sp) { vstack_frame.count = sp; }

/* Shorthand for a named slot of a GC_FRAME: `val *x = SLOT(f, 0);`.  The
 * frame is void *[]; val has the same representation. */
#define SLOT(frame, i) ((val *)&(frame)[i])

/* ---- types and constructors (types.c, objects.c); all allocate ---------- */

extern gc_type ty_pair, ty_flonum, ty_string, ty_symbol, ty_vector,
    ty_closure, ty_prim, ty_env, ty_table, ty_entry, ty_wentry;
void types_init(void);
void *lisp_alloc(const gc_type *t, size_t n);

val cons(val a, val d);
val mk_flonum(double d);
val mk_integer(int64_t n);          /* fixnum, or flonum when it overflows */
val mk_string(const char *s, size_t len);
val mk_string_uninit(size_t len);   /* len bytes of zeros for the caller */
val make_vector(size_t n, val fill);
val make_closure(val params, val body, val env, val name);
val make_env(size_t n, val parent, val names); /* values = UNDEFINED */
val list_from_stack(size_t base, size_t end, val tail);
void set_car(val pair, val v);
void set_cdr(val pair, val v);
void vector_set(val vec, size_t i, val v);
void env_set(val env, size_t i, val v);

/* ---- symbols (symbols.c) ------------------------------------------------- */

enum special {
  SF_NONE = 0, SF_QUOTE, SF_QUASIQUOTE, SF_UNQUOTE, SF_UNQUOTE_SPLICING,
  SF_IF, SF_DEFINE, SF_SET, SF_LAMBDA, SF_LET, SF_LETSTAR, SF_LETREC,
  SF_COND, SF_CASE, SF_BEGIN, SF_AND, SF_OR, SF_WHEN, SF_UNLESS, SF_DO,
  SF_ELSE, SF_ARROW, SF_COUNT
};
void symbols_init(void);
val intern(const char *name, size_t len); /* allocates */
val intern_c(const char *name);           /* allocates */
val special_symbol(enum special sf);      /* the symbol of a special form */
uint64_t hash_bytes(const char *s, size_t n);

/* ---- errors (errors.c) --------------------------------------------------- */

_Noreturn void lisp_error(const char *msg, val irritant);
_Noreturn void type_error(const char *who, const char *expected, val got);
_Noreturn void who_error(const char *who, const char *msg, val irritant);
_Noreturn void user_error(const char *msg, size_t len, val irritants);
void print_error(FILE *out); /* the last error's message and irritant */
/* A protected toplevel call: returns false if fn raised a lisp_error. */
bool lisp_protect(void (*fn)(void *), void *arg);

/* ---- evaluator (eval.c) -------------------------------------------------- */

val eval(val x, val env); /* env NIL: the global environment */
val eval_toplevel(val x);
val quasi(val template, val env, int depth); /* quasiquote.c */
void eval_init(void);

/* ---- reader and printer (reader.c, printer.c) --------------------------- */

struct reader {
  FILE *file;            /* either a file ... */
  const char *str, *end; /* ... or a string */
  int line;
  int peeked;            /* -2: nothing peeked */
};
void reader_file(struct reader *r, FILE *f);
void reader_string(struct reader *r, const char *s, size_t n);
val read_datum(struct reader *r); /* EOF_V at end of input; allocates */
void print_val(FILE *out, val v, bool write);
size_t format_number(char *buf, size_t n, val v);

/* ---- equality and hash tables (equal.c, table.c) ------------------------ */

bool eqv(val a, val b);
bool equal(val a, val b);
uint64_t hash_eq(val v);
uint64_t hash_equal(val v);
val table_new(enum table_kind kind, size_t capacity);
val table_ref(val table, val key, val dflt);
void table_set(val table, val key, val value);
bool table_delete(val table, val key);
size_t table_count(val table);
val table_keys(val table);   /* allocates a list */
val table_alist(val table);  /* allocates a list */
void table_clear(val table);

/* ---- primitives (prims_*.c) ---------------------------------------------- */

void define_prim(const char *name, prim_fn fn, int min, int max, int kind);
void prims_num_init(void);
void prims_data_init(void);
void prims_str_init(void);
void prims_table_init(void);
void prims_sys_init(void);
void prelude_load(void);

/* Argument checking helpers for primitives. */
int64_t arg_int(const char *who, val v);
double arg_num(const char *who, val v);
size_t arg_index(const char *who, val v, size_t limit);
void arg_check(const char *who, bool ok, const char *expected, val v);

/* Runs every form of a file or string in the global environment. */
bool lisp_run_file(const char *path);
void lisp_init(void);

#endif /* LISP_H */
