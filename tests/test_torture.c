/*
 * test_torture.c — randomized torture of the collector against a shadow model.
 *
 * A random graph of gc_alloc / gc_alloc_atomic objects is mutated step by
 * step (allocate, link, unlink, replace, drop, move, modify, free, churn)
 * while collections are forced every few allocations (gc_config.stress).
 * References live only in the program's own places:
 *   - locals: an array in run_torture's frame;
 *   - registers: four scalar variables of run_round, live across every call
 *     of the round (the compiler keeps them in callee-saved registers or
 *     spills them; either way only the stack/register scan can see them);
 *   - temporaries: a fresh object held only by a step function's variable
 *     while another allocation runs;
 *   - globals: an array in .bss and one in .data;
 *   - a malloc'ed range registered with gc_add_roots (moved to another range
 *     and unregistered with gc_remove_roots every few rounds);
 *   - slots of other heap objects (exact or interior pointers, spread over
 *     large objects too).
 * The shadow model (shadow_model.h) knows every expected edge and checksum.
 * After every round: a full collection, then every reachable object is
 * verified (heap ownership, id, checksum, edges).  Every allocation is
 * checked not to hand out a reachable object's memory.
 *
 * Boundedness: heap_bytes after a round's collection (every round for the
 * first 64, then every 64th) must stay below HEAP_FACTOR * (peak live bytes
 * of the model) + HEAP_SLACK, and gc live_bytes at least the model's live
 * bytes, while the run allocates many times that bound (churn of large
 * garbage), so garbage must really be reused.  The default run checks it
 * allocated enough for this to mean something.
 *
 * A second test, registers_are_roots, holds objects only in callee-saved
 * registers (an x86-64 assembly trampoline) across collections.
 *
 * Replay: the seed is printed; `--seed N` or TORTURE_SEED=N replays it.
 * `--rounds N`, `--steps N`, `--stress N` size the run (make stress uses
 * long runs; under make test-valgrind, GLEANER_VALGRIND set, the default
 * run is 15 rounds); TORTURE_VERBOSE=1 prints one line per round.
 */
#include "shadow_model.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <time.h>
#include <unistd.h>

/* Root layout in the model: writable roots first, then C-variable roots. */
enum {
  N_LOCAL = 16,
  N_BSS = 16,
  N_DATA = 16,
  N_RANGE = 16,
  N_REG = 4,
  N_TEMP = 2,
  R_LOCAL = 0,
  R_BSS = R_LOCAL + N_LOCAL,
  R_DATA = R_BSS + N_BSS,
  R_RANGE = R_DATA + N_DATA,
  R_WRITABLE = R_RANGE + N_RANGE, /* roots below this have a location */
  R_REG = R_WRITABLE,
  R_TEMP = R_REG + N_REG,
  R_TOTAL = R_TEMP + N_TEMP
};

/* Heap bound: generous for fragmentation, per-size-class partial blocks and
 * the initial heap, yet far below what the run allocates. */
#define HEAP_FACTOR 4
#define HEAP_SLACK ((size_t)32 << 20)
#define TARGET_OBJECTS 1500
#define WALK_DEPTH 6

static void *g_bss_roots[N_BSS];
/* Element 0 is a non-zero sentinel so that the array lands in .data. */
static void *g_data_roots[N_DATA + 1] = {(void *)(uintptr_t)1};

typedef struct options {
  uint64_t seed;
  unsigned rounds, steps, stress;
  int verbose, defaults;
} options;
static options g_opt = {0, 200, 400, 8, 0, 1};

typedef enum op {
  OP_ALLOC_ROOT,
  OP_ALLOC_SLOT,
  OP_ALLOC_PAIR,
  OP_LINK,
  OP_UNLINK,
  OP_REPLACE,
  OP_DROP,
  OP_MOVE,
  OP_MODIFY,
  OP_CHURN,
  OP_FREE_FRESH,
  OP_COLLECT,
  OP_COUNT
} op;
static const char *const op_names[OP_COUNT] = {
    "alloc-root", "alloc-slot", "alloc-pair", "link",  "unlink",     "replace",
    "drop",       "move",       "modify",     "churn", "free-fresh", "collect"};
/* Weights per mille while the graph grows, and while it shrinks. */
static const unsigned grow_weights[OP_COUNT] = {60, 300, 60, 150, 30, 30, 10, 40, 120, 30, 20, 5};
static const unsigned shrink_weights[OP_COUNT] = {40, 100, 20, 150, 150, 80, 60, 40, 120, 30, 20, 5};

typedef struct torture {
  sm_model m;
  void **range_active, **range_spare;
  unsigned round, step;
  op current;
  int shrinking;
  size_t live_peak, heap_peak, bound_peak;
  size_t round_start_live;
  uint64_t round_kept_bytes; /* bytes allocated this round that may stay live */
  uint64_t ops[OP_COUNT];
  int reg_failed; /* take_into_reg could not allocate (m.err says why) */
} torture;

static int failf(torture *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failf(torture *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->m.err, sizeof t->m.err, fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- object shapes ------------------------------------------------------ */

static size_t pick_size(sm_rng *r) {
  unsigned c = (unsigned)sm_below(r, 1000);
  if (c < 750) return SM_MIN_SIZE + (size_t)sm_below(r, 233);
  if (c < 950) return 256 + (size_t)sm_below(r, 1793);
  if (c < 995) return 2048 + (size_t)sm_below(r, 14337);
  return 16384 + (size_t)sm_below(r, 245761);
}

/* Allocates a random object, fills some of its slots with reachable
 * references and returns it (held only by the returned value). */
static void *new_object(torture *t, sm_ref *ref) {
  sm_model *m = &t->m;
  int atomic = sm_below(&m->rng, 4) == 0;
  size_t size = pick_size(&m->rng);
  unsigned nslots = (unsigned)sm_below(&m->rng, SM_MAX_SLOTS + 1);
  if (nslots == 0 && sm_below(&m->rng, 2)) nslots = 1;
  void *p = sm_alloc(m, atomic, size, nslots, ref);
  if (!p) return NULL;
  t->round_kept_bytes += m->recs[ref->rec].size;
  sm_rec *r = &m->recs[ref->rec];
  for (unsigned k = 0; k < r->nslots; k++) {
    sm_pick tgt;
    if (sm_below(&m->rng, 2) && !sm_pick_reachable(m, R_TOTAL, WALK_DEPTH, &tgt))
      sm_set_slot(m, ref->rec, k, sm_ptr(m, tgt.ref), tgt.ref);
  }
  return p;
}

/* A place that can hold a reference: a writable root, or slot `slot` of the
 * reachable container `holder`. */
typedef struct place {
  int32_t root, holder;
  unsigned slot;
} place;

static int place_is_empty(const sm_model *m, place pl) {
  if (pl.root >= 0) return m->roots[pl.root].ref.rec < 0;
  return m->recs[pl.holder].slot[pl.slot].rec < 0;
}

/* A random place in *pl, a root first if `root_first`.  While the graph
 * grows, only an empty place will do (overwriting edges at random cuts off
 * whole subgraphs and keeps the graph tiny): -1 when a few tries found none,
 * with *pl still naming a non-empty place.  While it shrinks, any place. */
static int pick_place(torture *t, int root_first, place *pl) {
  sm_model *m = &t->m;
  int want_root = root_first;
  for (int tries = 0; tries < 16; tries++) {
    int32_t h = want_root ? -1 : sm_pick_container(m, R_TOTAL, WALK_DEPTH);
    if (h >= 0)
      *pl = (place){-1, h, (unsigned)sm_below(&m->rng, m->recs[h].nslots)};
    else
      *pl = (place){(int32_t)sm_below(&m->rng, R_WRITABLE), -1, 0};
    if (t->shrinking || place_is_empty(m, *pl)) return 0;
    want_root = (int)sm_below(&m->rng, 2);
  }
  return -1;
}

static void store_at(torture *t, place pl, void *value, sm_ref ref) {
  if (pl.root >= 0)
    sm_set_root(&t->m, (uint32_t)pl.root, value, ref);
  else
    sm_set_slot(&t->m, pl.holder, pl.slot, value, ref);
}

/* Stores a reference to `base` (address p) at a random offset, somewhere. */
static void store_somewhere(torture *t, void *p, sm_ref base) {
  size_t off = sm_pick_offset(&t->m.rng, t->m.recs[base.rec].size);
  place pl;
  pick_place(t, (int)sm_below(&t->m.rng, 2), &pl); /* full places are fine too */
  store_at(t, pl, (char *)p + off, sm_ref_at(base.rec, off));
}

static void clear_pick_source(sm_model *m, const sm_pick *pk) {
  if (pk->root >= 0)
    sm_set_root(m, (uint32_t)pk->root, NULL, SM_NONE);
  else
    sm_set_slot(m, pk->parent, pk->slot, NULL, SM_NONE);
}

/* ---- operations --------------------------------------------------------- */

static int op_alloc_root(torture *t) {
  sm_ref ref;
  void *p = new_object(t, &ref);
  if (!p) return -1;
  size_t off = sm_pick_offset(&t->m.rng, t->m.recs[ref.rec].size);
  place pl;
  pick_place(t, 1, &pl); /* full places are fine too */
  store_at(t, pl, (char *)p + off, sm_ref_at(ref.rec, off));
  return 0;
}

/* The place is chosen before the allocation, which may collect: it stays
 * reachable meanwhile, since nothing changes the graph. */
static int op_alloc_slot(torture *t) {
  place pl;
  pick_place(t, 0, &pl); /* full places are fine too */
  sm_ref ref;
  void *p = new_object(t, &ref);
  if (!p) return -1;
  size_t off = sm_pick_offset(&t->m.rng, t->m.recs[ref.rec].size);
  store_at(t, pl, (char *)p + off, sm_ref_at(ref.rec, off));
  return 0;
}

/* The first object is held only by `a` (a local) while the second is
 * allocated, which may collect. */
static int op_alloc_pair(torture *t) {
  sm_model *m = &t->m;
  sm_ref ra, rb;
  void *a = new_object(t, &ra);
  if (!a) return -1;
  m->roots[R_TEMP].ref = ra;
  void *b = new_object(t, &rb);
  if (!b) return -1;
  m->roots[R_TEMP + 1].ref = rb;
  if (sm_verify_rec(m, ra.rec)) return -1;
  if (m->recs[ra.rec].nslots) sm_set_slot(m, ra.rec, 0, b, rb);
  store_somewhere(t, a, ra);
  if (sm_below(&m->rng, 2)) store_somewhere(t, b, rb);
  m->roots[R_TEMP].ref = m->roots[R_TEMP + 1].ref = SM_NONE;
  sm_keep(a);
  sm_keep(b);
  return 0;
}

static int op_link(torture *t) {
  sm_model *m = &t->m;
  sm_pick tgt;
  place pl;
  if (pick_place(t, 0, &pl) || sm_pick_reachable(m, R_TOTAL, WALK_DEPTH, &tgt)) return 0;
  size_t off = sm_below(&m->rng, 2) ? tgt.ref.off : sm_pick_offset(&m->rng, m->recs[tgt.ref.rec].size);
  sm_ref ref = sm_ref_at(tgt.ref.rec, off);
  store_at(t, pl, sm_ptr(m, ref), ref);
  return 0;
}

static int op_unlink(torture *t) {
  int32_t holder = sm_pick_container(&t->m, R_TOTAL, WALK_DEPTH);
  if (holder >= 0)
    sm_set_slot(&t->m, holder, (unsigned)sm_below(&t->m.rng, t->m.recs[holder].nslots), NULL,
                SM_NONE);
  return 0;
}

static int op_replace(torture *t) {
  sm_pick tgt;
  place pl;
  if (pick_place(t, 1, &pl) || sm_pick_reachable(&t->m, R_TOTAL, WALK_DEPTH, &tgt)) return 0;
  store_at(t, pl, sm_ptr(&t->m, tgt.ref), tgt.ref);
  return 0;
}

static int op_drop(torture *t) {
  sm_set_root(&t->m, (uint32_t)sm_below(&t->m.rng, R_WRITABLE), NULL, SM_NONE);
  return 0;
}

/* Moves a reference from where it was found to another place: the old
 * holder forgets it, so the new place may become its only reference. */
static int op_move(torture *t) {
  sm_model *m = &t->m;
  sm_pick pk;
  place pl;
  if (sm_pick_reachable(m, R_WRITABLE, WALK_DEPTH, &pk) || pick_place(t, 1, &pl)) return 0;
  if ((pl.root >= 0 && pl.root == pk.root) ||
      (pl.root < 0 && pl.holder == pk.parent && pl.slot == pk.slot))
    return 0;
  store_at(t, pl, sm_ptr(m, pk.ref), pk.ref);
  clear_pick_source(m, &pk);
  return 0;
}

/* Rewrites a few payload words of a reachable object. */
static int op_modify(torture *t) {
  sm_model *m = &t->m;
  sm_pick pk;
  if (sm_pick_reachable(m, R_TOTAL, WALK_DEPTH, &pk)) return 0;
  sm_rec *r = &m->recs[pk.ref.rec];
  uint64_t *w = sm_base(m, pk.ref.rec);
  size_t nw = r->size / 8;
  if (sm_verify_rec(m, pk.ref.rec)) return -1;
  if (nw <= SM_HEADER_WORDS) return 0;
  for (int i = 0; i < 4; i++) {
    size_t j = SM_HEADER_WORDS + (size_t)sm_below(&m->rng, nw - SM_HEADER_WORDS);
    if (!sm_is_slot_word(r->size, r->nslots, j)) w[j] = sm_rand(&m->rng) | SM_PAYLOAD_BIT;
  }
  r->sum = w[SM_W_SUM] = sm_checksum(w, r->size, r->nslots);
  return 0;
}

/* Large garbage: allocated, checked and dropped at once.  Most of the run's
 * allocation volume, which the heap bound must absorb by reuse. */
static int op_churn(torture *t) {
  sm_model *m = &t->m;
  size_t size = 16384 + (size_t)sm_below(&m->rng, 245761);
  sm_ref ref;
  void *p = sm_alloc(m, sm_below(&m->rng, 2) == 0, size, SM_MAX_SLOTS, &ref);
  if (!p) return -1;
  m->roots[R_TEMP].ref = ref;
  int rc = sm_verify_rec(m, ref.rec);
  m->roots[R_TEMP].ref = SM_NONE;
  sm_keep(p);
  return rc;
}

/* An object nobody else references, freed explicitly. */
static int op_free_fresh(torture *t) {
  sm_model *m = &t->m;
  sm_ref ref;
  void *p = sm_alloc(m, sm_below(&m->rng, 2) == 0, pick_size(&m->rng), 2, &ref);
  if (!p) return -1;
  m->roots[R_TEMP].ref = ref;
  int rc = sm_verify_rec(m, ref.rec);
  m->roots[R_TEMP].ref = SM_NONE;
  gc_free(p);
  return rc;
}

static int op_collect(torture *t) {
  (void)t;
  gc_collect();
  return 0;
}

static int (*const op_fns[OP_COUNT])(torture *) = {
    op_alloc_root, op_alloc_slot, op_alloc_pair, op_link,  op_unlink,     op_replace,
    op_drop,       op_move,       op_modify,     op_churn, op_free_fresh, op_collect};

static op pick_op(torture *t) {
  const unsigned *w = t->shrinking ? shrink_weights : grow_weights;
  unsigned total = 0, x;
  for (int i = 0; i < OP_COUNT; i++) total += w[i];
  x = (unsigned)sm_below(&t->m.rng, total);
  for (int i = 0; i < OP_COUNT; i++) {
    if (x < w[i]) return (op)i;
    x -= w[i];
  }
  return OP_LINK;
}

/* ---- register roots ------------------------------------------------------ */

/* A value for register variable i: a fresh object, or a reachable one whose
 * holder forgets it half the time (so the register is its only reference). */
static void *take_into_reg(torture *t, unsigned i) {
  sm_model *m = &t->m;
  sm_pick pk;
  if (sm_below(&m->rng, 4) == 0) {
    sm_ref ref;
    void *p = new_object(t, &ref);
    if (!p) {
      t->reg_failed = 1;
      return NULL;
    }
    size_t off = sm_pick_offset(&m->rng, m->recs[ref.rec].size);
    m->roots[R_REG + i].ref = sm_ref_at(ref.rec, off);
    return (char *)p + off;
  }
  if (sm_pick_reachable(m, R_TOTAL, WALK_DEPTH, &pk)) return NULL;
  m->roots[R_REG + i].ref = pk.ref;
  if (sm_below(&m->rng, 2) && pk.root < R_WRITABLE) clear_pick_source(m, &pk);
  return sm_ptr(m, pk.ref);
}

/* Checks what register variable i held through the whole round, then hands
 * it back to a root or a heap slot (or drops it). */
static int release_reg(torture *t, unsigned i, void *value) {
  sm_model *m = &t->m;
  sm_ref ref = m->roots[R_REG + i].ref;
  if (value != sm_ptr(m, ref))
    return failf(t, "register variable %u holds %p, expected %p", i, value, sm_ptr(m, ref));
  if (ref.rec >= 0) {
    if (sm_verify_rec(m, ref.rec)) return -1;
    if (sm_below(&m->rng, 4)) store_somewhere(t, sm_base(m, ref.rec), sm_ref_at(ref.rec, 0));
  }
  m->roots[R_REG + i].ref = SM_NONE;
  return 0;
}

static int run_steps(torture *t) {
  for (t->step = 0; t->step < g_opt.steps; t->step++) {
    t->current = pick_op(t);
    t->ops[t->current]++;
    if (op_fns[t->current](t)) return -1;
  }
  return 0;
}

/* One round.  r0..r3 are live across every call of run_steps, so they sit
 * in callee-saved registers or spill slots: found only by the stack and
 * register scan. */
static __attribute__((noinline)) int run_round(torture *t) {
  void *r0 = take_into_reg(t, 0);
  void *r1 = take_into_reg(t, 1);
  void *r2 = take_into_reg(t, 2);
  void *r3 = take_into_reg(t, 3);
  if (t->reg_failed || run_steps(t)) return -1;
  t->current = OP_COUNT;
  if (release_reg(t, 0, r0) || release_reg(t, 1, r1) || release_reg(t, 2, r2) ||
      release_reg(t, 3, r3))
    return -1;
  return 0;
}

/* ---- per-round checks ---------------------------------------------------- */

/* Moves the registered root range to the spare array and unregisters the old
 * one; the model's range roots follow. */
static void rotate_ranges(torture *t) {
  void **from = t->range_active, **to = t->range_spare;
  gc_add_roots(to, to + N_RANGE);
  memcpy(to, from, N_RANGE * sizeof *to);
  memset(from, 0, N_RANGE * sizeof *from);
  gc_remove_roots(from, from + N_RANGE);
  t->range_active = to;
  t->range_spare = from;
  for (unsigned i = 0; i < N_RANGE; i++) t->m.roots[R_RANGE + i].where = &to[i];
}

static size_t heap_bound(size_t live) { return HEAP_FACTOR * live + HEAP_SLACK; }

/* The heap statistics are read every round early on, then every 64th round
 * and at the last one: gc_get_stats costs grow with the number of logged
 * pauses, and long runs collect tens of thousands of times. */
static int stats_round(const torture *t) {
  return t->round < 64 || t->round % 64 == 63 || t->round + 1 == g_opt.rounds;
}

static int check_heap_size(torture *t) {
  sm_model *m = &t->m;
  gc_stats st;
  gc_get_stats(&st);
  if (st.live_bytes < m->live_bytes)
    return failf(t, "gc live_bytes %zu after a collection is below the %zu reachable bytes",
                 st.live_bytes, m->live_bytes);
  if (st.heap_bytes > t->heap_peak) t->heap_peak = st.heap_bytes;
  if (st.heap_bytes > heap_bound(t->live_peak))
    return failf(t, "heap_bytes %zu exceeds the bound %zu (live peak %zu bytes): garbage is not reused",
                 st.heap_bytes, heap_bound(t->live_peak), t->live_peak);
  if (g_opt.verbose)
    fprintf(stderr, "round %u: %zu objects, %zu live bytes, heap %zu, gc live %zu, %" PRIu64 " collections\n",
            t->round, m->live_objects, m->live_bytes, st.heap_bytes, st.live_bytes, st.collections);
  return 0;
}

static int end_of_round(torture *t) {
  sm_model *m = &t->m;
  gc_collect();
  if (sm_verify_reachable(m)) return -1;
  sm_sweep(m);
  size_t live = t->round_start_live + (size_t)t->round_kept_bytes;
  if (live > t->live_peak) t->live_peak = live;
  if (stats_round(t) && check_heap_size(t)) return -1;
  t->shrinking = m->live_objects > TARGET_OBJECTS;
  t->round_start_live = m->live_bytes;
  t->round_kept_bytes = 0;
  return 0;
}

/* The replay command, with the collector's environment (GLEANER_*). */
static void report_failure(torture *t) {
  extern char **environ;
  fprintf(stderr, "TORTURE FAILURE seed=%" PRIu64 " round=%u step=%u op=%s\n  %s\n  replay:",
          g_opt.seed, t->round, t->step, t->current < OP_COUNT ? op_names[t->current] : "round-end",
          t->m.err);
  for (char **e = environ; *e; e++)
    if (!strncmp(*e, "GLEANER_", 8)) fprintf(stderr, " %s", *e);
  fprintf(stderr, " test_torture --seed %" PRIu64 " --rounds %u --steps %u --stress %u\n",
          g_opt.seed, g_opt.rounds, g_opt.steps, g_opt.stress);
}

static void report_summary(const torture *t) {
  gc_stats st;
  gc_get_stats(&st);
  fprintf(stderr,
          "torture: seed %" PRIu64 ", %u rounds x %u steps, %" PRIu64 " allocations, %" PRIu64
          " MiB allocated, %" PRIu64 " collections\n"
          "torture: live peak %zu KiB, heap peak %zu KiB, heap bound %zu KiB\n",
          g_opt.seed, g_opt.rounds, g_opt.steps, t->m.allocations, t->m.allocated_bytes >> 20,
          st.collections, t->live_peak >> 10, t->heap_peak >> 10, heap_bound(t->live_peak) >> 10);
}

static void run_torture(void **state) {
  (void)state;
  torture *t = sm_xcalloc(1, sizeof *t);
  void *locals[N_LOCAL] = {0};
  gc_config cfg = {0};
  cfg.stress = g_opt.stress;
  assert_int_equal(gc_init(&cfg), 0);

  t->range_active = sm_xcalloc(N_RANGE, sizeof(void *));
  t->range_spare = sm_xcalloc(N_RANGE, sizeof(void *));
  gc_add_roots(t->range_active, t->range_active + N_RANGE);
  sm_init(&t->m, g_opt.seed, R_TOTAL);
  for (unsigned i = 0; i < N_LOCAL; i++) t->m.roots[R_LOCAL + i].where = &locals[i];
  for (unsigned i = 0; i < N_BSS; i++) t->m.roots[R_BSS + i].where = &g_bss_roots[i];
  for (unsigned i = 0; i < N_DATA; i++) t->m.roots[R_DATA + i].where = &g_data_roots[i + 1];
  for (unsigned i = 0; i < N_RANGE; i++) t->m.roots[R_RANGE + i].where = &t->range_active[i];

  int rc = 0;
  for (t->round = 0; t->round < g_opt.rounds && rc == 0; t->round++) {
    rc = run_round(t);
    if (rc == 0) rc = end_of_round(t);
    if (rc == 0 && t->round % 8 == 7) rotate_ranges(t);
  }
  if (rc) {
    report_failure(t);
    fail_msg("torture failed (seed %" PRIu64 "): %s", g_opt.seed, t->m.err);
  }
  report_summary(t);
  /* The boundedness check means something only if the run allocated far
   * more than the bound: the default configuration guarantees it. */
  if (g_opt.defaults && t->m.allocated_bytes < 2 * (uint64_t)heap_bound(t->live_peak))
    fail_msg("run too short: %" PRIu64 " bytes allocated, heap bound %zu", t->m.allocated_bytes,
             heap_bound(t->live_peak));
  for (unsigned i = 0; i < N_LOCAL; i++) locals[i] = NULL;
  sm_keep(locals);
  gc_remove_roots(t->range_active, t->range_active + N_RANGE);
  sm_destroy(&t->m);
  free(t->range_active);
  free(t->range_spare);
  free(t);
}

/* ---- objects referenced only from registers ------------------------------ */

/* The torture's register variables may be spilled by the compiler; this test
 * leaves nothing to chance: an assembly trampoline loads five objects into
 * the callee-saved registers rbx, r12-r15 (their only references: the
 * addresses are otherwise kept hidden) and calls registers_churn, which
 * collects and allocates.  The registers are preserved by the ABI, so the collector sees
 * the objects either in a callee's spill slot or in its own register
 * snapshot; a collector that scans neither loses them. */
#define REG_OBJECTS 5
#define REG_OBJECT_SIZE 64
static uintptr_t g_reg_hidden[REG_OBJECTS], g_reg_back[REG_OBJECTS];
static int g_reg_churn_failed;

/* Collections are disabled meanwhile: the objects are only hidden here. */
static __attribute__((noinline)) void make_register_objects(void) {
  gc_disable();
  for (int i = 0; i < REG_OBJECTS; i++) {
    uint64_t *p = (i & 1) ? gc_alloc_atomic(REG_OBJECT_SIZE) : gc_alloc(REG_OBJECT_SIZE);
    assert_non_null(p);
    for (int k = 0; k < REG_OBJECT_SIZE / 8; k++) p[k] = sm_mix((uint64_t)i, (uint64_t)k) | SM_PAYLOAD_BIT;
    g_reg_hidden[i] = sm_hide(p);
  }
  gc_enable();
}

static int register_object_intact(int i) {
  const uint64_t *p = sm_unhide(g_reg_hidden[i]);
  if (gc_base(p) != p) return 0;
  for (int k = 0; k < REG_OBJECT_SIZE / 8; k++)
    if (p[k] != (sm_mix((uint64_t)i, (uint64_t)k) | SM_PAYLOAD_BIT)) return 0;
  return 1;
}

/* Called through the trampoline below: collect, then allocate the objects' size
 * class over and over (a wrongly freed slot is handed out again). */
static __attribute__((noinline)) void registers_churn(void) {
  sm_scrub_stack();
  gc_collect();
  for (int i = 0; i < 20000; i++) {
    void *p = (i & 1) ? gc_alloc_atomic(REG_OBJECT_SIZE) : gc_alloc(REG_OBJECT_SIZE);
    for (int k = 0; k < REG_OBJECTS; k++)
      if (!p || sm_hide(p) == g_reg_hidden[k]) g_reg_churn_failed = 1;
    if (p) memset(p, 0xEE, REG_OBJECT_SIZE);
  }
  gc_collect();
}

#if defined(__x86_64__)
/* registers_trampoline(in, out, fn, mask): loads in[i] ^ mask into rbx,
 * r12-r15, calls fn(), stores the registers ^ mask into out[i], and
 * restores the caller's registers.  Written as a whole function with its
 * own unwind information, so that libunwind walks through it cleanly. */
void registers_trampoline(const uintptr_t *in, uintptr_t *out, void (*fn)(void), uintptr_t mask)
    __attribute__((visibility("hidden")));
__asm__(".text\n"
        ".globl registers_trampoline\n"
        ".hidden registers_trampoline\n"
        ".type registers_trampoline, @function\n"
        "registers_trampoline:\n"
        ".cfi_startproc\n"
        "push %rbx\n.cfi_adjust_cfa_offset 8\n.cfi_rel_offset %rbx, 0\n"
        "push %r12\n.cfi_adjust_cfa_offset 8\n.cfi_rel_offset %r12, 0\n"
        "push %r13\n.cfi_adjust_cfa_offset 8\n.cfi_rel_offset %r13, 0\n"
        "push %r14\n.cfi_adjust_cfa_offset 8\n.cfi_rel_offset %r14, 0\n"
        "push %r15\n.cfi_adjust_cfa_offset 8\n.cfi_rel_offset %r15, 0\n"
        "push %rsi\n.cfi_adjust_cfa_offset 8\n" /* out */
        "push %rcx\n.cfi_adjust_cfa_offset 8\n" /* mask; rsp is 16-aligned now */
        "mov 0(%rdi), %rbx\nxor %rcx, %rbx\n"
        "mov 8(%rdi), %r12\nxor %rcx, %r12\n"
        "mov 16(%rdi), %r13\nxor %rcx, %r13\n"
        "mov 24(%rdi), %r14\nxor %rcx, %r14\n"
        "mov 32(%rdi), %r15\nxor %rcx, %r15\n"
        "xor %eax, %eax\nxor %ecx, %ecx\nxor %esi, %esi\nxor %edi, %edi\n"
        "call *%rdx\n"
        "mov 0(%rsp), %rcx\n"
        "mov 8(%rsp), %rsi\n"
        "xor %rcx, %rbx\nmov %rbx, 0(%rsi)\n"
        "xor %rcx, %r12\nmov %r12, 8(%rsi)\n"
        "xor %rcx, %r13\nmov %r13, 16(%rsi)\n"
        "xor %rcx, %r14\nmov %r14, 24(%rsi)\n"
        "xor %rcx, %r15\nmov %r15, 32(%rsi)\n"
        "add $16, %rsp\n.cfi_adjust_cfa_offset -16\n"
        "pop %r15\n.cfi_adjust_cfa_offset -8\n.cfi_restore %r15\n"
        "pop %r14\n.cfi_adjust_cfa_offset -8\n.cfi_restore %r14\n"
        "pop %r13\n.cfi_adjust_cfa_offset -8\n.cfi_restore %r13\n"
        "pop %r12\n.cfi_adjust_cfa_offset -8\n.cfi_restore %r12\n"
        "pop %rbx\n.cfi_adjust_cfa_offset -8\n.cfi_restore %rbx\n"
        "ret\n"
        ".cfi_endproc\n"
        ".size registers_trampoline, .-registers_trampoline\n");
#endif

static void registers_are_roots(void **state) {
  (void)state;
#if defined(__x86_64__)
  make_register_objects();
  sm_scrub_stack(); /* no stale copy in make_register_objects' dead frame */
  g_reg_churn_failed = 0;
  registers_trampoline(g_reg_hidden, g_reg_back, registers_churn, SM_MASK);
  for (int i = 0; i < REG_OBJECTS; i++) assert_true(g_reg_back[i] == g_reg_hidden[i]);
  if (g_reg_churn_failed) fail_msg("an allocation returned the memory of an object held in a register");
  for (int i = 0; i < REG_OBJECTS; i++)
    if (!register_object_intact(i)) fail_msg("the object held only in register %d was reclaimed", i);
#else
  skip(); /* the register loading is written for x86-64 */
#endif
}

static int parse_options(int argc, char **argv) {
  uint64_t v;
  const char *env = getenv("TORTURE_SEED");
  g_opt.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
  if (env && sm_parse_u64(env, &g_opt.seed)) return -1;
  g_opt.verbose = getenv("TORTURE_VERBOSE") && *getenv("TORTURE_VERBOSE") == '1';
  if (getenv("GLEANER_VALGRIND")) { /* make test-valgrind: ~50x slower */
    g_opt.rounds = 15;
    g_opt.defaults = 0;
  }
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc || sm_parse_u64(argv[i + 1], &v)) return -1;
    if (!strcmp(argv[i], "--seed"))
      g_opt.seed = v;
    else if (!strcmp(argv[i], "--rounds"))
      g_opt.rounds = (unsigned)v, g_opt.defaults = 0;
    else if (!strcmp(argv[i], "--steps"))
      g_opt.steps = (unsigned)v, g_opt.defaults = 0;
    else if (!strcmp(argv[i], "--stress"))
      g_opt.stress = (unsigned)v;
    else
      return -1;
    i++;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (parse_options(argc, argv)) {
    fprintf(stderr, "usage: %s [--seed N] [--rounds N] [--steps N] [--stress N]\n"
                    "  (TORTURE_SEED=N, TORTURE_VERBOSE=1)\n", argv[0]);
    return 2;
  }
  fprintf(stderr, "test_torture: seed %" PRIu64 " (replay with --seed %" PRIu64 " or TORTURE_SEED)\n",
          g_opt.seed, g_opt.seed);
  const struct CMUnitTest tests[] = {cmocka_unit_test(run_torture),
                                     cmocka_unit_test(registers_are_roots)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
