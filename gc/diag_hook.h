/*
 * diag_hook.h — the one call the collector makes into the diagnostics
 * (diag_hook.c), after marking and before the blocks are flipped.
 */
#ifndef GLEANER_DIAG_HOOK_H
#define GLEANER_DIAG_HOOK_H

/* Lock held, world stopped, marking complete, blocks not yet flipped. */
void diag_after_mark(void);
/* The same, after the compactor moved objects and fixed references. */
void diag_after_compact(void);
#endif
