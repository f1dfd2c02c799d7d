/*
 * verify.h — the heap verifier (verify.c): block metadata, bitmaps, lists
 * and cursors checked against each other, and an independent
 * stop-the-world traversal from the roots compared with the marker's
 * result.  Used by GLEANER_VERIFY=1 after every collection, by gc_verify(),
 * and by the tests.
 */
#ifndef GLEANER_VERIFY_H
#define GLEANER_VERIFY_H
#include "gc_state.h"

/* Lock held.  Metadata consistency; returns the number of violations (the
 * first few are reported through the warn handler). */
int verify_metadata(void);
/* The same between the compactor and the sweep: moved-from objects must
 * forward to marked copies; the available lists are not checked (the
 * sweep rebuilds them). */
int verify_metadata_after_compaction(void);

/* Lock held, world stopped, marking complete and blocks not yet flipped
 * (alloc bits = objects before the cycle, mark bits = the marker's
 * result).  Every object reachable from the roots must be marked; the
 * first that is not is reported with the path that reaches it.  Returns
 * the number of reachable-but-unmarked objects (-1: no scratch memory).
 * The incremental collector calls this after its remark. */
int verify_marks_after_cycle(void);
/* The same with an explicit floor (root_walk.h): the caller's frames below
 * it are not roots. */
int verify_marks_from(const char *floor);

/* Where path reports go (default stderr). */
void verify_report_to(FILE *out);

/* Set while gc_verify() runs a collection: the after-mark hook verifies
 * even when cfg.verify is off; the hook leaves its count here. */
extern int verify_forced;
extern int verify_last_result;
#endif
