/*
 * gc/gc_mark.h — the parts of Boehm GC's marker interface that Gleaner can
 * honour.
 *
 * Custom object kinds and mark procedures (GC_new_kind, GC_new_proc,
 * GC_mark_and_push …) hand the program Boehm's mark stack and heap layout;
 * gleaner.h deliberately exposes neither, so those are compile-time errors.
 * What remains usable: allocation of the predefined kinds through
 * GC_generic_malloc, the debug-header arithmetic (Gleaner's debug objects
 * have no header, so it is the identity), and GC_clear_stack.  The
 * descriptor constants are defined so that existing code still parses and
 * reaches the precise error at the unavailable call.
 */
#ifndef GC_MARK_H
#define GC_MARK_H

#ifndef GC_H
#include "gc.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define GC_PROC_BYTES 100

struct GC_ms_entry {
  void *opaque;
};
typedef struct GC_ms_entry *(GC_CALLBACK *GC_mark_proc)(
    GC_word * /* addr */, struct GC_ms_entry * /* mark_stack_ptr */,
    struct GC_ms_entry * /* mark_stack_limit */, GC_word /* env */);

#define GC_LOG_MAX_MARK_PROCS 6
#define GC_MAX_MARK_PROCS (1 << GC_LOG_MAX_MARK_PROCS)
#define GC_RESERVED_MARK_PROCS 8
#define GC_GCJ_RESERVED_MARK_PROC_INDEX 0
#define GC_DS_TAG_BITS 2
#define GC_DS_TAGS ((1 << GC_DS_TAG_BITS) - 1)
#define GC_DS_LENGTH 0
#define GC_DS_BITMAP 1
#define GC_DS_PROC 2
#define GC_MAKE_PROC(proc_index, env) \
  (((((env) << GC_LOG_MAX_MARK_PROCS) | (proc_index)) << GC_DS_TAG_BITS) \
   | GC_DS_PROC)
#define GC_DS_PER_OBJECT 3
#define GC_INDIR_PER_OBJ_BIAS 0x10

#define GC_NO_KIND_REASON "Gleaner has no program-defined object kinds or mark procedures (use gleaner.h's gc_type for precise objects)"

extern GC_API void *GC_least_plausible_heap_addr
    GC_BDW_UNAVAILABLE("gleaner.h does not expose the heap bounds (use GC_is_heap_ptr)");
extern GC_API void *GC_greatest_plausible_heap_addr
    GC_BDW_UNAVAILABLE("gleaner.h does not expose the heap bounds (use GC_is_heap_ptr)");
GC_API struct GC_ms_entry *GC_CALL GC_mark_and_push(void *,
                                                    struct GC_ms_entry *,
                                                    struct GC_ms_entry *,
                                                    void **)
    GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);
#define GC_MARK_AND_PUSH(obj, msp, lim, src) GC_mark_and_push(obj, msp, lim, src)

/* Debug objects carry a trailer, not a header: 0, and the user pointer is
 * the base. */
GC_API GC_ATTR_CONST size_t GC_CALL GC_get_debug_header_size(void);
#define GC_USR_PTR_FROM_BASE(p) \
  ((void *)((char *)(p) + GC_get_debug_header_size()))
extern GC_API GC_ATTR_DEPRECATED const size_t GC_debug_header_size;

GC_API void **GC_CALL GC_new_free_list(void) GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);
GC_API void **GC_CALL GC_new_free_list_inner(void)
    GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);
GC_API unsigned GC_CALL GC_new_kind(void **, GC_word, int, int)
    GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);
GC_API unsigned GC_CALL GC_new_kind_inner(void **, GC_word, int, int)
    GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);
GC_API unsigned GC_CALL GC_new_proc(GC_mark_proc)
    GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);
GC_API unsigned GC_CALL GC_new_proc_inner(GC_mark_proc)
    GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);

/* The predefined kinds, as numbered by Boehm GC.  Any other kind is
 * refused: the call warns and returns NULL (no other kind can exist, since
 * GC_new_kind is unavailable). */
#define GC_BDW_KIND_PTRFREE 0
#define GC_BDW_KIND_NORMAL 1
#define GC_BDW_KIND_UNCOLLECTABLE 2
#define GC_BDW_KIND_AUNCOLLECTABLE 3
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_generic_malloc(size_t, int);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_generic_malloc_ignore_off_page(size_t, int);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_generic_malloc_uncollectable(size_t, int);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_generic_or_special_malloc(size_t, int);
GC_API GC_ATTR_MALLOC GC_ATTR_ALLOC_SIZE(1) void *GC_CALL
GC_debug_generic_or_special_malloc(size_t, int, GC_EXTRA_PARAMS);
#ifdef GC_DEBUG
#define GC_GENERIC_OR_SPECIAL_MALLOC(sz, knd) \
  GC_debug_generic_or_special_malloc(sz, knd, GC_EXTRAS)
#else
#define GC_GENERIC_OR_SPECIAL_MALLOC(sz, knd) GC_generic_or_special_malloc(sz, knd)
#endif

GC_API int GC_CALL GC_get_kind_and_size(const void *, size_t *)
    GC_BDW_UNAVAILABLE("gleaner.h does not report an object's kind");

typedef void(GC_CALLBACK *GC_describe_type_fn)(void *, char *);
#define GC_TYPE_DESCR_LEN 40
GC_API void GC_CALL GC_register_describe_type_fn(int, GC_describe_type_fn)
    GC_BDW_UNAVAILABLE(GC_NO_KIND_REASON);

/* Clears a stretch of the stack below the caller (so that dead values
 * there stop retaining objects) and returns its argument. */
GC_API void *GC_CALL GC_clear_stack(void *);

typedef void(GC_CALLBACK *GC_start_callback_proc)(void);
GC_API void GC_CALL GC_set_start_callback(GC_start_callback_proc)
    GC_BDW_UNAVAILABLE("gleaner.h has no collection-start hook");
GC_API GC_start_callback_proc GC_CALL GC_get_start_callback(void)
    GC_BDW_UNAVAILABLE("gleaner.h has no collection-start hook");

GC_API int GC_CALL GC_is_marked(const void *)
    GC_BDW_UNAVAILABLE("Gleaner's mark bits are internal");
GC_API void GC_CALL GC_clear_mark_bit(const void *)
    GC_BDW_UNAVAILABLE("Gleaner's mark bits are internal");
GC_API void GC_CALL GC_set_mark_bit(const void *)
    GC_BDW_UNAVAILABLE("Gleaner's mark bits are internal");

GC_API void GC_CALL GC_push_all(void *, void *)
    GC_BDW_UNAVAILABLE("use GC_add_roots for extra root ranges");
GC_API void GC_CALL GC_push_all_eager(void *, void *)
    GC_BDW_UNAVAILABLE("use GC_add_roots for extra root ranges");
GC_API void GC_CALL GC_push_conditional(void *, void *, int)
    GC_BDW_UNAVAILABLE("use GC_add_roots for extra root ranges");
GC_API void GC_CALL GC_push_finalizer_structures(void)
    GC_BDW_UNAVAILABLE("Gleaner's finalization tables are internal");
typedef void(GC_CALLBACK *GC_push_other_roots_proc)(void);
GC_API void GC_CALL GC_set_push_other_roots(GC_push_other_roots_proc)
    GC_BDW_UNAVAILABLE("use GC_add_roots for extra root ranges");
GC_API GC_push_other_roots_proc GC_CALL GC_get_push_other_roots(void)
    GC_BDW_UNAVAILABLE("use GC_add_roots for extra root ranges");

typedef void(GC_CALLBACK *GC_reachable_object_proc)(void *, size_t, void *);
GC_API void GC_CALL GC_enumerate_reachable_objects_inner(
    GC_reachable_object_proc, void *)
    GC_BDW_UNAVAILABLE("gleaner.h cannot enumerate heap objects");
GC_API int GC_CALL GC_is_tmp_root(void *)
    GC_BDW_UNAVAILABLE("Gleaner's root set is internal");
GC_API void GC_CALL GC_print_trace(GC_word)
    GC_BDW_UNAVAILABLE("Gleaner keeps no trace log");
GC_API void GC_CALL GC_print_trace_inner(GC_word)
    GC_BDW_UNAVAILABLE("Gleaner keeps no trace log");

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GC_MARK_H */
