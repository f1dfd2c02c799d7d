/* Toggle references.  expect: gleaner.h has no toggle references */
#include <gc.h>
int add(void *obj) { return GC_toggleref_add(obj, 1); }
