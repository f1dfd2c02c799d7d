/*
 * toplevel.c — start-up and the read-eval loops shared by the script
 * runner and the REPL.
 *
 * lisp_init initialises Gleaner, pushes the value stack as the bottom
 * shadow frame of the main thread (every later GC_FRAME nests above it),
 * then registers the types, the symbol table, the primitives and the
 * prelude.  The value stack is malloc'd rather than static so that the
 * collector's conservative scan of the data segments never sees it: its
 * slots are exact, and the objects they name stay movable.
 */
#include "lisp.h"

#include <stdlib.h>
#include <unistd.h>

val *vstack;
gc_frame vstack_frame;

void lisp_init(void) {
  if (gc_init(NULL) != 0) {
    fprintf(stderr, "lisp: gc_init failed\n");
    exit(2);
  }
  vstack = calloc(VSTACK_SIZE, sizeof(val));
  if (vstack == NULL) {
    fprintf(stderr, "lisp: out of memory\n");
    exit(2);
  }
  gc_frame **top = gc_frame_top();
  vstack_frame = (gc_frame){*top, 0, (void **)vstack};
  *top = &vstack_frame;
  types_init();
  symbols_init();
  eval_init();
  prims_num_init();
  prims_data_init();
  prims_str_init();
  prims_table_init();
  prims_sys_init();
  prelude_load();
}

struct run {
  struct reader *reader;
  bool echo; /* REPL: print each result */
  bool eof;
};

static void run_one(void *arg) {
  struct run *run = arg;
  val form = read_datum(run->reader);
  if (form == EOF_V) {
    run->eof = true;
    return;
  }
  val v = eval_toplevel(form);
  if (run->echo && v != UNSPEC) {
    print_val(stdout, v, true);
    putchar('\n');
  }
}

/* Script semantics: the first error stops the file. */
bool lisp_run_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "lisp: cannot open %s\n", path);
    return false;
  }
  struct reader r;
  reader_file(&r, f);
  struct run run = {&r, false, false};
  bool ok = true;
  while (ok && !run.eof) {
    ok = lisp_protect(run_one, &run);
    if (!ok) {
      fflush(stdout);
      fprintf(stderr, "%s:%d: ", path, r.line);
      print_error(stderr);
    }
  }
  fclose(f);
  return ok;
}

/* REPL semantics: report the error and go on with the next form. */
void lisp_repl(FILE *in) {
  bool interactive = isatty(fileno(in));
  struct reader r;
  reader_file(&r, in);
  struct run run = {&r, true, false};
  while (!run.eof) {
    if (interactive) {
      fputs("> ", stdout);
      fflush(stdout);
    }
    if (!lisp_protect(run_one, &run)) {
      fflush(stdout);
      print_error(stderr);
    }
    fflush(stdout);
  }
}
