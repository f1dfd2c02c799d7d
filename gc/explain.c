/*
 * explain.c — the retention explainer: gc_explain(obj, out) and
 * GLEANER_EXPLAIN=0xADDR.
 *
 * A breadth-first walk from the roots (heap_walk.c) gives every reachable
 * object a parent, so the path printed is a shortest one.  Stack frames
 * are walked completely with libunwind to name them (unw_get_proc_name);
 * the frames of the explainer itself are below the floor and are never
 * reported: the registers a path may start from are the callee-saved
 * registers of the program's frame that called gc_explain, as libunwind
 * recovers them, not the explainer's own.
 *
 * The address asked about is kept complemented until the lock is held and
 * the walk starts, so that neither the explainer's frames nor the static
 * copy of GLEANER_EXPLAIN ever hold a pointer to it (a diagnostic that
 * retained the object it explains would explain itself).
 */
#include "explain.h"
#include "stopped_output.h"
#include "alloc.h"
#include "heap_census.h"
#include "stop_world.h"
#include <stdlib.h>
#include <string.h>

#define LARGEST_SHOWN 5

void explain_print_object(const walk_record *r, FILE *out) {
  const block_meta *b = &G->blocks[r->block];
  fprintf(out, "%p  %zu bytes  %s", (void *)walk_user_start(r), walk_user_size(r),
          kind_name(b->kind));
  if (b->kind == KIND_PRECISE) {
    const gc_type *t = ((const precise_header *)r->start)->type;
    fprintf(out, " '%s'", t && t->name ? t->name : "?");
  }
  if (b->state == BLOCK_LARGE_HEAD)
    fprintf(out, "  (large, %u blocks)", b->run_blocks);
  else
    fprintf(out, "  (class %u, %u-byte slots, block %u slot %u)", b->size_class, b->obj_size,
            r->block, r->slot);
}

/* Records from the root to `index`, root first; returns the depth. */
static size_t path_of(const heap_walk *hw, uint32_t index, uint32_t *path, size_t cap) {
  size_t n = 0;
  for (uint32_t i = index; i != WALK_NONE; i = hw->records[i].parent)
    n++;
  size_t k = n;
  for (uint32_t i = index; i != WALK_NONE; i = hw->records[i].parent)
    if (--k < cap)
      path[k] = i;
  return n;
}

void explain_print_path(const heap_walk *hw, uint32_t index, FILE *out) {
  enum { SHOWN = 64 };
  uint32_t path[SHOWN] = {0};
  size_t n = path_of(hw, index, path, SHOWN);
  const walk_record *first = &hw->records[path[0]];
  fputs("  root: ", out);
  root_desc_print(&hw->roots[first->root], first->ref ? (const void *)first->ref : NULL, out);
  fputc('\n', out);
  for (size_t k = 0; k < n && k < SHOWN; k++) {
    const walk_record *r = &hw->records[path[k]];
    fprintf(out, "  %*s-> ", (int)(2 * k), "");
    explain_print_object(r, out);
    if (k > 0) {
      const walk_record *p = &hw->records[path[k - 1]];
      fprintf(out, "  via the word at +%#lx of %p",
              (unsigned long)(r->ref - (uintptr_t)walk_user_start(p)),
              (void *)walk_user_start(p));
    }
    /* An interior (or one-past-the-end) reference retains the object too:
     * say so, it is the usual shape of a false retention. */
    if (r->value != (uintptr_t)walk_user_start(r))
      fprintf(out, "  [referring word %#lx points %+ld bytes from its start]",
              (unsigned long)r->value, (long)(r->value - (uintptr_t)walk_user_start(r)));
    fputc('\n', out);
  }
  if (n > SHOWN)
    fprintf(out, "  ... %zu more objects on the path\n", n - SHOWN);
}

/* ---- largest retained objects ------------------------------------------- */

void explain_print_largest(const heap_walk *hw, unsigned limit, FILE *out) {
  uint32_t top[LARGEST_SHOWN];
  unsigned n = 0;
  if (limit > LARGEST_SHOWN)
    limit = LARGEST_SHOWN;
  for (size_t i = 0; i < hw->count; i++) {
    size_t size = hw->records[i].size;
    unsigned pos = n < limit ? n++ : limit;
    while (pos > 0 && hw->records[top[pos - 1]].size < size) {
      if (pos < limit)
        top[pos] = top[pos - 1];
      pos--;
    }
    if (pos < limit)
      top[pos] = (uint32_t)i;
  }
  fprintf(out, "largest reachable objects:\n");
  for (unsigned k = 0; k < n; k++) {
    uint32_t i = top[k], r = i;
    while (hw->records[r].parent != WALK_NONE)
      r = hw->records[r].parent;
    fputs("  ", out);
    explain_print_object(&hw->records[i], out);
    fputs("\n      held from: ", out);
    root_desc_print(&hw->roots[hw->records[i].root],
                    hw->records[r].ref ? (const void *)hw->records[r].ref : NULL, out);
    fputc('\n', out);
  }
}

/* ---- gc_explain ------------------------------------------------------------ */

static void print_summary(const heap_walk *hw, FILE *out) {
  heap_census c;
  heap_census_take(&c);
  uint64_t reach_bytes = 0;
  for (size_t i = 0; i < hw->count; i++)
    reach_bytes += hw->records[i].size;
  fprintf(out, "heap: %zu objects (%lu bytes) reachable, first reached from %zu root words; "
               "allocated by kind and class:\n",
          hw->count, (unsigned long)reach_bytes, hw->root_count);
  heap_census_print(&c, out);
  explain_print_largest(hw, LARGEST_SHOWN, out);
}

/* Lock held.  0: reachable (path printed); 1: not reachable; -1: not an
 * allocated object or no memory for the walk. */
static int explain_locked(uintptr_t hidden, FILE *out, const char *floor, bool summary) {
  object_ref target;
  if (!object_find(~hidden, &target)) {
    fprintf(out, "gc_explain(%p): not an allocated heap object\n", (void *)~hidden);
    return -1;
  }
  heap_walk hw;
  walk_options opt = {.floor = floor, .name_frames = true, .max_frames = UINT32_MAX,
                      .stop_at = (uintptr_t)target.start, .stop_when_found = !summary};
  int rc = heap_walk_run(&hw, &opt);
  if (rc != 0) {
    fprintf(out, "gc_explain: no memory for the walk\n");
  } else if (hw.found == WALK_NONE) {
    fprintf(out, "gc_explain(%p): not reachable from any root; it is garbage and the next "
                 "collection reclaims it\n", (void *)~hidden);
    rc = 1;
  } else {
    fprintf(out, "gc_explain(%p): reachable; a shortest path from a root:\n", (void *)~hidden);
    explain_print_path(&hw, hw.found, out);
  }
  if (summary && rc >= 0)
    print_summary(&hw, out);
  heap_walk_release(&hw);
  return rc;
}

typedef struct explain_job {
  uintptr_t hidden;
  FILE *out;
  const char *floor;
  int rc;
} explain_job;

static void explain_stopped(void *arg) {
  explain_job *j = arg;
  cursors_flush_all(); /* the census then counts only objects handed out */
  j->rc = explain_locked(j->hidden, j->out, j->floor, true);
}

__attribute__((noinline)) static int explain_hidden(uintptr_t hidden, FILE *out,
                                                    const char *floor) {
  ensure_init();
  (void)mutator_current();
  if (!out)
    out = stderr;
  stopped_output text;
  explain_job job = {hidden, stopped_output_open(&text, out), floor, -1};
  state_lock();
  world_stopped_run(explain_stopped, &job); /* other threads' stacks hold still */
  state_unlock();
  stopped_output_finish(&text); /* printed once the world runs again */
  fflush(out);
  return job.rc;
}

int gc_explain(const void *obj, FILE *out) {
  if (!obj) {
    ensure_init();
    gc_warnf("gc_explain(NULL): an object is required");
    return -1;
  }
  return explain_hidden(~(uintptr_t)obj, out, (const char *)__builtin_frame_address(0));
}

/* ---- GLEANER_EXPLAIN ------------------------------------------------------- */

static uintptr_t env_hidden; /* complemented: never a root */
static int env_state;        /* 0: not read, 1: unset or bad, 2: set */

static void read_env(void) {
  const char *v = getenv("GLEANER_EXPLAIN");
  env_state = 1;
  if (!v || !*v)
    return;
  char *end;
  unsigned long long a = strtoull(v, &end, 16);
  if (*end || a == 0) {
    gc_warnf("GLEANER_EXPLAIN=%s: expected a hexadecimal address; ignored", v);
    return;
  }
  env_hidden = ~(uintptr_t)a;
  env_state = 2;
}

void explain_env_reload(void) { env_state = 0; }

void explain_env_after_mark(const char *floor) {
  if (env_state == 0)
    read_env();
  if (env_state != 2)
    return;
  object_ref r;
  FILE *out = stderr;
  fprintf(out, "gleaner: collection %lu, GLEANER_EXPLAIN=%p: ",
          (unsigned long)G->collections + 1, (void *)~env_hidden);
  if (!object_find(~env_hidden, &r)) {
    fprintf(out, "not an allocated object\n");
    return;
  }
  fprintf(out, "%s by the collector\n",
          bit_test(G->bits[r.block].mark, r.slot) ? "marked" : "not marked");
  explain_locked(env_hidden, out, floor, false);
  fflush(out);
}
