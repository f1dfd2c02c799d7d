/* The cord library.  expect: <gc/cord.h> is not provided by Gleaner */
#include <gc/cord.h>
