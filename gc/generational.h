/*
 * generational.h — minor collections with sticky mark bits
 * (generational.c).
 */
#ifndef GLEANER_GENERATIONAL_H
#define GLEANER_GENERATIONAL_H
#include "gc_state.h"

/* World stopped, cursors flushed, before the marks are touched: harvest
 * the dirty pages (the remembered set) and decide.  True: this collection
 * is minor — keep the marks, and rescan the dirty cards after the roots. */
bool generational_begin(bool full_requested);
/* After the flip (live_bytes set): the policy's bookkeeping. */
void generational_end(bool minor);
/* Lock held: an allocation cursor takes listed block bi (it may hold old
 * objects). */
void generational_block_reused(uint32_t bi);
/* Minor collections are possible (for statistics and tests). */
bool generational_enabled(void);
#endif
