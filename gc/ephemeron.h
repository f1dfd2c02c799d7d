/*
 * ephemeron.h — ephemerons (ephemeron.c): key → value pairs whose value
 * is traced only while the key is reachable from elsewhere.
 *
 * An ephemeron is a precise object of an internal type with no traced
 * slot; a registry lists every ephemeron.  After the ordinary mark drain,
 * ephemeron_trace_round() traces the value of every reached ephemeron
 * whose key is reached; the caller drains and repeats until a round traces
 * nothing (a fixpoint: chains k1 → v1 → k2 → v2 … and cycles come out
 * right, and a value that names its own key does not keep it alive).
 * Ephemerons are cleared (key and value set to NULL) when the key is
 * reclaimed — after finalization, like long links: while a finalizer
 * keeps the key alive, the value stays.
 *
 * Cost: one round is linear in the ephemerons still pending (reached, key
 * not yet reached); settled ones leave the pending range.  Rounds
 * alternate direction and drain the grey stack as soon as a value is
 * greyed, so a chain k1 → v1 → k2 … settles in one or two rounds whichever
 * order the ephemerons were created in; only orders that zigzag against
 * both directions need more (worst case O(n²) for n chained ephemerons).
 */
#ifndef GLEANER_EPHEMERON_H
#define GLEANER_EPHEMERON_H
#include "gc_state.h"

void ephemeron_cycle_begin(void);
/* One round; true when it greyed a value (the caller drains and repeats). */
bool ephemeron_trace_round(void);
/* Clear ephemerons whose key died; forget ephemerons that die. */
void ephemeron_finish(void);
void ephemeron_visit_slots(gc_visit_fn visit, void *ctx);
size_t ephemeron_registry_count(void);
uint64_t ephemeron_cleared_total(void);
#endif
