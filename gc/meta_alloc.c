/*
 * meta_alloc.c — mmap-backed memory for the collector's tables (why:
 * meta_alloc.h).
 *
 * A block is one private anonymous mapping; its first HEADER bytes hold
 * the mapping's length, the caller gets the rest.  Growing is mremap with
 * MREMAP_MAYMOVE: the kernel moves the page-table entries, so a table of
 * any size grows without copying, and the pages added are fresh zero
 * pages.  Shrinking gives the tail pages back in place.
 *
 * Invariant: the header's length is a whole number of pages and is the
 * exact length of the mapping.
 */
#include "meta_alloc.h"
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEADER ((size_t)16) /* keeps user memory 16-byte aligned */

static size_t page_size(void) {
  long p = sysconf(_SC_PAGESIZE); /* from the auxiliary vector: no lock */
  return p > 0 ? (size_t)p : 4096;
}

/* Mapping length for `bytes` of user memory, or 0 on overflow. */
static size_t mapping_length(size_t bytes) {
  size_t page = page_size();
  if (bytes > SIZE_MAX - HEADER - page)
    return 0;
  return (bytes + HEADER + page - 1) & ~(page - 1);
}

static size_t *header_of(void *p) { return (size_t *)((char *)p - HEADER); }

void *meta_alloc(size_t bytes) {
  size_t len = mapping_length(bytes);
  if (!len)
    return NULL;
  void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return NULL;
  *(size_t *)m = len;
  return (char *)m + HEADER;
}

void *meta_realloc(void *p, size_t bytes) {
  if (!p)
    return meta_alloc(bytes);
  size_t *h = header_of(p);
  size_t len = mapping_length(bytes);
  if (!len)
    return NULL;
  if (len == *h)
    return p;
  void *m = mremap(h, *h, len, MREMAP_MAYMOVE);
  if (m == MAP_FAILED)
    return NULL;
  *(size_t *)m = len;
  return (char *)m + HEADER;
}

void *meta_calloc(size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes))
    return NULL;
  return meta_alloc(bytes);
}

void meta_free(void *p) {
  if (!p)
    return;
  size_t *h = header_of(p);
  munmap(h, *h);
}
