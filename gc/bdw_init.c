/*
 * bdw_init.c — start-up of the Boehm GC layer and the synchronization of
 * the variables Boehm programs write directly.
 *
 * Initialization happens once, on the first GC_ call (GC_INIT() is
 * optional, as in Boehm GC).  It reads Boehm's environment variables and
 * the values set before it (GC_set_max_heap_size, GC_set_markers_count,
 * GC_enable_incremental, GC_time_limit …) into a gc_config, initializes
 * Gleaner, and — unless GC_dont_precollect — runs the initial collection
 * Boehm GC also runs (so GC_gc_no is 1 afterwards, as there).
 *
 * Finalizers: Gleaner is always initialized with finalize_on_demand, and
 * the layer runs the queued finalizers itself when Boehm would (after
 * GC_gcollect and at allocation checkpoints) unless GC_finalize_on_demand
 * is set at that moment.  That is what lets the program switch
 * GC_finalize_on_demand at any time.
 *
 * Invariants: see bdw_internal.h (bdw_synced_dont_gc mirrors GC_dont_gc).
 */
#include "bdw_internal.h"
#include "layer_queries.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pthread_mutex_t bdw_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
int bdw_synced_dont_gc = BDW_NOT_INITIALIZED;
int bdw_initialized;
BDW_TLS size_t bdw_tick_bytes;
struct bdw_pending bdw_pending;

/* Values last given to Gleaner, compared with the variables. */
static GC_word applied_divisor;
static int applied_dont_expand = -1;
static int applied_no_dls = -1;

/* Gleaner's pacer (like Boehm's) starts the next collection after
 * live * 2 / d bytes of allocation, but never before the initial heap is
 * used: a divisor this large keeps the heap near the larger of the two
 * instead of growing it, which is what GC_dont_expand asks for. */
#define BDW_DONT_EXPAND_DIVISOR 64u

/* ---- environment -------------------------------------------------------- */

/* Sizes as Boehm (and GLEANER_MAX_HEAP) write them: digits with an
 * optional k, m, g or t suffix (either case) and an optional trailing b.
 * 0 for anything else. */
static size_t parse_size(const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || end == s)
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
  if (*end != '\0' || v > (SIZE_MAX >> shift))
    return 0;
  return (size_t)v << shift;
}

/* A positive decimal integer, or 0. */
static unsigned long parse_count(const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v <= 0)
    return 0;
  return (unsigned long)v;
}

/* Environment settings that are variables of the layer (the rest go into
 * cfg).  Presence alone switches GC_DONT_GC, GC_PRINT_STATS and
 * GC_ENABLE_INCREMENTAL on, as in Boehm GC. */
static void read_environment(gc_config *cfg) {
  const char *v;
  if ((v = getenv("GC_INITIAL_HEAP_SIZE")) && parse_size(v))
    cfg->initial_heap = parse_size(v);
  if ((v = getenv("GC_MAXIMUM_HEAP_SIZE")) && parse_size(v))
    bdw_pending.max_heap = parse_size(v);
  if ((v = getenv("GC_FREE_SPACE_DIVISOR")) && parse_count(v))
    GC_free_space_divisor = parse_count(v);
  if (((v = getenv("GC_MARKERS")) || (v = getenv("GC_NPROCS"))) && parse_count(v))
    cfg->markers = (unsigned)parse_count(v);
  if ((v = getenv("GC_PAUSE_TIME_TARGET")) && parse_count(v))
    GC_time_limit = parse_count(v);
  if (getenv("GC_DONT_GC") && GC_dont_gc <= 0)
    GC_dont_gc = 1;
  if (getenv("GC_ENABLE_INCREMENTAL"))
    cfg->incremental = 1;
  if (getenv("GC_PRINT_STATS") && GC_print_stats < 1)
    GC_print_stats = 1;
  if (getenv("GC_PRINT_VERBOSE_STATS"))
    GC_print_stats = 2;
  if (getenv("GC_FORCE_UNMAP_ON_GCOLLECT"))
    GC_set_force_unmap_on_gcollect(1);
}

/* ---- initialization ----------------------------------------------------- */

static unsigned pause_target_us(void) {
  struct GC_timeval_s tv = GC_get_time_limit_tv();
  if (tv.tv_ms == GC_TIME_UNLIMITED)
    return 0;
  unsigned long us = tv.tv_ms * 1000ul + tv.tv_nsec / 1000ul;
  return us == 0 ? 1u : (us > UINT_MAX ? UINT_MAX : (unsigned)us);
}

/* A Boehm heap limit (0: none) as a Gleaner one: never above the
 * reservation Gleaner made at start-up (physical memory, or
 * GLEANER_MAX_HEAP), which is also what "no limit" means. */
size_t bdw_heap_limit(size_t boehm_limit) {
  size_t reservation = layer_heap_reservation();
  return boehm_limit == 0 || boehm_limit > reservation ? reservation : boehm_limit;
}

static void build_config(gc_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->markers = bdw_pending.markers;
  if (bdw_pending.incremental)
    cfg->incremental = 1;
  read_environment(cfg); /* the environment wins, as in Boehm GC */
  cfg->pause_target_us = pause_target_us();
  /* The layer runs finalizers itself (see the file comment). */
  cfg->finalize_on_demand = 1;
  if (GC_free_space_divisor == 0)
    GC_free_space_divisor = 3;
}

/* Brings Gleaner's disable count to GC_dont_gc.  Under bdw_lock. */
static void apply_dont_gc(void) {
  int want = __atomic_load_n(&GC_dont_gc, __ATOMIC_ACQUIRE);
  int have = bdw_synced_dont_gc < 0 ? 0 : bdw_synced_dont_gc;
  int target = want < 0 ? 0 : want;
  for (; have < target; have++)
    gc_disable();
  for (; have > target; have--)
    gc_enable();
  /* A negative GC_dont_gc (GC_enable without GC_disable) counts as 0 but is
   * remembered as is, so that the fast compare stays quiet. */
  __atomic_store_n(&bdw_synced_dont_gc, want < 0 ? want : target,
                   __ATOMIC_RELEASE);
}

static void bdw_init_locked(void) {
  gc_config cfg;
  build_config(&cfg);
  if (bdw_pending.suspend_signal != 0 &&
      layer_prefer_suspend_signal(bdw_pending.suspend_signal) != 0)
    bdw_warnf("GC_set_suspend_signal(%d): not a usable signal; using Gleaner's default",
              bdw_pending.suspend_signal);
  if (gc_init(&cfg) != 0)
    bdw_warnf("GC_init: Gleaner failed to initialize (see the message above)");
  bdw_diag_init();
  /* GC_MAXIMUM_HEAP_SIZE / GC_set_max_heap_size: a limit inside the
   * reservation, which later calls may raise again. */
  if (bdw_pending.max_heap != 0 &&
      gc_set_max_heap(bdw_heap_limit(bdw_pending.max_heap)) != 0)
    bdw_warnf("GC_MAXIMUM_HEAP_SIZE: Gleaner refused a limit of %zu bytes",
              bdw_pending.max_heap);
  if (getenv("GC_FIND_LEAK"))
    bdw_warnf("GC_FIND_LEAK is set, but Gleaner has no leak-finding mode: "
              "collecting normally");
  bdw_log_init();
  bdw_extra_byte = GC_all_interior_pointers ? 1 : 0;
  __atomic_store_n(&bdw_initialized, 1, __ATOMIC_RELEASE);
  bdw_synced_dont_gc = 0;
  apply_dont_gc();
  bdw_sync_tuning();
  if (!GC_dont_precollect && GC_dont_gc <= 0) {
    gc_collect();
    (void)bdw_refresh_gc_no();
  }
}

void bdw_sync_slow(void) {
  pthread_mutex_lock(&bdw_lock);
  if (!bdw_initialized)
    bdw_init_locked();
  else
    apply_dont_gc();
  pthread_mutex_unlock(&bdw_lock);
}

/* ---- tuning variables --------------------------------------------------- */

void bdw_sync_tuning(void) {
  GC_word divisor = __atomic_load_n(&GC_free_space_divisor, __ATOMIC_RELAXED);
  int dont_expand = __atomic_load_n(&GC_dont_expand, __ATOMIC_RELAXED) != 0;
  int no_dls = __atomic_load_n(&GC_no_dls, __ATOMIC_RELAXED) != 0;
  if (divisor == __atomic_load_n(&applied_divisor, __ATOMIC_RELAXED) &&
      dont_expand == __atomic_load_n(&applied_dont_expand, __ATOMIC_RELAXED) &&
      no_dls == __atomic_load_n(&applied_no_dls, __ATOMIC_RELAXED))
    return;
  pthread_mutex_lock(&bdw_lock);
  if (divisor != applied_divisor || dont_expand != applied_dont_expand) {
    unsigned d = divisor == 0 ? 3u : (divisor > UINT_MAX ? UINT_MAX : (unsigned)divisor);
    if (dont_expand && d < BDW_DONT_EXPAND_DIVISOR)
      d = BDW_DONT_EXPAND_DIVISOR;
    gc_set_free_space_divisor(d);
    __atomic_store_n(&applied_divisor, divisor, __ATOMIC_RELAXED);
    __atomic_store_n(&applied_dont_expand, dont_expand, __ATOMIC_RELAXED);
  }
  if (no_dls != applied_no_dls) {
    __atomic_store_n(&applied_no_dls, no_dls, __ATOMIC_RELAXED);
    bdw_apply_library_filters(0);
  }
  pthread_mutex_unlock(&bdw_lock);
}

/* ---- checkpoint --------------------------------------------------------- */

/* The collection count comes from the core's cheap counter (one
 * uncontended lock); GC_parallel from gc_get_stats, which summarizes the
 * pause history, so only when the program asks for it. */
uint64_t bdw_refresh_gc_no(void) {
  uint64_t n = layer_collection_count();
  __atomic_store_n(&GC_gc_no, (GC_word)n, __ATOMIC_RELAXED);
  return n;
}

int bdw_refresh_parallel(void) {
  gc_stats s;
  gc_get_stats(&s);
  int parallel = s.markers_used > 1 ? (int)s.markers_used - 1 : 0;
  __atomic_store_n(&GC_parallel, parallel, __ATOMIC_RELAXED);
  return parallel;
}

void bdw_checkpoint(void) {
  bdw_tick_bytes = 0;
  (void)bdw_refresh_gc_no();
  bdw_sync_tuning();
  bdw_apply_library_filters(1);
  bdw_finalizers_due();
}

/* ---- entry points ------------------------------------------------------- */

GC_API void GC_CALL GC_init(void) { bdw_enter(); }

GC_API int GC_CALL GC_is_init_called(void) {
  return __atomic_load_n(&bdw_initialized, __ATOMIC_ACQUIRE);
}

/* Boehm GC releases Win32 critical sections here; nothing to do on Linux. */
GC_API void GC_CALL GC_deinit(void) {}
