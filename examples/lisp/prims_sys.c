/*
 * prims_sys.c — output, errors, evaluation and the collector interface:
 *   display write newline error exit apply eval load
 *   (gc)           a full collection (gc_collect)
 *   (gc-stats)     an alist of gc_get_stats counters
 *   (runtime)      monotonic milliseconds, for scripts that time themselves
 */
#include "lisp.h"

#include <stdlib.h>
#include <time.h>

static val p_display(size_t c, val *v) {
  (void)c;
  print_val(stdout, v[0], false);
  return UNSPEC;
}

static val p_write(size_t c, val *v) {
  (void)c;
  print_val(stdout, v[0], true);
  return UNSPEC;
}

static val p_newline(size_t c, val *v) {
  (void)c;
  (void)v;
  putchar('\n');
  return UNSPEC;
}

/* (error "message" irritant ...) */
static val p_error(size_t argc, val *argv) {
  size_t base = (size_t)(argv - vstack);
  val irritants = list_from_stack(base + 1, base + argc, NIL);
  if (is_string(argv[0]))
    user_error(str_data(argv[0]), str_len(argv[0]), irritants);
  vpush(irritants);
  val all = cons(argv[0], vstack[vsp() - 1]);
  user_error("error", 5, all);
}

static val p_exit(size_t argc, val *argv) {
  fflush(stdout);
  exit(argc > 0 ? (int)arg_int("exit", argv[0]) : 0);
}

static val p_eval(size_t c, val *v) {
  (void)c;
  return eval_toplevel(v[0]);
}

static val p_load(size_t c, val *v) {
  (void)c;
  arg_check("load", is_string(v[0]), "a file name", v[0]);
  char path[4096];
  snprintf(path, sizeof path, "%s", str_data(v[0]));
  if (!lisp_run_file(path))
    lisp_error("load: failed", v[0]);
  return UNSPEC;
}

static val p_gc(size_t c, val *v) {
  (void)c;
  (void)v;
  gc_collect();
  return UNSPEC;
}

/* Pushes (name . value) for gc-stats. */
static void push_stat(const char *name, uint64_t value) {
  val sym = intern_c(name);
  vpush(sym);
  val n = mk_integer((int64_t)value);
  sym = vpop();
  vpush(cons(sym, n));
}

static val p_gc_stats(size_t c, val *v) {
  (void)c;
  (void)v;
  gc_stats st;
  gc_get_stats(&st);
  size_t base = vsp();
  push_stat("collections", st.collections);
  push_stat("heap-bytes", st.heap_bytes);
  push_stat("live-bytes", st.live_bytes);
  push_stat("allocated-bytes", st.allocated_bytes);
  push_stat("objects-moved", st.objects_moved);
  push_stat("bytes-moved", st.bytes_moved);
  push_stat("pause-max-ns", st.pause_max_ns);
  push_stat("weak-cleared", st.weak_cleared);
  val l = list_from_stack(base, vsp(), NIL);
  vset_sp(base);
  return l;
}

static val p_runtime(size_t c, val *v) {
  (void)c;
  (void)v;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return mk_integer((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void prims_sys_init(void) {
  define_prim("display", p_display, 1, 1, 0);
  define_prim("write", p_write, 1, 1, 0);
  define_prim("newline", p_newline, 0, 0, 0);
  define_prim("error", p_error, 1, -1, 0);
  define_prim("exit", p_exit, 0, 1, 0);
  define_prim("apply", NULL, 2, -1, PK_APPLY);
  define_prim("eval", p_eval, 1, 2, 0);
  define_prim("load", p_load, 1, 1, 0);
  define_prim("gc", p_gc, 0, 0, 0);
  define_prim("gc-stats", p_gc_stats, 0, 0, 0);
  define_prim("runtime", p_runtime, 0, 0, 0);
}
