/* Choosing the stop-the-world signal.  expect: Gleaner chooses its own stop-the-world signal */
#define GC_THREADS
#include <gc.h>
#include <signal.h>
void pick_signal(void) { GC_set_suspend_signal(SIGUSR1); }
