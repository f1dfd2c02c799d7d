/*
 * bdw_internal.h — shared state and helpers of the Boehm GC compatibility
 * layer (gc/bdw_*.c).
 *
 * The layer is written on gleaner.h, plus three hidden questions of
 * layer_queries.h (a cheap collection count, the heap reservation, the
 * suspend signal, and the choice of that signal before initialization)
 * and finalize_register_unreachable / _no_order (finalize.h), which
 * gleaner.h does not offer; it never looks at the collector's state.  Its
 * own state is small:
 *
 *   - initialization: the first GC_ call of any kind runs bdw_init_locked(),
 *     which turns Boehm's environment variables and the values set before
 *     initialization into a gc_config, then calls gc_init();
 *   - the variables a Boehm program may write directly (GC_dont_gc,
 *     GC_free_space_divisor, GC_dont_expand, GC_no_dls …) are compared with
 *     the values last applied to Gleaner at fixed points — GC_dont_gc before
 *     every allocation and collection (one compare), the others at the
 *     allocation checkpoint and at collections the layer starts;
 *   - the allocation checkpoint: each thread counts the bytes it allocates
 *     through the layer and every BDW_CHECKPOINT_BYTES re-applies changed
 *     variables and runs due finalizers — the moments Boehm GC does the
 *     same work, on its allocation slow path.
 *
 * Invariant: bdw_synced_dont_gc == GC_dont_gc (clamped at 0) whenever a
 * layer entry point has passed bdw_enter(), except for the sentinel
 * BDW_NOT_INITIALIZED before initialization, which makes the first
 * bdw_enter() initialize.  Gleaner's disable count then holds
 * bdw_synced_dont_gc disables owned by the layer (plus the transient ones of
 * GC_alloc_lock and GC_dlopen).
 *
 * Locking: bdw_lock (recursive, so that a warn proc or stop function may
 * call back into the layer) guards initialization and every "applied"
 * value.  The fast paths read the shared variables with relaxed atomics.
 */
#ifndef BDW_INTERNAL_H
#define BDW_INTERNAL_H

/* The layer's own build: no deprecation warnings for the variables, no
 * redirection of pthread_create to ourselves, all declarations visible. */
#define GLEANER_BDW_BUILD 1
#ifndef GC_THREADS
#define GC_THREADS 1
#endif
#define GC_NO_THREAD_REDIRECTS 1
#define GC_REQUIRE_WCSDUP 1
#undef GC_DEBUG

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "gleaner.h"
#include "gleaner/bdw/gc/gc.h"
#include "gleaner/bdw/gc/gc_inline.h"
#include "gleaner/bdw/gc/gc_mark.h"
#include "gleaner/bdw/gc/gc_typed.h"
#include "gleaner/bdw/gc/javaxfc.h"

#define BDW_HIDDEN __attribute__((visibility("hidden")))
#define BDW_TLS __thread __attribute__((tls_model("initial-exec")))
#define BDW_NOINLINE __attribute__((noinline))

/* Bytes a thread allocates between two checkpoints.  Boehm GC looks at the
 * same things when a thread refills a free list (about a 4 KiB page of
 * objects); 64 KiB keeps the checkpoint well under a nanosecond per small
 * object while still noticing queued finalizers within a few hundred
 * allocations. */
#define BDW_CHECKPOINT_BYTES ((size_t)64 * 1024)

/* Value of bdw_synced_dont_gc before initialization: GC_dont_gc never
 * equals it, so the first bdw_enter() takes the slow path and initializes. */
#define BDW_NOT_INITIALIZED INT_MIN

/* Boehm GC's predefined object kinds (gc_mark.h numbering). */
enum bdw_kind {
  BDW_KIND_PTRFREE = GC_BDW_KIND_PTRFREE,
  BDW_KIND_NORMAL = GC_BDW_KIND_NORMAL,
  BDW_KIND_UNCOLLECTABLE = GC_BDW_KIND_UNCOLLECTABLE,
  BDW_KIND_AUNCOLLECTABLE = GC_BDW_KIND_AUNCOLLECTABLE
};


/* ---- initialization and synchronization (bdw_init.c) ------------------ */

BDW_HIDDEN extern pthread_mutex_t bdw_lock;
BDW_HIDDEN extern int bdw_synced_dont_gc;
BDW_HIDDEN extern int bdw_initialized;
BDW_HIDDEN extern BDW_TLS size_t bdw_tick_bytes;

/* Settings made before initialization, applied by it. */
struct bdw_pending {
  size_t max_heap;    /* GC_set_max_heap_size; 0: none */
  unsigned markers;   /* GC_set_markers_count; 0: default */
  int incremental;    /* GC_enable_incremental before init */
  int suspend_signal; /* GC_set_suspend_signal; 0: Gleaner's default */
};
BDW_HIDDEN extern struct bdw_pending bdw_pending;
/* A Boehm heap limit (0: unbounded) as a Gleaner one. */
BDW_HIDDEN size_t bdw_heap_limit(size_t boehm_limit);

/* Slow part of bdw_enter: initializes, then applies GC_dont_gc. */
BDW_HIDDEN void bdw_sync_slow(void);
/* Re-applies GC_free_space_divisor / GC_dont_expand / GC_no_dls if the
 * program changed them.  Takes bdw_lock. */
BDW_HIDDEN void bdw_sync_tuning(void);
/* The allocation checkpoint (see the file comment). */
BDW_HIDDEN void bdw_checkpoint(void);
/* Sets GC_gc_no to the collection count and returns it (cheap). */
BDW_HIDDEN uint64_t bdw_refresh_gc_no(void);
/* Sets GC_parallel from gc_get_stats and returns it (not cheap: only when
 * the program asks). */
BDW_HIDDEN int bdw_refresh_parallel(void);

/* Every entry point starts with this: one relaxed compare when nothing
 * changed. */
static inline void bdw_enter(void) {
  if (GC_UNLIKELY(__atomic_load_n(&bdw_synced_dont_gc, __ATOMIC_RELAXED) !=
                  __atomic_load_n(&GC_dont_gc, __ATOMIC_ACQUIRE)))
    bdw_sync_slow();
}

/* Called after n bytes were allocated through the layer. */
static inline void bdw_tick(size_t n) {
  bdw_tick_bytes += n;
  if (GC_UNLIKELY(bdw_tick_bytes >= BDW_CHECKPOINT_BYTES))
    bdw_checkpoint();
}

/* ---- allocation (bdw_alloc.c) ----------------------------------------- */

/* Nonzero: GC_gcollect also returns empty blocks to the OS. */
BDW_HIDDEN extern int bdw_force_unmap;
/* 1 while GC_all_interior_pointers asks for the extra byte. */
BDW_HIDDEN extern int bdw_extra_byte;
/* Allocation of a predefined kind, with the retries and the oom function. */
BDW_HIDDEN void *bdw_alloc_kind(size_t n, int kind);
/* After a failed allocation: GC_max_retries collections, then GC_oom_fn. */
BDW_HIDDEN void *bdw_alloc_failed(size_t n, int kind);

/* ---- collection (bdw_control.c) --------------------------------------- */

/* Full collection unless disabled or stop() says stop, then due
 * finalizers; 1 if it ran. */
BDW_HIDDEN int bdw_collect(GC_stop_func stop, int unmap);
/* Just the collection, under the allocation lock, unless disabled; 1 if it
 * ran. */
BDW_HIDDEN int bdw_collect_now(int unmap);

/* ---- finalization (bdw_finalize.c) ------------------------------------ */

/* Runs due finalizers (or notifies, in on-demand mode). */
BDW_HIDDEN void bdw_finalizers_due(void);

/* ---- shared libraries and roots (bdw_libs.c) -------------------------- */

/* Excludes the data segments refused by GC_no_dls or the static-roots
 * callback.  cheap: return at once unless libraries were (un)loaded or the
 * filter changed since the last call. */
BDW_HIDDEN void bdw_apply_library_filters(int cheap);
BDW_HIDDEN extern GC_has_static_roots_func bdw_static_roots_filter;
/* Root ranges given to GC_add_roots, for GC_is_visible. */
BDW_HIDDEN void bdw_roots_note_add(void *lo, void *hi);
BDW_HIDDEN void bdw_roots_note_remove(void *lo, void *hi);
BDW_HIDDEN void bdw_roots_note_clear(void);
BDW_HIDDEN int bdw_roots_contain(const void *p);
/* Nonzero if p lies in a writable segment of a loaded object. */
BDW_HIDDEN int bdw_in_data_segment(const void *p);

/* ---- diagnostics (bdw_diag.c) ----------------------------------------- */

/* Installs the bridge from Gleaner's warn handler to GC_warn_proc. */
BDW_HIDDEN void bdw_diag_init(void);
/* printf-style warning through the current warn proc. */
BDW_HIDDEN void bdw_warnf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Opens GC_LOG_FILE if set; registers the statistics printer at exit. */
BDW_HIDDEN void bdw_log_init(void);

/* ---- threads (bdw_threads.c) ------------------------------------------ */

/* Cold end of the calling thread's stack, or NULL. */
BDW_HIDDEN void *bdw_stack_cold_end(void);

#endif /* BDW_INTERNAL_H */
