/*
 * shadow_model.h — a model of a graph of collector objects, kept where the
 * collector cannot see it, plus the small helpers the public-API tests share.
 *
 * Why: a conservative collector is judged by what it keeps.  The tests build
 * graphs of gc_alloc / gc_alloc_atomic objects whose references live only in
 * the program's own places (locals, registers, globals, heap slots, root
 * ranges) and need an independent record of which objects are reachable and
 * what each one must contain.  That record is this model.
 *
 * Hidden from the collector: the model lives in malloc memory (never scanned)
 * and stores every object address XOR-ed with SM_MASK, whose top bits make a
 * hidden value a non-canonical address.  So the model can never keep an
 * object alive: only the program's real references decide what survives.
 *
 * Object layout (8-byte words, size >= SM_MIN_SIZE):
 *   w[0] SM_ID_TAG | id            unique over the run
 *   w[1] SM_SHAPE_TAG | size | nslots << 40
 *   w[2] checksum of every word and tail byte that is not w[2] or a slot
 *   slot k at word sm_slot_word(size, nslots, k): NULL or a pointer into the
 *        target (exact or interior); slots are spread over the whole object,
 *        so a large object has references in its tail blocks too
 *   all other words: random payload with the top bit set, never an address,
 *        so payload cannot retain anything by accident.
 *
 * Invariants (what the tests rely on):
 *   - The model's roots and slots mirror memory exactly: every store goes
 *     through sm_set_root / sm_set_slot, which write both.  A root whose
 *     `where` is NULL is a value the caller holds in a C variable (a local or
 *     a register); the caller must keep that variable live (sm_keep) for as
 *     long as the model counts it.
 *   - Model roots are a subset of the program's real references, so every
 *     object the model calls reachable must survive every collection intact.
 *   - Only reachable records are verified or linked; unreachable records are
 *     dropped by sm_sweep.  The address hash may hold records that became
 *     unreachable since the last sweep (their memory may be reused); never
 *     records of a sweep that already happened.
 *
 * Everything is `static inline`: every tests/test_*.c is its own program and
 * includes this header alone.
 */
#ifndef SHADOW_MODEL_H
#define SHADOW_MODEL_H

#include <gleaner.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Top bits set: a hidden address or a header word is never a user-space
 * address, so neither can act as a reference. */
#define SM_MASK ((uintptr_t)0xA5C35A5A5A5A5A58ull)
#define SM_ID_TAG 0xC1D0000000000000ull
#define SM_SHAPE_TAG 0xB5A0000000000000ull
#define SM_PAYLOAD_BIT 0x8000000000000000ull
enum { SM_W_ID, SM_W_SHAPE, SM_W_SUM, SM_HEADER_WORDS };
#define SM_MIN_SIZE ((size_t)SM_HEADER_WORDS * 8)
#define SM_MAX_SLOTS 8u
#define SM_NONE ((sm_ref){-1, 0})

static inline uintptr_t sm_hide(const void *p) { return (uintptr_t)p ^ SM_MASK; }
static inline void *sm_unhide(uintptr_t h) { return (void *)(h ^ SM_MASK); }

/* Forces p to exist in a register or stack slot up to this point, so that a
 * variable the model counts as a root is not dropped early by the compiler. */
static inline void sm_keep(const void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }

/* ---- deterministic random numbers (xorshift64*) ----------------------- */

typedef struct sm_rng {
  uint64_t s;
} sm_rng;

static inline void sm_rng_seed(sm_rng *r, uint64_t seed) {
  r->s = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  if (r->s == 0) r->s = 1;
}
static inline uint64_t sm_rand(sm_rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1Dull;
}
static inline uint64_t sm_below(sm_rng *r, uint64_t n) { return n ? sm_rand(r) % n : 0; }

/* ---- object layout ------------------------------------------------------ */

static inline size_t sm_slot_stride(size_t size, unsigned nslots) {
  return nslots ? (size / 8 - SM_HEADER_WORDS) / nslots : 0;
}
static inline size_t sm_slot_word(size_t size, unsigned nslots, unsigned k) {
  return SM_HEADER_WORDS + k * sm_slot_stride(size, nslots);
}
/* Largest slot count an object of `size` bytes can hold. */
static inline unsigned sm_max_slots(size_t size) {
  size_t span = size / 8 - SM_HEADER_WORDS;
  return span < SM_MAX_SLOTS ? (unsigned)span : SM_MAX_SLOTS;
}
static inline int sm_is_slot_word(size_t size, unsigned nslots, size_t w) {
  size_t stride = sm_slot_stride(size, nslots);
  if (nslots == 0 || w < SM_HEADER_WORDS) return 0;
  return (w - SM_HEADER_WORDS) % stride == 0 && (w - SM_HEADER_WORDS) / stride < nslots;
}
static inline uint64_t sm_shape_word(size_t size, unsigned nslots) {
  return SM_SHAPE_TAG | (uint64_t)size | (uint64_t)nslots << 40;
}

static inline uint64_t sm_mix(uint64_t h, uint64_t x) {
  h ^= x;
  h *= 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

/* Checksum of everything but the checksum word and the pointer slots. */
static inline uint64_t sm_checksum(const void *obj, size_t size, unsigned nslots) {
  const uint64_t *w = obj;
  const unsigned char *b = obj;
  size_t nw = size / 8, stride = sm_slot_stride(size, nslots);
  size_t next_slot = nslots ? SM_HEADER_WORDS : nw;
  unsigned k = 0;
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < nw; i++) {
    if (i == next_slot) {
      k++;
      next_slot = k < nslots ? SM_HEADER_WORDS + k * stride : nw;
      continue;
    }
    if (i != SM_W_SUM) h = sm_mix(h, w[i] ^ i);
  }
  for (size_t i = nw * 8; i < size; i++) h = sm_mix(h, b[i]);
  return h;
}

/* ---- the model ---------------------------------------------------------- */

typedef struct sm_ref {
  int32_t rec;  /* record index, or -1 for NULL */
  uint32_t off; /* byte offset of the stored pointer inside the object */
} sm_ref;

typedef struct sm_rec {
  uintptr_t hidden; /* address ^ SM_MASK */
  uint64_t id;
  uint64_t sum;
  size_t size; /* bytes requested */
  uint16_t nslots;
  uint8_t atomic, mark, used;
  sm_ref slot[SM_MAX_SLOTS];
} sm_rec;

typedef struct sm_root {
  void **where; /* the real location, or NULL: held by a C variable */
  sm_ref ref;
} sm_root;

typedef struct sm_model {
  sm_rng rng;
  sm_rec *recs;
  uint32_t nrecs, cap;
  uint32_t *free_list, nfree;
  int32_t *work; /* marking stack, cap entries */
  sm_root *roots;
  uint32_t nroots;
  uintptr_t *hkey; /* open addressing; 0 = empty */
  int32_t *hval;
  size_t hmask, hcount;
  uint64_t next_id;
  size_t live_bytes, live_objects; /* as of the last sweep */
  uint64_t allocated_bytes, allocations;
  char err[1024];
} sm_model;

static inline int sm_fail(sm_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int sm_fail(sm_model *m, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->err, sizeof m->err, fmt, ap);
  va_end(ap);
  return -1;
}

static inline void *sm_xcalloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (!p) {
    fprintf(stderr, "shadow model: out of malloc memory\n");
    abort();
  }
  return p;
}

static inline void sm_init(sm_model *m, uint64_t seed, uint32_t nroots) {
  memset(m, 0, sizeof *m);
  sm_rng_seed(&m->rng, seed);
  m->nroots = nroots;
  m->roots = sm_xcalloc(nroots, sizeof *m->roots);
  for (uint32_t i = 0; i < nroots; i++) m->roots[i].ref = SM_NONE;
  m->next_id = 1;
}

static inline void sm_destroy(sm_model *m) {
  free(m->recs);
  free(m->free_list);
  free(m->work);
  free(m->roots);
  free(m->hkey);
  free(m->hval);
  memset(m, 0, sizeof *m);
}

static inline void *sm_ptr(const sm_model *m, sm_ref r) {
  if (r.rec < 0) return NULL;
  return (char *)sm_unhide(m->recs[r.rec].hidden) + r.off;
}
static inline void *sm_base(const sm_model *m, int32_t rec) {
  return sm_unhide(m->recs[rec].hidden);
}

/* ---- address hash (hidden address -> record) ---------------------------- */

static inline size_t sm_hash_slot(const sm_model *m, uintptr_t key) {
  return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & m->hmask;
}
static inline void sm_hash_put(sm_model *m, uintptr_t key, int32_t rec) {
  size_t i = sm_hash_slot(m, key);
  while (m->hkey[i] && m->hkey[i] != key) i = (i + 1) & m->hmask;
  if (!m->hkey[i]) m->hcount++;
  m->hkey[i] = key;
  m->hval[i] = rec;
}
static inline int32_t sm_hash_get(const sm_model *m, uintptr_t key) {
  if (!m->hkey) return -1;
  for (size_t i = sm_hash_slot(m, key); m->hkey[i]; i = (i + 1) & m->hmask)
    if (m->hkey[i] == key) return m->hval[i];
  return -1;
}
/* Rebuild from the used records, sized for `need` entries at most half full. */
static inline void sm_hash_rebuild(sm_model *m, size_t need) {
  size_t cap = 1024;
  while (cap < 2 * need) cap *= 2;
  free(m->hkey);
  free(m->hval);
  m->hkey = sm_xcalloc(cap, sizeof *m->hkey);
  m->hval = sm_xcalloc(cap, sizeof *m->hval);
  m->hmask = cap - 1;
  m->hcount = 0;
  for (uint32_t i = 0; i < m->nrecs; i++)
    if (m->recs[i].used) sm_hash_put(m, m->recs[i].hidden, (int32_t)i);
}

/* ---- reachability in the model ------------------------------------------ */

static inline void sm_mark(sm_model *m) {
  uint32_t top = 0;
  for (uint32_t i = 0; i < m->nrecs; i++) m->recs[i].mark = 0;
  for (uint32_t r = 0; r < m->nroots; r++) {
    int32_t t = m->roots[r].ref.rec;
    if (t >= 0 && !m->recs[t].mark) {
      m->recs[t].mark = 1;
      m->work[top++] = t;
    }
  }
  while (top) {
    sm_rec *rec = &m->recs[m->work[--top]];
    for (unsigned k = 0; k < rec->nslots; k++) {
      int32_t t = rec->slot[k].rec;
      if (t >= 0 && !m->recs[t].mark) {
        m->recs[t].mark = 1;
        m->work[top++] = t;
      }
    }
  }
}

/* Drops every record sm_mark left unmarked; counts the live ones. */
static inline void sm_sweep(sm_model *m) {
  m->live_bytes = m->live_objects = 0;
  for (uint32_t i = 0; i < m->nrecs; i++) {
    sm_rec *r = &m->recs[i];
    if (!r->used) continue;
    if (r->mark) {
      m->live_bytes += r->size;
      m->live_objects++;
    } else {
      r->used = 0;
      m->free_list[m->nfree++] = i;
    }
  }
  sm_hash_rebuild(m, m->live_objects + 1024);
}

static inline void sm_collect_model(sm_model *m) {
  sm_mark(m);
  sm_sweep(m);
}

/* ---- records ------------------------------------------------------------ */

static inline int32_t sm_new_rec(sm_model *m) {
  if (m->nfree) return (int32_t)m->free_list[--m->nfree];
  if (m->nrecs == m->cap) {
    uint32_t cap = m->cap ? m->cap * 2 : 4096;
    sm_rec *recs = realloc(m->recs, cap * sizeof *recs);
    uint32_t *fl = realloc(m->free_list, cap * sizeof *fl);
    int32_t *work = realloc(m->work, cap * sizeof *work);
    if (!recs || !fl || !work) {
      fprintf(stderr, "shadow model: out of malloc memory\n");
      abort();
    }
    m->recs = recs;
    m->free_list = fl;
    m->work = work;
    m->cap = cap;
  }
  return (int32_t)m->nrecs++;
}

/* Makes sure no reachable record starts at `p`: a reachable object's memory
 * handed out again is the collector's worst bug. */
static inline int sm_check_fresh_address(sm_model *m, void *p, size_t size) {
  int32_t hit = sm_hash_get(m, sm_hide(p));
  if (hit < 0) return 0;
  sm_mark(m);
  if (m->recs[hit].mark)
    return sm_fail(m,
                   "allocation of %zu bytes returned %p, the address of reachable object "
                   "id %" PRIu64 " (%zu bytes, %s)",
                   size, p, m->recs[hit].id, m->recs[hit].size,
                   m->recs[hit].atomic ? "atomic" : "conservative");
  sm_sweep(m); /* the old record was garbage: forget it and its address */
  return 0;
}

static inline int sm_check_new_object(sm_model *m, void *p, size_t size, int atomic) {
  const char *fn = atomic ? "gc_alloc_atomic" : "gc_alloc";
  if (!p) return sm_fail(m, "%s(%zu) returned NULL", fn, size);
  if ((uintptr_t)p % 16)
    return sm_fail(m, "%s(%zu) returned %p, not 16-byte aligned", fn, size, p);
  if (gc_base(p) != p || gc_base((char *)p + size - 1) != p)
    return sm_fail(m, "%s(%zu) = %p but gc_base(p) = %p, gc_base(p+size-1) = %p", fn, size, p,
                   gc_base(p), gc_base((char *)p + size - 1));
  if (gc_size(p) < size)
    return sm_fail(m, "%s(%zu) = %p but gc_size(p) = %zu", fn, size, p, gc_size(p));
  const unsigned char *b = p;
  for (size_t i = 0; i < size; i++)
    if (b[i]) return sm_fail(m, "%s(%zu) = %p is not zeroed at byte %zu", fn, size, p, i);
  return sm_check_fresh_address(m, p, size);
}

static inline void sm_fill_payload(sm_model *m, void *p, size_t size, unsigned nslots) {
  uint64_t *w = p;
  unsigned char *b = p;
  size_t nw = size / 8;
  for (size_t i = SM_HEADER_WORDS; i < nw; i++)
    if (!sm_is_slot_word(size, nslots, i)) w[i] = sm_rand(&m->rng) | SM_PAYLOAD_BIT;
  for (size_t i = nw * 8; i < size; i++) b[i] = (unsigned char)sm_rand(&m->rng);
}

/* Allocates a checksummed object, checks what the allocator promises (zeroed,
 * aligned, known to gc_base / gc_size, not the memory of a reachable object)
 * and records it.  Returns its address (NULL with m->err on failure); *out
 * names it.  The object is unreachable in the model until stored with
 * sm_set_root / sm_set_slot, and really held only by the returned value: the
 * caller keeps that value in a variable until it is stored. */
static inline void *sm_alloc(sm_model *m, int atomic, size_t size, unsigned nslots, sm_ref *out) {
  *out = SM_NONE;
  if (size < SM_MIN_SIZE) size = SM_MIN_SIZE;
  if (atomic) nslots = 0;
  if (nslots > sm_max_slots(size)) nslots = sm_max_slots(size);
  void *p = atomic ? gc_alloc_atomic(size) : gc_alloc(size);
  if (sm_check_new_object(m, p, size, atomic)) return NULL;
  int32_t i = sm_new_rec(m);
  sm_rec *r = &m->recs[i];
  memset(r, 0, sizeof *r);
  r->hidden = sm_hide(p);
  r->id = m->next_id++;
  r->size = size;
  r->nslots = (uint16_t)nslots;
  r->atomic = (uint8_t)(atomic != 0);
  r->used = 1;
  for (unsigned k = 0; k < SM_MAX_SLOTS; k++) r->slot[k] = SM_NONE;
  uint64_t *w = p;
  w[SM_W_ID] = SM_ID_TAG | r->id;
  w[SM_W_SHAPE] = sm_shape_word(size, nslots);
  sm_fill_payload(m, p, size, nslots);
  r->sum = w[SM_W_SUM] = sm_checksum(p, size, nslots);
  if (m->hcount * 2 + 2 > m->hmask + 1 || !m->hkey) sm_hash_rebuild(m, m->nrecs + 1024);
  sm_hash_put(m, r->hidden, i);
  m->allocated_bytes += size;
  m->allocations++;
  *out = (sm_ref){i, 0};
  return p;
}

/* A model inconsistency is a bug of the test itself: stop at once. */
static inline void sm_check_value(const sm_model *m, const void *value, sm_ref ref) {
  if (value != sm_ptr(m, ref)) {
    fprintf(stderr, "shadow model misuse: value %p does not match the model (%p)\n", value,
            sm_ptr(m, ref));
    abort();
  }
}

/* Stores `value` (which must be what `ref` names) in object `rec`'s slot k. */
static inline void sm_set_slot(sm_model *m, int32_t rec, unsigned k, void *value, sm_ref ref) {
  sm_rec *r = &m->recs[rec];
  sm_check_value(m, value, ref);
  if (r->atomic || k >= r->nslots) {
    fprintf(stderr, "shadow model misuse: slot %u of object id %" PRIu64 "\n", k, r->id);
    abort();
  }
  void **slots = sm_base(m, rec);
  slots[sm_slot_word(r->size, r->nslots, k)] = value;
  r->slot[k] = ref;
}

/* Stores `value` in root r (in memory too when the root has a location). */
static inline void sm_set_root(sm_model *m, uint32_t r, void *value, sm_ref ref) {
  sm_check_value(m, value, ref);
  if (m->roots[r].where) *m->roots[r].where = value;
  m->roots[r].ref = ref;
}

/* A reference to record `rec` at byte offset `off`. */
static inline sm_ref sm_ref_at(int32_t rec, size_t off) { return (sm_ref){rec, (uint32_t)off}; }

/* ---- verification -------------------------------------------------------- */

/* Everything a reachable object must still be: owned by the heap, same id,
 * same shape, same checksum, and the same references in its slots. */
static inline int sm_verify_rec(sm_model *m, int32_t i) {
  const sm_rec *r = &m->recs[i];
  const uint64_t *w = sm_base(m, i);
  const void *p = w;
  if (gc_base(p) != p)
    return sm_fail(m, "reachable object id %" PRIu64 " at %p (%zu bytes): gc_base(p) = %p", r->id,
                   p, r->size, gc_base(p));
  if (gc_size(p) < r->size)
    return sm_fail(m, "reachable object id %" PRIu64 " at %p: gc_size %zu < %zu", r->id, p,
                   gc_size(p), r->size);
  if (w[SM_W_ID] != (SM_ID_TAG | r->id) || w[SM_W_SHAPE] != sm_shape_word(r->size, r->nslots))
    return sm_fail(m,
                   "reachable object id %" PRIu64 " at %p (%zu bytes, %s) was reclaimed or "
                   "overwritten: header words %#" PRIx64 " %#" PRIx64,
                   r->id, p, r->size, r->atomic ? "atomic" : "conservative", w[SM_W_ID],
                   w[SM_W_SHAPE]);
  uint64_t sum = sm_checksum(p, r->size, r->nslots);
  if (w[SM_W_SUM] != r->sum || sum != r->sum)
    return sm_fail(m, "reachable object id %" PRIu64 " at %p (%zu bytes): contents altered", r->id,
                   p, r->size);
  for (unsigned k = 0; k < r->nslots; k++) {
    void *want = sm_ptr(m, r->slot[k]);
    void *have = ((void *const *)p)[sm_slot_word(r->size, r->nslots, k)];
    if (have != want)
      return sm_fail(m, "object id %" PRIu64 " at %p: slot %u holds %p, expected %p", r->id, p, k,
                     have, want);
    if (want && gc_base(want) != sm_base(m, r->slot[k].rec))
      return sm_fail(m, "gc_base(%p) = %p for a reference at offset %u into the object at %p",
                     want, gc_base(want), r->slot[k].off, sm_base(m, r->slot[k].rec));
  }
  return 0;
}

/* Marks, then verifies every reachable record; also checks that the value
 * each located root holds is still the one the model stored. */
static inline int sm_verify_reachable(sm_model *m) {
  for (uint32_t r = 0; r < m->nroots; r++) {
    void *want = sm_ptr(m, m->roots[r].ref);
    if (m->roots[r].where && *m->roots[r].where != want)
      return sm_fail(m, "root %u holds %p, expected %p", r, *m->roots[r].where, want);
  }
  sm_mark(m);
  for (uint32_t i = 0; i < m->nrecs; i++)
    if (m->recs[i].used && m->recs[i].mark && sm_verify_rec(m, (int32_t)i)) return -1;
  return 0;
}

/* ---- random choices over the reachable graph ---------------------------- */

/* Where a picked reference is held: roots[root], or slot `slot` of `parent`. */
typedef struct sm_pick {
  sm_ref ref;
  int32_t root;   /* >= 0: held by this root */
  int32_t parent; /* else: held by this record's slot */
  uint32_t slot;
} sm_pick;

/* A random reachable reference: a random non-empty root among the first
 * `nroots`, then up to `depth` random non-NULL slots.  -1 when all are empty.
 * Never yields an unreachable record, so linking the result is always safe. */
static inline int sm_pick_reachable(sm_model *m, uint32_t nroots, unsigned depth, sm_pick *out) {
  uint32_t start = (uint32_t)sm_below(&m->rng, nroots), r;
  for (r = 0; r < nroots; r++)
    if (m->roots[(start + r) % nroots].ref.rec >= 0) break;
  if (r == nroots) return -1;
  r = (start + r) % nroots;
  *out = (sm_pick){m->roots[r].ref, (int32_t)r, -1, 0};
  unsigned steps = (unsigned)sm_below(&m->rng, depth + 1);
  for (unsigned d = 0; d < steps; d++) {
    const sm_rec *rec = &m->recs[out->ref.rec];
    unsigned cand[SM_MAX_SLOTS], n = 0;
    for (unsigned k = 0; k < rec->nslots; k++)
      if (rec->slot[k].rec >= 0) cand[n++] = k;
    if (n == 0) break;
    unsigned k = cand[sm_below(&m->rng, n)];
    *out = (sm_pick){rec->slot[k], -1, out->ref.rec, k};
  }
  return 0;
}

/* A reachable conservative object with at least one slot, or -1. */
static inline int32_t sm_pick_container(sm_model *m, uint32_t nroots, unsigned depth) {
  for (int tries = 0; tries < 8; tries++) {
    sm_pick p;
    if (sm_pick_reachable(m, nroots, depth, &p)) return -1;
    if (m->recs[p.ref.rec].nslots) return p.ref.rec;
  }
  return -1;
}

/* A byte offset for a reference into an object of `size` bytes: mostly the
 * start, often an interior byte, sometimes the very last byte. */
static inline size_t sm_pick_offset(sm_rng *rng, size_t size) {
  unsigned c = (unsigned)sm_below(rng, 10);
  if (c < 6) return 0;
  if (c < 8) return (size_t)sm_below(rng, size);
  if (c < 9) return size - 1;
  return 8;
}

/* Builds `n` random objects reachable from roots [0, nroots) of the model
 * (whose roots must all have real locations).  Returns 0 or -1 (m->err). */
static inline int sm_build_graph(sm_model *m, uint32_t nroots, unsigned n, size_t max_size) {
  for (unsigned i = 0; i < n; i++) {
    int atomic = sm_below(&m->rng, 4) == 0;
    size_t size = SM_MIN_SIZE + (size_t)sm_below(&m->rng, max_size - SM_MIN_SIZE + 1);
    sm_ref ref;
    void *p = sm_alloc(m, atomic, size, 1 + (unsigned)sm_below(&m->rng, 4), &ref);
    if (!p) return -1;
    for (unsigned k = 0; k < m->recs[ref.rec].nslots; k++) {
      sm_pick t;
      if (!sm_pick_reachable(m, nroots, 4, &t)) sm_set_slot(m, ref.rec, k, sm_ptr(m, t.ref), t.ref);
    }
    size_t off = sm_pick_offset(&m->rng, size);
    int32_t holder = sm_below(&m->rng, 3) ? sm_pick_container(m, nroots, 4) : -1;
    if (holder >= 0)
      sm_set_slot(m, holder, (unsigned)sm_below(&m->rng, m->recs[holder].nslots),
                  (char *)p + off, sm_ref_at(ref.rec, off));
    else
      sm_set_root(m, (uint32_t)sm_below(&m->rng, nroots), (char *)p + off, sm_ref_at(ref.rec, off));
    sm_keep(p);
  }
  return 0;
}

/* ---- helpers shared by the API tests ------------------------------------ */

/* Overwrites the dead part of the stack below the caller, so that stale
 * copies of pointers left by finished calls cannot retain objects a test
 * wants to see reclaimed.  Not instrumented by AddressSanitizer: redzones
 * around buf would never be written (docs/diagnostics.md, "Sanitizers"). */
#if defined(__SANITIZE_ADDRESS__)
#define SM_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define SM_NO_ASAN
#endif
static __attribute__((noinline, unused)) SM_NO_ASAN void sm_scrub_stack(void) {
  volatile char buf[64 * 1024];
  memset((char *)buf, 0, sizeof buf);
  __asm__ volatile("" : : "r"(buf) : "memory");
}

/* True under `make test-valgrind` (GLEANER_VALGRIND set).  Valgrind maps
 * the heap at low addresses where words in libc's and ld.so's data and the
 * initial stack happen to point, so objects a test drops may be retained by
 * false references: checks that something was *freed* are skipped there;
 * checks that something *survived intact* always run. */
static inline int sm_under_valgrind(void) { return getenv("GLEANER_VALGRIND") != NULL; }

/* live_bytes after a full collection. */
static inline size_t sm_live_after_collect(void) {
  gc_stats st;
  sm_scrub_stack();
  gc_collect();
  gc_get_stats(&st);
  return st.live_bytes;
}

/* Parses "123", "0x7b" (strtoull base 0); 0 on success. */
static inline int sm_parse_u64(const char *s, uint64_t *out) {
  char *end;
  if (!s || !*s) return -1;
  *out = strtoull(s, &end, 0);
  return *end ? -1 : 0;
}

#endif /* SHADOW_MODEL_H */
