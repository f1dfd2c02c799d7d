/*
 * bdw_check.c — Boehm GC's pointer checks (GC_same_obj, GC_pre_incr,
 * GC_post_incr, GC_is_visible, GC_is_valid_displacement) and the small
 * helpers GC_noop1 and GC_clear_stack.
 *
 * These serve checking preprocessors and GC_DEBUG builds (GC_PTR_ADD,
 * GC_PTR_STORE).  A failed check calls the program's print proc; the
 * default ones print a message and abort, as Boehm's do.
 *
 * Visibility of a location (GC_is_visible): it lies in a heap object, on
 * the calling thread's stack, in a data segment Gleaner scans, or in a
 * range given to GC_add_roots.  Gleaner cannot tell a caller whether a heap
 * object is atomic, so a pointer-free object passes too (Boehm documents
 * that the check "may erroneously succeed in hard cases").
 */
#include "bdw_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void GC_CALLBACK default_same_obj_fail(void *p, void *q) {
  fprintf(stderr, "GC_same_obj: %p and %p are not in the same object\n", p, q);
  abort();
}

static void GC_CALLBACK default_displacement_fail(void *p) {
  fprintf(stderr, "GC_is_valid_displacement: %p is not a valid displacement\n", p);
  abort();
}

static void GC_CALLBACK default_visible_fail(void *p) {
  fprintf(stderr, "GC_is_visible: %p is not a location the collector scans\n", p);
  abort();
}

void(GC_CALLBACK *GC_same_obj_print_proc)(void *, void *) = default_same_obj_fail;
void(GC_CALLBACK *GC_is_valid_displacement_print_proc)(void *) =
    default_displacement_fail;
void(GC_CALLBACK *GC_is_visible_print_proc)(void *) = default_visible_fail;

/* p and q are in the same object, or neither is in the heap. */
static int same_object(void *p, void *q) {
  void *base = gc_base(p);
  if (base == NULL)
    return gc_base(q) == NULL;
  return gc_base(q) == base;
}

GC_API void *GC_CALL GC_same_obj(void *p, void *q) {
  bdw_enter();
  if (!same_object(p, q))
    GC_same_obj_print_proc(p, q);
  return p;
}

GC_API void *GC_CALL GC_pre_incr(void **p, ptrdiff_t how_much) {
  void *initial = *p;
  void *result = GC_same_obj((char *)initial + how_much, initial);
  *p = result;
  return result;
}

GC_API void *GC_CALL GC_post_incr(void **p, ptrdiff_t how_much) {
  void *initial = *p;
  *p = GC_same_obj((char *)initial + how_much, initial);
  return initial;
}

/* From just below this frame (the red zone included) to the cold end. */
static int on_my_stack(const void *p) {
  uintptr_t hot = (uintptr_t)__builtin_frame_address(0) - 256;
  uintptr_t cold = (uintptr_t)bdw_stack_cold_end();
  return cold != 0 && (uintptr_t)p >= hot && (uintptr_t)p < cold;
}

GC_API void *GC_CALL GC_is_visible(void *p) {
  bdw_enter();
  if (((uintptr_t)p & (sizeof(void *) - 1)) != 0 ||
      !(gc_base(p) != NULL || on_my_stack(p) || bdw_in_data_segment(p) ||
        bdw_roots_contain(p)))
    GC_is_visible_print_proc(p);
  return p;
}

/* Every interior pointer is recognized by Gleaner. */
GC_API void *GC_CALL GC_is_valid_displacement(void *p) { return p; }

GC_API void GC_CALL GC_noop1(GC_word x) { __asm__ __volatile__("" : : "r"(x) : "memory"); }

/* Zeroes a stretch of stack below the caller, where dead frames may still
 * hold pointers that retain garbage. */
static BDW_NOINLINE void clear_below(void) {
  volatile char area[2048];
  memset((char *)area, 0, sizeof area);
  __asm__ __volatile__("" : : "r"(area) : "memory");
}

GC_API void *GC_CALL GC_clear_stack(void *arg) {
  clear_below();
  return arg;
}
