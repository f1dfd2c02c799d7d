/*
 * config.c — the effective settings: gc_config fields (zero = default),
 * overridden by GLEANER_* environment variables, so that a program can be
 * tuned or stressed without recompiling.
 */
#include "gc_state.h"
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "64M", "4k", "1G", "12345" → bytes; *ok = false on garbage or overflow. */
size_t parse_size(const char *text, bool *ok) {
  char *end;
  *ok = false;
  if (!text || !*text)
    return 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (end == text)
    return 0;
  unsigned shift = 0;
  switch (*end) {
  case 'k': case 'K': shift = 10; end++; break;
  case 'm': case 'M': shift = 20; end++; break;
  case 'g': case 'G': shift = 30; end++; break;
  case 't': case 'T': shift = 40; end++; break;
  default: break;
  }
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end != 0 || (shift && v > (SIZE_MAX >> shift)))
    return 0;
  *ok = true;
  return (size_t)(v << shift);
}

static void env_size(const char *name, size_t *out) {
  const char *v = getenv(name);
  if (!v)
    return;
  bool ok;
  size_t n = parse_size(v, &ok);
  if (ok)
    *out = n;
  else
    gc_warnf("%s=%s: not a size (use e.g. 512M); ignored", name, v);
}

static void env_uint(const char *name, unsigned *out) {
  const char *v = getenv(name);
  if (!v)
    return;
  char *end;
  unsigned long n = strtoul(v, &end, 10);
  if (end == v || *end || n > 1000000000ul)
    gc_warnf("%s=%s: not a number; ignored", name, v);
  else
    *out = (unsigned)n;
}

static void env_bool(const char *name, int *out) {
  const char *v = getenv(name);
  if (!v)
    return;
  if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
    *out = 1;
  else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
    *out = 0;
  else
    gc_warnf("%s=%s: expected 0 or 1; ignored", name, v);
}

static void env_barrier(gc_barrier_mode *out) {
  const char *v = getenv("GLEANER_BARRIER");
  if (!v)
    return;
  if (!strcmp(v, "explicit")) *out = GC_BARRIER_EXPLICIT;
  else if (!strcmp(v, "vm")) *out = GC_BARRIER_VM;
  else if (!strcmp(v, "none")) *out = GC_BARRIER_NONE;
  else gc_warnf("GLEANER_BARRIER=%s: expected explicit, vm or none; ignored", v);
}

static size_t physical_memory(void) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0)
    return (size_t)16 << 30;
  return (size_t)pages * (size_t)page;
}

/* The CPUs this process may run on: one sched_getaffinity call (~3 µs),
 * where sysconf(_SC_NPROCESSORS_ONLN) opens and parses
 * /sys/devices/system/cpu/online (~18 µs at start-up); and a marker per
 * CPU the process cannot use would only wait for one. */
static long usable_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  return sysconf(_SC_NPROCESSORS_ONLN);
}

static void apply_config(gc_settings *s, const gc_config *c) {
  if (!c)
    return;
  if (c->max_heap) s->max_heap = c->max_heap;
  if (c->initial_heap) s->initial_heap = c->initial_heap;
  if (c->stress) s->stress = c->stress;
  if (c->print_stats) s->print_stats = c->print_stats;
  if (c->incremental) s->incremental = c->incremental > 0;
  if (c->pause_target_us) s->pause_target_us = c->pause_target_us;
  if (c->barrier) s->barrier = c->barrier;
  if (c->markers) s->markers = c->markers;
  if (c->compact) s->compact = c->compact > 0;
  if (c->finalize_on_demand) s->finalize_on_demand = c->finalize_on_demand > 0;
  if (c->verify) s->verify = c->verify;
  if (c->free_space_divisor) s->free_space_divisor = c->free_space_divisor;
  if (c->generational) s->generational = c->generational > 0;
}

void settings_load(gc_settings *s, const gc_config *cfg) {
  long cores = usable_cpus();
  *s = (gc_settings){
      .max_heap = physical_memory(),
      .initial_heap = (size_t)4 << 20,
      .pause_target_us = 500,
      .barrier = GC_BARRIER_DEFAULT,
      .markers = cores > 0 ? (unsigned)cores : 1,
      .compact = 1,
      .free_space_divisor = 2,
      .stack_walk_frames = 0, /* the marker needs no walk (stack_scan.c) */
      .generational = 1,
      .cores = cores > 0 ? (unsigned)cores : 1,
  };
  apply_config(s, cfg);
  env_size("GLEANER_MAX_HEAP", &s->max_heap);
  env_size("GLEANER_INITIAL_HEAP", &s->initial_heap);
  env_uint("GLEANER_STRESS", &s->stress);
  env_uint("GLEANER_STATS", (unsigned *)&s->print_stats);
  env_bool("GLEANER_INCREMENTAL", &s->incremental);
  env_uint("GLEANER_PAUSE_TARGET_US", &s->pause_target_us);
  env_barrier(&s->barrier);
  env_uint("GLEANER_MARKERS", &s->markers);
  env_bool("GLEANER_COMPACT", &s->compact);
  env_bool("GLEANER_FINALIZE_ON_DEMAND", &s->finalize_on_demand);
  env_bool("GLEANER_VERIFY", &s->verify);
  env_uint("GLEANER_FREE_SPACE_DIVISOR", &s->free_space_divisor);
  env_uint("GLEANER_STACK_WALK_FRAMES", &s->stack_walk_frames);
  env_bool("GLEANER_TRACE", &s->trace);
  env_bool("GLEANER_GENERATIONAL", &s->generational);
  if (s->max_heap < BLOCK_SIZE * 16)
    s->max_heap = BLOCK_SIZE * 16;
  if (s->initial_heap > s->max_heap)
    s->initial_heap = s->max_heap;
  if (s->free_space_divisor == 0)
    s->free_space_divisor = 1;
  if (s->pause_target_us == 0)
    s->pause_target_us = 500;
  if (s->markers == 0)
    s->markers = 1;
}
