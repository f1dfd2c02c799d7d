/*
 * verify.c — the heap verifier.
 *
 * Two independent checks, so that nobody has to take the collector on
 * trust (Go's gccheckmark and Lua's checkheap are the models):
 *
 *  1. Metadata (verify_metadata, lock held, any time): every block's state,
 *     kind, class geometry and counters against its bitmaps; mark ⊆ alloc
 *     (heap_layout.h I1); large runs (I4); the free map, the pool counters
 *     (block_pool.c P2) and the zero-ness of clean free memory (P1, and
 *     sweep.c's "an unallocated slot is zero unless its block needs
 *     zeroing"); the available lists (membership, flags, no cycles); every
 *     allocation cursor against the block it owns (mutator.h, I3); the
 *     headers of precise objects.
 *
 *  2. Marks (verify_marks_from, after marking, before the flip): a fresh
 *     breadth-first traversal from the roots (heap_walk.c — its own
 *     bitmap, its own queue, its own root enumeration) must find nothing
 *     the marker left white.  The marker may mark more (stale words in its
 *     own frames are conservative roots too), never less.  The first
 *     violation is reported with its shortest path from a root, which is
 *     what one needs to find the missing barrier or root.
 *
 * Reports go through the warn handler (one line each, the first
 * VERIFY_REPORTS of them) and paths to the report stream.
 */
#include "verify.h"
#include "alloc.h"
#include "collect.h"
#include "explain.h"
#include "heap_walk.h"
#include "mark_parallel.h"
#include "stop_world.h"
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

#define VERIFY_REPORTS 8 /* enough to see a pattern, few enough to read */

int verify_forced;
int verify_last_result;
static FILE *report_stream;

void verify_report_to(FILE *out) { report_stream = out; }
static FILE *reports(void) { return report_stream ? report_stream : stderr; }

/* after_compaction: between the compactor and the sweep, moved-from
 * objects still have their alloc bit (their first word is the forwarding
 * address) and freed candidate blocks may still sit on the available lists
 * (the sweep rebuilds them). */
typedef struct checker { int errors; bool after_compaction; } checker;

__attribute__((format(printf, 2, 3))) static void fail(checker *c, const char *fmt, ...) {
  if (c->errors++ >= VERIFY_REPORTS)
    return;
  char buf[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  gc_warnf("gc_verify: %s", buf);
}

static unsigned popcount_words(const uint64_t *w, size_t n) {
  unsigned c = 0;
  for (size_t i = 0; i < n; i++)
    c += (unsigned)__builtin_popcountll(w[i]);
  return c;
}

/* Bits at or beyond nslots must be clear. */
static bool bits_beyond_clear(const uint64_t *w, uint32_t nslots) {
  for (uint32_t i = nslots; i < SLOTS_MAX; i++)
    if (bit_test(w, i))
      return false;
  return true;
}

/* Heap memory is never poisoned: the check needs no ASan instrumentation,
 * and OR-ing words lets the compiler vectorise the loop. */
#if defined(__SANITIZE_ADDRESS__)
#define VERIFY_NO_ASAN __attribute__((no_sanitize("address")))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VERIFY_NO_ASAN __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef VERIFY_NO_ASAN
#define VERIFY_NO_ASAN
#endif

VERIFY_NO_ASAN static bool is_zero(const char *p, size_t n) {
  const uint64_t *w = (const uint64_t *)p;
  uint64_t any = 0;
  for (size_t i = 0; i < n / sizeof *w; i++)
    any |= w[i];
  return any == 0;
}

/* ---- small blocks --------------------------------------------------------- */

static void check_small_geometry(checker *c, uint32_t i, const block_meta *b) {
  if (b->kind >= NUM_KINDS || b->size_class >= NUM_CLASSES) {
    fail(c, "block %u: kind %u / class %u out of range", i, b->kind, b->size_class);
    return;
  }
  unsigned cls = b->size_class;
  if (b->obj_size != gleaner_class_size[cls] || b->recip != gleaner_class_recip[cls] ||
      b->nslots != gleaner_class_nslots[cls])
    fail(c, "block %u: geometry (size %u, recip %u, slots %u) differs from class %u", i,
         b->obj_size, b->recip, b->nslots, cls);
  if (b->flags & (BF_DIRTY_FREE | BF_DECOMMITTED))
    fail(c, "block %u: small block with free-block flags %#x", i, b->flags);
  if ((b->flags & BF_LISTED) && (b->flags & BF_OWNED))
    fail(c, "block %u: both listed and owned by a cursor", i);
}

static void check_small_bits(checker *c, uint32_t i, const block_meta *b) {
  const block_bits *bits = &G->bits[i];
  if (b->nslots > SLOTS_MAX)
    return;
  unsigned alloc = popcount_words(bits->alloc, BITMAP_WORDS);
  unsigned mark = popcount_words(bits->mark, BITMAP_WORDS);
  unsigned pin = popcount_words(bits->pin, BITMAP_WORDS);
  if (alloc != b->allocated)
    fail(c, "block %u: allocated count %u but %u alloc bits", i, b->allocated, alloc);
  if (mark != b->marked)
    fail(c, "block %u: marked count %u but %u mark bits", i, b->marked, mark);
  if (pin != b->pinned)
    fail(c, "block %u: pinned count %u but %u pin bits", i, b->pinned, pin);
  if (!bits_beyond_clear(bits->alloc, b->nslots) || !bits_beyond_clear(bits->mark, b->nslots))
    fail(c, "block %u: bits set beyond its %u slots", i, b->nslots);
  for (unsigned w = 0; w < BITMAP_WORDS; w++)
    if (bits->mark[w] & ~bits->alloc[w]) {
      fail(c, "block %u: slot %u marked but not allocated (I1)", i,
           w * 64 + (unsigned)__builtin_ctzll(bits->mark[w] & ~bits->alloc[w]));
      break;
    }
}

/* Unallocated slots are zero unless the block is waiting for lazy zeroing. */
static void check_small_zero(checker *c, uint32_t i, const block_meta *b) {
  if (b->flags & BF_NEEDS_ZEROING || b->nslots > SLOTS_MAX)
    return;
  for (uint32_t s = 0; s < b->nslots; s++) {
    if (bit_test(G->bits[i].alloc, s))
      continue;
    const char *p = block_base(i) + (size_t)s * b->obj_size;
    if (!is_zero(p, b->obj_size)) {
      const uint64_t *w = (const uint64_t *)p;
      size_t k = 0;
      while (!w[k])
        k++;
      fail(c, "block %u: free slot %u at %p is not zero (word +%zu = %#lx; freed memory "
              "would leak into the next object)", i, s, (const void *)p, k * 8,
           (unsigned long)w[k]);
      return;
    }
  }
}

/* Allocated precise objects name a registered type and fit their slot. */
/* A moved-from precise object: its type word is the forwarding address,
 * which must name a marked precise object of the same size. */
static void check_forwarded(checker *c, const precise_header *h) {
  object_ref to;
  uintptr_t fwd = (uintptr_t)h->type;
  if (!object_find(fwd, &to) || object_kind(&to) != KIND_PRECISE ||
      !bit_test(G->bits[to.block].mark, to.slot) || (uintptr_t)to.start != fwd ||
      ((const precise_header *)to.start)->user_size != h->user_size)
    fail(c, "moved object %p: forwarding address %p is not a marked copy of %zu bytes",
         (const void *)(h + 1), (void *)fwd, (size_t)h->user_size);
}

/* Slot s of owned block i is set aside by a thread's cursor and not handed
 * out yet: its alloc bit is set, but it holds no object — and, in a block
 * that needs zeroing, still the bytes of what was there before (a
 * moved-from object's forwarding word, say), zeroed when handed out. */
static bool slot_set_aside(uint32_t i, uint32_t s) {
  uint32_t w = s / 64;
  uint64_t bit = (uint64_t)1 << (s % 64);
  for (const mutator *m = G->mutators; m; m = m->next)
    for (unsigned cls = 0; cls < NUM_CLASSES; cls++) {
      const alloc_cursor *cur = &m->cursors[KIND_PRECISE][cls];
      if (cur->block != i + 1)
        continue;
      if ((cur->word == w && (cur->remaining & bit)) ||
          (m->reserved[KIND_PRECISE * NUM_CLASSES + cls][w] & bit))
        return true;
    }
  return false;
}

/* Allocated precise objects name a registered type and fit their slot. */
static void check_precise_headers(checker *c, uint32_t i, const block_meta *b) {
  if (b->kind != KIND_PRECISE)
    return;
  size_t slot = b->state == BLOCK_LARGE_HEAD ? (size_t)b->run_blocks * BLOCK_SIZE : b->obj_size;
  for (uint32_t s = 0; s < b->nslots && s < SLOTS_MAX; s++) {
    if (!bit_test(G->bits[i].alloc, s))
      continue;
    const precise_header *h =
        (const precise_header *)(block_base(i) + (size_t)s * (b->state == BLOCK_SMALL ? b->obj_size : 0));
    if (!h->type)
      continue; /* handed out by a cursor, header not written yet */
    if ((b->flags & BF_OWNED) && slot_set_aside(i, s))
      continue;
    if (c->after_compaction && !bit_test(G->bits[i].mark, s)) {
      if (addr_in_heap((uintptr_t)h->type))
        check_forwarded(c, h);
      continue; /* dead, or moved: the sweep frees it */
    }
    if (!h->type->internal_id || h->user_size > slot - PRECISE_HEADER) {
      fail(c, "precise object %p: type %p (id %u) claims %zu bytes in a %zu-byte slot",
           (const void *)(h + 1), (const void *)h->type, h->type->internal_id,
           (size_t)h->user_size, slot - PRECISE_HEADER);
      return;
    }
  }
}

/* ---- large runs and free blocks ------------------------------------------- */

static void check_large_head(checker *c, uint32_t i, const block_meta *b) {
  if (b->kind >= NUM_KINDS)
    fail(c, "large block %u: kind %u out of range", i, b->kind);
  if (b->nslots != 1 || b->run_blocks == 0 || (uint64_t)i + b->run_blocks > G->high_water) {
    fail(c, "large block %u: %u slots, run of %u blocks (high water %u)", i, b->nslots,
         b->run_blocks, G->high_water);
    return;
  }
  const block_bits *bits = &G->bits[i];
  if (!bit_test(bits->alloc, 0) || b->allocated != 1)
    fail(c, "large block %u: head without its object (alloc bit %d, count %u)", i,
         (int)bit_test(bits->alloc, 0), b->allocated);
  if (b->marked != (uint32_t)bit_test(bits->mark, 0))
    fail(c, "large block %u: marked count %u, mark bit %d", i, b->marked,
         (int)bit_test(bits->mark, 0));
  if (b->flags & (BF_LISTED | BF_OWNED))
    fail(c, "large block %u: listed or owned (flags %#x)", i, b->flags);
  for (uint32_t t = 1; t < b->run_blocks; t++) {
    const block_meta *tail = &G->blocks[i + t];
    if (tail->state != BLOCK_LARGE_TAIL || tail->head != i) {
      fail(c, "large block %u: block %u of its run has state %u, head %u", i, i + t,
           tail->state, tail->head);
      return;
    }
  }
}

static void check_large_tail(checker *c, uint32_t i, const block_meta *b) {
  const block_meta *h = b->head < G->high_water ? &G->blocks[b->head] : NULL;
  if (!h || b->head >= i || h->state != BLOCK_LARGE_HEAD ||
      (uint64_t)b->head + h->run_blocks <= i)
    fail(c, "tail block %u: head %u does not own it", i, b->head);
}

static void check_free_block(checker *c, uint32_t i, const block_meta *b) {
  uint8_t allowed = BF_DIRTY_FREE | BF_DECOMMITTED;
  if ((b->flags & ~allowed) || (b->flags & allowed) == allowed)
    fail(c, "free block %u: flags %#x", i, b->flags);
  if (!(b->flags & BF_DIRTY_FREE) && !is_zero(block_base(i), BLOCK_SIZE))
    fail(c, "free block %u is not dirty but its memory is not zero (P1)", i);
}

/* ---- the pool and lists ---------------------------------------------------- */

static void check_blocks(checker *c) {
  uint32_t nfree = 0, ndecommitted = 0;
  for (uint32_t i = 0; i < G->high_water; i++) {
    const block_meta *b = &G->blocks[i];
    bool free_bit = bit_test(G->free_map, i);
    if (free_bit != (b->state == BLOCK_FREE))
      fail(c, "block %u: state %u but free-map bit %d", i, b->state, (int)free_bit);
    switch (b->state) {
    case BLOCK_FREE:
      nfree++;
      ndecommitted += (b->flags & BF_DECOMMITTED) != 0;
      check_free_block(c, i, b);
      break;
    case BLOCK_SMALL:
      check_small_geometry(c, i, b);
      check_small_bits(c, i, b);
      check_small_zero(c, i, b);
      check_precise_headers(c, i, b);
      break;
    case BLOCK_LARGE_HEAD:
      check_large_head(c, i, b);
      check_precise_headers(c, i, b);
      break;
    case BLOCK_LARGE_TAIL:
      check_large_tail(c, i, b);
      break;
    default:
      fail(c, "block %u: unknown state %u", i, b->state);
    }
  }
  if (nfree != G->blocks_free || ndecommitted != G->blocks_decommitted)
    fail(c, "pool counters: %u free (%u decommitted) blocks counted, %u (%u) recorded", nfree,
         ndecommitted, G->blocks_free, G->blocks_decommitted);
  if (G->blocks_in_use + G->blocks_free != G->high_water)
    fail(c, "pool: %u in use + %u free != high water %u (P2)", G->blocks_in_use,
         G->blocks_free, G->high_water);
  for (uint32_t w = 0; w < G->free_hint && w * 64 < G->high_water; w++)
    if (G->free_map[w])
      fail(c, "free hint %u skips free blocks in word %u", G->free_hint, w);
}

static void check_lists(checker *c) {
  uint32_t listed = 0, flagged = 0;
  for (unsigned k = 0; k < NUM_KINDS; k++)
    for (unsigned cls = 0; cls < NUM_CLASSES; cls++) {
      uint32_t steps = 0;
      for (uint32_t link = G->available[k][cls]; link; link = G->blocks[link - 1].next) {
        uint32_t i = link - 1;
        const block_meta *b = i < G->high_water ? &G->blocks[i] : NULL;
        if (!b || ++steps > G->high_water) {
          fail(c, "available list kind %u class %u: bad link or cycle at %u", k, cls, link);
          break;
        }
        listed++;
        if (b->state != BLOCK_SMALL || b->kind != k || b->size_class != cls ||
            !(b->flags & BF_LISTED))
          fail(c, "block %u on list kind %u class %u: state %u kind %u class %u flags %#x", i,
               k, cls, b->state, b->kind, b->size_class, b->flags);
      }
    }
  for (uint32_t i = 0; i < G->high_water; i++)
    flagged += (G->blocks[i].flags & BF_LISTED) != 0;
  if (listed != flagged)
    fail(c, "%u blocks on available lists but %u carry BF_LISTED", listed, flagged);
}

/* ---- cursors ---------------------------------------------------------------- */

static void check_cursor(checker *c, const alloc_cursor *cur, unsigned kind, unsigned cls,
                         uint8_t *owners) {
  if (!cur->block)
    return;
  uint32_t i = cur->block - 1;
  const block_meta *b = i < G->high_water ? &G->blocks[i] : NULL;
  if (!b || b->state != BLOCK_SMALL || b->kind != kind || b->size_class != cls ||
      !(b->flags & BF_OWNED)) {
    fail(c, "cursor kind %u class %u: block %u is not an owned block of its kind/class", kind,
         cls, i);
    return;
  }
  if (owners && owners[i]++)
    fail(c, "block %u is owned by more than one cursor", i);
  uint64_t alloc = cur->word < BITMAP_WORDS ? G->bits[i].alloc[cur->word] : 0;
  /* Slots not yet handed out are reserved in the alloc bits. */
  if (cur->remaining & ~alloc)
    fail(c, "cursor on block %u word %u: remaining %#lx not within alloc %#lx", i, cur->word,
         (unsigned long)cur->remaining, (unsigned long)alloc);
  /* word_base may lag behind word while a stopped thread moves to its next
   * word (alloc.c); it matters only once something remains. */
  if ((cur->remaining && cur->word_base != block_base(i) + (size_t)cur->word * 64 * b->obj_size) ||
      cur->size != b->obj_size)
    fail(c, "cursor on block %u: word base or size inconsistent", i);
}

static void check_cursors(checker *c) {
  size_t bytes = G->high_water ? G->high_water : 1;
  uint8_t *owners = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (owners == MAP_FAILED)
    owners = NULL; /* still check each cursor, just not uniqueness */
  for (mutator *m = G->mutators; m; m = m->next)
    for (unsigned k = 0; k < CURSOR_KINDS; k++)
      for (unsigned cls = 0; cls < NUM_CLASSES; cls++)
        check_cursor(c, &m->cursors[k][cls], k, cls, owners);
  for (unsigned k = 0; k < NUM_KINDS; k++)
    for (unsigned cls = 0; cls < NUM_CLASSES; cls++)
      check_cursor(c, &G->shared_cursors[k][cls], k, cls, owners);
  if (!owners)
    return;
  for (uint32_t i = 0; i < G->high_water; i++)
    if ((G->blocks[i].flags & BF_OWNED) && G->blocks[i].state == BLOCK_SMALL && !owners[i])
      fail(c, "block %u is marked owned but no cursor holds it", i);
  munmap(owners, bytes);
}

static int run_metadata_checks(bool after_compaction) {
  checker c = {.after_compaction = after_compaction};
  check_blocks(&c);
  if (!after_compaction)
    check_lists(&c);
  check_cursors(&c);
  if (c.errors > VERIFY_REPORTS)
    gc_warnf("gc_verify: %d metadata violations in all (first %d shown)", c.errors,
             VERIFY_REPORTS);
  return c.errors;
}

int verify_metadata(void) { return run_metadata_checks(false); }
int verify_metadata_after_compaction(void) { return run_metadata_checks(true); }

/* ---- marks ------------------------------------------------------------------ */

static bool record_marked(const walk_record *r) {
  return bit_test(G->bits[r->block].mark, r->slot);
}

/* The walk, and the index of its first reachable-but-unmarked record
 * (WALK_NONE if none); *missed counts them all. */
static int walk_and_compare(heap_walk *hw, const char *floor, bool names, uint32_t *first,
                            int *missed) {
  walk_options opt = {.floor = floor, .name_frames = names, .max_frames = names ? UINT32_MAX : 0};
  if (heap_walk_run(hw, &opt) != 0)
    return -1;
  *first = WALK_NONE;
  *missed = 0;
  for (size_t i = 0; i < hw->count; i++) {
    if (record_marked(&hw->records[i]))
      continue;
    if ((*missed)++ == 0)
      *first = (uint32_t)i;
  }
  return 0;
}

int verify_marks_from(const char *floor) {
  heap_walk hw;
  uint32_t first;
  int missed;
  /* Naming frames costs a symbol lookup per frame: only for a report. */
  if (walk_and_compare(&hw, floor, false, &first, &missed) == 0 && missed) {
    heap_walk_release(&hw);
    walk_and_compare(&hw, floor, true, &first, &missed);
  }
  if (hw.failed) {
    gc_warnf("gc_verify: no memory for the verification walk; marks not checked");
    heap_walk_release(&hw);
    return -1;
  }
  if (missed) {
    const walk_record *r = &hw.records[first];
    gc_warnf("gc_verify: reachable object %p (%zu bytes) was not marked by the collector",
             (void *)walk_user_start(r), walk_user_size(r));
    fprintf(reports(), "gc_verify: reachable but unmarked object; path from a root:\n");
    explain_print_path(&hw, first, reports());
    fflush(reports());
  }
  if (missed > 1)
    gc_warnf("gc_verify: %d reachable objects unmarked in all", missed);
  heap_walk_release(&hw);
  return missed;
}

__attribute__((noinline)) int verify_marks_after_cycle(void) {
  return verify_marks_from((const char *)__builtin_frame_address(0));
}

/* Other threads' allocation cursors change under their fast paths: the
 * metadata is read with the world stopped.  Parallel slices of an
 * incremental cycle leave the per-block marked counts to a recount at the
 * cycle's end (mark_parallel.c): recount first, or a cycle in progress
 * shows as "marked count 0 but N mark bits". */
static void metadata_stopped(void *errors) {
  mark_parallel_fix_counts();
  *(int *)errors += verify_metadata();
}

int gc_verify(void) {
  ensure_init();
  (void)mutator_current();
  state_lock();
  int errors = 0;
  world_stopped_run(metadata_stopped, &errors);
  if (!G->collecting) {
    verify_forced = 1;
    verify_last_result = 0;
    collect_full_locked("gc_verify");
    verify_forced = 0;
    errors += verify_last_result > 0 ? verify_last_result : 0;
    world_stopped_run(metadata_stopped, &errors);
  }
  state_unlock();
  return errors;
}
