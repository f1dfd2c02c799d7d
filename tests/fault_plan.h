/*
 * fault_plan.h — the operating system says no, on demand, for the fault
 * injection tests (test_faults.c, test_faults_marking.c).
 *
 * Those programs are linked with
 * -Wl,--wrap=mmap,--wrap=mprotect,--wrap=madvise,--wrap=mremap,--wrap=pthread_create
 * (tests/faults.mk), so every call the collector's objects make to those
 * functions lands in the __wrap_ functions below, which fail on demand and
 * otherwise forward to the real ones.  The library carries no hook and
 * pays nothing.  A plan per function: let `skip` calls through, then fail
 * `fail` calls (-1: all) with ENOMEM (EAGAIN for pthread_create, as glibc
 * reports a thread that cannot be made).  Calls made inside glibc (its own
 * mmap for a thread stack, say) are not wrapped: only the collector's.
 *
 * Include it in one translation unit of a program only.
 */
#ifndef GLEANER_FAULT_PLAN_H
#define GLEANER_FAULT_PLAN_H
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

typedef enum { F_MMAP, F_MPROTECT, F_MADVISE, F_MREMAP, F_PTHREAD, F_COUNT } fault_fn;
static struct {
  long skip;      /* calls to let through before failing */
  long fail;      /* calls to fail after that (-1: all) */
  long failed;    /* calls failed so far */
  size_t length;  /* mmap only: if not 0, only calls of this length count */
} plan[F_COUNT];

static inline void arm(fault_fn f, long skip, long fail) {
  plan[f].skip = skip;
  plan[f].fail = fail;
  plan[f].failed = 0;
}
static inline void disarm_all(void) { memset(plan, 0, sizeof plan); }

/* Atomic: marker threads and gc_pthread_create may race on the plan. */
static inline bool should_fail(fault_fn f) {
  if (__atomic_load_n(&plan[f].fail, __ATOMIC_RELAXED) == 0)
    return false;
  if (__atomic_load_n(&plan[f].skip, __ATOMIC_RELAXED) > 0 &&
      __atomic_sub_fetch(&plan[f].skip, 1, __ATOMIC_RELAXED) >= 0)
    return false;
  if (__atomic_load_n(&plan[f].fail, __ATOMIC_RELAXED) > 0)
    __atomic_sub_fetch(&plan[f].fail, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&plan[f].failed, 1, __ATOMIC_RELAXED);
  errno = ENOMEM;
  return true;
}

void *__real_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
int __real_mprotect(void *a, size_t n, int prot);
int __real_madvise(void *a, size_t n, int advice);
void *__real_mremap(void *old, size_t old_n, size_t new_n, int flags, ...);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg);

/* Fail only the mappings of exactly `length` bytes (one table of the
 * collector), as plan `fail` says. */
static inline void arm_mmap_of_length(size_t length, long fail) {
  arm(F_MMAP, 0, fail);
  plan[F_MMAP].length = length;
}

void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off) {
  bool targeted = !plan[F_MMAP].length || plan[F_MMAP].length == n;
  return targeted && should_fail(F_MMAP) ? MAP_FAILED
                                         : __real_mmap(a, n, prot, flags, fd, off);
}
int __wrap_mprotect(void *a, size_t n, int prot) {
  return should_fail(F_MPROTECT) ? -1 : __real_mprotect(a, n, prot);
}
int __wrap_madvise(void *a, size_t n, int advice) {
  return should_fail(F_MADVISE) ? -1 : __real_madvise(a, n, advice);
}
void *__wrap_mremap(void *old, size_t old_n, size_t new_n, int flags, ...) {
  if (should_fail(F_MREMAP))
    return MAP_FAILED;
  if (flags & MREMAP_FIXED) {
    va_list ap;
    va_start(ap, flags);
    void *target = va_arg(ap, void *);
    va_end(ap);
    return __real_mremap(old, old_n, new_n, flags, target);
  }
  return __real_mremap(old, old_n, new_n, flags);
}
/* Threads the collector (or the test) created through the wrapper. */
static long threads_created;
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg) {
  if (should_fail(F_PTHREAD))
    return EAGAIN; /* pthread_create reports, it does not set errno */
  int rc = __real_pthread_create(t, attr, start, arg);
  if (rc == 0)
    __atomic_add_fetch(&threads_created, 1, __ATOMIC_RELAXED);
  return rc;
}
#endif
