/*
 * root_describe.c — one line of text naming a root, for the explainer and
 * the verifier: thread and frame (function name and offset as libunwind
 * gave them, library from dladdr on the frame's instruction pointer),
 * global symbol and library for data-segment words (dladdr1 with the
 * symbol's size, so a word past the end of the nearest symbol is not
 * misattributed to it), range or slot number and the registering call
 * (its return address, named like a frame) for explicit roots.
 * dladdr sees only dynamic symbols: globals of the main program are named
 * when it is linked with -rdynamic, otherwise the word is given as an
 * offset into the program's data segment.
 */
#define UNW_LOCAL_ONLY
#include "root_walk.h"
#include <dlfcn.h>
#include <libunwind.h>
#include <link.h>

static void print_thread(const root_desc *d, FILE *out) {
  fprintf(out, "thread %u (%s%s)", d->thread, d->main_thread ? "main" : "id ",
          d->current_thread ? ", current" : "");
  if (!d->main_thread)
    fprintf(out, "%#lx", d->thread_id);
}

/* "name+0x1c in /lib/x.so" for an instruction pointer. */
static void print_code_location(const root_desc *d, FILE *out) {
  Dl_info info;
  const char *lib = dladdr((void *)d->ip, &info) && info.dli_fname ? info.dli_fname : NULL;
  if (d->proc[0])
    fprintf(out, "%s+%#lx", d->proc, (unsigned long)d->proc_offset);
  else if (lib && info.dli_sname)
    fprintf(out, "%s+%#lx", info.dli_sname,
            (unsigned long)(d->ip - (uintptr_t)info.dli_saddr));
  else
    fprintf(out, "ip %#lx", (unsigned long)d->ip);
  if (lib)
    fprintf(out, " in %s", lib);
}

/* True and a description when word lies inside a dynamic symbol. */
static bool print_symbol_of(const void *word, FILE *out) {
  Dl_info info;
  const ElfW(Sym) *sym = NULL;
  if (!dladdr1(word, &info, (void **)&sym, RTLD_DL_SYMENT) || !info.dli_sname || !sym)
    return false;
  uintptr_t start = (uintptr_t)info.dli_saddr, w = (uintptr_t)word;
  if (w < start || w >= start + (sym->st_size ? sym->st_size : sizeof(void *)))
    return false;
  fprintf(out, "global '%s'", info.dli_sname);
  if (w != start)
    fprintf(out, "+%#lx", (unsigned long)(w - start));
  fprintf(out, " in %s", info.dli_fname ? info.dli_fname : "?");
  return true;
}

/* The function containing ip, looked up the way libunwind names frames
 * (its symbol tables see static functions, which dladdr does not): a
 * local cursor moved to ip. */
static void name_code_address(uintptr_t ip, root_desc *code) {
  unw_context_t ctx;
  unw_cursor_t cursor;
  unw_word_t off = 0;
  code->ip = ip;
  code->proc[0] = 0;
  if (unw_getcontext(&ctx) != 0 || unw_init_local(&cursor, &ctx) != 0 ||
      unw_set_reg(&cursor, UNW_REG_IP, ip) != 0)
    return;
  int rc = unw_get_proc_name(&cursor, code->proc, sizeof code->proc, &off);
  if (rc == 0 || rc == -UNW_ENOMEM)
    code->proc_offset = off;
  else
    code->proc[0] = 0;
}

/* ", registered by main+0x2c in ./prog" for explicit roots. */
static void print_site(const root_desc *d, FILE *out) {
  if (!d->site)
    return;
  root_desc code = {0};
  name_code_address((uintptr_t)d->site, &code);
  fputs(", registered by ", out);
  print_code_location(&code, out);
}

static void print_stack_word(const root_desc *d, const void *word, FILE *out) {
  if (!word)
    return;
  fprintf(out, ", word at %p", word);
  if (d->kind == ROOT_STACK_FRAME)
    fprintf(out, " (sp+%#lx)", (unsigned long)((const char *)word - (const char *)d->lo));
}

static void print_exact(const root_desc *d, const void *word, FILE *out) {
  if (d->kind == ROOT_SHADOW_STACK) {
    fprintf(out, "GC_FRAME slot [%zu] of shadow-stack frame #%u of ", d->index, d->frame);
    print_thread(d, out);
    return;
  }
  fprintf(out, "exact root #%zu (gc_root_add) slot %p", d->index, word ? word : d->lo);
  fputs(" = ", out);
  if (!print_symbol_of(d->lo, out))
    fputs("a slot outside any named global", out);
  print_site(d, out);
}

void root_desc_print(const root_desc *d, const void *word, FILE *out) {
  switch (d->kind) {
  case ROOT_REGISTERS:
    fputs("registers of ", out);
    print_thread(d, out);
    if (d->ip) {
      fputs(" in frame ", out);
      print_code_location(d, out);
    } else {
      fputs(" (saved context)", out);
    }
    break;
  case ROOT_STACK_FRAME:
    fputs("stack of ", out);
    print_thread(d, out);
    fprintf(out, ", frame #%u ", d->frame);
    print_code_location(d, out);
    print_stack_word(d, word, out);
    break;
  case ROOT_STACK_REST:
    fputs("stack of ", out);
    print_thread(d, out);
    fputs(" (above the walked frames)", out);
    print_stack_word(d, word, out);
    break;
  case ROOT_DATA_SEGMENT:
    if (!word || !print_symbol_of(word, out))
      fprintf(out, "data segment of %s", d->object ? d->object : "?");
    if (word)
      fprintf(out, ", word at %p (segment+%#lx)", word,
              (unsigned long)((const char *)word - (const char *)d->lo));
    break;
  case ROOT_RANGE:
    fprintf(out, "root range #%zu [%p, %p) (gc_add_roots)", d->index, d->lo, d->hi);
    if (word)
      fprintf(out, ", word at +%#lx", (unsigned long)((const char *)word - (const char *)d->lo));
    fputs(" = ", out);
    if (!print_symbol_of(d->lo, out))
      fputs("memory outside any named global", out);
    print_site(d, out);
    break;
  case ROOT_EXACT:
  case ROOT_SHADOW_STACK:
    print_exact(d, word, out);
    break;
  case ROOT_UNCOLLECTABLE:
    fprintf(out, "uncollectable object %p (a root by itself)", d->lo);
    break;
  }
}
