/*
 * thread_registry.c — the registry of mutator threads: each registered
 * thread has a `mutator` record (mutator.h) in mmapped memory, linked in
 * G->mutators, found through the thread-local gleaner_self.
 *
 * Invariants: G->mutators changes only under G->lock (so a collection,
 * which holds the lock, sees a fixed set of threads); a record is in the
 * list exactly while its thread is alive and registered (threads.c
 * unregisters at thread exit through a pthread key destructor), so the
 * stop-the-world never signals a dead thread.
 */
#include "gc_state.h"
#include "alloc.h"
#include "roots.h"
#include "threads.h"
#include <stdlib.h>
#include <sys/mman.h>

mutator gleaner_unregistered;
static mutator *register_current(void);
__thread mutator *gleaner_self __attribute__((tls_model("initial-exec"))) =
    &gleaner_unregistered;

mutator *registry_record_new(void) {
  mutator *m = mmap(NULL, MUTATOR_MAP_BYTES, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return NULL;
  m->reserved = (cursor_reserve *)(m + 1);
  return m;
}

void registry_record_discard(mutator *m) { munmap(m, MUTATOR_MAP_BYTES); }

/* Lock held: link record m (zeroed, from registry_record_new) for the
 * calling thread. */
static void register_locked(mutator *m) {
  m->thread = pthread_self();
  stack_bounds_of_current_thread(&m->stack_base, &m->stack_limit);
  m->next = G->mutators;
  G->mutators = m;
  gleaner_self = m;
}

/* Debug check: a thread that reaches the heap without registering first.
 * On in builds with -DGLEANER_DEBUG, or with GLEANER_CHECK_THREADS=1. */
static bool check_implicit_registration(void) {
#ifdef GLEANER_DEBUG
  return true;
#else
  static int cached = -1;
  if (cached < 0) {
    const char *v = getenv("GLEANER_CHECK_THREADS");
    cached = v && *v == '1';
  }
  return cached;
#endif
}

static void warn_implicit_registration(void) {
  gc_warnf("thread %lu touches the heap without having been registered: registered "
           "now (use gc_register_thread or gc_pthread_create; heap pointers it held "
           "before this were invisible to the collector)",
           (unsigned long)pthread_self());
}

/* Implicit registration (an unregistered thread allocates): there is no
 * caller to report to, so a thread without a record cannot continue. */
mutator *mutator_current(void) {
  mutator *m = gleaner_self;
  if (GC_LIKELY(m != &gleaner_unregistered))
    return m;
  ensure_init();
  if (check_implicit_registration() && G->mutators) /* the first: by gc_init */
    warn_implicit_registration();
  m = register_current();
  if (!m)
    gc_fatal("cannot allocate the thread record of thread %lu",
             (unsigned long)pthread_self());
  return m;
}

void registry_register_with(mutator *m) {
  threads_global_init();
  state_lock();
  register_locked(m);
  state_unlock();
  threads_on_register(m);
}

/* NULL when no record can be had (mmap failed). */
static mutator *register_current(void) {
  mutator *m = registry_record_new();
  if (m)
    registry_register_with(m);
  return m;
}

int gc_register_thread(void) {
  ensure_init();
  if (gleaner_self != &gleaner_unregistered)
    return 1;
  if (register_current())
    return 0;
  gc_warnf("gc_register_thread: no memory for the record of thread %lu",
           (unsigned long)pthread_self());
  return -1;
}

int gc_thread_is_registered(void) { return gleaner_self != &gleaner_unregistered; }

int gc_unregister_thread(void) {
  ensure_init();
  mutator *m = gleaner_self;
  if (m == &gleaner_unregistered) {
    gc_warnf("gc_unregister_thread: thread %lu is not registered",
             (unsigned long)pthread_self());
    return -1;
  }
  state_lock();
  mutator_cursors_flush(m);
  for (mutator **p = &G->mutators; *p; p = &(*p)->next) {
    if (*p == m) {
      *p = m->next;
      break;
    }
  }
  state_unlock();
  gleaner_self = &gleaner_unregistered;
  threads_on_unregister();
  munmap(m, MUTATOR_MAP_BYTES);
  return 0;
}

void registry_after_fork_child(void) {
  mutator *self = gleaner_self, *m = G->mutators;
  G->mutators = NULL;
  while (m) {
    mutator *next = m->next;
    if (m == self) {
      m->next = G->mutators;
      G->mutators = m;
      m->thread = pthread_self();
    } else {
      mutator_cursors_flush(m);
      munmap(m, MUTATOR_MAP_BYTES);
    }
    m = next;
  }
}

gc_frame **gc_frame_top(void) { return &mutator_current()->frame_top; }
