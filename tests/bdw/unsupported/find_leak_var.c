/* The leak-finding variable, written directly.  expect: GC_find_leak' is unavailable */
#include <gc.h>
void leak_mode(void) { GC_find_leak = 1; }
