/* A configuration macro Gleaner cannot honour.  expect: GC_FULL_FREQ: not provided by Gleaner */
#define GC_FULL_FREQ 10
#include <gc.h>
