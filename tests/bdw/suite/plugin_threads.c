/*
 * plugin_threads.c — plugin.c built with GC_THREADS, so that its dlopen
 * call goes through Boehm's redirect to GC_dlopen.
 */
#define GC_THREADS
#include "plugin.c"
