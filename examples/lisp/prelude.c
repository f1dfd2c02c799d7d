/*
 * prelude.c — library procedures written in Scheme itself, evaluated at
 * start-up: higher-order list functions (map, for-each, filter, folds,
 * sort), a few list/string/vector helpers and hash-table conveniences.
 * Loops are tail-recursive so that long lists need no C stack.
 */
#include "lisp.h"

#include <stdlib.h>
#include <string.h>

static const char prelude[] =
    "(define (%map1 f l)\n"
    "  (let loop ((l l) (acc '()))\n"
    "    (if (pair? l) (loop (cdr l) (cons (f (car l)) acc)) (reverse acc))))\n"
    "(define (%all-pairs? ls)\n"
    "  (or (null? ls) (and (pair? (car ls)) (%all-pairs? (cdr ls)))))\n"
    "(define (map f l . ls)\n"
    "  (if (null? ls) (%map1 f l)\n"
    "      (let loop ((ls (cons l ls)) (acc '()))\n"
    "        (if (%all-pairs? ls)\n"
    "            (loop (%map1 cdr ls) (cons (apply f (%map1 car ls)) acc))\n"
    "            (reverse acc)))))\n"
    "(define (for-each f l . ls)\n"
    "  (if (null? ls)\n"
    "      (let loop ((l l)) (when (pair? l) (f (car l)) (loop (cdr l))))\n"
    "      (let loop ((ls (cons l ls)))\n"
    "        (when (%all-pairs? ls)\n"
    "          (apply f (%map1 car ls)) (loop (%map1 cdr ls))))))\n"
    "(define (filter p l)\n"
    "  (let loop ((l l) (acc '()))\n"
    "    (cond ((null? l) (reverse acc))\n"
    "          ((p (car l)) (loop (cdr l) (cons (car l) acc)))\n"
    "          (else (loop (cdr l) acc)))))\n"
    "(define (delete x l) (filter (lambda (y) (not (equal? x y))) l))\n"
    "(define (fold-left f acc l)\n"
    "  (if (null? l) acc (fold-left f (f acc (car l)) (cdr l))))\n"
    "(define (fold-right f acc l)\n"
    "  (fold-left (lambda (a x) (f x a)) acc (reverse l)))\n"
    "(define (reduce f init l)\n"
    "  (if (null? l) init (fold-left f (car l) (cdr l))))\n"
    "(define (iota n . start)\n"
    "  (let ((s (if (null? start) 0 (car start))))\n"
    "    (let loop ((i (- n 1)) (acc '()))\n"
    "      (if (< i 0) acc (loop (- i 1) (cons (+ s i) acc))))))\n"
    "(define (list-head l k)\n"
    "  (let loop ((l l) (k k) (acc '()))\n"
    "    (if (= k 0) (reverse acc) (loop (cdr l) (- k 1) (cons (car l) acc)))))\n"
    "(define (list-copy l) (%map1 (lambda (x) x) l))\n"
    "(define (last-pair l) (if (pair? (cdr l)) (last-pair (cdr l)) l))\n"
    "(define (%merge a b less?)\n"
    "  (let loop ((a a) (b b) (acc '()))\n"
    "    (cond ((null? a) (append (reverse acc) b))\n"
    "          ((null? b) (append (reverse acc) a))\n"
    "          ((less? (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))\n"
    "          (else (loop (cdr a) b (cons (car a) acc))))))\n"
    "(define (%sort-list l less?)\n"
    "  (let ((n (length l)))\n"
    "    (if (< n 2) l\n"
    "        (let ((half (quotient n 2)))\n"
    "          (%merge (%sort-list (list-head l half) less?)\n"
    "                  (%sort-list (list-tail l half) less?) less?)))))\n"
    "(define (sort seq less?)\n"
    "  (if (vector? seq) (list->vector (%sort-list (vector->list seq) less?))\n"
    "      (%sort-list seq less?)))\n"
    "(define (vector-map f v) (list->vector (%map1 f (vector->list v))))\n"
    "(define (vector-for-each f v) (for-each f (vector->list v)))\n"
    "(define (string-join strs sep)\n"
    "  (if (null? strs) \"\"\n"
    "      (fold-left (lambda (acc s) (string-append acc sep s))\n"
    "                 (car strs) (cdr strs))))\n"
    "(define (hash-table-update!/default t k f default)\n"
    "  (hash-table-set! t k (f (hash-table-ref/default t k default))))\n"
    "(define (hash-table-walk t f)\n"
    "  (for-each (lambda (p) (f (car p) (cdr p))) (hash-table->alist t)))\n"
    "(define (square x) (* x x))\n"
    "(define (exact x) (inexact->exact x))\n"
    "(define (inexact x) (exact->inexact x))\n";

static void load_prelude(void *arg) {
  (void)arg;
  struct reader r;
  reader_string(&r, prelude, strlen(prelude));
  for (val form = read_datum(&r); form != EOF_V; form = read_datum(&r))
    eval_toplevel(form);
}

void prelude_load(void) {
  if (!lisp_protect(load_prelude, NULL)) {
    fprintf(stderr, "lisp: prelude failed: ");
    print_error(stderr);
    exit(2);
  }
}
