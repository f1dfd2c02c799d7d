/* Alternate signal stacks.  expect: Gleaner does not scan alternate signal stacks */
#define GC_THREADS
#include <gc.h>
static char stack[1 << 16];
void use_altstack(void) { GC_register_altstack(stack, sizeof stack, stack, sizeof stack); }
