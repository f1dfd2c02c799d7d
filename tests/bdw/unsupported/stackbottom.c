/* Setting the stack bottom by hand.  expect: GC_stackbottom' is unavailable */
#include <gc.h>
void set_bottom(char *p) { GC_stackbottom = p; }
