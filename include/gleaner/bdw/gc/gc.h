/*
 * gc/gc.h — the Boehm GC API, implemented by Gleaner.
 *
 * A program written for Boehm GC builds unmodified against this header and
 * links with -lgleaner (see bdw-gc.pc).  Names, types, macro shapes and
 * documented semantics are Boehm GC 8.2's; the implementation
 * (gc/bdw_*.c) is written on Gleaner's public API (gleaner.h) alone.
 *
 * What differs, in short (details next to each declaration):
 *   - Every supported call behaves as Boehm documents it.  Every call that
 *     Gleaner cannot honour is declared with GC_BDW_UNAVAILABLE: using it is
 *     a compile-time error that says why.  Nothing is a silent no-op, except
 *     hints whose documented effect Gleaner already has (e.g.
 *     GC_register_displacement, since interior pointers are always
 *     recognized).
 *   - The variables that programs read or write directly are real exported
 *     variables; each says when Gleaner reads or refreshes it.
 *   - Typed allocation (gc_typed.h) is treated conservatively: objects with
 *     pointer words are scanned entirely, objects without are atomic.
 *   - Disappearing links, finalizers and threads map onto Gleaner's own.
 *
 * Environment variables honoured at initialization: GC_INITIAL_HEAP_SIZE,
 * GC_MAXIMUM_HEAP_SIZE, GC_FREE_SPACE_DIVISOR, GC_MARKERS (or GC_NPROCS),
 * GC_PAUSE_TIME_TARGET, GC_DONT_GC, GC_ENABLE_INCREMENTAL, GC_PRINT_STATS,
 * GC_PRINT_VERBOSE_STATS, GC_LOG_FILE, GC_FORCE_UNMAP_ON_GCOLLECT.
 * GC_FIND_LEAK is refused with a warning at start-up.  GLEANER_* variables
 * (gleaner.h) apply as well and take precedence.
 */
#ifndef GC_H
#define GC_H

#include "gc_version.h"
#include "gc_config_macros.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *GC_PTR; /* old spelling, kept for compatibility */
typedef unsigned long GC_word;
typedef long GC_signed_word;

/* ((major << 16) | (minor << 8) | micro) of the emulated Boehm API. */
GC_API unsigned GC_CALL GC_get_version(void);

/* ------------------------------------------------------------------------
 * Variables programs read or write directly.  Each comment says when
 * Gleaner looks at it.  The getters and setters below are equivalent and
 * preferred (as in Boehm GC).
 * ---------------------------------------------------------------------- */

/* Number of completed collections (including the one done at start-up
 * unless GC_dont_precollect).  GC_get_gc_no() is exact and refreshes the
 * variable; the variable is also refreshed after every collection the
 * program asks for (GC_gcollect …) and at the layer's allocation
 * checkpoints (every 64 KiB a thread allocates), so a collection Gleaner
 * starts by itself shows there within 64 KiB of allocation. */
extern GC_API GC_ATTR_DEPRECATED GC_word GC_gc_no;
GC_API GC_word GC_CALL GC_get_gc_no(void);

#ifdef GC_THREADS
/* Number of marker threads minus one in the last collection; refreshed by
 * GC_get_parallel(). */
extern GC_API GC_ATTR_DEPRECATED int GC_parallel;
GC_API int GC_CALL GC_get_parallel(void);
/* Marker threads (including the initiating one); only before init. */
GC_API void GC_CALL GC_set_markers_count(unsigned);
#endif

typedef void *(GC_CALLBACK *GC_oom_func)(size_t /* bytes_requested */);
/* Called when an allocation fails after GC_max_retries extra collections;
 * its result is returned to the caller.  Default: returns NULL.  Read at
 * each failing allocation. */
extern GC_API GC_ATTR_DEPRECATED GC_oom_func GC_oom_fn;
GC_API void GC_CALL GC_set_oom_fn(GC_oom_func) GC_ATTR_NONNULL(1);
GC_API GC_oom_func GC_CALL GC_get_oom_fn(void);

typedef void (GC_CALLBACK *GC_on_heap_resize_proc)(GC_word /* new_size */);
extern GC_API GC_on_heap_resize_proc GC_on_heap_resize
    GC_BDW_UNAVAILABLE("gleaner.h has no heap-resize event hook");
GC_API void GC_CALL GC_set_on_heap_resize(GC_on_heap_resize_proc)
    GC_BDW_UNAVAILABLE("gleaner.h has no heap-resize event hook");
GC_API GC_on_heap_resize_proc GC_CALL GC_get_on_heap_resize(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no heap-resize event hook");

typedef enum {
  GC_EVENT_START,
  GC_EVENT_MARK_START,
  GC_EVENT_MARK_END,
  GC_EVENT_RECLAIM_START,
  GC_EVENT_RECLAIM_END,
  GC_EVENT_END,
  GC_EVENT_PRE_STOP_WORLD,
  GC_EVENT_POST_STOP_WORLD,
  GC_EVENT_PRE_START_WORLD,
  GC_EVENT_POST_START_WORLD,
  GC_EVENT_THREAD_SUSPENDED,
  GC_EVENT_THREAD_UNSUSPENDED
} GC_EventType;
typedef void (GC_CALLBACK *GC_on_collection_event_proc)(GC_EventType);
GC_API void GC_CALL GC_set_on_collection_event(GC_on_collection_event_proc)
    GC_BDW_UNAVAILABLE("gleaner.h has no collection event hook");
GC_API GC_on_collection_event_proc GC_CALL GC_get_on_collection_event(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no collection event hook");
#ifdef GC_THREADS
typedef void (GC_CALLBACK *GC_on_thread_event_proc)(GC_EventType, void *);
GC_API void GC_CALL GC_set_on_thread_event(GC_on_thread_event_proc)
    GC_BDW_UNAVAILABLE("gleaner.h has no thread event hook");
GC_API GC_on_thread_event_proc GC_CALL GC_get_on_thread_event(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no thread event hook");
#endif

extern GC_API int GC_find_leak
    GC_BDW_UNAVAILABLE("Gleaner has no leak-finding mode (use valgrind or ASan)");
GC_API void GC_CALL GC_set_find_leak(int)
    GC_BDW_UNAVAILABLE("Gleaner has no leak-finding mode (use valgrind or ASan)");
GC_API int GC_CALL GC_get_find_leak(void)
    GC_BDW_UNAVAILABLE("Gleaner has no leak-finding mode (use valgrind or ASan)");

/* 1 (the default): every allocation gets one extra byte, so that a pointer
 * just past the end of an object keeps it alive, as in Boehm GC.  Gleaner
 * always recognizes interior pointers, so 0 only drops the extra byte.
 * Read at initialization; GC_set_all_interior_pointers applies it at any
 * time. */
extern GC_API GC_ATTR_DEPRECATED int GC_all_interior_pointers;
GC_API void GC_CALL GC_set_all_interior_pointers(int);
GC_API int GC_CALL GC_get_all_interior_pointers(void);

/* Nonzero: finalizers run only in GC_invoke_finalizers.  Zero: they also run
 * after each GC_gcollect or GC_collect_a_little and at allocation
 * checkpoints (every 64 KiB a thread allocates).  Read at each such point. */
extern GC_API GC_ATTR_DEPRECATED int GC_finalize_on_demand;
GC_API void GC_CALL GC_set_finalize_on_demand(int);
GC_API int GC_CALL GC_get_finalize_on_demand(void);

/* Gleaner always keeps what a finalizable object reaches alive until its
 * finalizer has run (Boehm's behaviour with the default value 1).  The
 * value is kept and returned; 0 is accepted but cannot make Gleaner reclaim
 * such objects early (doing so would only create dangling pointers). */
extern GC_API GC_ATTR_DEPRECATED int GC_java_finalization;
GC_API void GC_CALL GC_set_java_finalization(int);
GC_API int GC_CALL GC_get_java_finalization(void);

typedef void (GC_CALLBACK *GC_finalizer_notifier_proc)(void);
/* Called when finalizers are waiting and GC_finalize_on_demand is set:
 * once per batch (until GC_invoke_finalizers runs them).  Read at
 * allocation checkpoints and after each collection the layer starts. */
extern GC_API GC_ATTR_DEPRECATED GC_finalizer_notifier_proc
    GC_finalizer_notifier;
GC_API void GC_CALL GC_set_finalizer_notifier(GC_finalizer_notifier_proc);
GC_API GC_finalizer_notifier_proc GC_CALL GC_get_finalizer_notifier(void);

/* Nonzero: no collection, explicit ones included.  A nesting counter, like
 * GC_disable/GC_enable.  Read before every allocation and collection. */
#ifdef GC_DONT_GC
extern GC_API int GC_dont_gc;
#else
extern GC_API GC_ATTR_DEPRECATED int GC_dont_gc;
#endif

/* Nonzero: prefer collecting to growing the heap (the heap still grows
 * when a collection does not free enough).  Read at the allocation
 * checkpoint and by the setter. */
extern GC_API GC_ATTR_DEPRECATED int GC_dont_expand;
GC_API void GC_CALL GC_set_dont_expand(int);
GC_API int GC_CALL GC_get_dont_expand(void);

extern GC_API int GC_use_entire_heap
    GC_BDW_UNAVAILABLE("Gleaner's heap growth policy is set by GC_free_space_divisor only");

extern GC_API int GC_full_freq
    GC_BDW_UNAVAILABLE("Gleaner has no generational (partial) collections");
GC_API void GC_CALL GC_set_full_freq(int)
    GC_BDW_UNAVAILABLE("Gleaner has no generational (partial) collections");
GC_API int GC_CALL GC_get_full_freq(void)
    GC_BDW_UNAVAILABLE("Gleaner has no generational (partial) collections");

extern GC_API GC_word GC_non_gc_bytes
    GC_BDW_UNAVAILABLE("Gleaner does not count uncollectable bytes separately");
GC_API void GC_CALL GC_set_non_gc_bytes(GC_word)
    GC_BDW_UNAVAILABLE("Gleaner does not count uncollectable bytes separately");
GC_API GC_word GC_CALL GC_get_non_gc_bytes(void)
    GC_BDW_UNAVAILABLE("Gleaner does not count uncollectable bytes separately");

/* Nonzero: no data segment found through the dynamic loader is scanned —
 * on Linux, as in Boehm GC, that includes the main program's — except the
 * segments of the object that contains Gleaner itself (the main program
 * when Gleaner is linked statically).  The program registers its roots
 * with GC_add_roots.  Read at initialization, at allocation checkpoints,
 * by GC_dlopen and at each GC_gcollect; an excluded segment stays
 * excluded. */
extern GC_API GC_ATTR_DEPRECATED int GC_no_dls;
GC_API void GC_CALL GC_set_no_dls(int);
GC_API int GC_CALL GC_get_no_dls(void);

/* Heap growth: larger means a smaller heap and more frequent collections.
 * Default 3.  Read at the allocation checkpoint and at every collection the
 * layer starts; the setter applies it at once. */
extern GC_API GC_ATTR_DEPRECATED GC_word GC_free_space_divisor;
GC_API void GC_CALL GC_set_free_space_divisor(GC_word);
GC_API GC_word GC_CALL GC_get_free_space_divisor(void);

/* Extra full collections tried before an allocation is reported failed.
 * Default 0.  Read at each failing allocation. */
extern GC_API GC_ATTR_DEPRECATED GC_word GC_max_retries;
GC_API void GC_CALL GC_set_max_retries(GC_word);
GC_API GC_word GC_CALL GC_get_max_retries(void);

extern GC_API char *GC_stackbottom
    GC_BDW_UNAVAILABLE("Gleaner finds stack bottoms itself (use GC_get_stack_base)");

/* Nonzero: skip the collection done at initialization.  Read by GC_init. */
extern GC_API GC_ATTR_DEPRECATED int GC_dont_precollect;
GC_API void GC_CALL GC_set_dont_precollect(int);
GC_API int GC_CALL GC_get_dont_precollect(void);

/* Incremental pause target in milliseconds (GC_TIME_UNLIMITED: Gleaner's
 * default).  Read at initialization; the setters also apply it before
 * initialization only, and warn (through the warn proc) if called later. */
extern GC_API GC_ATTR_DEPRECATED unsigned long GC_time_limit;
#define GC_TIME_UNLIMITED 999999
GC_API void GC_CALL GC_set_time_limit(unsigned long);
GC_API unsigned long GC_CALL GC_get_time_limit(void);
struct GC_timeval_s {
  unsigned long tv_ms;
  unsigned long tv_nsec;
};
GC_API void GC_CALL GC_set_time_limit_tv(struct GC_timeval_s);
GC_API struct GC_timeval_s GC_CALL GC_get_time_limit_tv(void);

/* Not declared by Boehm's public header, but exported by this layer for
 * programs that declare it themselves: nonzero prints Gleaner's statistics
 * to the log (stderr or GC_LOG_FILE / GC_set_log_fd) at exit.  Read at
 * initialization and at exit. */
extern GC_API int GC_print_stats;

GC_API void GC_CALL GC_set_allocd_bytes_per_finalizer(GC_word)
    GC_BDW_UNAVAILABLE("Gleaner paces collections by heap growth only");
GC_API GC_word GC_CALL GC_get_allocd_bytes_per_finalizer(void)
    GC_BDW_UNAVAILABLE("Gleaner paces collections by heap growth only");

/* Total pause time of collections since GC_start_performance_measurement,
 * in milliseconds. */
GC_API void GC_CALL GC_start_performance_measurement(void);
GC_API unsigned long GC_CALL GC_get_full_gc_total_time(void);

/* Gleaner's heap is never executable: the getter returns 0. */
GC_API void GC_CALL GC_set_pages_executable(int)
    GC_BDW_UNAVAILABLE("Gleaner's heap is never executable");
GC_API int GC_CALL GC_get_pages_executable(void);

GC_API void GC_CALL GC_set_min_bytes_allocd(size_t)
    GC_BDW_UNAVAILABLE("Gleaner paces collections by heap growth only");
GC_API size_t GC_CALL GC_get_min_bytes_allocd(void)
    GC_BDW_UNAVAILABLE("Gleaner paces collections by heap growth only");
GC_API void GC_CALL GC_set_rate(int)
    GC_BDW_UNAVAILABLE("Gleaner sizes incremental steps by GC_time_limit / GLEANER_PAUSE_TARGET_US");
GC_API int GC_CALL GC_get_rate(void)
    GC_BDW_UNAVAILABLE("Gleaner sizes incremental steps by GC_time_limit / GLEANER_PAUSE_TARGET_US");
GC_API void GC_CALL GC_set_max_prior_attempts(int)
    GC_BDW_UNAVAILABLE("Gleaner never abandons a collection");
GC_API int GC_CALL GC_get_max_prior_attempts(void)
    GC_BDW_UNAVAILABLE("Gleaner never abandons a collection");
GC_API void GC_CALL GC_set_disable_automatic_collection(int)
    GC_BDW_UNAVAILABLE("use GC_disable (it also disables explicit collections)");
GC_API int GC_CALL GC_get_disable_automatic_collection(void)
    GC_BDW_UNAVAILABLE("use GC_disable (it also disables explicit collections)");
GC_API void GC_CALL GC_set_handle_fork(int)
    GC_BDW_UNAVAILABLE("gleaner.h has no fork handling");
GC_API void GC_CALL GC_atfork_prepare(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no fork handling");
GC_API void GC_CALL GC_atfork_parent(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no fork handling");
GC_API void GC_CALL GC_atfork_child(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no fork handling");

/* ------------------------------------------------------------------------
 * Start-up.  GC_INIT() is optional: the first call of any GC_ function
 * initializes the collector (reading the environment and the variables
 * above at that moment).
 * ---------------------------------------------------------------------- */

GC_API void GC_CALL GC_init(void);
GC_API int GC_CALL GC_is_init_called(void);
/* Nothing to release on Linux; kept for portability. */
GC_API void GC_CALL GC_deinit(void);

/* ------------------------------------------------------------------------
 * Allocation.  All memory is zeroed (atomic memory too, unlike Boehm GC,
 * which does not promise it).  Failure: see GC_oom_fn.
 * ---------------------------------------------------------------------- */

GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL GC_malloc(size_t);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_atomic(size_t);
GC_API GC_ATTR_MALLOC char *GC_CALL GC_strdup(const char *);
GC_API GC_ATTR_MALLOC char *GC_CALL GC_strndup(const char *, size_t)
    GC_ATTR_NONNULL(1);
/* Scanned, never reclaimed (until GC_free). */
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_uncollectable(size_t);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_atomic_uncollectable(size_t);
/* Stubborn objects no longer exist in Boehm GC either: plain GC_malloc. */
GC_API GC_ATTR_DEPRECATED void *GC_CALL GC_malloc_stubborn(size_t);

/* align must be a power of two; Gleaner aligns up to its 64 KiB block size
 * (larger alignments fail: NULL, errno EINVAL, GC_oom_fn not called). */
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(2) void *GC_CALL
GC_memalign(size_t /* align */, size_t /* lb */);
GC_API int GC_CALL GC_posix_memalign(void ** /* memptr */, size_t /* align */,
                                     size_t /* lb */) GC_ATTR_NONNULL(1);

/* Explicit free of an object's base; GC_free(0) does nothing. */
GC_API void GC_CALL GC_free(void *);

#define GC_MALLOC_STUBBORN(sz) GC_MALLOC(sz)
#define GC_NEW_STUBBORN(t) GC_NEW(t)
#define GC_CHANGE_STUBBORN(p) GC_change_stubborn(p)
GC_API GC_ATTR_DEPRECATED void GC_CALL GC_change_stubborn(const void *);
/* Matters only for Boehm's manual dirty-bit mode, which Gleaner does not
 * use (its barrier needs no program help): does nothing. */
GC_API void GC_CALL GC_end_stubborn_change(const void *) GC_ATTR_NONNULL(1);

/* Base of the object containing the address, or NULL if the heap does not
 * own it. */
GC_API void *GC_CALL GC_base(void *);
/* Nonzero if p lies in a heap object (Gleaner answers for allocated
 * objects; Boehm also says yes for free heap space). */
GC_API int GC_CALL GC_is_heap_ptr(const void *);
/* Usable size of the object (it includes the extra byte, as in Boehm). */
GC_API size_t GC_CALL GC_size(const void *) GC_ATTR_NONNULL(1);

/* Keeps the kind; NULL allocates; size 0 frees and returns NULL. */
GC_API void *GC_CALL GC_realloc(void *, size_t) GC_ATTR_ALLOC_SIZE(2);

/* Let the heap grow by n more bytes before the next collection (Gleaner
 * commits memory as it is used, so GC_get_heap_size does not jump): 1 on
 * success, 0 on failure. */
GC_API int GC_CALL GC_expand_hp(size_t);
/* Upper bound of the heap; 0 (or more than the address space Gleaner
 * reserved at start-up: physical memory, or GLEANER_MAX_HEAP) for no bound
 * other than that reservation. */
GC_API void GC_CALL GC_set_max_heap_size(GC_word);

/* Roots.  Ranges need not be aligned. */
GC_API void GC_CALL GC_exclude_static_roots(void *, void *);
GC_API void GC_CALL GC_clear_exclusion_table(void)
    GC_BDW_UNAVAILABLE("gleaner.h cannot undo gc_exclude_roots");
GC_API void GC_CALL GC_clear_roots(void);
GC_API void GC_CALL GC_add_roots(void *, void *);
GC_API void GC_CALL GC_remove_roots(void *, void *);

/* Interior pointers are always recognized by Gleaner, so every
 * displacement is already valid: these do nothing, as in Boehm GC with
 * GC_all_interior_pointers. */
GC_API void GC_CALL GC_register_displacement(size_t);
GC_API void GC_CALL GC_debug_register_displacement(size_t);

/* ------------------------------------------------------------------------
 * Collection control
 * ---------------------------------------------------------------------- */

GC_API void GC_CALL GC_gcollect(void);
/* Collect, then return empty blocks to the operating system. */
GC_API void GC_CALL GC_gcollect_and_unmap(void);

typedef int(GC_CALLBACK *GC_stop_func)(void);
/* Gleaner's collections cannot be abandoned half-way: stop_func is asked
 * once, before the collection starts.  0 if it said stop (or collection is
 * disabled), 1 after a full collection. */
GC_API int GC_CALL GC_try_to_collect(GC_stop_func) GC_ATTR_NONNULL(1);
/* Consulted the same way by GC_gcollect. */
GC_API void GC_CALL GC_set_stop_func(GC_stop_func) GC_ATTR_NONNULL(1);
GC_API GC_stop_func GC_CALL GC_get_stop_func(void);

/* Committed heap bytes. */
GC_API size_t GC_CALL GC_get_heap_size(void);
/* Heap bytes not live at the last collection. */
GC_API size_t GC_CALL GC_get_free_bytes(void);
/* Gleaner does not count decommitted space: always 0. */
GC_API size_t GC_CALL GC_get_unmapped_bytes(void);
GC_API size_t GC_CALL GC_get_bytes_since_gc(void);
GC_API size_t GC_CALL GC_get_expl_freed_bytes_since_gc(void)
    GC_BDW_UNAVAILABLE("gleaner.h does not count explicitly freed bytes");
GC_API size_t GC_CALL GC_get_total_bytes(void);
GC_API size_t GC_CALL GC_get_obtained_from_os_bytes(void)
    GC_BDW_UNAVAILABLE("gleaner.h does not count bytes obtained from the OS");
GC_API void GC_CALL GC_get_heap_usage_safe(GC_word * /* pheap_size */,
                                           GC_word * /* pfree_bytes */,
                                           GC_word * /* punmapped_bytes */,
                                           GC_word * /* pbytes_since_gc */,
                                           GC_word * /* ptotal_bytes */);

struct GC_prof_stats_s {
  GC_word heapsize_full;
  GC_word free_bytes_full;
  GC_word unmapped_bytes;
  GC_word bytes_allocd_since_gc;
  GC_word allocd_bytes_before_gc;
  GC_word non_gc_bytes;
  GC_word gc_no;
  GC_word markers_m1;
  GC_word bytes_reclaimed_since_gc;
  GC_word reclaimed_bytes_before_gc;
  GC_word expl_freed_bytes_since_gc;
  GC_word obtained_from_os_bytes;
};
/* Fields Gleaner does not know are set to (GC_word)-1, as Boehm's protocol
 * allows (non_gc_bytes, the reclaimed and freed counters, obtained bytes).
 * Returns the number of bytes filled in. */
GC_API size_t GC_CALL GC_get_prof_stats(struct GC_prof_stats_s *, size_t);
#ifdef GC_THREADS
GC_API size_t GC_CALL GC_get_prof_stats_unsafe(struct GC_prof_stats_s *,
                                               size_t);
#endif
GC_API size_t GC_CALL GC_get_size_map_at(int)
    GC_BDW_UNAVAILABLE("Gleaner's size classes are internal");
/* Bytes in use by live objects at the last collection plus those allocated
 * since. */
GC_API size_t GC_CALL GC_get_memory_use(void);

GC_API void GC_CALL GC_disable(void);
GC_API int GC_CALL GC_is_disabled(void);
GC_API void GC_CALL GC_enable(void);

GC_API void GC_CALL GC_set_manual_vdb_allowed(int)
    GC_BDW_UNAVAILABLE("Gleaner's barrier needs no GC_END_STUBBORN_CHANGE calls");
GC_API int GC_CALL GC_get_manual_vdb_allowed(void)
    GC_BDW_UNAVAILABLE("Gleaner's barrier needs no GC_END_STUBBORN_CHANGE calls");

/* Incremental marking (if Gleaner has a barrier for this process). */
GC_API void GC_CALL GC_enable_incremental(void);
GC_API int GC_CALL GC_is_incremental_mode(void);
#define GC_PROTECTS_POINTER_HEAP 1
#define GC_PROTECTS_PTRFREE_HEAP 2
#define GC_PROTECTS_STATIC_DATA 4
#define GC_PROTECTS_STACK 8
#define GC_PROTECTS_NONE 0
/* GC_PROTECTS_POINTER_HEAP while incremental (Gleaner's page barrier may
 * protect blocks holding pointers, never atomic ones), else NONE. */
GC_API int GC_CALL GC_incremental_protection_needs(void);
/* Starts a cycle with one incremental step (incremental mode only). */
GC_API void GC_CALL GC_start_incremental_collection(void);
/* One bounded step; nonzero while a cycle is in progress. */
GC_API int GC_CALL GC_collect_a_little(void);

/* Gleaner recognizes every interior pointer and has no black list, so these
 * are plain GC_malloc / GC_malloc_atomic. */
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_ignore_off_page(size_t);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_malloc_atomic_ignore_off_page(size_t);

/* ------------------------------------------------------------------------
 * Debugging allocation (GC_DEBUG).  Each object carries a trailer with its
 * requested size and call site, and the bytes between the end of the
 * request and the trailer are filled with a pattern.  GC_debug_free and
 * GC_debug_realloc check both and report an overwrite through the warn
 * proc, naming the allocation site.  The object starts at its base, so
 * GC_base, finalizers and links need no adjustment.
 * ---------------------------------------------------------------------- */

GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_malloc(size_t, GC_EXTRA_PARAMS);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_malloc_atomic(size_t, GC_EXTRA_PARAMS);
GC_API GC_ATTR_MALLOC char *GC_CALL GC_debug_strdup(const char *,
                                                   GC_EXTRA_PARAMS);
GC_API GC_ATTR_MALLOC char *GC_CALL
GC_debug_strndup(const char *, size_t, GC_EXTRA_PARAMS) GC_ATTR_NONNULL(1);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_malloc_uncollectable(size_t, GC_EXTRA_PARAMS);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_malloc_atomic_uncollectable(size_t, GC_EXTRA_PARAMS);
GC_API GC_ATTR_DEPRECATED void *GC_CALL
GC_debug_malloc_stubborn(size_t, GC_EXTRA_PARAMS);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_malloc_ignore_off_page(size_t, GC_EXTRA_PARAMS);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_malloc_atomic_ignore_off_page(size_t, GC_EXTRA_PARAMS);
GC_API void GC_CALL GC_debug_free(void *);
GC_API void *GC_CALL GC_debug_realloc(void *, size_t, GC_EXTRA_PARAMS)
    GC_ATTR_ALLOC_SIZE(2);
GC_API GC_ATTR_DEPRECATED void GC_CALL GC_debug_change_stubborn(const void *);
GC_API void GC_CALL GC_debug_end_stubborn_change(const void *)
    GC_ATTR_NONNULL(1);
/* Debug allocation with an unknown call site (malloc/realloc stand-ins). */
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_malloc_replacement(size_t);
GC_API GC_ATTR_ALLOC_SIZE(2) void *GC_CALL
GC_debug_realloc_replacement(void *, size_t);

#ifdef GC_DEBUG_REPLACEMENT
#define GC_MALLOC(sz) GC_debug_malloc_replacement(sz)
#define GC_REALLOC(old, sz) GC_debug_realloc_replacement(old, sz)
#elif defined(GC_DEBUG)
#define GC_MALLOC(sz) GC_debug_malloc(sz, GC_EXTRAS)
#define GC_REALLOC(old, sz) GC_debug_realloc(old, sz, GC_EXTRAS)
#else
#define GC_MALLOC(sz) GC_malloc(sz)
#define GC_REALLOC(old, sz) GC_realloc(old, sz)
#endif

#ifdef GC_DEBUG
#define GC_MALLOC_ATOMIC(sz) GC_debug_malloc_atomic(sz, GC_EXTRAS)
#define GC_STRDUP(s) GC_debug_strdup(s, GC_EXTRAS)
#define GC_STRNDUP(s, sz) GC_debug_strndup(s, sz, GC_EXTRAS)
#define GC_MALLOC_ATOMIC_UNCOLLECTABLE(sz) \
  GC_debug_malloc_atomic_uncollectable(sz, GC_EXTRAS)
#define GC_MALLOC_UNCOLLECTABLE(sz) GC_debug_malloc_uncollectable(sz, GC_EXTRAS)
#define GC_MALLOC_IGNORE_OFF_PAGE(sz) \
  GC_debug_malloc_ignore_off_page(sz, GC_EXTRAS)
#define GC_MALLOC_ATOMIC_IGNORE_OFF_PAGE(sz) \
  GC_debug_malloc_atomic_ignore_off_page(sz, GC_EXTRAS)
#define GC_FREE(p) GC_debug_free(p)
#define GC_REGISTER_FINALIZER(p, f, d, of, od) \
  GC_debug_register_finalizer(p, f, d, of, od)
#define GC_REGISTER_FINALIZER_IGNORE_SELF(p, f, d, of, od) \
  GC_debug_register_finalizer_ignore_self(p, f, d, of, od)
#define GC_REGISTER_FINALIZER_NO_ORDER(p, f, d, of, od) \
  GC_debug_register_finalizer_no_order(p, f, d, of, od)
#define GC_REGISTER_FINALIZER_UNREACHABLE(p, f, d, of, od) \
  GC_debug_register_finalizer_unreachable(p, f, d, of, od)
#define GC_END_STUBBORN_CHANGE(p) GC_debug_end_stubborn_change(p)
#define GC_PTR_STORE_AND_DIRTY(p, q) GC_debug_ptr_store_and_dirty(p, q)
#define GC_GENERAL_REGISTER_DISAPPEARING_LINK(link, obj) \
  GC_general_register_disappearing_link(link, GC_base((void *)(obj)))
#define GC_REGISTER_LONG_LINK(link, obj) \
  GC_register_long_link(link, GC_base((void *)(obj)))
#define GC_REGISTER_DISPLACEMENT(n) GC_debug_register_displacement(n)
#else
#define GC_MALLOC_ATOMIC(sz) GC_malloc_atomic(sz)
#define GC_STRDUP(s) GC_strdup(s)
#define GC_STRNDUP(s, sz) GC_strndup(s, sz)
#define GC_MALLOC_ATOMIC_UNCOLLECTABLE(sz) GC_malloc_atomic_uncollectable(sz)
#define GC_MALLOC_UNCOLLECTABLE(sz) GC_malloc_uncollectable(sz)
#define GC_MALLOC_IGNORE_OFF_PAGE(sz) GC_malloc_ignore_off_page(sz)
#define GC_MALLOC_ATOMIC_IGNORE_OFF_PAGE(sz) \
  GC_malloc_atomic_ignore_off_page(sz)
#define GC_FREE(p) GC_free(p)
#define GC_REGISTER_FINALIZER(p, f, d, of, od) \
  GC_register_finalizer(p, f, d, of, od)
#define GC_REGISTER_FINALIZER_IGNORE_SELF(p, f, d, of, od) \
  GC_register_finalizer_ignore_self(p, f, d, of, od)
#define GC_REGISTER_FINALIZER_NO_ORDER(p, f, d, of, od) \
  GC_register_finalizer_no_order(p, f, d, of, od)
#define GC_REGISTER_FINALIZER_UNREACHABLE(p, f, d, of, od) \
  GC_register_finalizer_unreachable(p, f, d, of, od)
#define GC_END_STUBBORN_CHANGE(p) GC_end_stubborn_change(p)
#define GC_PTR_STORE_AND_DIRTY(p, q) GC_ptr_store_and_dirty(p, q)
#define GC_GENERAL_REGISTER_DISAPPEARING_LINK(link, obj) \
  GC_general_register_disappearing_link(link, obj)
#define GC_REGISTER_LONG_LINK(link, obj) GC_register_long_link(link, obj)
#define GC_REGISTER_DISPLACEMENT(n) GC_register_displacement(n)
#endif

#define GC_NEW(t) ((t *)GC_MALLOC(sizeof(t)))
#define GC_NEW_ATOMIC(t) ((t *)GC_MALLOC_ATOMIC(sizeof(t)))
#define GC_NEW_UNCOLLECTABLE(t) ((t *)GC_MALLOC_UNCOLLECTABLE(sizeof(t)))

#ifdef GC_REQUIRE_WCSDUP
#include <wchar.h>
GC_API GC_ATTR_MALLOC wchar_t *GC_CALL GC_wcsdup(const wchar_t *)
    GC_ATTR_NONNULL(1);
GC_API GC_ATTR_MALLOC wchar_t *GC_CALL
GC_debug_wcsdup(const wchar_t *, GC_EXTRA_PARAMS) GC_ATTR_NONNULL(1);
#ifdef GC_DEBUG
#define GC_WCSDUP(s) GC_debug_wcsdup(s, GC_EXTRAS)
#else
#define GC_WCSDUP(s) GC_wcsdup(s)
#endif
#endif

/* ------------------------------------------------------------------------
 * Finalization
 *
 *   GC_register_finalizer              ordered: if A reaches B and both
 *                                      die, A is finalized first
 *   GC_register_finalizer_ignore_self  ordered, a self-pointer does not
 *                                      count
 *   GC_register_finalizer_no_order     what obj points to does not delay
 *                                      it (cycles of them are finalized),
 *                                      an ordered object reaching it does
 *   GC_register_finalizer_unreachable  ordered, and also waits while a
 *                                      _no_order finalizable object still
 *                                      reaches obj (Java's finalize())
 * All four as Boehm GC does them with GC_java_finalization (its default);
 * tests/bdw/suite/finalize*.c compare the two collectors.
 *
 * A finalizer is unregistered when it is queued; obj outside the heap (or
 * NULL) sets *ofn and *ocd to NULL and registers nothing.
 * ---------------------------------------------------------------------- */

typedef void(GC_CALLBACK *GC_finalization_proc)(void * /* obj */,
                                               void * /* client_data */);

GC_API void GC_CALL GC_register_finalizer(void *, GC_finalization_proc,
                                          void *, GC_finalization_proc *,
                                          void **) GC_ATTR_NONNULL(1);
GC_API void GC_CALL GC_debug_register_finalizer(void *, GC_finalization_proc,
                                                void *, GC_finalization_proc *,
                                                void **) GC_ATTR_NONNULL(1);
GC_API void GC_CALL GC_register_finalizer_ignore_self(
    void *, GC_finalization_proc, void *, GC_finalization_proc *, void **)
    GC_ATTR_NONNULL(1);
GC_API void GC_CALL GC_debug_register_finalizer_ignore_self(
    void *, GC_finalization_proc, void *, GC_finalization_proc *, void **)
    GC_ATTR_NONNULL(1);
GC_API void GC_CALL GC_register_finalizer_no_order(
    void *, GC_finalization_proc, void *, GC_finalization_proc *, void **)
    GC_ATTR_NONNULL(1);
GC_API void GC_CALL GC_debug_register_finalizer_no_order(
    void *, GC_finalization_proc, void *, GC_finalization_proc *, void **)
    GC_ATTR_NONNULL(1);
GC_API void GC_CALL GC_register_finalizer_unreachable(
    void *, GC_finalization_proc, void *, GC_finalization_proc *, void **)
    GC_ATTR_NONNULL(1);
GC_API void GC_CALL GC_debug_register_finalizer_unreachable(
    void *, GC_finalization_proc, void *, GC_finalization_proc *, void **)
    GC_ATTR_NONNULL(1);

/* Result codes. */
#define GC_SUCCESS 0
#define GC_DUPLICATE 1
#define GC_NO_THREADS 2
#define GC_NO_MEMORY 2
#define GC_UNIMPLEMENTED 3
#define GC_NOT_FOUND 4

/* Disappearing links: *link is set to NULL when the object dies.  Short
 * links are cleared before finalizers run, long links only when the object
 * is reclaimed.  Store the pointer hidden (GC_HIDE_POINTER) or in memory
 * the collector does not scan, or it keeps the object alive. */
/* link is inside a heap object; it disappears with that object. */
GC_API int GC_CALL GC_register_disappearing_link(void ** /* link */)
    GC_ATTR_NONNULL(1);
GC_API int GC_CALL GC_general_register_disappearing_link(void **,
                                                         const void *)
    GC_ATTR_NONNULL(1) GC_ATTR_NONNULL(2);
GC_API int GC_CALL GC_move_disappearing_link(void **, void **)
    GC_ATTR_NONNULL(2);
/* 1 if link was registered, 0 if not. */
GC_API int GC_CALL GC_unregister_disappearing_link(void **);
GC_API int GC_CALL GC_register_long_link(void **, const void *)
    GC_ATTR_NONNULL(1) GC_ATTR_NONNULL(2);
GC_API int GC_CALL GC_move_long_link(void **, void **) GC_ATTR_NONNULL(2);
GC_API int GC_CALL GC_unregister_long_link(void **);

typedef enum {
  GC_TOGGLE_REF_DROP,
  GC_TOGGLE_REF_STRONG,
  GC_TOGGLE_REF_WEAK
} GC_ToggleRefStatus;
typedef GC_ToggleRefStatus(GC_CALLBACK *GC_toggleref_func)(void *);
GC_API void GC_CALL GC_set_toggleref_func(GC_toggleref_func)
    GC_BDW_UNAVAILABLE("gleaner.h has no toggle references");
GC_API GC_toggleref_func GC_CALL GC_get_toggleref_func(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no toggle references");
GC_API int GC_CALL GC_toggleref_add(void *, int)
    GC_BDW_UNAVAILABLE("gleaner.h has no toggle references");

typedef void(GC_CALLBACK *GC_await_finalize_proc)(void *);
GC_API void GC_CALL GC_set_await_finalize_proc(GC_await_finalize_proc)
    GC_BDW_UNAVAILABLE("gleaner.h has no hook at finalizer enqueueing");
GC_API GC_await_finalize_proc GC_CALL GC_get_await_finalize_proc(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no hook at finalizer enqueueing");

/* Nonzero when finalizers are queued. */
GC_API int GC_CALL GC_should_invoke_finalizers(void);
/* Runs the queued finalizers; returns how many ran. */
GC_API int GC_CALL GC_invoke_finalizers(void);

/* Keeps ptr visibly alive up to this point of the program. */
#if defined(__GNUC__)
#define GC_reachable_here(ptr) __asm__ __volatile__("" : : "X"(ptr) : "memory")
#else
#define GC_reachable_here(ptr) GC_noop1((GC_word)(ptr))
#endif
GC_API void GC_CALL GC_noop1(GC_word);

/* ------------------------------------------------------------------------
 * Diagnostics
 * ---------------------------------------------------------------------- */

/* Gleaner's warnings reach the warn proc as "GC Warning: <text>\n" with any
 * '%' doubled, so a proc that printf()s msg with arg prints the text
 * verbatim; arg is 0. */
typedef void(GC_CALLBACK *GC_warn_proc)(char * /* msg */, GC_word /* arg */);
GC_API void GC_CALL GC_set_warn_proc(GC_warn_proc) GC_ATTR_NONNULL(1);
GC_API GC_warn_proc GC_CALL GC_get_warn_proc(void);
GC_API void GC_CALLBACK GC_ignore_warn_proc(char *, GC_word);
/* Where GC_print_stats output goes (default: stderr). */
GC_API void GC_CALL GC_set_log_fd(int);

typedef void(GC_CALLBACK *GC_abort_func)(const char *);
GC_API void GC_CALL GC_set_abort_func(GC_abort_func)
    GC_BDW_UNAVAILABLE("Gleaner's fatal errors cannot be intercepted");
GC_API GC_abort_func GC_CALL GC_get_abort_func(void)
    GC_BDW_UNAVAILABLE("Gleaner's fatal errors cannot be intercepted");
/* Prints a message and exits with status 1. */
GC_API GC_ATTR_NORETURN void GC_CALL GC_abort_on_oom(void);

/* Hidden pointers do not keep objects alive. */
typedef GC_word GC_hidden_pointer;
#define GC_HIDE_POINTER(p) (~(GC_hidden_pointer)(p))
#define GC_REVEAL_POINTER(p) ((void *)GC_HIDE_POINTER(p))
#if defined(I_HIDE_POINTERS) || defined(GC_I_HIDE_POINTERS)
#define HIDE_POINTER(p) GC_HIDE_POINTER(p)
#define REVEAL_POINTER(p) GC_REVEAL_POINTER(p)
#endif

/* The allocation lock.  In Gleaner it is the layer's own mutex, held with
 * collection disabled, so revealing a hidden pointer under it cannot race
 * with the clearing of its link; it does not stop other threads from
 * allocating. */
#ifdef GC_THREADS
GC_API void GC_CALL GC_alloc_lock(void);
GC_API void GC_CALL GC_alloc_unlock(void);
#else
#define GC_alloc_lock() (void)0
#define GC_alloc_unlock() (void)0
#endif

typedef void *(GC_CALLBACK *GC_fn_type)(void * /* client_data */);
GC_API void *GC_CALL GC_call_with_alloc_lock(GC_fn_type, void *)
    GC_ATTR_NONNULL(1);

/* ------------------------------------------------------------------------
 * Threads and stacks
 * ---------------------------------------------------------------------- */

struct GC_stack_base {
  void *mem_base; /* the cold end of the stack */
};
typedef void *(GC_CALLBACK *GC_stack_base_func)(struct GC_stack_base *,
                                                void *);
GC_API void *GC_CALL GC_call_with_stack_base(GC_stack_base_func, void *)
    GC_ATTR_NONNULL(1);

/* Gleaner's markers start by themselves: nothing to do. */
GC_API void GC_CALL GC_start_mark_threads(void);

#ifdef GC_THREADS
/* Before initialization: stop threads with this signal instead of SIGPWR
 * (GLEANER_SUSPEND_SIGNAL still wins); no effect afterwards. */
GC_API void GC_CALL GC_set_suspend_signal(int);
/* No effect: Gleaner restarts stopped threads without a signal. */
GC_API void GC_CALL GC_set_thr_restart_signal(int);
/* The signal Gleaner stops threads with (SIGPWR unless
 * GLEANER_SUSPEND_SIGNAL says otherwise); initializes the collector. */
GC_API int GC_CALL GC_get_suspend_signal(void);
/* -1: Gleaner restarts stopped threads without a signal. */
GC_API int GC_CALL GC_get_thr_restart_signal(void);
/* Gleaner always allows registration; this initializes the collector. */
GC_API void GC_CALL GC_allow_register_threads(void);
/* The stack base argument is not needed (Gleaner finds the stack itself).
 * GC_SUCCESS, or GC_DUPLICATE if already registered. */
GC_API int GC_CALL GC_register_my_thread(const struct GC_stack_base *)
    GC_ATTR_NONNULL(1);
GC_API int GC_CALL GC_thread_is_registered(void);
GC_API void GC_CALL GC_register_altstack(void *, GC_word, void *, GC_word)
    GC_BDW_UNAVAILABLE("Gleaner does not scan alternate signal stacks");
GC_API int GC_CALL GC_unregister_my_thread(void);
GC_API void GC_CALL GC_stop_world_external(void)
    GC_BDW_UNAVAILABLE("gleaner.h does not let the program stop the world");
GC_API void GC_CALL GC_start_world_external(void)
    GC_BDW_UNAVAILABLE("gleaner.h does not let the program stop the world");
#endif

/* fn runs with this thread "inactive": it must not touch the heap; its
 * frames below this call are scanned from the state saved on entry. */
GC_API void *GC_CALL GC_do_blocking(GC_fn_type, void *) GC_ATTR_NONNULL(1);
/* Back to active for fn (inside GC_do_blocking), or a plain call. */
GC_API void *GC_CALL GC_call_with_gc_active(GC_fn_type, void *)
    GC_ATTR_NONNULL(1);
/* The cold end of the calling thread's stack: GC_SUCCESS or
 * GC_UNIMPLEMENTED. */
GC_API int GC_CALL GC_get_stack_base(struct GC_stack_base *)
    GC_ATTR_NONNULL(1);
GC_API void *GC_CALL GC_get_my_stackbottom(struct GC_stack_base *)
    GC_BDW_UNAVAILABLE("Gleaner does not support switching stacks (coroutines)");
GC_API void GC_CALL GC_set_stackbottom(void *, const struct GC_stack_base *)
    GC_BDW_UNAVAILABLE("Gleaner does not support switching stacks (coroutines)");

/* ------------------------------------------------------------------------
 * Pointer checks (for checking preprocessors and GC_DEBUG builds).  A
 * failed check calls the matching print proc; the defaults print a message
 * and abort.
 * ---------------------------------------------------------------------- */

GC_API void *GC_CALL GC_same_obj(void *, void *);
GC_API void *GC_CALL GC_pre_incr(void **, ptrdiff_t) GC_ATTR_NONNULL(1);
GC_API void *GC_CALL GC_post_incr(void **, ptrdiff_t) GC_ATTR_NONNULL(1);
/* p is visible if it lies in the heap, on the calling thread's stack, in a
 * scanned data segment or in a range given to GC_add_roots. */
GC_API void *GC_CALL GC_is_visible(void *);
/* Every interior pointer is valid in Gleaner: returns p. */
GC_API void *GC_CALL GC_is_valid_displacement(void *);

/* Prints Gleaner's statistics to stdout. */
GC_API void GC_CALL GC_dump(void);
GC_API void GC_CALL GC_dump_named(const char *);
GC_API void GC_CALL GC_dump_regions(void)
    GC_BDW_UNAVAILABLE("Gleaner's heap layout is internal");
GC_API void GC_CALL GC_dump_finalization(void)
    GC_BDW_UNAVAILABLE("Gleaner's finalization tables are internal");

#if defined(GC_DEBUG) && defined(__GNUC__)
#define GC_PTR_ADD3(x, n, type_of_result) \
  ((type_of_result)GC_same_obj((x) + (n), (x)))
#define GC_PRE_INCR3(x, n, type_of_result) \
  ((type_of_result)GC_pre_incr((void **)(&(x)), (n) * sizeof(*x)))
#define GC_POST_INCR3(x, n, type_of_result) \
  ((type_of_result)GC_post_incr((void **)(&(x)), (n) * sizeof(*x)))
#define GC_PTR_ADD(x, n) GC_PTR_ADD3(x, n, __typeof__(x))
#define GC_PRE_INCR(x, n) GC_PRE_INCR3(x, n, __typeof__(x))
#define GC_POST_INCR(x) GC_POST_INCR3(x, 1, __typeof__(x))
#define GC_POST_DECR(x) GC_POST_INCR3(x, -1, __typeof__(x))
#else
#define GC_PTR_ADD(x, n) ((x) + (n))
#define GC_PRE_INCR(x, n) ((x) += (n))
#define GC_POST_INCR(x) ((x)++)
#define GC_POST_DECR(x) ((x)--)
#endif

#ifdef GC_DEBUG
#define GC_PTR_STORE(p, q) \
  (*(void **)GC_is_visible((void *)(p)) = GC_is_valid_displacement((void *)(q)))
#else
#define GC_PTR_STORE(p, q) (*(void **)(p) = (void *)(q))
#endif

/* Store q at p (no barrier call is needed by Gleaner). */
GC_API void GC_CALL GC_ptr_store_and_dirty(void *, const void *);
GC_API void GC_CALL GC_debug_ptr_store_and_dirty(void *, const void *);

extern GC_API void(GC_CALLBACK *GC_same_obj_print_proc)(void *, void *);
extern GC_API void(GC_CALLBACK *GC_is_valid_displacement_print_proc)(void *);
extern GC_API void(GC_CALLBACK *GC_is_visible_print_proc)(void *);

#ifdef GC_PTHREADS
#ifdef __cplusplus
} /* the redirect header opens its own extern "C" */
#endif
#include "gc_pthread_redirects.h"
#ifdef __cplusplus
extern "C" {
#endif
#endif

/* A list of cleared objects of lb bytes linked through their first word. */
GC_API GC_ATTR_MALLOC void *GC_CALL GC_malloc_many(size_t);
#define GC_NEXT(p) (*(void **)(p))

/* Asked, for each writable segment of each shared library, whether to scan
 * it; a library refused is excluded (gc_exclude_roots) for good.  Applied
 * when set, at GC_dlopen and at each GC_gcollect.  NULL: no filter. */
typedef int(GC_CALLBACK *GC_has_static_roots_func)(const char *, void *,
                                                   size_t);
GC_API void GC_CALL GC_register_has_static_roots_callback(
    GC_has_static_roots_func);

/* Nonzero: GC_gcollect also returns empty blocks to the OS. */
GC_API void GC_CALL GC_set_force_unmap_on_gcollect(int);
GC_API int GC_CALL GC_get_force_unmap_on_gcollect(void);

/* ------------------------------------------------------------------------
 * GC_INIT and its compile-time configuration macros (the same ones as
 * Boehm GC's; those Gleaner cannot honour stop the build).
 * ---------------------------------------------------------------------- */

#ifdef GC_DONT_EXPAND
#define GC_INIT_CONF_DONT_EXPAND GC_set_dont_expand(1)
#else
#define GC_INIT_CONF_DONT_EXPAND
#endif

#ifdef GC_FORCE_UNMAP_ON_GCOLLECT
#define GC_INIT_CONF_FORCE_UNMAP_ON_GCOLLECT GC_set_force_unmap_on_gcollect(1)
#else
#define GC_INIT_CONF_FORCE_UNMAP_ON_GCOLLECT
#endif

#ifdef GC_DONT_GC
#define GC_INIT_CONF_MAX_RETRIES (void)(GC_dont_gc = 1)
#elif defined(GC_MAX_RETRIES)
#define GC_INIT_CONF_MAX_RETRIES GC_set_max_retries(GC_MAX_RETRIES)
#else
#define GC_INIT_CONF_MAX_RETRIES
#endif

#ifdef GC_ALLOCD_BYTES_PER_FINALIZER
#error "GC_ALLOCD_BYTES_PER_FINALIZER: not provided by Gleaner's Boehm GC layer (collections are paced by heap growth only)"
#endif
#ifdef GC_FULL_FREQ
#error "GC_FULL_FREQ: not provided by Gleaner's Boehm GC layer (no generational collections)"
#endif
#if defined(GC_SIG_SUSPEND) || defined(GC_SIG_THR_RESTART)
#error "GC_SIG_SUSPEND / GC_SIG_THR_RESTART: not provided by Gleaner's Boehm GC layer (Gleaner chooses its own signals)"
#endif

#ifdef GC_FREE_SPACE_DIVISOR
#define GC_INIT_CONF_FREE_SPACE_DIVISOR \
  GC_set_free_space_divisor(GC_FREE_SPACE_DIVISOR)
#else
#define GC_INIT_CONF_FREE_SPACE_DIVISOR
#endif

#ifdef GC_TIME_LIMIT
#define GC_INIT_CONF_TIME_LIMIT GC_set_time_limit(GC_TIME_LIMIT)
#else
#define GC_INIT_CONF_TIME_LIMIT
#endif

#if defined(GC_MARKERS) && defined(GC_THREADS)
#define GC_INIT_CONF_MARKERS GC_set_markers_count(GC_MARKERS)
#else
#define GC_INIT_CONF_MARKERS
#endif

#ifdef GC_MAXIMUM_HEAP_SIZE
#define GC_INIT_CONF_MAXIMUM_HEAP_SIZE GC_set_max_heap_size(GC_MAXIMUM_HEAP_SIZE)
#else
#define GC_INIT_CONF_MAXIMUM_HEAP_SIZE
#endif

#ifdef GC_IGNORE_WARN
#define GC_INIT_CONF_IGNORE_WARN GC_set_warn_proc(GC_ignore_warn_proc)
#else
#define GC_INIT_CONF_IGNORE_WARN
#endif

#ifdef GC_INITIAL_HEAP_SIZE
#define GC_INIT_CONF_INITIAL_HEAP_SIZE                         \
  {                                                            \
    size_t gc_init_heap_size_ = GC_get_heap_size();            \
    if (gc_init_heap_size_ < (GC_INITIAL_HEAP_SIZE))           \
      (void)GC_expand_hp((GC_INITIAL_HEAP_SIZE) - gc_init_heap_size_); \
  }
#else
#define GC_INIT_CONF_INITIAL_HEAP_SIZE
#endif

/* Braces rather than do/while, as in Boehm GC: `GC_INIT()` without a
 * semicolon must keep compiling. */
#define GC_INIT()                          \
  {                                        \
    GC_INIT_CONF_DONT_EXPAND;              \
    GC_INIT_CONF_FORCE_UNMAP_ON_GCOLLECT;  \
    GC_INIT_CONF_MAX_RETRIES;              \
    GC_INIT_CONF_FREE_SPACE_DIVISOR;       \
    GC_INIT_CONF_TIME_LIMIT;               \
    GC_INIT_CONF_MARKERS;                  \
    GC_INIT_CONF_MAXIMUM_HEAP_SIZE;        \
    GC_init();                             \
    GC_INIT_CONF_IGNORE_WARN;              \
    GC_INIT_CONF_INITIAL_HEAP_SIZE;        \
  }

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GC_H */
