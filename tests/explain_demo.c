/*
 * explain_demo.c — the retention explainer on three deliberately retained
 * objects (docs/diagnostics.md shows this program's output; `make
 * explain-demo` builds and runs it):
 *   1. a buffer held by a global variable;
 *   2. a record held by a local variable of a named function;
 *   3. a string at the end of a chain of three objects from a global.
 * Addresses are passed around complemented so that only the intended
 * reference keeps each object alive.
 */
#include "gleaner.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void *retained_by_global;            /* 1 */

struct entry { struct entry *next; char *key; void *value; };
struct entry *session_table;         /* 3: table -> entry -> entry -> value */

static uintptr_t hide(void *p) { return ~(uintptr_t)p; }
static __attribute__((noinline)) void explain(uintptr_t hidden) {
  uintptr_t h = hidden;
  __asm__ volatile("" : "+r"(h)::"memory"); /* reveal only at the call */
  gc_explain((void *)~h, stdout);
}

static __attribute__((noinline)) uintptr_t make_global_buffer(void) {
  retained_by_global = gc_alloc_atomic(4096);
  return hide(retained_by_global);
}

/* 2: the record lives only in this function's local variable. */
__attribute__((noinline)) void parse_config(uintptr_t hidden_record) {
  char *volatile record = (char *)~hidden_record;
  strcpy(record, "mode=fast");
  explain(hidden_record);
  __asm__ volatile("" ::"r"(&record) : "memory");
}

static __attribute__((noinline)) uintptr_t make_chain(void) {
  struct entry *a = gc_alloc(sizeof *a), *b = gc_alloc(sizeof *b);
  char *value = gc_alloc_atomic(40);
  strcpy(value, "the retained value");
  a->next = b;
  b->value = value;
  session_table = a;
  return hide(value);
}

static __attribute__((noinline)) uintptr_t make_record(void) { return hide(gc_alloc(200)); }

static __attribute__((noinline)) void scrub(void) {
  volatile char pad[16384];
  memset((char *)pad, 0, sizeof pad);
}

int main(void) {
  gc_init(NULL);
  uintptr_t buffer = make_global_buffer();
  uintptr_t record = make_record();
  uintptr_t value = make_chain();
  scrub();
  printf("=== 1. held by a global\n");
  explain(buffer);
  printf("\n=== 2. held by a local variable of parse_config()\n");
  parse_config(record);
  printf("\n=== 3. held through a chain of three objects\n");
  explain(value);
  return 0;
}
