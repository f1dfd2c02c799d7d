/* Switching stacks (coroutines).  expect: Gleaner does not support switching stacks */
#include <gc.h>
void *bottom(struct GC_stack_base *sb) { return GC_get_my_stackbottom(sb); }
