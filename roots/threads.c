/*
 * threads.c — the public thread API around the registry: pthread
 * wrappers that register for you, blocking regions, automatic
 * unregistration at thread exit, and fork().
 *
 * Rules for programs (also in docs/threads.md):
 *   - A thread must be registered before it holds a heap pointer: threads
 *     made by gc_pthread_create are; other threads call
 *     gc_register_thread() first (a thread that merely allocates is
 *     registered on its first allocation, but a heap pointer it got
 *     before that — from a shared variable, say — is invisible to the
 *     collector).  Builds with -DGLEANER_DEBUG (or GLEANER_CHECK_THREADS=1
 *     at run time) warn when a thread is registered implicitly.
 *   - A registered thread is unregistered automatically when it exits (a
 *     pthread key destructor), or explicitly with gc_unregister_thread().
 *   - Between gc_enter_blocking() and gc_leave_blocking() a thread must
 *     not read or write heap pointers: it is not stopped for collections,
 *     it is scanned from the registers and stack saved on entry.
 *
 * gc_pthread_create passes start/arg through a record allocated
 * uncollectable (so it is a root): between pthread_create and the new
 * thread's registration, the argument may be the only reference to a
 * heap object, and a collection may run in between.  The new thread's
 * registry record is made by the creator too: when memory or threads run
 * out, gc_pthread_create returns the error (EAGAIN, or pthread_create's)
 * and nothing is left behind; the new thread itself cannot fail.
 *
 * fork(): the prepare handler takes G->lock, so no collection, registry
 * change or allocation slow path is half done when the address space is
 * copied; the child forgets the other threads (they do not exist in the
 * child), releasing their cursors, and unlocks.
 */
#include "threads.h"
#include "alloc.h"
#include "mark_parallel.h"
#include "roots.h"
#include "stop_world.h"
#include "vm_barrier.h"
#include <errno.h>
#include <string.h>
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

static void unregister_at_exit(void *record) {
  if (gleaner_self == record)
    gc_unregister_thread();
}

static void before_fork(void) {
  if (atomic_load_explicit(&gleaner_initialized, memory_order_acquire)) {
    state_lock();
    /* The child has no marker threads: their work comes back first. */
    mark_parallel_background_stop();
  }
}

static void after_fork_parent(void) {
  if (atomic_load_explicit(&gleaner_initialized, memory_order_acquire))
    state_unlock();
}

static void after_fork_child(void) {
  if (!atomic_load_explicit(&gleaner_initialized, memory_order_acquire))
    return;
  stop_world_after_fork_child();
  mark_parallel_after_fork_child();
  vm_barrier_after_fork_child();
  registry_after_fork_child();
  /* The forking thread took the lock in before_fork and is the only
   * thread of the child: it releases it as the parent does. */
  state_unlock();
}

static void global_init_once(void) {
#if defined(VALGRIND_HG_DISABLE_CHECKING)
  /* gc/alloc.c reads the pacing counters without the lock on purpose (an
   * approximate test); keep helgrind runs about real races. */
  VALGRIND_HG_DISABLE_CHECKING(&G->bytes_since_gc, sizeof G->bytes_since_gc);
  VALGRIND_HG_DISABLE_CHECKING(&G->trigger_bytes, sizeof G->trigger_bytes);
#endif
  stop_world_install();
  if (pthread_key_create(&exit_key, unregister_at_exit) != 0)
    gc_fatal("pthread_key_create failed");
  if (pthread_atfork(before_fork, after_fork_parent, after_fork_child) != 0)
    gc_fatal("pthread_atfork failed");
}

void threads_global_init(void) { pthread_once(&global_once, global_init_once); }

void threads_on_register(mutator *m) {
  threads_global_init();
  pthread_setspecific(exit_key, m);
  stop_world_unblock_signal();
}

void threads_on_unregister(void) {
  threads_global_init();
  pthread_setspecific(exit_key, NULL);
}

/* ---- pthread wrappers ------------------------------------------------ */

typedef struct start_record {
  void *(*start)(void *);
  void *arg;
  mutator *record; /* made by the creator: registration cannot fail */
} start_record;

static void *start_trampoline(void *p) {
  start_record *rec = p;
  registry_register_with(rec->record);
  void *(*start)(void *) = rec->start;
  void *volatile arg = rec->arg; /* on this (scanned) stack from now on */
  gc_free(rec);
  return start(arg);
}

int gc_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                      void *(*start)(void *), void *arg) {
  ensure_init();
  if (!thread || !start) {
    gc_warnf("gc_pthread_create: NULL thread or start function");
    return EINVAL;
  }
  /* Every resource the new thread needs is had here, so that a failure
   * is the caller's error code and leaves nothing behind. */
  start_record *rec = gc_alloc_uncollectable(sizeof *rec);
  if (!rec)
    return EAGAIN;
  rec->record = registry_record_new();
  if (!rec->record) {
    gc_free(rec);
    return EAGAIN;
  }
  rec->start = start;
  rec->arg = arg;
  int rc = pthread_create(thread, attr, start_trampoline, rec);
  if (rc != 0) {
    registry_record_discard(rec->record);
    gc_free(rec);
  }
  return rc;
}

int gc_pthread_join(pthread_t thread, void **retval) {
  /* Joining may take long: park, so collections need not signal us. */
  bool registered = gc_thread_is_registered();
  if (registered)
    gc_enter_blocking();
  int rc = pthread_join(thread, retval);
  if (registered)
    gc_leave_blocking();
  return rc;
}

int gc_pthread_detach(pthread_t thread) { return pthread_detach(thread); }

void gc_pthread_exit(void *retval) {
  /* The key destructor unregisters; do it now so that a collection does
   * not stop a thread that is tearing itself down. */
  if (gc_thread_is_registered())
    gc_unregister_thread();
  pthread_exit(retval);
}

/* ---- blocking regions ------------------------------------------------ */

/* noinline: saved_sp is the caller's stack pointer at this call. */
__attribute__((noinline)) void gc_enter_blocking(void) {
  mutator *m = gleaner_self;
  if (m == &gleaner_unregistered) {
#ifdef GLEANER_DEBUG
    gc_warnf("gc_enter_blocking: thread %lu is not registered (ignored)",
             (unsigned long)pthread_self());
#endif
    return;
  }
  if (m->blocking) {
    gc_warnf("gc_enter_blocking: thread %lu is already in a blocking region (ignored)",
             (unsigned long)pthread_self());
    return;
  }
  /* Callee-saved registers are the only registers live across this call;
   * getcontext saves them, and the caller's frames hold the rest: the
   * scan starts at the caller's stack pointer (the CFA of this frame), so
   * that the frames of the blocking call itself, below it, are not read
   * while the parked thread writes them. */
  /* The suspend signal is held off while the state is saved and
   * published: a handler running in between would overwrite it with its
   * own (deeper) stack pointer; once blocking is set, the handler leaves
   * it alone. */
  sigset_t old;
  stop_world_block_signal(&old);
  getcontext(&m->saved_context);
  m->saved_sp = (char *)__builtin_dwarf_cfa();
  stop_world_annotate_parking(m);
  __atomic_store_n(&m->blocking, 1, __ATOMIC_RELEASE);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void gc_leave_blocking(void) {
  mutator *m = gleaner_self;
  if (m == &gleaner_unregistered || !m->blocking) {
    if (m != &gleaner_unregistered)
      gc_warnf("gc_leave_blocking: thread %lu is not in a blocking region (ignored)",
               (unsigned long)pthread_self());
    return;
  }
  /* A collection in progress may be scanning our saved state: the lock is
   * held for the whole collection, so taking it waits for the end. */
  state_lock();
  __atomic_store_n(&m->blocking, 0, __ATOMIC_RELEASE);
  state_unlock();
}
