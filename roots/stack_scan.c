/*
 * stack_scan.c — registers and stacks, through libunwind.
 *
 * The registers come from unw_getcontext (scanned ambiguously, every
 * time).  The stack is then scanned linearly from the innermost frame up
 * to the stack base (pthread_getattr_np's, computed without its cost for
 * the main thread: main_thread_bounds), so the scan never misses a word.
 * With cfg.stack_walk_frames > 0 (GLEANER_STACK_WALK_FRAMES) the first
 * frames are walked with unw_step and scanned one by one before the
 * linear scan covers whatever the walk did not reach (deep recursion,
 * frames without unwind information, a walk that fails or goes
 * backwards); the words scanned are the same either way.
 *
 * The default is no walk: the marker attributes nothing to frames (the
 * diagnostics that name frames walk on their own, root_walk.c), and the
 * walk is the costliest part of a small collection.  Measured here with
 * Debian's libunwind 1.6.2, whose per-thread cache is compiled out (so
 * UNW_CACHE_PER_THREAD falls back to the global cache and every unw_step
 * takes its lock with two sigprocmask calls): 16 frames cost ~10 µs per
 * collection and ~100 µs at the first one (libunwind's set-up, unwind
 * tables parsed); a linear scan costs ~20 ns per KiB.  So libunwind is
 * set up only before the first walk.
 */
#define UNW_LOCAL_ONLY
#include "roots.h"
#include "mark.h"
#include "valgrind_support.h"
#include "valgrind_unwind.h"
#include <libunwind.h>
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <unistd.h>

/* libunwind's default global cache blocks signals around every lookup
 * (about 30 sigprocmask calls per collection); a per-thread cache needs
 * no lock, and only the collecting thread walks stacks.  Set once, before
 * the first walk (libunwind's set-up is not free: see the top). */
static pthread_once_t unwind_policy_once = PTHREAD_ONCE_INIT;

static void set_unwind_policy(void) {
  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

/* The main thread's stack as glibc's pthread_getattr_np gives it, without
 * its cost: for the main thread glibc reads and parses all of
 * /proc/self/maps to find the end of the stack mapping, ~100 µs — the
 * costliest step of start-up, more than all of the collector's own.
 * glibc's base is the page above __libc_stack_end; the mapping ends at
 * the page holding the end of the executable's file name, which the
 * kernel copies to the very top of the stack (AT_EXECFN); the limit is
 * RLIMIT_STACK below the mapping's end.  glibc also caps the size at the
 * end of the mapping below, which the kernel's layout keeps out of
 * RLIMIT_STACK's reach (mmap_base leaves that gap; only a MAP_FIXED
 * mapping could be there).  false (ask glibc) for another thread, an
 * unlimited stack, or any value out of line. */
extern void *__libc_stack_end;

static bool main_thread_bounds(char **base, char **limit) {
  if (gettid() != getpid())
    return false;
  struct rlimit rl;
  const char *execfn = (const char *)getauxval(AT_EXECFN);
  long pagesize = sysconf(_SC_PAGESIZE);
  if (!execfn || pagesize <= 0 || getrlimit(RLIMIT_STACK, &rl) != 0 ||
      rl.rlim_cur == RLIM_INFINITY)
    return false;
  uintptr_t page = (uintptr_t)pagesize;
  uintptr_t b = ((uintptr_t)__libc_stack_end & -page) + page;
  uintptr_t top = ((uintptr_t)execfn + strlen(execfn) + 1 + page - 1) & -page;
  if (top < b || top - b >= rl.rlim_cur)
    return false;
  uintptr_t size = (rl.rlim_cur - (top - b)) & -page;
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (size > b || here >= b || here < b - size)
    return false;
  *base = (char *)b;
  *limit = (char *)(b - size);
  return true;
}

void stack_bounds_of_current_thread(char **base, char **limit) {
  if (main_thread_bounds(base, limit))
    return;
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
  }
  if (!addr) {
    gc_fatal("cannot find the stack of thread %lu", (unsigned long)pthread_self());
  }
  *limit = addr;
  *base = (char *)addr + size;
}

/* Scan [lo, hi) of a stack: under valgrind through a copy marked defined,
 * since stacks hold uninitialised words that are legitimately read here. */
static void scan_stack_words(char *lo, char *hi) {
  if (lo >= hi)
    return;
  if (running_on_valgrind())
    valgrind_scan_copy(lo, hi, mark_ambiguous_range);
  else
    mark_ambiguous_range(lo, hi);
}

/* Walk up to max_frames frames from ctx, scanning each; returns the
 * lowest address not yet scanned (the sp where the walk stopped). */
static char *walk_frames(unw_context_t *ctx, char *sp, char *base, unsigned max_frames) {
  unw_cursor_t cursor;
  if (max_frames == 0)
    return sp;
  pthread_once(&unwind_policy_once, set_unwind_policy);
  if (unw_init_local(&cursor, ctx) != 0)
    return sp;
  for (unsigned i = 0; i < max_frames; i++) {
    if (unwind_step(&cursor) <= 0) /* memcheck vs libunwind's page probes */
      break;
    unw_word_t caller_sp;
    if (unw_get_reg(&cursor, UNW_REG_SP, &caller_sp) != 0)
      break;
    char *next = (char *)caller_sp;
    if (next < sp || next > base)
      break; /* implausible frame: leave the rest to the linear scan */
    scan_stack_words(sp, next);
    sp = next;
  }
  return sp;
}

__attribute__((noinline)) void stack_scan_current_thread(mutator *m) {
  unw_context_t ctx;
  if (unw_getcontext(&ctx) != 0)
    gc_fatal("unw_getcontext failed");
  scan_stack_words((char *)&ctx, (char *)(&ctx + 1));
  char *sp = (char *)__builtin_frame_address(0);
  if ((char *)&ctx < sp)
    sp = (char *)&ctx;
  sp = (char *)((uintptr_t)sp & ~(uintptr_t)7);
  char *rest = walk_frames(&ctx, sp, m->stack_base, G->cfg.stack_walk_frames);
  scan_stack_words(rest, m->stack_base);
}

void stack_scan_stopped_thread(mutator *m) {
  scan_stack_words((char *)&m->saved_context, (char *)(&m->saved_context + 1));
  char *sp = m->saved_sp;
  if (sp < m->stack_limit || sp > m->stack_base)
    gc_fatal("saved stack pointer %p of a stopped thread is outside its stack [%p, %p)",
             (void *)sp, (void *)m->stack_limit, (void *)m->stack_base);
  /* The red zone below sp may hold live values of a leaf function.  A
   * parked thread (gc_enter_blocking) is inside a call: below its saved
   * sp are only the live frames of its blocking call, not to be read. */
  char *lo = m->stopped != MUTATOR_PARKED && sp - 128 >= m->stack_limit ? sp - 128 : sp;
  scan_stack_words(lo, m->stack_base);
}

/* Zero the dead part of the stack just below the caller, when the thread
 * has room: a frame pushed there later (the collector's own, on its way
 * to the scan) would otherwise carry stale pointers in its uninitialised
 * slots, and the conservative scan would keep their targets alive.  Called
 * at the collector's entry points, as Boehm GC's GC_clear_stack is. */
#define CLEAR_BYTES (16 * 1024)
__attribute__((noinline)) void stack_clear_dead(void) {
  mutator *m = gleaner_self;
  char *here = (char *)__builtin_frame_address(0);
  if (m == &gleaner_unregistered || here - m->stack_limit < 4 * CLEAR_BYTES)
    return;
  volatile char buf[CLEAR_BYTES];
  __builtin_memset((char *)buf, 0, sizeof buf);
  __asm__ volatile("" ::"r"(buf) : "memory");
}
