/*
 * test_dlopen.c — globals of a library dlopen'ed after gc_init are roots.
 *
 * The plugin (tests/plugin/holder.c, built by tests/dlopen.mk) is loaded
 * after gc_init and after a first collection, so a root set computed once
 * at start-up would miss it.  Objects whose only reference is in the
 * plugin's .bss, .data, or the far end of a 4 MiB .bss array — plus one the
 * plugin allocates itself — must survive collections and churn intact.
 * After dlclose, a collection must not touch the unmapped segments, and an
 * object only the plugin referenced is no longer kept (checked when the
 * library really was unmapped).
 *
 * The plugin is found at argv[1], else $GLEANER_TEST_PLUGIN, else
 * plugin/holder.so next to this executable.
 */
#include "shadow_model.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <unistd.h>

#define MiB ((size_t)1 << 20)

typedef void (*hold_fn)(void *);
typedef void *(*get_fn)(void);

static struct plugin {
  char path[PATH_MAX];
  void *handle;
  hold_fn hold_bss, hold_data, hold_big_bss;
  get_fn get_bss, get_data, get_big_bss, get_made;
  void (*make)(size_t, int);
} g_plugin;

static const size_t g_sizes[3] = {200, 5000, 300000};
static uintptr_t g_hidden[3];

static uint64_t pattern(uint64_t seed, size_t i) { return sm_mix(seed, i) | SM_PAYLOAD_BIT; }

static int resolve(void *h) {
  struct plugin *p = &g_plugin;
  p->hold_bss = (hold_fn)dlsym(h, "plugin_hold_bss");
  p->hold_data = (hold_fn)dlsym(h, "plugin_hold_data");
  p->hold_big_bss = (hold_fn)dlsym(h, "plugin_hold_big_bss");
  p->get_bss = (get_fn)dlsym(h, "plugin_get_bss");
  p->get_data = (get_fn)dlsym(h, "plugin_get_data");
  p->get_big_bss = (get_fn)dlsym(h, "plugin_get_big_bss");
  p->get_made = (get_fn)dlsym(h, "plugin_get_made");
  p->make = (void (*)(size_t, int))dlsym(h, "plugin_make");
  return p->hold_bss && p->hold_data && p->hold_big_bss && p->get_bss && p->get_data &&
                 p->get_big_bss && p->get_made && p->make
             ? 0
             : -1;
}

/* Initializes the collector, collects once, and only then loads the plugin. */
static int setup(void **state) {
  (void)state;
  if (gc_init(NULL) != 0) return -1;
  gc_collect();
  void *h = dlopen(g_plugin.path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen(%s): %s\n", g_plugin.path, dlerror());
    return -1;
  }
  g_plugin.handle = h;
  return resolve(h);
}

/* Hands three patterned objects to the plugin; this frame is the only other
 * place their addresses ever were, and it is gone (and scrubbed) before any
 * collection. */
static __attribute__((noinline)) void give_objects_to_plugin(void) {
  hold_fn holders[3] = {g_plugin.hold_bss, g_plugin.hold_data, g_plugin.hold_big_bss};
  for (int i = 0; i < 3; i++) {
    uint64_t *p = gc_alloc(g_sizes[i]);
    assert_non_null(p);
    for (size_t k = 0; k < g_sizes[i] / 8; k++) p[k] = pattern((uint64_t)i, k);
    g_hidden[i] = sm_hide(p);
    holders[i](p);
  }
  g_plugin.make(1000, 0x6B);
}

/* Garbage of the same sizes: a wrongly freed object would be handed out. */
static __attribute__((noinline)) int churn(void) {
  for (int round = 0; round < 2000; round++)
    for (int i = 0; i < 3; i++) {
      if (i == 2 && round % 50) continue; /* fewer of the large ones */
      uint64_t *p = gc_alloc(g_sizes[i]);
      if (!p) return -1;
      for (int k = 0; k < 3; k++)
        if (sm_hide(p) == g_hidden[k]) return -1;
      memset(p, 0xEE, g_sizes[i]);
    }
  return 0;
}

static void plugin_globals_are_roots(void **state) {
  (void)state;
  give_objects_to_plugin();
  for (int round = 0; round < 3; round++) {
    sm_scrub_stack();
    gc_collect();
    assert_int_equal(churn(), 0);
  }
  get_fn getters[3] = {g_plugin.get_bss, g_plugin.get_data, g_plugin.get_big_bss};
  for (int i = 0; i < 3; i++) {
    const uint64_t *p = getters[i]();
    assert_ptr_equal(p, sm_unhide(g_hidden[i]));
    assert_ptr_equal(gc_base(p), p);
    for (size_t k = 0; k < g_sizes[i] / 8; k++)
      if (p[k] != pattern((uint64_t)i, k))
        fail_msg("object %d held by the plugin changed at word %zu", i, k);
  }
  const unsigned char *made = g_plugin.get_made();
  assert_non_null(made);
  assert_ptr_equal(gc_base(made), made);
  for (int k = 0; k < 1000; k++) assert_int_equal(made[k], 0x6B);
}

static __attribute__((noinline)) void give_big_object_to_plugin(void) {
  void *p = gc_alloc_atomic(16 * MiB);
  assert_non_null(p);
  memset(p, 0x19, 16 * MiB);
  g_plugin.hold_bss(p);
}

static void unloaded_plugin_is_no_root(void **state) {
  (void)state;
  give_big_object_to_plugin();
  size_t with = sm_live_after_collect();
  assert_true(with >= 16 * MiB);
  assert_int_equal(dlclose(g_plugin.handle), 0);
  g_plugin.handle = NULL;
  size_t after = sm_live_after_collect(); /* must not fault on unmapped segments */
  void *again = dlopen(g_plugin.path, RTLD_NOW | RTLD_NOLOAD);
  fprintf(stderr, "after dlclose: live %zu -> %zu KiB, library %s\n", with >> 10, after >> 10,
          again ? "still mapped" : "unmapped");
  if (again)
    dlclose(again); /* the loader kept it: nothing more to check */
  else if (!sm_under_valgrind()) /* see sm_under_valgrind */
    assert_true(after + 16 * MiB <= with + MiB);
}

static int find_plugin(int argc, char **argv) {
  const char *env = getenv("GLEANER_TEST_PLUGIN");
  if (argc > 1)
    snprintf(g_plugin.path, sizeof g_plugin.path, "%s", argv[1]);
  else if (env && *env)
    snprintf(g_plugin.path, sizeof g_plugin.path, "%s", env);
  else {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = 0;
    snprintf(g_plugin.path, sizeof g_plugin.path, "%s/plugin/holder.so", dirname(exe));
  }
  return access(g_plugin.path, R_OK);
}

int main(int argc, char **argv) {
  if (find_plugin(argc, argv)) {
    fprintf(stderr, "test_dlopen: plugin not found (%s); build it with make test\n", g_plugin.path);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plugin_globals_are_roots),
      cmocka_unit_test(unloaded_plugin_is_no_root),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
