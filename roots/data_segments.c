/*
 * data_segments.c — .data and .bss of the executable and of every loaded
 * shared object, found afresh at every collection with dl_iterate_phdr,
 * so libraries dlopen'ed after gc_init are covered without any hook.
 * Each writable PT_LOAD segment is scanned ambiguously, minus the ranges
 * excluded with gc_exclude_roots.
 */
#include "roots.h"
#include "mark.h"
#include <link.h>

static int mark_object_segments(struct dl_phdr_info *info, size_t size, void *unused) {
  (void)size;
  (void)unused;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
      continue;
    char *lo = (char *)(info->dlpi_addr + ph->p_vaddr);
    mark_range_minus_exclusions(lo, lo + ph->p_memsz);
  }
  return 0;
}

void data_segments_mark(void) { dl_iterate_phdr(mark_object_segments, NULL); }
