/*
 * bdw_query.c — Boehm GC's queries about objects and the heap, answered
 * from gleaner.h's gc_base / gc_size / gc_get_stats.
 *
 * Correspondence of the counters (gc_stats field → Boehm query):
 *   heap_bytes                          → GC_get_heap_size
 *   free_bytes - bytes_since_gc         → GC_get_free_bytes (free now)
 *   bytes_since_gc                      → GC_get_bytes_since_gc
 *   allocated_bytes                     → GC_get_total_bytes
 *   collections                         → GC_get_gc_no
 *   live_bytes + bytes_since_gc         → GC_get_memory_use
 *   pause_total_ns                      → GC_get_full_gc_total_time
 * Gleaner does not count decommitted memory apart, so unmapped bytes are
 * reported as 0; the counters it does not keep at all appear as
 * (GC_word)-1 in GC_get_prof_stats, as Boehm's protocol allows.
 */
#include "bdw_internal.h"

#include <stdio.h>
#include <string.h>

static void stats(gc_stats *s) {
  bdw_enter();
  gc_get_stats(s);
}

static size_t free_now(const gc_stats *s) {
  return s->free_bytes > s->bytes_since_gc
             ? (size_t)(s->free_bytes - s->bytes_since_gc)
             : 0;
}

GC_API unsigned GC_CALL GC_get_version(void) {
  return ((unsigned)GC_VERSION_MAJOR << 16) | ((unsigned)GC_VERSION_MINOR << 8) |
         (unsigned)GC_VERSION_MICRO;
}

GC_API void *GC_CALL GC_base(void *p) {
  bdw_enter();
  return gc_base(p);
}

GC_API int GC_CALL GC_is_heap_ptr(const void *p) {
  bdw_enter();
  return gc_base(p) != NULL;
}

GC_API size_t GC_CALL GC_size(const void *p) {
  bdw_enter();
  return gc_size(p);
}

GC_API size_t GC_CALL GC_get_heap_size(void) {
  gc_stats s;
  stats(&s);
  return s.heap_bytes;
}

GC_API size_t GC_CALL GC_get_free_bytes(void) {
  gc_stats s;
  stats(&s);
  return free_now(&s);
}

GC_API size_t GC_CALL GC_get_unmapped_bytes(void) { return 0; }

GC_API size_t GC_CALL GC_get_bytes_since_gc(void) {
  gc_stats s;
  stats(&s);
  return (size_t)s.bytes_since_gc;
}

GC_API size_t GC_CALL GC_get_total_bytes(void) {
  gc_stats s;
  stats(&s);
  return (size_t)s.allocated_bytes;
}

GC_API size_t GC_CALL GC_get_memory_use(void) {
  gc_stats s;
  stats(&s);
  uint64_t used = s.live_bytes + s.bytes_since_gc;
  return used < s.heap_bytes ? (size_t)used : s.heap_bytes;
}

GC_API void GC_CALL GC_get_heap_usage_safe(GC_word *heap, GC_word *free_bytes,
                                           GC_word *unmapped, GC_word *since_gc,
                                           GC_word *total) {
  gc_stats s;
  stats(&s);
  if (heap)
    *heap = s.heap_bytes;
  if (free_bytes)
    *free_bytes = free_now(&s);
  if (unmapped)
    *unmapped = 0;
  if (since_gc)
    *since_gc = (GC_word)s.bytes_since_gc;
  if (total)
    *total = (GC_word)s.allocated_bytes;
}

static void fill_prof_stats(struct GC_prof_stats_s *out) {
  gc_stats s;
  stats(&s);
  memset(out, 0xff, sizeof *out); /* unknown fields: (GC_word)-1 */
  out->heapsize_full = s.heap_bytes;
  out->free_bytes_full = free_now(&s);
  out->unmapped_bytes = 0;
  out->bytes_allocd_since_gc = (GC_word)s.bytes_since_gc;
  out->allocd_bytes_before_gc = (GC_word)(s.allocated_bytes - s.bytes_since_gc);
  out->gc_no = (GC_word)s.collections;
  out->markers_m1 = s.markers_used > 1 ? s.markers_used - 1 : 0;
}

GC_API size_t GC_CALL GC_get_prof_stats(struct GC_prof_stats_s *out, size_t size) {
  struct GC_prof_stats_s all;
  fill_prof_stats(&all);
  if (size > sizeof all) {
    memset((char *)out + sizeof all, 0xff, size - sizeof all);
    size = sizeof all;
  }
  memcpy(out, &all, size);
  return size;
}

GC_API size_t GC_CALL GC_get_prof_stats_unsafe(struct GC_prof_stats_s *out,
                                               size_t size) {
  return GC_get_prof_stats(out, size);
}

/* ---- performance measurement ----------------------------------------- */

static uint64_t measurement_base_ns;
static int measuring;

GC_API void GC_CALL GC_start_performance_measurement(void) {
  gc_stats s;
  stats(&s);
  __atomic_store_n(&measurement_base_ns, s.pause_total_ns, __ATOMIC_RELAXED);
  __atomic_store_n(&measuring, 1, __ATOMIC_RELEASE);
}

GC_API unsigned long GC_CALL GC_get_full_gc_total_time(void) {
  if (!__atomic_load_n(&measuring, __ATOMIC_ACQUIRE))
    return 0;
  gc_stats s;
  stats(&s);
  uint64_t ns = s.pause_total_ns - __atomic_load_n(&measurement_base_ns, __ATOMIC_RELAXED);
  return (unsigned long)(ns / 1000000u);
}

/* ---- dumps -------------------------------------------------------------- */

GC_API void GC_CALL GC_dump_named(const char *name) {
  bdw_enter();
  if (name)
    printf("***GC Dump %s\n", name);
  else
    printf("***GC Dump collection #%lu\n", (unsigned long)bdw_refresh_gc_no());
  fflush(stdout);
  gc_print_stats(stdout);
  fflush(stdout);
}

GC_API void GC_CALL GC_dump(void) { GC_dump_named(NULL); }
