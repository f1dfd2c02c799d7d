/*
 * diag_hook.c — what runs between marking and sweeping when diagnostics
 * are on: the verifier (GLEANER_VERIFY=1 or a gc_verify() call) and the
 * explainer (GLEANER_EXPLAIN=0xADDR).  This is the only moment at which
 * both the objects of the cycle (alloc bits) and the marker's verdict
 * (mark bits) are known; after the flip an unmarked object is gone.
 *
 * After compaction the marks are checked once more: a moved object's old
 * copy is no longer marked, so an exact reference the compactor failed to
 * fix shows up as a reachable, unmarked object (forwarding consistency).
 *
 * The floor is this function's frame: everything above it is the
 * collector's caller chain and the program, as the marker saw them.
 * With cfg.verify a violation aborts (a broken invariant crashes loudly);
 * under gc_verify() it is counted and returned.
 */
#include "diag_hook.h"
#include "explain.h"
#include "verify.h"

/* Metadata and marks; a violation is fatal unless gc_verify() asked. */
static void verify_or_die(const char *when, const char *floor, bool compacted) {
  int errors = compacted ? verify_metadata_after_compaction() : verify_metadata();
  int missed = verify_marks_from(floor);
  verify_last_result += errors + (missed > 0 ? missed : 0);
  if ((errors || missed > 0) && !verify_forced)
    gc_fatal("GLEANER_VERIFY: the heap failed verification %s collection %lu "
             "(%d metadata violations, %d reachable objects unmarked; see above)",
             when, (unsigned long)G->collections + 1, errors, missed > 0 ? missed : 0);
}

__attribute__((noinline)) void diag_after_mark(void) {
  const char *floor = (const char *)__builtin_frame_address(0);
  if (G->cfg.verify || verify_forced)
    verify_or_die("after", floor, false);
  explain_env_after_mark(floor);
}

__attribute__((noinline)) void diag_after_compact(void) {
  if (G->cfg.verify || verify_forced)
    verify_or_die("after the compaction of", (const char *)__builtin_frame_address(0), true);
}
