/*
 * diag_hook.c — what runs between marking and sweeping when diagnostics
 * are on: the verifier (GLEANER_VERIFY=1 or a gc_verify() call) and the
 * explainer (GLEANER_EXPLAIN=0xADDR).  This is the only moment at which
 * both the objects of the cycle (alloc bits) and the marker's verdict
 * (mark bits) are known; after the flip an unmarked object is gone.
 *
 * The floor is this function's frame: everything above it is the
 * collector's caller chain and the program, as the marker saw them.
 * With cfg.verify a violation aborts (a broken invariant crashes loudly);
 * under gc_verify() it is counted and returned.
 */
#include "diag_hook.h"
#include "explain.h"
#include "verify.h"

__attribute__((noinline)) void diag_after_mark(void) {
  const char *floor = (const char *)__builtin_frame_address(0);
  if (G->cfg.verify || verify_forced) {
    int errors = verify_metadata();
    int missed = verify_marks_from(floor);
    verify_last_result = errors + (missed > 0 ? missed : 0);
    if (verify_last_result && !verify_forced)
      gc_fatal("GLEANER_VERIFY: the heap failed verification after collection %lu "
               "(%d metadata violations, %d reachable objects unmarked; see above)",
               (unsigned long)G->collections + 1, errors, missed > 0 ? missed : 0);
  }
  explain_env_after_mark(floor);
}
