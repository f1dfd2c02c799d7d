/* A header Gleaner does not provide.  expect: <gc/gc_gcj.h> is not provided by Gleaner */
#include <gc/gc_gcj.h>
