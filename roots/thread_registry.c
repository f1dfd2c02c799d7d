/*
 * thread_registry.c — the registry of mutator threads: each registered
 * thread has a `mutator` record (mutator.h) in mmapped memory, linked in
 * G->mutators, found through the thread-local gleaner_self.
 */
#include "gc_state.h"
#include "alloc.h"
#include "roots.h"
#include <sys/mman.h>

mutator gleaner_unregistered;
__thread mutator *gleaner_self __attribute__((tls_model("initial-exec"))) =
    &gleaner_unregistered;

/* Lock held. */
static mutator *register_locked(void) {
  mutator *m = mmap(NULL, sizeof(mutator), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return NULL;
  m->thread = pthread_self();
  stack_bounds_of_current_thread(&m->stack_base, &m->stack_limit);
  m->next = G->mutators;
  G->mutators = m;
  gleaner_self = m;
  return m;
}

mutator *mutator_current(void) {
  mutator *m = gleaner_self;
  if (GC_LIKELY(m != &gleaner_unregistered))
    return m;
  ensure_init();
  state_lock();
  m = register_locked();
  state_unlock();
  if (!m)
    gc_fatal("cannot allocate the thread record of thread %lu",
             (unsigned long)pthread_self());
  return m;
}

int gc_register_thread(void) {
  ensure_init();
  if (gleaner_self != &gleaner_unregistered)
    return 1;
  return mutator_current() ? 0 : -1;
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
  for (unsigned k = 0; k < CURSOR_KINDS; k++)
    for (unsigned c = 0; c < NUM_CLASSES; c++)
      cursor_flush(&m->cursors[k][c]);
  for (mutator **p = &G->mutators; *p; p = &(*p)->next) {
    if (*p == m) {
      *p = m->next;
      break;
    }
  }
  state_unlock();
  gleaner_self = &gleaner_unregistered;
  munmap(m, sizeof *m);
  return 0;
}

gc_frame **gc_frame_top(void) { return &mutator_current()->frame_top; }
