/*
 * gc.h — Gleaner's Boehm GC compatibility header, top-level spelling.
 *
 * Boehm GC installs both <gc.h> and <gc/gc.h>; programs use either.  With
 * `pkg-config --cflags bdw-gc` pointing at Gleaner's bdw-gc.pc, this folder
 * comes first on the include path, so both spellings reach our gc/gc.h.
 */
#include "gc/gc.h"
