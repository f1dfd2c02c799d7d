/*
 * finalize.c — finalizer registration, the ready decision after marking,
 * and the queue of ready finalizers (rules in finalize.h).
 *
 * Memory: the table and the queue live in malloc memory, which no root
 * scan reads, so registering a finalizer never keeps its object alive by
 * itself.  The queue keeps its objects alive explicitly
 * (finalize_mark_roots), because their finalizers have yet to see them.
 *
 * Running: a finalizer is called with the collector lock released, by
 * gc_run_finalizers or at a safe point (the start of an allocation slow
 * path, the end of gc_collect) of any thread that is not already running
 * finalizers.  One entry is taken off the queue under the lock and run
 * without it, so a finalizer may allocate, collect, register finalizers
 * and run finalizers itself.  While it runs, its object is named by this
 * thread's stack and so stays alive.
 */
#include "finalize.h"
#include "meta_alloc.h"
#include "addr_table.h"
#include "liveness.h"
#include "mark.h"
#include <stdlib.h>
#include <string.h>

typedef enum fin_mode {
  FIN_ORDERED,
  FIN_UNORDERED,
  FIN_IGNORE_SELF,
  FIN_UNREACHABLE, /* finalize_register_unreachable */
  FIN_NO_ORDER     /* finalize_register_no_order */
} fin_mode;

typedef struct fin_entry {
  void *obj;            /* key: the object's user start (addr_table T1) */
  gc_finalizer_fn fn;
  void *data;
  uint8_t mode;
  uint8_t cycle_reported;
} fin_entry;

typedef struct fin_queued {
  void *obj;
  gc_finalizer_fn fn;
  void *data;
} fin_queued;

static struct {
  addr_table table;
  fin_queued *queue;
  size_t head, tail, capacity;  /* ready entries are [head, tail) */
  size_t resurrect_from;        /* first entry queued in this collection */
  uint64_t queued_total, run_total;
  size_t cycles_reported;
  bool ready;
  bool have_unreachable; /* sticky: skip the extra pass until first used */
} F;

atomic_int finalize_queue_nonempty;
static __thread int running_finalizers;

static void table_ready(void) {
  if (!F.ready) {
    addr_table_init(&F.table, sizeof(fin_entry));
    F.ready = true;
  }
}

/* ---- registration ------------------------------------------------------ */

static void register_finalizer(const char *call, void *obj, gc_finalizer_fn fn, void *data,
                               gc_finalizer_fn *old_fn, void **old_data, fin_mode mode) {
  ensure_init();
  gc_finalizer_fn prev_fn = NULL;
  void *prev_data = NULL;
  const char *error = NULL;
  state_lock();
  table_ready();
  if (!obj || live_object_start(obj) != obj) {
    error = "not the start of a heap object";
  } else if (!fn) {
    fin_entry *e = addr_table_find(&F.table, obj);
    if (e) {
      prev_fn = e->fn;
      prev_data = e->data;
      addr_table_remove(&F.table, e);
    }
  } else {
    bool inserted;
    fin_entry *e = addr_table_find_or_insert(&F.table, obj, &inserted);
    if (!e) {
      error = "out of memory for the finalizer table";
    } else {
      if (!inserted) {
        prev_fn = e->fn;
        prev_data = e->data;
      }
      *e = (fin_entry){obj, fn, data, (uint8_t)mode, 0};
    }
  }
  state_unlock();
  if (error)
    gc_warnf("%s(%p): %s (ignored)", call, obj, error);
  if (old_fn)
    *old_fn = prev_fn;
  if (old_data)
    *old_data = prev_data;
}

void gc_register_finalizer(void *obj, gc_finalizer_fn fn, void *data, gc_finalizer_fn *old_fn,
                           void **old_data) {
  register_finalizer("gc_register_finalizer", obj, fn, data, old_fn, old_data, FIN_ORDERED);
}

void gc_register_finalizer_unordered(void *obj, gc_finalizer_fn fn, void *data,
                                     gc_finalizer_fn *old_fn, void **old_data) {
  register_finalizer("gc_register_finalizer_unordered", obj, fn, data, old_fn, old_data,
                     FIN_UNORDERED);
}

void gc_register_finalizer_ignore_self(void *obj, gc_finalizer_fn fn, void *data,
                                       gc_finalizer_fn *old_fn, void **old_data) {
  register_finalizer("gc_register_finalizer_ignore_self", obj, fn, data, old_fn, old_data,
                     FIN_IGNORE_SELF);
}

void finalize_register_unreachable(void *obj, gc_finalizer_fn fn, void *data,
                                   gc_finalizer_fn *old_fn, void **old_data) {
  register_finalizer("GC_register_finalizer_unreachable", obj, fn, data, old_fn, old_data,
                     FIN_UNREACHABLE);
  if (fn) {
    state_lock();
    F.have_unreachable = true;
    state_unlock();
  }
}

void finalize_register_no_order(void *obj, gc_finalizer_fn fn, void *data,
                                gc_finalizer_fn *old_fn, void **old_data) {
  register_finalizer("GC_register_finalizer_no_order", obj, fn, data, old_fn, old_data,
                     FIN_NO_ORDER);
}

void finalize_object_freed(void *p) {
  if (!F.ready || !F.table.count)
    return;
  fin_entry *e = addr_table_find(&F.table, p);
  if (e)
    addr_table_remove(&F.table, e);
}

/* ---- the queue --------------------------------------------------------- */

static bool queue_push(const fin_entry *e) {
  if (F.tail == F.capacity) {
    if (F.head > 0) {
      /* Slide down; resurrect_from moves with its entries. */
      memmove(F.queue, F.queue + F.head, (F.tail - F.head) * sizeof *F.queue);
      F.tail -= F.head;
      F.resurrect_from -= F.resurrect_from >= F.head ? F.head : F.resurrect_from;
      F.head = 0;
    } else {
      size_t cap = F.capacity ? F.capacity * 2 : 256;
      fin_queued *q = meta_realloc(F.queue, cap * sizeof *q); /* world stopped */
      if (!q)
        return false;
      F.queue = q;
      F.capacity = cap;
    }
  }
  F.queue[F.tail++] = (fin_queued){e->obj, e->fn, e->data};
  F.queued_total++;
  atomic_store_explicit(&finalize_queue_nonempty, 1, memory_order_relaxed);
  return true;
}

/* Lock held: take the oldest ready entry. */
static bool queue_pop(fin_queued *out) {
  if (F.head == F.tail)
    return false;
  *out = F.queue[F.head];
  F.queue[F.head++] = (fin_queued){0};
  if (F.head == F.tail) {
    F.head = F.tail = F.resurrect_from = 0;
    atomic_store_explicit(&finalize_queue_nonempty, 0, memory_order_relaxed);
  }
  F.run_total++;
  return true;
}

size_t gc_run_finalizers(void) {
  ensure_init();
  size_t n = 0;
  running_finalizers++;
  for (;;) {
    fin_queued q;
    state_lock();
    bool got = queue_pop(&q);
    state_unlock();
    if (!got)
      break;
    q.fn(q.obj, q.data);
    /* Forget the object: a stale copy in this frame would keep it (and,
     * under the ordered rule, everything it names) alive one more cycle. */
    q = (fin_queued){0};
    __asm__ volatile("" : : "r"(&q) : "memory");
    n++;
  }
  running_finalizers--;
  return n;
}

/* addr_table_filter callback of finalize_queue_all: queue every entry
 * (gc_free already removed those of freed objects). */
static bool queue_unconditionally(void *entry, void *ctx) {
  if (!queue_push(entry))
    return true; /* no memory: keep it registered */
  (*(size_t *)ctx)++;
  return false;
}

size_t finalize_queue_all(void) {
  ensure_init();
  size_t n = 0;
  state_lock();
  table_ready();
  addr_table_filter(&F.table, queue_unconditionally, &n);
  state_unlock();
  return n;
}

int gc_finalizers_pending(void) {
  ensure_init();
  state_lock();
  size_t n = F.tail - F.head;
  state_unlock();
  return n > INT32_MAX ? INT32_MAX : (int)n;
}

void finalize_safe_point_slow(void) {
  if (running_finalizers || !G || G->cfg.finalize_on_demand)
    return;
  gc_run_finalizers();
}

/* ---- after marking ----------------------------------------------------- */

void finalize_cycle_begin(void) {
  table_ready();
  F.resurrect_from = F.tail;
}

void finalize_mark_roots(void) {
  for (size_t i = 0; i < F.table.count; i++) {
    fin_entry *e = addr_table_at(&F.table, i);
    if (e->data)
      mark_ambiguous_word((uintptr_t)e->data);
  }
  for (size_t i = F.head; i < F.tail; i++) {
    live_mark(F.queue[i].obj);
    if (F.queue[i].data)
      mark_ambiguous_word((uintptr_t)F.queue[i].data);
  }
}

/* Which after-mark step queues a mode (finalize.h). */
typedef enum fin_phase { PHASE_UNORDERED, PHASE_ORDERED, PHASE_UNREACHABLE } fin_phase;

static fin_phase phase_of(uint8_t mode) {
  switch (mode) {
  case FIN_UNORDERED:
    return PHASE_UNORDERED;
  case FIN_UNREACHABLE:
    return PHASE_UNREACHABLE;
  default:
    return PHASE_ORDERED;
  }
}

/* addr_table_filter callback: keep an entry unless it is queued now or
 * its object was freed.  ctx: the fin_phase being run. */
static bool keep_unless_ready(void *entry, void *ctx) {
  fin_entry *e = entry;
  fin_phase phase = *(fin_phase *)ctx;
  if (phase_of(e->mode) != phase)
    return true;
  switch (liveness_of(e->obj)) {
  case LIVE_FREED:
    return false;
  case LIVE_UNMARKED:
    if (queue_push(e)) {
      /* The resurrection step has already run for this phase's queue. */
      if (phase == PHASE_UNREACHABLE)
        live_mark(e->obj);
      return false;
    }
    live_mark(e->obj); /* no memory to queue it: keep it for next time */
    return true;
  default:
    return true;
  }
}

static void queue_phase(fin_phase phase) {
  addr_table_filter(&F.table, keep_unless_ready, &phase);
}

void finalize_queue_unordered(void) { queue_phase(PHASE_UNORDERED); }
void finalize_queue_ordered(void) { queue_phase(PHASE_ORDERED); }

bool finalize_queue_unreachable(void) {
  if (!F.have_unreachable)
    return false;
  queue_phase(PHASE_UNREACHABLE);
  return true;
}

static void report_cycle(fin_entry *e) {
  e->cycle_reported = 1;
  F.cycles_reported++;
  gc_warnf("finalization cycle: object %p is reachable from its own contents through "
           "finalizable or other objects; its ordered finalizer will not run (use "
           "gc_register_finalizer_unordered or _ignore_self)",
           e->obj);
}

void finalize_mark_from_finalizable(void) {
  for (size_t i = 0; i < F.table.count; i++) {
    fin_entry *e = addr_table_at(&F.table, i);
    if (e->mode == FIN_UNORDERED || e->mode == FIN_NO_ORDER ||
        liveness_of(e->obj) != LIVE_UNMARKED)
      continue;
    live_mark_contents(e->obj, e->mode == FIN_IGNORE_SELF);
    if (!mark_stack_empty()) /* atomic or already-marked contents: nothing */
      mark_drain_serial();
    if (!e->cycle_reported && liveness_of(e->obj) == LIVE_MARKED)
      report_cycle(e);
  }
}

void finalize_resurrect(void) {
  for (size_t i = F.resurrect_from; i < F.tail; i++)
    live_mark(F.queue[i].obj);
}

void finalize_visit_slots(gc_visit_fn visit, void *ctx) {
  table_ready();
  for (size_t i = 0; i < F.table.count; i++)
    visit(&((fin_entry *)addr_table_at(&F.table, i))->obj, ctx);
  addr_table_rebuild_index(&F.table);
  for (size_t i = F.head; i < F.tail; i++)
    visit(&F.queue[i].obj, ctx);
}

uint64_t finalize_queued_total(void) { return F.queued_total; }
uint64_t finalize_run_total(void) { return F.run_total; }
size_t finalize_registered_count(void) { return F.ready ? F.table.count : 0; }
size_t finalize_cycles_reported(void) { return F.cycles_reported; }
