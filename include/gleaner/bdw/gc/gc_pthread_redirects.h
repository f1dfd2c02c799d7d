/*
 * gc/gc_pthread_redirects.h — thread creation through Gleaner.
 *
 * Included by gc.h when GC_THREADS is defined.  A thread that touches the
 * heap must be registered with the collector; GC_pthread_create registers
 * the new thread before its start routine runs and unregisters it when it
 * ends, so the redirect macros below make an unmodified Boehm GC program's
 * pthread_create calls safe.  GC_dlopen keeps the collector from scanning a
 * library while the loader is still relocating it.
 *
 * Opt-outs, as in Boehm GC: GC_NO_THREAD_REDIRECTS (keep the system names),
 * GC_NO_DLOPEN, GC_NO_PTHREAD_SIGMASK, GC_NO_PTHREAD_CANCEL,
 * GC_PTHREAD_REDIRECTS_ONLY (macros without declarations).
 */
#ifndef GC_PTHREAD_REDIRECTS_H
#define GC_PTHREAD_REDIRECTS_H

#if defined(GC_H) && defined(GC_PTHREADS)

#ifndef GC_PTHREAD_REDIRECTS_ONLY

#include <pthread.h>
#ifndef GC_NO_DLOPEN
#include <dlfcn.h>
#endif
#ifndef GC_NO_PTHREAD_SIGMASK
#include <signal.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifndef GC_SUSPEND_THREAD_ID
#define GC_SUSPEND_THREAD_ID pthread_t
#endif

#ifndef GC_NO_DLOPEN
GC_API void *GC_dlopen(const char * /* path */, int /* mode */);
#endif

#ifndef GC_NO_PTHREAD_SIGMASK
/* pthread_sigmask, keeping the collector's stop-the-world signal
 * (GC_get_suspend_signal: SIGPWR unless GLEANER_SUSPEND_SIGNAL says
 * otherwise) out of a set being blocked, as Boehm's does. */
GC_API int GC_pthread_sigmask(int /* how */, const sigset_t *,
                              sigset_t * /* oset */);
#endif

#ifndef GC_PTHREAD_CREATE_CONST
#define GC_PTHREAD_CREATE_CONST const
#endif

GC_API int GC_pthread_create(pthread_t *, GC_PTHREAD_CREATE_CONST pthread_attr_t *,
                             void *(*)(void *), void * /* arg */);
GC_API int GC_pthread_join(pthread_t, void ** /* retval */);
GC_API int GC_pthread_detach(pthread_t);
#ifndef GC_NO_PTHREAD_CANCEL
GC_API int GC_pthread_cancel(pthread_t);
#endif
#if defined(GC_HAVE_PTHREAD_EXIT) && !defined(GC_PTHREAD_EXIT_DECLARED)
#define GC_PTHREAD_EXIT_DECLARED
GC_API void GC_pthread_exit(void *) GC_PTHREAD_EXIT_ATTRIBUTE;
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* !GC_PTHREAD_REDIRECTS_ONLY */

#if !defined(GC_NO_THREAD_REDIRECTS)
#undef pthread_create
#undef pthread_join
#undef pthread_detach
#define pthread_create GC_pthread_create
#define pthread_join GC_pthread_join
#define pthread_detach GC_pthread_detach
#ifndef GC_NO_PTHREAD_SIGMASK
#undef pthread_sigmask
#define pthread_sigmask GC_pthread_sigmask
#endif
#ifndef GC_NO_DLOPEN
#undef dlopen
#define dlopen GC_dlopen
#endif
#ifndef GC_NO_PTHREAD_CANCEL
#undef pthread_cancel
#define pthread_cancel GC_pthread_cancel
#endif
#ifdef GC_HAVE_PTHREAD_EXIT
#undef pthread_exit
#define pthread_exit GC_pthread_exit
#endif
#endif /* !GC_NO_THREAD_REDIRECTS */

#endif /* GC_PTHREADS */

#endif /* GC_PTHREAD_REDIRECTS_H */
