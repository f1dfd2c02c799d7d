/*
 * threads.h — process-wide thread support (threads.c): the one-time set-up
 * (suspend handler, exit-time key, fork handlers) and the per-thread hook
 * run at registration.
 */
#ifndef GLEANER_THREADS_H
#define GLEANER_THREADS_H
#include "gc_state.h"

/* Once per process (idempotent, thread-safe). */
void threads_global_init(void);
/* The calling thread was just registered with record m: arrange for its
 * automatic unregistration at exit, and let it receive the suspend signal. */
void threads_on_register(mutator *m);
/* The calling thread is being unregistered. */
void threads_on_unregister(void);

/* thread_registry.c: a thread record made ahead of its thread (NULL when
 * there is no memory), so that gc_pthread_create can report the failure
 * to its caller instead of failing in the new thread; registering the
 * calling thread with such a record (cannot fail); or discarding it. */
mutator *registry_record_new(void);
void registry_register_with(mutator *m);
void registry_record_discard(mutator *m);

/* thread_registry.c: in the child of fork(), drop every record but the
 * caller's (their threads do not exist there) and release their cursors. */
void registry_after_fork_child(void);
#endif
