/*
 * vm_mprotect.c — the fallback virtual-memory barrier: scanned blocks are
 * made read-only during a cycle; the first write to a page traps into a
 * SIGSEGV handler that records the page's card as dirty and makes the page
 * writable again.  Used when userfaultfd asynchronous write-protection is
 * missing (Linux < 6.7), or when GLEANER_VM_BARRIER=mprotect forces it.
 *
 * Limits, and why the userfaultfd barrier is preferred: a system call that
 * writes into a protected page (read(2) into a gc_alloc buffer) fails with
 * EFAULT instead of trapping, so only scanned blocks are protected —
 * atomic (pointer-free) blocks, where I/O buffers belong, never are; and
 * every first write to a page costs a signal.
 *
 * A program (or a test framework) that installs its own SIGSEGV handler
 * while pages are protected would receive our faults: the handler is put
 * back on top at every allocation slow path during a cycle (mprotect_poll)
 * and chains to the program's handler for faults that are not ours.
 *
 * The handler takes no lock: it sets a card bit atomically and calls
 * mprotect, both safe in a signal handler.  A fault that is not ours goes
 * to the previous handler (or the default action).
 */
#include "vm_mprotect.h"
#include "dirty_cards.h"
#include "vm_barrier.h"
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static struct sigaction previous;
static volatile int protecting;

static void chain_to_previous(int sig, siginfo_t *info, void *context) {
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(sig, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(sig);
  } else {
    signal(sig, SIG_DFL); /* re-fault with the default action: a real crash */
  }
}

static void on_segv(int sig, siginfo_t *info, void *context) {
  uintptr_t a = (uintptr_t)info->si_addr;
  if (!G || !addr_in_heap(a) || info->si_code != SEGV_ACCERR) {
    chain_to_previous(sig, info, context);
    return;
  }
  if (!protecting) {
    /* The cycle ended between the fault and this test (the thread may
     * have been stopped in this handler while the collector released
     * the heap): a committed block is writable again, or about to be,
     * so retry the write.  Only the uncommitted reservation above
     * high_water stays inaccessible: a real fault. */
    if (block_index(a) >= G->high_water)
      chain_to_previous(sig, info, context);
    return;
  }
  uintptr_t page = a & ~(CARD_SIZE - 1);
  dirty_cards_mark_range(page, page + CARD_SIZE);
  if (mprotect((void *)page, CARD_SIZE, PROT_READ | PROT_WRITE) != 0)
    chain_to_previous(sig, info, context);
}

/* (Re)install the handler on top of whatever is there now: a program or a
 * test framework may have installed its own since the last cycle. */
static bool install_handler(void) {
  struct sigaction current;
  if (sigaction(SIGSEGV, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
      current.sa_sigaction == on_segv)
    return true;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  return sigaction(SIGSEGV, &sa, &previous) == 0;
}

bool mprotect_barrier_init(const char **why) {
  if (!install_handler()) {
    *why = "cannot install the SIGSEGV handler";
    return false;
  }
  return true;
}

/* Protect maximal runs of scanned blocks in [first, end). */
static void protect_blocks(uint32_t first, uint32_t end) {
  protecting = 1;
  for (uint32_t i = first; i < end;) {
    if (!block_is_scanned(i)) {
      i++;
      continue;
    }
    uint32_t j = i;
    while (j < end && block_is_scanned(j))
      j++;
    mprotect(block_base(i), (size_t)(j - i) * BLOCK_SIZE, PROT_READ);
    i = j;
  }
}

void mprotect_protect_range(uintptr_t lo, uintptr_t hi) {
  if (!install_handler())
    gc_fatal("cannot install the SIGSEGV handler of the mprotect barrier");
  protect_blocks(block_index(lo), block_index(hi - 1) + 1);
}

void mprotect_poll(void) {
  if (protecting && !install_handler())
    gc_fatal("cannot re-install the SIGSEGV handler of the mprotect barrier");
}

void mprotect_block_acquired(uint32_t index, uint32_t count) {
  if (protecting)
    protect_blocks(index, index + count);
}

void mprotect_rearm_card(uintptr_t card_lo) {
  if (protecting && block_is_scanned(block_index(card_lo)))
    mprotect((void *)card_lo, CARD_SIZE, PROT_READ);
}

void mprotect_release_all(void) {
  if (!protecting)
    return;
  mprotect((void *)G->heap_lo, (size_t)G->high_water * BLOCK_SIZE, PROT_READ | PROT_WRITE);
  protecting = 0; /* after: a fault before the mprotect still finds it set */
}
