/*
 * gc/javaxfc.h — Boehm GC's extra calls for Java-style runtimes, on
 * Gleaner.
 *
 * GC_finalize_all runs every registered finalizer, reachable objects
 * included, until none is registered (finalizers that register more are
 * run too), as Boehm GC does at a Java runtime's exit.  Suspending single
 * threads from outside is not provided: using it stops the build with the
 * reason.
 */
#ifndef GC_JAVAXFC_H
#define GC_JAVAXFC_H

#ifndef GC_H
#include "gc.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

GC_API void GC_CALL GC_finalize_all(void);

#ifdef GC_THREADS
#ifndef GC_SUSPEND_THREAD_ID
#define GC_SUSPEND_THREAD_ID void *
#endif
GC_API void GC_CALL GC_suspend_thread(GC_SUSPEND_THREAD_ID)
    GC_BDW_UNAVAILABLE("gleaner.h cannot suspend a single thread");
GC_API void GC_CALL GC_resume_thread(GC_SUSPEND_THREAD_ID)
    GC_BDW_UNAVAILABLE("gleaner.h cannot suspend a single thread");
GC_API int GC_CALL GC_is_thread_suspended(GC_SUSPEND_THREAD_ID)
    GC_BDW_UNAVAILABLE("gleaner.h cannot suspend a single thread");
#endif

#ifdef __cplusplus
}
#endif

#endif /* GC_JAVAXFC_H */
