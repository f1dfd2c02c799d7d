/*
 * bdw_threads.c — Boehm GC's thread calls on gleaner.h's thread registry.
 *
 * GC_pthread_create/join/detach/exit map to gc_pthread_*, which register the
 * new thread before its start routine and unregister it at its end.
 * Explicit registration (GC_register_my_thread) maps to gc_register_thread;
 * the stack base the program passes is not needed, since Gleaner finds each
 * thread's stack itself.
 *
 * Signals: Gleaner stops threads with one signal (layer_suspend_signal;
 * GC_set_suspend_signal chooses it before initialization) and restarts
 * them without one, so GC_get_thr_restart_signal is -1 and
 * GC_set_thr_restart_signal has nothing to set.
 *
 * Blocking: GC_do_blocking brackets fn with gc_enter_blocking /
 * gc_leave_blocking.  A thread-local depth remembers that the thread is
 * inside GC_do_blocking, so that GC_call_with_gc_active can leave the
 * blocking state around its own fn and re-enter it afterwards, and so that
 * a nested GC_do_blocking does not enter twice.
 */
#include "bdw_internal.h"
#include "layer_queries.h"

#include <dlfcn.h>
#include <signal.h>

static BDW_TLS unsigned blocking_depth;

GC_API int GC_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                             void *(*start)(void *), void *arg) {
  bdw_enter();
  return gc_pthread_create(thread, attr, start, arg);
}

GC_API int GC_pthread_join(pthread_t thread, void **retval) {
  bdw_enter();
  return gc_pthread_join(thread, retval);
}

GC_API int GC_pthread_detach(pthread_t thread) {
  bdw_enter();
  return gc_pthread_detach(thread);
}

GC_API void GC_pthread_exit(void *retval) {
  gc_pthread_exit(retval);
}

/* Gleaner unregisters a thread however it ends, cancellation included. */
GC_API int GC_pthread_cancel(pthread_t thread) { return pthread_cancel(thread); }

/* Boehm's version keeps the collector's suspend signal out of `set`;
 * gleaner.h does not say which signal Gleaner stops threads with, so the
 * set passes unchanged (a thread that blocks it delays collections, and
 * Gleaner warns about it). */
/* As in Boehm GC, the suspend signal is taken out of a set being blocked:
 * a registered thread that blocked it could never be stopped, and every
 * collection would wait for it. */
GC_API int GC_pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
  sigset_t allowed;
  if (set != NULL && (how == SIG_BLOCK || how == SIG_SETMASK)) {
    allowed = *set;
    sigdelset(&allowed, GC_get_suspend_signal());
    set = &allowed;
  }
  return pthread_sigmask(how, set, old);
}

GC_API int GC_CALL GC_get_suspend_signal(void) {
  bdw_enter();
  return layer_suspend_signal();
}

GC_API int GC_CALL GC_get_thr_restart_signal(void) { return -1; }

/* Boehm GC: a suggestion, with no effect after initialization. */
GC_API void GC_CALL GC_set_suspend_signal(int sig) {
  pthread_mutex_lock(&bdw_lock);
  if (!GC_is_init_called())
    bdw_pending.suspend_signal = sig;
  pthread_mutex_unlock(&bdw_lock);
}

/* Gleaner restarts threads without a signal: nothing to choose. */
GC_API void GC_CALL GC_set_thr_restart_signal(int sig) { (void)sig; }

/* No collection while the loader maps and relocates the library (its data
 * segment is not yet in a state worth scanning); then apply GC_no_dls and
 * the static-roots filter to what was loaded.  GC_disable, as in Boehm GC,
 * so that explicit collections wait too. */
GC_API void *GC_dlopen(const char *path, int mode) {
  GC_disable();
  void *handle = dlopen(path, mode);
  GC_enable();
  bdw_apply_library_filters(0);
  return handle;
}

GC_API void GC_CALL GC_allow_register_threads(void) { bdw_enter(); }

GC_API void GC_CALL GC_start_mark_threads(void) { bdw_enter(); }

GC_API int GC_CALL GC_register_my_thread(const struct GC_stack_base *sb) {
  (void)sb;
  bdw_enter();
  if (gc_thread_is_registered())
    return GC_DUPLICATE;
  if (gc_register_thread() != 0) {
    bdw_warnf("GC_register_my_thread: Gleaner could not register the thread");
    return GC_UNIMPLEMENTED;
  }
  return GC_SUCCESS;
}

GC_API int GC_CALL GC_unregister_my_thread(void) {
  bdw_enter();
  return gc_unregister_thread() == 0 ? GC_SUCCESS : GC_NOT_FOUND;
}

GC_API int GC_CALL GC_thread_is_registered(void) {
  bdw_enter();
  return gc_thread_is_registered();
}

GC_API void *GC_CALL GC_do_blocking(GC_fn_type fn, void *cd) {
  bdw_enter();
  if (blocking_depth > 0)
    return fn(cd);
  gc_enter_blocking();
  blocking_depth = 1;
  void *result = fn(cd);
  blocking_depth = 0;
  gc_leave_blocking();
  return result;
}

GC_API void *GC_CALL GC_call_with_gc_active(GC_fn_type fn, void *cd) {
  bdw_enter();
  unsigned saved = blocking_depth;
  if (saved == 0)
    return fn(cd);
  gc_leave_blocking();
  blocking_depth = 0;
  void *result = fn(cd);
  blocking_depth = saved;
  gc_enter_blocking();
  return result;
}

void *bdw_stack_cold_end(void) {
  pthread_attr_t attr;
  void *addr;
  size_t size;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return NULL;
  int err = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  return err == 0 ? (char *)addr + size : NULL;
}

GC_API int GC_CALL GC_get_stack_base(struct GC_stack_base *sb) {
  void *cold = bdw_stack_cold_end();
  if (cold == NULL)
    return GC_UNIMPLEMENTED;
  sb->mem_base = cold;
  return GC_SUCCESS;
}

/* The address of a local of this frame is a valid (if not the coldest)
 * stack bottom for everything fn does. */
GC_API void *GC_CALL GC_call_with_stack_base(GC_stack_base_func fn, void *arg) {
  struct GC_stack_base base;
  base.mem_base = (void *)&base;
  void *result = fn(&base, arg);
  __asm__ __volatile__("" : : "r"(&base) : "memory"); /* keep the frame */
  return result;
}
