/*
 * root_walk.c — every root source, enumerated with a description (see
 * root_walk.h).  It covers the same words as roots_mark_all (roots.c) so
 * that an independent traversal built on it sees what the marker sees:
 *   - the current thread: callee-saved registers as they were in the first
 *     program frame above the caller's floor (recovered by libunwind from
 *     the unwind tables), then frame by frame up to max_frames, then the
 *     rest of the stack linearly to its base;
 *   - other threads: their saved context and their stack from the saved
 *     stack pointer (minus the 128-byte red zone) to the base;
 *   - writable data segments of every loaded object, minus exclusions;
 *   - explicit ranges, exact slots and GC_FRAME shadow stacks.
 * If libunwind cannot reach the floor, the whole captured register context
 * and the stack from the floor up are reported instead: a walk that fails
 * never loses a root, it only loses attribution.
 */
#define UNW_LOCAL_ONLY
#include "root_walk.h"
#include "roots.h"
#include "valgrind_unwind.h"
#include <dlfcn.h>
#include <errno.h>
#include <libunwind.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

static const int callee_saved[] = {UNW_X86_64_RBX, UNW_X86_64_RBP, UNW_X86_64_R12,
                                   UNW_X86_64_R13, UNW_X86_64_R14, UNW_X86_64_R15};
#define CALLEE_SAVED (sizeof callee_saved / sizeof callee_saved[0])

static void desc_for_thread(root_desc *d, const mutator *m, unsigned ordinal,
                            root_kind kind) {
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->thread = ordinal;
  d->thread_id = (unsigned long)m->thread;
  d->current_thread = m == gleaner_self;
  d->main_thread = m->is_main || (d->current_thread && gettid() == getpid());
}

static void name_frame(unw_cursor_t *c, root_desc *d, bool want) {
  unw_word_t ip = 0, off = 0;
  unw_get_reg(c, UNW_REG_IP, &ip);
  d->ip = ip;
  d->proc_offset = 0;
  d->proc[0] = 0;
  if (!want)
    return;
  int rc = unw_get_proc_name(c, d->proc, sizeof d->proc, &off);
  if (rc == 0 || rc == -UNW_ENOMEM) /* ENOMEM: truncated, still useful */
    d->proc_offset = off;
  else
    d->proc[0] = 0;
}

/* The callee-saved registers of the frame at c, reported as one root. */
static void report_frame_registers(const root_walker *w, unw_cursor_t *c, root_desc *d) {
  uintptr_t regs[CALLEE_SAVED];
  for (size_t i = 0; i < CALLEE_SAVED; i++) {
    unw_word_t v = 0;
    unw_get_reg(c, callee_saved[i], &v);
    regs[i] = v;
  }
  d->kind = ROOT_REGISTERS;
  d->lo = regs;
  d->hi = regs + CALLEE_SAVED;
  w->ambiguous(regs, regs + CALLEE_SAVED, d, w->ctx);
}

/* Frames [sp, caller sp) one by one, up to max_frames; returns the lowest
 * address not yet reported. */
static char *report_frames(const root_walker *w, unw_cursor_t *c, root_desc *d,
                           char *sp, char *base) {
  for (unsigned i = 0; i < w->max_frames; i++) {
    root_desc fd = *d;
    fd.kind = ROOT_STACK_FRAME;
    fd.frame = i;
    name_frame(c, &fd, w->name_frames);
    if (unwind_step(c) <= 0)
      break;
    unw_word_t caller_sp;
    if (unw_get_reg(c, UNW_REG_SP, &caller_sp) != 0)
      break;
    char *next = (char *)caller_sp;
    if (next < sp || next > base)
      break;
    fd.lo = sp;
    fd.hi = next;
    if (next > sp)
      w->ambiguous(sp, next, &fd, w->ctx);
    sp = next;
  }
  return sp;
}

static void report_rest(const root_walker *w, root_desc *d, char *lo, char *base) {
  if (lo >= base)
    return;
  d->kind = ROOT_STACK_REST;
  d->lo = lo;
  d->hi = base;
  w->ambiguous(lo, base, d, w->ctx);
}

/* Step the cursor to the first frame whose stack pointer lies above floor;
 * false if libunwind cannot get there. */
static bool step_to_floor(unw_cursor_t *c, const char *floor, char **sp_out) {
  for (int guard = 0; guard < 4096; guard++) {
    if (unwind_step(c) <= 0)
      return false;
    unw_word_t sp;
    if (unw_get_reg(c, UNW_REG_SP, &sp) != 0)
      return false;
    if ((const char *)sp > floor) {
      *sp_out = (char *)sp;
      return true;
    }
  }
  return false;
}

__attribute__((noinline)) static void walk_current_thread(const root_walker *w,
                                                          const mutator *m,
                                                          unsigned ordinal) {
  unw_context_t ctx;
  unw_cursor_t cursor;
  root_desc d;
  desc_for_thread(&d, m, ordinal, ROOT_REGISTERS);
  char *base = m->stack_base;
  const char *floor = w->floor ? w->floor : (const char *)&ctx;
  char *sp = NULL;
  bool walked = unw_getcontext(&ctx) == 0 && unw_init_local(&cursor, &ctx) == 0 &&
                step_to_floor(&cursor, floor, &sp) && sp <= base;
  if (!walked) {
    /* Attribution lost, coverage kept: everything captured, floor up. */
    d.lo = &ctx;
    d.hi = &ctx + 1;
    w->ambiguous(&ctx, &ctx + 1, &d, w->ctx);
    char *lo = (char *)((uintptr_t)floor & ~(uintptr_t)7);
    report_rest(w, &d, lo, base);
    return;
  }
  name_frame(&cursor, &d, w->name_frames);
  report_frame_registers(w, &cursor, &d);
  char *rest = report_frames(w, &cursor, &d, sp, base);
  report_rest(w, &d, rest, base);
}

static void walk_stopped_thread(const root_walker *w, const mutator *m,
                                unsigned ordinal) {
  root_desc d;
  desc_for_thread(&d, m, ordinal, ROOT_REGISTERS);
  d.lo = &m->saved_context;
  d.hi = &m->saved_context + 1;
  w->ambiguous(d.lo, d.hi, &d, w->ctx);
  char *sp = m->saved_sp;
  if (sp < m->stack_limit || sp > m->stack_base) {
    gc_warnf("root walk: thread %u has no saved stack pointer inside its stack; "
             "its stack is not described",
             ordinal);
    return;
  }
  /* As stack_scan_stopped_thread: the red zone, except for a parked
   * thread (below its sp are its blocking call's own frames). */
  char *lo = m->stopped != MUTATOR_PARKED && sp - 128 >= m->stack_limit ? sp - 128 : sp;
  report_rest(w, &d, lo, m->stack_base);
}

/* [lo, hi) minus the excluded ranges, each piece reported with d. */
typedef struct piece_report { const root_walker *w; root_desc *d; } piece_report;

static void report_piece(char *lo, char *hi, void *arg) {
  piece_report *r = arg;
  r->w->ambiguous(lo, hi, r->d, r->w->ctx);
}

static void report_minus_exclusions(const root_walker *w, root_desc *d, char *lo,
                                    char *hi) {
  piece_report r = {w, d};
  ranges_for_each_outside_exclusions(lo, hi, report_piece, &r);
}

static int walk_object_segments(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  const root_walker *w = arg;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
      continue;
    char *lo = (char *)(info->dlpi_addr + ph->p_vaddr);
    root_desc d = {.kind = ROOT_DATA_SEGMENT, .lo = lo, .hi = lo + ph->p_memsz};
    d.object = info->dlpi_name && *info->dlpi_name ? info->dlpi_name
                                                   : program_invocation_name;
    report_minus_exclusions(w, &d, lo, lo + ph->p_memsz);
  }
  return 0;
}

static void walk_exact(const root_walker *w) {
  for (size_t i = 0; i < G->exact_roots.count; i++) {
    void **slot = G->exact_roots.items[i];
    root_desc d = {.kind = ROOT_EXACT, .index = i, .lo = slot, .hi = slot + 1,
                   .site = G->exact_roots.sites ? G->exact_roots.sites[i] : NULL};
    w->exact(slot, &d, w->ctx);
  }
  unsigned ordinal = 0;
  for (mutator *m = G->mutators; m; m = m->next, ordinal++) {
    unsigned depth = 0;
    for (gc_frame *f = m->frame_top; f; f = f->prev, depth++) {
      root_desc d;
      desc_for_thread(&d, m, ordinal, ROOT_SHADOW_STACK);
      d.frame = depth;
      d.lo = f->slots;
      d.hi = f->slots + f->count;
      for (size_t i = 0; i < f->count; i++) {
        d.index = i;
        w->exact(&f->slots[i], &d, w->ctx);
      }
    }
  }
}

void roots_walk(const root_walker *w) {
  unsigned ordinal = 0;
  for (mutator *m = G->mutators; m; m = m->next, ordinal++) {
    if (m == gleaner_self)
      walk_current_thread(w, m, ordinal);
    else
      walk_stopped_thread(w, m, ordinal);
  }
  dl_iterate_phdr(walk_object_segments, (void *)w);
  for (size_t i = 0; i < G->ambiguous_ranges.count; i++) {
    root_range r = G->ambiguous_ranges.items[i];
    root_desc d = {.kind = ROOT_RANGE, .index = i, .lo = r.lo, .hi = r.hi, .site = r.site};
    if (r.hi > r.lo)
      w->ambiguous(r.lo, r.hi, &d, w->ctx);
  }
  walk_exact(w);
}
