/*
 * holder.c — the plugin test_dlopen loads with dlopen() after gc_init.
 *
 * It keeps references to collector objects only in its own data segments:
 *   held_bss    a pointer in .bss
 *   held_data   a pointer in .data (an initialized array, first element a
 *               non-zero sentinel so the array lands in .data)
 *   big_bss     the last word of a 4 MiB .bss array (the whole zero-fill
 *               part of the segment, beyond the file-backed bytes, must be
 *               scanned)
 * The objects come from the test, except the one plugin_make allocates
 * itself: gc_alloc resolves to the executable's collector (built with
 * -rdynamic); the plugin does not link the library, or there would be two
 * collectors.
 */
#include <gleaner.h>
#include <string.h>

#define PLUGIN_API __attribute__((visibility("default")))
#define BIG_WORDS (512 * 1024)

static void *held_bss;
static void *held_data[2] = {(void *)(unsigned long)1, 0};
static void *big_bss[BIG_WORDS];

PLUGIN_API void plugin_hold_bss(void *p) { held_bss = p; }
PLUGIN_API void *plugin_get_bss(void) { return held_bss; }

PLUGIN_API void plugin_hold_data(void *p) { held_data[1] = p; }
PLUGIN_API void *plugin_get_data(void) { return held_data[1]; }

PLUGIN_API void plugin_hold_big_bss(void *p) { big_bss[BIG_WORDS - 1] = p; }
PLUGIN_API void *plugin_get_big_bss(void) { return big_bss[BIG_WORDS - 1]; }

/* Allocates n bytes filled with `byte` and keeps them in .bss only: the
 * test never sees the address until it asks for it. */
static void *made;
PLUGIN_API void plugin_make(size_t n, int byte) {
  made = gc_alloc(n);
  if (made) memset(made, byte, n);
}
PLUGIN_API void *plugin_get_made(void) { return made; }
