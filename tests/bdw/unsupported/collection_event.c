/* A collection event hook.  expect: gleaner.h has no collection event hook */
#include <gc.h>
static void on_event(GC_EventType e) { (void)e; }
void hook(void) { GC_set_on_collection_event(on_event); }
