/*
 * dirty_cards.h — the one dirty set both barriers feed (dirty_cards.c):
 * one byte per 4 KiB card of the heap reservation.
 */
#ifndef GLEANER_DIRTY_CARDS_H
#define GLEANER_DIRTY_CARDS_H
#include "gc_state.h"

bool dirty_cards_init(void);
void dirty_cards_mark_range(uintptr_t lo, uintptr_t hi);
void dirty_cards_clear_all(void);
/* Lock held, marking: re-grey every marked object on a dirty card, clear
 * the cards.  Returns the bytes re-greyed. */
size_t dirty_cards_rescan(void);
/* The same in steps: from card word *cursor on, until at least max_cards
 * were rescanned (adds the bytes re-greyed to *bytes; a card word is
 * finished once begun); true (and *cursor back to 0) when the end was
 * reached. */
bool dirty_cards_rescan_step(size_t *cursor, size_t max_cards, size_t *bytes);
#endif
