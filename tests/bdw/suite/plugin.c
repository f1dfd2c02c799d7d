/*
 * plugin.c — globals of modules loaded with dlopen at run time are roots:
 * a plugin (plugins/keeper.c, loaded from next to this program) builds a
 * list whose only reference is in the plugin's global; the list must
 * survive collections.  With the argument "no_dls" the program first sets
 * GC_no_dls, and the same list must then be reclaimed (Boehm GC scans no
 * library data segment then, on Linux not even the program's own).
 */
#include <gc.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "suite.h"

static void *plugin_symbol(void *handle, const char *name) {
  void *sym = dlsym(handle, name);
  if (sym == NULL) {
    fprintf(stderr, "dlsym %s: %s\n", name, dlerror());
    exit(1);
  }
  return sym;
}

static void *load_plugin(void) {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
  if (n <= 0)
    return NULL;
  path[n] = '\0';
  strcpy(strrchr(path, '/') + 1, "keeper.so");
  void *handle = dlopen(path, RTLD_NOW);
  if (handle == NULL)
    fprintf(stderr, "dlopen: %s\n", dlerror());
  return handle;
}

static __attribute__((noinline)) void churn(void) {
  for (int i = 0; i < 200000; i++)
    memset(GC_MALLOC(32), 0xA5, 32);
}

int main(int argc, char **argv) {
  int no_dls = argc > 1 && strcmp(argv[1], "no_dls") == 0;
  if (no_dls)
    GC_set_no_dls(1);
  GC_INIT();
  void *handle = load_plugin();
  if (handle == NULL)
    return 1;
  void (*fill)(long, int) = (void (*)(long, int))plugin_symbol(handle, "keeper_fill");
  int (*alive)(void) = (int (*)(void))plugin_symbol(handle, "keeper_alive");
  long (*sum)(void) = (long (*)(void))plugin_symbol(handle, "keeper_sum");

  fill(20000, no_dls);
  for (int round = 0; round < 3; round++) {
    churn();
    suite_collect(2);
  }
  if (no_dls) {
    SHOW("GC_no_dls: the plugin's list was reclaimed", !alive());
  } else {
    printf("sum over the plugin's list: %ld\n", sum());
  }
  return 0;
}
