/*
 * vm_barrier.c — the virtual-memory write barrier.
 *
 * The whole heap reservation is registered once with a userfaultfd in
 * UFFDIO_REGISTER_MODE_WP, with UFFD_FEATURE_WP_ASYNC: a write to a
 * write-protected page is resolved by the kernel itself — no signal, no
 * handler thread — which merely records that the page was written.  The
 * PAGEMAP_SCAN ioctl then returns the written pages and, with
 * PM_SCAN_WP_MATCHING, protects them again in the same walk.
 *
 * Why this mechanism: because the kernel resolves the fault, a read(2)
 * or any system call writing into the heap works (mprotect-based barriers
 * make such calls fail with EFAULT), and the cost is one minor fault per
 * page per cycle instead of a signal.  Pages never protected (fresh
 * blocks, pages dropped by madvise) read back as written, which is the
 * safe answer; free and pointer-free (atomic) blocks are never protected
 * (block_is_scanned, below).
 *
 * Needs Linux >= 6.7.  Where it is missing, vm_mprotect.c takes over
 * (mprotect + SIGSEGV); where that fails too the barrier reports itself
 * unavailable and the collector stays stop-the-world (never unsafe).
 */
#include "vm_barrier.h"
#include "dirty_cards.h"
#include "vm_mprotect.h"
#include "valgrind_support.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

/* Newer than the installed kernel headers (Linux 6.7 UAPI). */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef PAGEMAP_SCAN
#define PAGE_IS_WRITTEN (1 << 1)
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
struct page_region {
  uint64_t start, end, categories;
};
struct pm_scan_arg {
  uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
  uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif

#define REGIONS 512

/* In .bss, which the root scan reads: the page regions (heap addresses)
 * live in a mapping of their own. */
static struct {
  int uffd, pagemap;
  bool ready, tried, uffd_tried, mprotect_mode;
  bool lost; /* fork child that could not register again: all pages dirty */
  uint64_t *armed; /* bit per block: its pages may be write-protected */
  const char *why;
  struct page_region *regions;
} vm = {.uffd = -1, .pagemap = -1};

static bool fail(const char *why) {
  vm.why = why;
  if (vm.uffd >= 0)
    close(vm.uffd);
  if (vm.pagemap >= 0)
    close(vm.pagemap);
  vm.uffd = vm.pagemap = -1;
  return false;
}

static bool setup(void) {
  vm.uffd_tried = true;
  if (getenv("GLEANER_VM_BARRIER") && !strcmp(getenv("GLEANER_VM_BARRIER"), "mprotect"))
    return fail("GLEANER_VM_BARRIER=mprotect");
  /* valgrind does not emulate the system call, and says so on stderr. */
  if (running_on_valgrind())
    return fail("userfaultfd is not available under valgrind");
  if (!vm.regions)
    vm.regions = mmap(NULL, REGIONS * sizeof *vm.regions, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (vm.regions == MAP_FAILED) {
    vm.regions = NULL;
    return fail("cannot map the page-region buffer");
  }
  vm.uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
  if (vm.uffd < 0)
    return fail("userfaultfd is not available");
  struct uffdio_api api = {.api = UFFD_API,
                           .features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED};
  if (ioctl(vm.uffd, UFFDIO_API, &api) != 0)
    return fail("userfaultfd lacks asynchronous write-protection (Linux < 6.7)");
  struct uffdio_register reg = {.range = {G->heap_lo, G->heap_span},
                                .mode = UFFDIO_REGISTER_MODE_WP};
  if (ioctl(vm.uffd, UFFDIO_REGISTER, &reg) != 0)
    return fail("cannot register the heap for write-protection");
  if (!vm.armed) {
    size_t bytes = ((size_t)G->blocks_reserved / 64 + 1) * sizeof(uint64_t);
    vm.armed = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm.armed == MAP_FAILED) {
      vm.armed = NULL;
      return fail("cannot map the protected-block bitmap");
    }
  }
  vm.pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (vm.pagemap < 0)
    return fail("cannot open /proc/self/pagemap");
  struct pm_scan_arg probe = {.size = sizeof probe, .start = G->heap_lo,
                              .end = G->heap_lo + CARD_SIZE};
  if (ioctl(vm.pagemap, PAGEMAP_SCAN, &probe) < 0)
    return fail("the PAGEMAP_SCAN ioctl is not available (Linux < 6.7)");
  return true;
}

/* userfaultfd first; mprotect + SIGSEGV where it is missing.
 * GLEANER_VM_BARRIER=uffd|mprotect forces one (tests). */
bool vm_barrier_init(const char **why) {
  if (!vm.tried) {
    vm.tried = true;
    const char *force = getenv("GLEANER_VM_BARRIER");
    bool only_uffd = force && !strcmp(force, "uffd");
    bool only_mprotect = force && !strcmp(force, "mprotect");
    if (!only_mprotect && !vm.uffd_tried)
      vm.ready = setup();
    if (!vm.ready && !only_uffd) {
      const char *uffd_why = vm.why;
      vm.ready = vm.mprotect_mode = mprotect_barrier_init(&vm.why);
      if (vm.ready && G->cfg.trace && uffd_why)
        fprintf(stderr, "gleaner: %s; using mprotect dirty tracking\n", uffd_why);
    }
  }
  if (why)
    *why = vm.why;
  return vm.ready;
}

bool vm_barrier_init_uffd(void) {
  if (!vm.uffd_tried)
    vm.ready = setup();
  return vm.ready && !vm.mprotect_mode;
}

/* A userfaultfd registration does not survive fork() (the child's
 * mappings lose it): register the child's heap anew.  Its pages then read
 * as written, the safe answer.  mprotect protections and the handler are
 * inherited as they are. */
void vm_barrier_after_fork_child(void) {
  if (!vm.ready || vm.mprotect_mode)
    return;
  close(vm.uffd);
  close(vm.pagemap);
  vm.uffd = vm.pagemap = -1;
  vm.lost = !setup();
  vm.ready = true; /* still answers: everything dirty if lost */
}

bool vm_barrier_ready(void) { return vm.ready; }

bool vm_barrier_is_mprotect(void) { return vm.mprotect_mode; }

/* From the first PROTECT step of a cycle on (mprotect_block_acquired
 * checks), not only once the barrier is on: a block taken during PROTECT
 * above the walk's end would otherwise never be protected, and black
 * objects allocated in it later would be written without a trace. */
void vm_block_acquired(uint32_t index, uint32_t count) {
  if (vm.mprotect_mode)
    mprotect_block_acquired(index, count);
}

void vm_poll(void) {
  if (vm.mprotect_mode)
    mprotect_poll();
}

void vm_rearm_card(uintptr_t card_lo) {
  if (vm.mprotect_mode)
    mprotect_rearm_card(card_lo);
}

void vm_cycle_end(void) {
  if (vm.mprotect_mode)
    mprotect_release_all();
}

/* Blocks whose pages the protecting walks went over: when such a block
 * leaves the free pool (vm_block_taken) its pages are unprotected in one
 * ioctl, instead of faulting once each under the allocator (~1.5 us a
 * fault, as much as filling the page). */
static bool is_armed(uint32_t i) { return vm.armed[i / 64] >> (i % 64) & 1; }

static void arm_blocks(uintptr_t lo, uintptr_t hi) {
  if (!vm.armed || hi <= lo)
    return;
  for (uint32_t i = block_index(lo); i <= block_index(hi - 1); i++)
    vm.armed[i / 64] |= (uint64_t)1 << (i % 64);
}

static void disarm_run(uint32_t first, uint32_t end) {
  struct uffdio_writeprotect wp = {
      .range = {(uintptr_t)block_base(first), (uint64_t)(end - first) * BLOCK_SIZE}, .mode = 0};
  if (!vm.lost && ioctl(vm.uffd, UFFDIO_WRITEPROTECT, &wp) != 0)
    gc_fatal("cannot unprotect free heap blocks: %s", strerror(errno));
  for (uint32_t i = first; i < end; i++)
    vm.armed[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* What one PAGEMAP_SCAN call does with the written pages it finds. */
enum { SCAN_PROTECT = 1, SCAN_RECORD = 2 };

/* One PAGEMAP_SCAN call over [start, end): re-protect written pages
 * (SCAN_PROTECT) and/or mark them dirty (SCAN_RECORD; at most max_pages,
 * 0: no limit).  Returns where the walk stopped. */
static uintptr_t scan_pages(uintptr_t start, uintptr_t end, unsigned what, size_t *pages,
                            size_t max_pages) {
  bool record = what & SCAN_RECORD;
  if (vm.lost) {
    if (record) {
      *pages += (end - start) >> CARD_SHIFT;
      dirty_cards_mark_range(start, end);
    }
    return end;
  }
  struct pm_scan_arg a = {.size = sizeof a,
                          .flags = (what & SCAN_PROTECT ? PM_SCAN_WP_MATCHING : 0) |
                                   PM_SCAN_CHECK_WPASYNC,
                          .start = start,
                          .end = end,
                          .vec = record ? (uintptr_t)vm.regions : 0,
                          .vec_len = record ? REGIONS : 0,
                          .max_pages = max_pages,
                          .category_mask = PAGE_IS_WRITTEN,
                          .return_mask = PAGE_IS_WRITTEN};
  long n = ioctl(vm.pagemap, PAGEMAP_SCAN, &a);
  if (n < 0)
    gc_fatal("PAGEMAP_SCAN failed on the heap: %s", strerror(errno));
  if (what & SCAN_PROTECT)
    arm_blocks(start, a.walk_end ? (uintptr_t)a.walk_end : end);
  for (long i = 0; i < n; i++) {
    *pages += (vm.regions[i].end - vm.regions[i].start) >> CARD_SHIFT;
    dirty_cards_mark_range(vm.regions[i].start, vm.regions[i].end);
  }
  return a.walk_end ? (uintptr_t)a.walk_end : end;
}

static uintptr_t scan_once(uintptr_t start, uintptr_t end, bool record, size_t *pages,
                           size_t max_pages) {
  return scan_pages(start, end, SCAN_PROTECT | (record ? SCAN_RECORD : 0), pages, max_pages);
}

/* Free and pointer-free (atomic) blocks are left out of protection and
 * of harvests (block_is_scanned).  They hold no pointer, so nothing there
 * needs tracking; a block taken during a cycle gets new (black) objects
 * written into it, and its pages, never protected, read back as written
 * at the next harvest, which rescans and protects them.  Protecting them
 * would only make the program's writes fault: the allocator's first write
 * to each page of a free block, and each page of an I/O buffer once per
 * cycle. */

/* Whether block i holds an object that survived the last collection (its
 * mark is kept until the next full one): only those can hold the old-to-
 * young pointers a minor collection looks for in written pages.  A block
 * filled since the last collection has none; its pages, all written, were
 * most of what a minor collection read (GCBench: 4,256 of them, 70-90 µs
 * to read and as long again to look through their cards). */
static bool block_has_old(uint32_t i) {
  const block_meta *b = &G->blocks[i];
  if (b->state == BLOCK_LARGE_TAIL)
    b = &G->blocks[b->head];
  return block_is_scanned(i) && b->marked > 0;
}

/* Where the run of blocks from at on that agree with block_has_old(at)
 * ends, at most hi. */
static uintptr_t old_run_end(uintptr_t at, uintptr_t hi) {
  uint32_t i = block_index(at);
  bool old = block_has_old(i);
  while ((uintptr_t)block_base(++i) < hi && block_has_old(i) == old)
    ;
  uintptr_t end = (uintptr_t)block_base(i);
  return end < hi ? end : hi;
}

/* The next run of blocks in [*at, end) for which `wanted` holds: false
 * when none. */
static bool next_run_where(bool (*wanted)(uint32_t), uintptr_t at, uintptr_t end, uintptr_t *lo,
                           uintptr_t *hi) {
  if (at >= end)
    return false;
  uint32_t i = block_index(at), last = block_index(end - 1);
  while (i <= last && !wanted(i))
    i++;
  if (i > last)
    return false;
  uint32_t j = i;
  while (j <= last && wanted(j))
    j++;
  uintptr_t run_lo = (uintptr_t)block_base(i), run_hi = (uintptr_t)block_base(j);
  *lo = run_lo > at ? run_lo : at;
  *hi = run_hi < end ? run_hi : end;
  return true;
}

/* The next run of blocks in use. */
static bool next_scanned_run(uintptr_t at, uintptr_t end, uintptr_t *lo, uintptr_t *hi) {
  return next_run_where(block_is_scanned, at, end, lo, hi);
}

bool vm_protect_step(uintptr_t *cursor, uintptr_t end, size_t max_bytes, bool record) {
  size_t ignored = 0;
  uintptr_t stop = *cursor + max_bytes < end ? *cursor + max_bytes : end;
  if (vm.mprotect_mode) {
    if (*cursor < stop)
      mprotect_protect_range(*cursor, stop);
    *cursor = stop;
    return *cursor >= end;
  }
  uintptr_t lo, hi;
  while (next_scanned_run(*cursor, stop, &lo, &hi))
    for (*cursor = lo; *cursor < hi;) {
      /* Recorded only where old objects are (block_has_old). */
      uintptr_t run_hi = record ? old_run_end(*cursor, hi) : hi;
      bool old = record && block_has_old(block_index(*cursor));
      *cursor = scan_once(*cursor, run_hi, old, &ignored, 0);
    }
  *cursor = stop;
  return *cursor >= end;
}

void vm_block_taken(uint32_t first, uint32_t count) {
  if (vm.mprotect_mode || !vm.armed)
    return;
  for (uint32_t i = first; i < first + count;) {
    if (!is_armed(i)) {
      i++;
      continue;
    }
    uint32_t j = i + 1;
    while (j < first + count && is_armed(j))
      j++;
    disarm_run(i, j);
    i = j;
  }
}

/* Every run of blocks `wanted`, with one PAGEMAP_SCAN action. */
static size_t scan_blocks_where(bool (*wanted)(uint32_t), unsigned what) {
  size_t pages = 0;
  uintptr_t end = (uintptr_t)block_base(G->high_water), lo, hi;
  for (uintptr_t at = G->heap_lo; next_run_where(wanted, at, end, &lo, &hi);)
    for (at = lo; at < hi;)
      at = scan_pages(at, hi, what, &pages, 0);
  return pages;
}

size_t vm_record_written(void) {
  return vm.mprotect_mode ? 0 : scan_blocks_where(block_has_old, SCAN_RECORD);
}

void vm_protect_in_use(void) {
  if (!vm.mprotect_mode)
    scan_blocks_where(block_is_scanned, SCAN_PROTECT);
}

size_t vm_collect_dirty(void) {
  size_t pages = 0;
  if (vm.mprotect_mode)
    return 0; /* the signal handler fills the card table directly */
  uintptr_t end = (uintptr_t)block_base(G->high_water), lo, hi;
  for (uintptr_t at = G->heap_lo; next_scanned_run(at, end, &lo, &hi);)
    for (at = lo; at < hi;)
      at = scan_once(at, hi, true, &pages, 0);
  return pages;
}

bool vm_collect_dirty_step(uintptr_t *cursor, size_t max_pages, size_t *pages) {
  if (vm.mprotect_mode)
    return true;
  uintptr_t end = (uintptr_t)block_base(G->high_water), lo, hi;
  if (*cursor < G->heap_lo)
    *cursor = G->heap_lo;
  size_t found = 0;
  while (found < max_pages && next_scanned_run(*cursor, end, &lo, &hi))
    for (*cursor = lo; *cursor < hi && found < max_pages;)
      *cursor = scan_once(*cursor, hi, true, &found, max_pages - found);
  *pages += found;
  if (found >= max_pages && next_scanned_run(*cursor, end, &lo, &hi))
    return false;
  *cursor = G->heap_lo;
  return true;
}
