/*
 * errors.c — Scheme errors as non-local exits.
 *
 * lisp_error records a message and an irritant and longjmps to the
 * innermost lisp_protect.  Unwinding skips the GC_FRAME_END of every frame
 * in between, so lisp_protect saves the shadow-stack top and the
 * value-stack depth on entry and restores both: after an
 * error the collector must not see frames of C functions that no longer
 * run.  The irritant is an exact root until the next error replaces it.
 */
#include "lisp.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct handler {
  jmp_buf jump;
  struct handler *prev;
};

static struct handler *innermost;
static const char *err_message;
static val err_irritant; /* exact root */
static bool err_spread; /* irritant is a list of irritants (user errors) */
static bool roots_registered;
static char user_message[256];

_Noreturn void lisp_error(const char *msg, val irritant) {
  if (!roots_registered) {
    gc_root_add((void **)&err_irritant);
    roots_registered = true;
  }
  err_message = msg;
  err_irritant = irritant;
  err_spread = false;
  if (innermost == NULL) {
    fprintf(stderr, "lisp: error outside any handler: ");
    print_error(stderr);
    exit(70);
  }
  longjmp(innermost->jump, 1);
}

/* "who: message" followed by the irritant. */
_Noreturn void who_error(const char *who, const char *msg, val irritant) {
  static char buf[200];
  snprintf(buf, sizeof buf, "%s: %s", who, msg);
  lisp_error(buf, irritant);
}

/* "who: expected X, got" followed by the offending value. */
_Noreturn void type_error(const char *who, const char *expected, val got) {
  static char buf[160];
  snprintf(buf, sizeof buf, "expected %s, got", expected);
  who_error(who, buf, got);
}

/* (error "message" irritant ...): the message is copied out of the heap
 * because the string may move before it is printed. */
_Noreturn void user_error(const char *msg, size_t len, val irritants) {
  if (len >= sizeof user_message)
    len = sizeof user_message - 1;
  memcpy(user_message, msg, len);
  user_message[len] = 0;
  if (!roots_registered) {
    gc_root_add((void **)&err_irritant);
    roots_registered = true;
  }
  err_message = user_message;
  err_irritant = irritants;
  err_spread = true;
  if (innermost == NULL)
    lisp_error(user_message, irritants);
  longjmp(innermost->jump, 1);
}

void print_error(FILE *out) {
  fprintf(out, "Error: %s", err_message ? err_message : "(unknown)");
  if (err_spread) {
    for (val l = err_irritant; is_pair(l); l = cdr(l)) {
      fputc(' ', out);
      print_val(out, car(l), true);
    }
  } else if (err_irritant != NO_IRRITANT) {
    fputc(' ', out);
    print_val(out, err_irritant, true);
  }
  fputc('\n', out);
}

_Noreturn void vstack_overflow(void) {
  vstack_frame.count = VSTACK_SIZE - 64; /* room to report the error */
  lisp_error("recursion too deep", NO_IRRITANT);
}

bool lisp_protect(void (*fn)(void *), void *arg) {
  struct handler h;
  gc_frame *saved_top = *gc_frame_top();
  size_t saved_sp = vsp();
  h.prev = innermost;
  innermost = &h;
  bool ok = true;
  if (setjmp(h.jump) == 0) {
    fn(arg);
  } else {
    *gc_frame_top() = saved_top;
    vset_sp(saved_sp);
    ok = false;
  }
  innermost = h.prev;
  return ok;
}
