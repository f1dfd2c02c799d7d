/*
 * pin.h — object identity under motion (pin.c): explicit pins
 * (gc_pin/gc_unpin) and stable identity hashes (gc_identity_hash).
 *
 * Both are side tables keyed by an object's user address.  The collector
 * calls in at two points of every cycle, lock held, world stopped:
 *   pins_mark_roots()       with the other roots: every pinned object is
 *                           marked ambiguously, so it stays alive and its
 *                           pin bit is set (the compactor leaves it alone);
 *   identity_after_mark(f)  once marking (and evacuation, if any) is done:
 *                           entries of dead objects are dropped, entries of
 *                           moved objects follow them (f maps an old
 *                           address to the new one, or NULL if not moved).
 */
#ifndef GLEANER_PIN_H
#define GLEANER_PIN_H
#include "gc_state.h"

void pins_mark_roots(void);

typedef char *(*forward_fn)(uintptr_t addr);
void identity_after_mark(forward_fn forward);
#endif
