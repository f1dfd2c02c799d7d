/* Leak-finding mode.  expect: Gleaner has no leak-finding mode */
#include <gc.h>
void leak_mode(void) { GC_set_find_leak(1); }
