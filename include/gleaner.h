/*
 * gleaner.h — the whole public API of Gleaner, a tracing garbage collector
 * for C.
 *
 * Two kinds of user:
 *   - A plain C program calls gc_alloc() instead of malloc() and never frees.
 *     Pointers may live anywhere: locals, registers, globals, other heap
 *     objects.  Roots are found conservatively (libunwind for the stack and
 *     registers, dl_iterate_phdr for data segments).  No barrier is needed.
 *   - A language runtime additionally registers exact types (gc_type),
 *     keeps exact roots (gc_root_add, GC_FRAME), calls the write barrier
 *     (GC_STORE) and gets finalizers, weak references, ephemerons and
 *     compaction of its precise objects.
 *
 * Every function is safe to call before gc_init(): the first call
 * initializes the collector with defaults (plus the GLEANER_* environment).
 *
 * Environment variables (override gc_config):
 *   GLEANER_MAX_HEAP=64G        upper bound of the heap (k/M/G suffixes)
 *   GLEANER_INITIAL_HEAP=4M     heap size before the first collection
 *   GLEANER_STATS=1|2           print a summary to stderr at exit (2: detailed)
 *   GLEANER_STRESS=N            collect every N allocations (testing)
 *   GLEANER_INCREMENTAL=0|1     incremental marking
 *   GLEANER_PAUSE_TARGET_US=N   incremental slice budget
 *   GLEANER_BARRIER=explicit|vm|none
 *   GLEANER_MARKERS=N           marker threads
 *   GLEANER_COMPACT=0|1         evacuate fragmented precise blocks
 *   GLEANER_FINALIZE_ON_DEMAND=1  leave finalizers queued for gc_run_finalizers
 *   GLEANER_VERIFY=1            verify the heap after every collection
 */
#ifndef GLEANER_H
#define GLEANER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define GC_API __attribute__((visibility("default")))
#define GC_MALLOC_LIKE __attribute__((malloc, warn_unused_result))
#define GC_LIKELY(x) __builtin_expect(!!(x), 1)
#define GC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define GC_COLD __attribute__((cold))
#else
#define GC_API
#define GC_MALLOC_LIKE
#define GC_LIKELY(x) (x)
#define GC_UNLIKELY(x) (x)
#define GC_COLD
#endif

/* ------------------------------------------------------------------------
 * Configuration
 * ---------------------------------------------------------------------- */

typedef enum gc_barrier_mode {
  GC_BARRIER_DEFAULT = 0, /* vm where it works, else explicit */
  GC_BARRIER_EXPLICIT,    /* the program calls GC_STORE / gc_write_barrier */
  GC_BARRIER_VM,          /* virtual-memory dirty tracking, no program help */
  GC_BARRIER_NONE         /* no barrier: marking is stop-the-world */
} gc_barrier_mode;

/* A zeroed gc_config means "defaults" for every field. */
typedef struct gc_config {
  size_t max_heap;           /* 0: default (physical memory) */
  size_t initial_heap;       /* 0: default (4 MiB) */
  unsigned stress;           /* 0: off; N: collect every N allocations */
  int print_stats;           /* 0: off, 1: summary at exit, 2: detailed */
  int incremental;           /* 0: default (off), 1: on, -1: off */
  unsigned pause_target_us;  /* 0: default (500 µs) */
  gc_barrier_mode barrier;   /* see above */
  unsigned markers;          /* 0: default (number of cores) */
  int compact;               /* 0: default (on), 1: on, -1: off */
  int finalize_on_demand;    /* 0: default (run at safe points), 1: on demand */
  int verify;                /* 1: verify heap after each collection */
  unsigned free_space_divisor; /* 0: default; heap grows to live*(1+1/d)..*/
  int generational;          /* 0: default (on where dirty pages can be tracked
                                without signals and marking is stop-the-world),
                                1: on, -1: off */
} gc_config;

/* Initialize the collector.  NULL means defaults.  Returns 0 on success, -1
 * (with a message through the warn handler) on failure.  Calling it again
 * after initialization is harmless and returns 0. */
GC_API int gc_init(const gc_config *cfg);

/* ------------------------------------------------------------------------
 * Allocation.  Memory is zeroed.  On failure (after a full collection) the
 * result is NULL with errno = ENOMEM and the out-of-memory handler is called.
 * ---------------------------------------------------------------------- */

/* Scanned conservatively: every aligned word may be a pointer. */
GC_API GC_MALLOC_LIKE void *gc_alloc(size_t n);
/* Never scanned: for pointer-free data (strings, numbers, I/O buffers). */
GC_API GC_MALLOC_LIKE void *gc_alloc_atomic(size_t n);
/* Scanned, never reclaimed unless freed with gc_free. */
GC_API GC_MALLOC_LIKE void *gc_alloc_uncollectable(size_t n);
GC_API GC_MALLOC_LIKE void *gc_alloc_atomic_uncollectable(size_t n);
/* Aligned (power-of-two align); conservative kind. */
GC_API GC_MALLOC_LIKE void *gc_alloc_aligned(size_t align, size_t n);
/* count*size with overflow check, zeroed, conservative. */
GC_API GC_MALLOC_LIKE void *gc_calloc(size_t count, size_t size);
/* Like realloc(3): keeps the kind of p; NULL p allocates; n == 0 frees. */
GC_API void *gc_realloc(void *p, size_t n);
/* Optional explicit free.  Foreign, interior and double frees are reported
 * through the warn handler and ignored. */
GC_API void gc_free(void *p);

/* ------------------------------------------------------------------------
 * Collection control
 * ---------------------------------------------------------------------- */

GC_API void gc_collect(void);          /* full, stop-the-world collection */
GC_API int gc_collect_a_little(void);  /* one bounded step; 1 if a cycle is in progress */
GC_API void gc_disable(void);          /* nestable; allocation grows the heap */
GC_API void gc_enable(void);
GC_API int gc_is_disabled(void);
GC_API void gc_release_memory(void);   /* return empty blocks to the OS */
GC_API int gc_set_max_heap(size_t bytes); /* 0 on success; 0 bytes: the whole reservation */
GC_API int gc_expand_heap(size_t bytes);  /* grow the heap target now */
GC_API void gc_set_free_space_divisor(unsigned d);
GC_API unsigned gc_get_free_space_divisor(void);
GC_API void gc_set_incremental(int on);  /* 1: incremental if a barrier exists */
GC_API int gc_is_incremental(void);

/* ------------------------------------------------------------------------
 * Roots
 * ---------------------------------------------------------------------- */

/* Ambiguous root range [lo, hi): scanned conservatively. */
GC_API void gc_add_roots(void *lo, void *hi);
GC_API void gc_remove_roots(void *lo, void *hi);
GC_API void gc_clear_roots(void);
/* Exclude [lo, hi) of a static data segment from scanning. */
GC_API void gc_exclude_roots(void *lo, void *hi);

/* Exact root: *slot is NULL or the start of a heap object (or a non-heap
 * value); the compactor may update it. */
GC_API void gc_root_add(void **slot);
GC_API void gc_root_remove(void **slot);

/* Scoped exact roots for interpreters (a shadow stack, one per thread):
 *
 *   GC_FRAME(f, 3);               declares void *f[3] = {0} and pushes it
 *   f[0] = gc_alloc_typed(...);   slots may be updated by the compactor
 *   GC_FRAME_END(f);              pops it (frames must nest)
 */
typedef struct gc_frame {
  struct gc_frame *prev;
  size_t count;
  void **slots;
} gc_frame;
GC_API gc_frame **gc_frame_top(void); /* this thread's shadow-stack top */
#define GC_FRAME(name, n)                                                     \
  void *name[n] = {0};                                                        \
  gc_frame **name##_top = gc_frame_top();                                     \
  gc_frame name##_frame = {*name##_top, (n), name};                           \
  *name##_top = &name##_frame
#define GC_FRAME_END(name) (*name##_top = name##_frame.prev)

/* ------------------------------------------------------------------------
 * Precise (typed) objects: traced exactly, may be moved by the compactor
 * unless an ambiguous reference pins them.
 * ---------------------------------------------------------------------- */

/* visit(slot, ctx) is called for each exact slot; it may rewrite *slot. */
typedef void (*gc_visit_fn)(void **slot, void *ctx);
typedef void (*gc_trace_fn)(void *obj, gc_visit_fn visit, void *ctx);
typedef size_t (*gc_size_fn)(const void *obj);

typedef struct gc_type {
  const char *name;       /* for diagnostics */
  size_t size;            /* fixed object size in bytes, or 0 with size_fn */
  gc_size_fn size_fn;     /* optional: size of a variable-sized object */
  /* Either a pointer bitmap (bit i set: word i is an exact slot; the
   * pattern repeats every bitmap_words*64 words for arrays) ... */
  const uint64_t *pointer_bitmap;
  size_t bitmap_words;
  /* ... or a trace function (takes precedence), or neither: no slots. */
  gc_trace_fn trace;
  uint32_t flags;         /* GC_TYPE_* below */
  uint32_t internal_id;   /* set by gc_type_register; do not touch */
} gc_type;

#define GC_TYPE_NO_MOVE 1u /* objects of this type are never moved */

/* Validate and register a type.  0 on success, -1 (with a message). */
GC_API int gc_type_register(gc_type *t);
/* Allocate n bytes (n >= t->size for fixed types) of type t. */
GC_API GC_MALLOC_LIKE void *gc_alloc_typed(const gc_type *t, size_t n);
GC_API const gc_type *gc_type_of(const void *obj);

/* Pinning: an object handed to foreign code must not move.  Nests. */
GC_API void gc_pin(void *obj);
GC_API void gc_unpin(void *obj);

/* Stable identity for movable objects (e.g. address-based hash tables):
 * a number assigned on first request and kept when the object moves. */
GC_API uint64_t gc_identity_hash(void *obj);

/* ------------------------------------------------------------------------
 * Write barrier (incremental marking).  Plain C programs need none: the
 * collector tracks dirty pages itself (GC_BARRIER_VM).  A runtime that
 * chooses GC_BARRIER_EXPLICIT stores heap pointers with GC_STORE.
 * ---------------------------------------------------------------------- */

GC_API extern volatile int gc_barrier_active; /* nonzero during a cycle */
/* Call it right AFTER storing value into *slot (a field of obj), while
 * value is still in a local: with several threads, a barrier before the
 * store could be undone by a concurrent card rescan.  Cold: GC_STORE
 * calls it only during a cycle, so compilers move the call out of the
 * caller's hot path.  Storing NULL needs no call: the barrier is an
 * insertion barrier (it records the new value, never the old one), and
 * where the value is a constant NULL the compiler drops the test. */
GC_API GC_COLD void gc_write_barrier(void *obj, void **slot, void *value);
#define GC_STORE(obj, slot, value)                                            \
  do {                                                                        \
    void *gc_store_v_ = (void *)(value);                                      \
    (slot) = gc_store_v_;                                                     \
    if (GC_UNLIKELY(gc_barrier_active) && gc_store_v_)                        \
      gc_write_barrier((void *)(obj), (void **)&(slot), gc_store_v_);         \
  } while (0)

/* ------------------------------------------------------------------------
 * Finalization and weakness
 * ---------------------------------------------------------------------- */

typedef void (*gc_finalizer_fn)(void *obj, void *data);
/* Ordered: if A reaches B and both die, A's finalizer runs first.  NULL fn
 * removes.  The old fn/data are stored in *old_fn / *old_data if non-NULL. */
GC_API void gc_register_finalizer(void *obj, gc_finalizer_fn fn, void *data,
                                  gc_finalizer_fn *old_fn, void **old_data);
/* Unordered: runs as soon as obj is unreachable, regardless of others. */
GC_API void gc_register_finalizer_unordered(void *obj, gc_finalizer_fn fn,
                                            void *data, gc_finalizer_fn *old_fn,
                                            void **old_data);
/* Ignores self-references when deciding reachability (Boehm's ignore_self). */
GC_API void gc_register_finalizer_ignore_self(void *obj, gc_finalizer_fn fn,
                                              void *data, gc_finalizer_fn *old_fn,
                                              void **old_data);
GC_API size_t gc_run_finalizers(void);  /* runs queued finalizers; count */
GC_API int gc_finalizers_pending(void);

/* Disappearing links: *link (which must not itself keep obj alive: store
 * it hidden, or in atomic/non-heap memory) is set to NULL when obj dies.
 * Short links are cleared before finalizers run, long links after
 * (when the object is finally reclaimed).  Return 0 ok, 1 already
 * registered, -1 error. */
GC_API int gc_weak_link(void **link, const void *obj);
GC_API int gc_weak_link_long(void **link, const void *obj);
GC_API int gc_weak_unlink(void **link);
GC_API int gc_weak_move_link(void **link, void **new_link);

/* Weak reference objects. */
typedef struct gc_weak_ref gc_weak_ref;
GC_API gc_weak_ref *gc_weak_new(void *target);
GC_API void *gc_weak_get(const gc_weak_ref *w);

/* Ephemerons: value is kept alive only while key is reachable otherwise. */
typedef struct gc_ephemeron gc_ephemeron;
GC_API gc_ephemeron *gc_ephemeron_new(void *key, void *value);
GC_API void *gc_ephemeron_key(const gc_ephemeron *e);
GC_API void *gc_ephemeron_value(const gc_ephemeron *e);

/* ------------------------------------------------------------------------
 * Threads.  A thread that touches the heap must be registered (the main
 * thread is registered by initialization); gc_pthread_create does it.
 * ---------------------------------------------------------------------- */

GC_API int gc_register_thread(void);
GC_API int gc_unregister_thread(void);
GC_API int gc_thread_is_registered(void);
GC_API int gc_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                             void *(*start)(void *), void *arg);
GC_API int gc_pthread_join(pthread_t thread, void **retval);
GC_API int gc_pthread_detach(pthread_t thread);
GC_API void gc_pthread_exit(void *retval) __attribute__((noreturn));
/* A thread in a long system call: it will not be interrupted, and it is
 * scanned from the state saved here.  It must not touch the heap. */
GC_API void gc_enter_blocking(void);
GC_API void gc_leave_blocking(void);

/* ------------------------------------------------------------------------
 * Queries and statistics
 * ---------------------------------------------------------------------- */

/* Start of the object containing p (interior pointers allowed), or NULL. */
GC_API void *gc_base(const void *p);
/* Usable size of the object containing p (0 if not a heap object). */
GC_API size_t gc_size(const void *p);

typedef struct gc_stats {
  size_t heap_bytes;          /* committed heap */
  size_t live_bytes;          /* after the last collection */
  size_t free_bytes;          /* heap_bytes minus live at the last collection */
  uint64_t allocated_bytes;   /* total since start */
  uint64_t bytes_since_gc;
  uint64_t collections;
  uint64_t pause_total_ns;
  uint64_t pause_max_ns;
  uint64_t pause_count;
  uint64_t pause_p50_ns, pause_p90_ns, pause_p99_ns;
  double mmu_1ms, mmu_10ms, mmu_100ms; /* minimum mutator utilization */
  uint64_t stw_max_ns;        /* longest time to stop the world */
  uint64_t mark_ns_total;     /* time spent marking */
  unsigned markers_used;      /* in the last collection */
  uint64_t objects_moved, bytes_moved;
  uint64_t finalizers_queued, finalizers_run;
  uint64_t weak_cleared;
  uint64_t minor_collections; /* of `collections`: young objects only */
  /* Incremental mode: bytes marked by the background marker thread
   * between slices, while the program ran (on a core it left idle). */
  uint64_t background_mark_bytes;
} gc_stats;
GC_API void gc_get_stats(gc_stats *out);
GC_API void gc_print_stats(FILE *out);

/* ------------------------------------------------------------------------
 * Diagnostics
 * ---------------------------------------------------------------------- */

typedef void (*gc_warn_fn)(const char *message);
typedef void *(*gc_oom_fn)(size_t requested);
/* The default warn handler writes to stderr.  Returns the previous one. */
GC_API gc_warn_fn gc_set_warn_handler(gc_warn_fn fn);
/* Called when an allocation fails; its result is returned to the caller of
 * the failing allocation (default: NULL).  Returns the previous one. */
GC_API gc_oom_fn gc_set_oom_handler(gc_oom_fn fn);
/* Full independent stop-the-world verification; 0 when consistent. */
GC_API int gc_verify(void);
/* Print a shortest path from a root to obj. */
GC_API int gc_explain(const void *obj, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* GLEANER_H */
