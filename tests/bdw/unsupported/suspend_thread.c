/* Suspending one thread from outside.  expect: gleaner.h cannot suspend a single thread */
#define GC_THREADS
#include <gc.h>
#include <gc/javaxfc.h>
#include <pthread.h>
void pause_it(pthread_t t) { GC_suspend_thread(t); }
