/*
 * fuzz_mutator.c — libFuzzer harness: the input bytes are a mutator
 * program run against the collector and checked against a shadow model
 * after every step.
 *
 * Program: a sequence of operations, each one opcode byte plus operand
 * bytes (missing bytes read as zero):
 *   ALLOC kind size slot   allocate (conservative, atomic, uncollectable,
 *                          atomic-uncollectable, precise) into a root slot
 *   LINK a field b         object in slot a, pointer field f := object in b
 *   UNLINK a field         field := NULL
 *   LOAD a field b         slot b := object in field f of object in slot a
 *   MOVE a b               slot b := slot a (between storage classes)
 *   CLEAR a                slot a := NULL
 *   REALLOC a size         resize (only an object nothing else refers to)
 *   FREE a                 gc_free (same condition)
 *   COLLECT                gc_collect, then every reachable object checked
 *   VERIFY                 gc_verify must return 0
 *   WEAK a b               slot b := gc_weak_new(object in slot a)
 *   FINALIZE a             gc_register_finalizer on the object in slot a
 *   RUN_FINALIZERS         gc_run_finalizers
 *   PIN a                  gc_pin the object in slot a (nests, up to 3)
 *   UNPIN a                gc_unpin it, if pinned
 * Root slots come in four storage classes of SLOTS_PER_CLASS each: a local
 * array of this frame (stack), a global array (data segment), a malloc'd
 * array registered with gc_add_roots (root range) and malloc'd slots
 * registered with gc_root_add (exact roots).
 *
 * The model (malloc memory, which is no root) knows every object still
 * reachable in the program: address, size, kind, the target of each
 * pointer field, its pin count (a pinned object is a root), and a
 * content seed.  After each step the objects the
 * step touched are checked, and after each collection every object
 * reachable in the model must still be allocated (gc_base) with intact
 * content and fields; unreachable ones are forgotten (a conservative
 * collector may keep them, never the reverse).  A weak reference must
 * return its target while the target is reachable, and afterwards either
 * NULL or the same, still allocated object — never a reused slot.  A
 * finalizer must run at most once, and never on an object that is
 * reachable.  Any mismatch aborts, and libFuzzer keeps the input.  Each
 * input starts from empty roots.
 */
#include "gleaner.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS_PER_CLASS 4
#define SLOT_CLASSES 4
#define NSLOTS (SLOTS_PER_CLASS * SLOT_CLASSES)
#define FIELDS 4
#define MAX_OBJECTS 512
#define MAX_OPS 256
#define PATTERN_BYTES 192 /* checked content after the fields, and at the end */

/* K_WEAKREF objects come from gc_weak_new, not from OP_ALLOC. */
enum { K_CONS, K_ATOMIC, K_UNCOLL, K_ATOMIC_UNCOLL, K_PRECISE, K_COUNT, K_WEAKREF = K_COUNT };
enum { OP_ALLOC, OP_LINK, OP_UNLINK, OP_LOAD, OP_MOVE, OP_CLEAR, OP_REALLOC, OP_FREE,
       OP_COLLECT, OP_VERIFY, OP_WEAK, OP_FINALIZE, OP_RUN_FINALIZERS, OP_PIN, OP_UNPIN,
       OP_COUNT };
#define MAX_PINS 3

static const size_t sizes[] = {8,    16,   24,    48,    64,    100,   256,
                               1000, 4000, 20000, 33000, 70000, 200000};
#define NSIZES (sizeof sizes / sizeof sizes[0])

typedef struct model_obj {
  char *addr;          /* user address; NULL: slot of the model unused */
  size_t size;
  int kind;
  int fields[FIELDS];  /* model index of each field's target, -1: NULL */
  unsigned seed;
  int weak_target;     /* K_WEAKREF: model index of the target, -1: forgotten */
  char *weak_addr;     /* K_WEAKREF: the target's address */
  unsigned fin_token;  /* finalizer registered: token + 1 */
  unsigned pins;       /* gc_pin count: a pinned object is a root */
} model_obj;

/* Finalizers registered so far (all inputs): the address each token was
 * registered for (NULL once it ran) and its model index in its input. */
static struct { char **addr; int *obj; size_t count, capacity; } fins;

static model_obj *objs;         /* malloc: not a root */
static int *slot_obj;           /* model index held by each root slot, -1 */
void *fuzz_global_slots[SLOTS_PER_CLASS];
static void **range_slots, **exact_slots;
static gc_type node_type;
static const uint64_t node_bitmap[1] = {(1u << FIELDS) - 1};

static void fail(const char *what, int i) {
  fprintf(stderr, "fuzz_mutator: model mismatch: %s (object %d", what, i);
  if (i >= 0)
    fprintf(stderr, " at %p, %zu bytes, kind %d", (void *)objs[i].addr, objs[i].size,
            objs[i].kind);
  fprintf(stderr, ")\n");
  abort();
}

static bool has_fields(int kind) { return kind == K_CONS || kind == K_UNCOLL || kind == K_PRECISE; }
static unsigned field_count(const model_obj *o) {
  if (!has_fields(o->kind))
    return 0;
  size_t words = o->size / sizeof(void *);
  return words < FIELDS ? (unsigned)words : FIELDS;
}

/* Bytes that carry the content pattern: after the fields, a prefix and a
 * suffix of the object. */
static void pattern_range(const model_obj *o, size_t *from, size_t *to, size_t *tail) {
  *from = field_count(o) * sizeof(void *);
  *to = o->size < *from + PATTERN_BYTES ? o->size : *from + PATTERN_BYTES;
  *tail = o->size > *to + PATTERN_BYTES ? o->size - PATTERN_BYTES : *to;
}

static unsigned char pattern_byte(const model_obj *o, size_t i) {
  return (unsigned char)(o->seed + i * 31u);
}

__attribute__((noinline)) static void write_pattern(const model_obj *o) {
  size_t from, to, tail;
  pattern_range(o, &from, &to, &tail);
  for (size_t i = from; i < to; i++)
    o->addr[i] = (char)pattern_byte(o, i);
  for (size_t i = tail; i < o->size; i++)
    o->addr[i] = (char)pattern_byte(o, i);
}

__attribute__((noinline)) static bool pattern_matches(const model_obj *o, size_t from, size_t to) {
  for (size_t b = from; b < to; b++)
    if ((unsigned char)o->addr[b] != pattern_byte(o, b))
      return false;
  return true;
}

__attribute__((noinline)) static bool bytes_are_zero(const char *p, size_t from, size_t to) {
  for (size_t b = from; b < to; b++)
    if (p[b])
      return false;
  return true;
}

static void check_weak(int i);

static void check_object(int i) {
  const model_obj *o = &objs[i];
  if (gc_base(o->addr) != o->addr)
    fail("reachable object was reclaimed", i);
  if (o->kind == K_WEAKREF) {
    check_weak(i);
    return;
  }
  if (gc_size(o->addr) < o->size)
    fail("object shrank", i);
  size_t from, to, tail;
  pattern_range(o, &from, &to, &tail);
  if (!pattern_matches(o, from, to))
    fail("content changed", i);
  if (!pattern_matches(o, tail, o->size))
    fail("content changed at the end", i);
  void **f = (void **)o->addr;
  for (unsigned k = 0; k < field_count(o); k++) {
    void *want = o->fields[k] < 0 ? NULL : objs[o->fields[k]].addr;
    if (f[k] != want)
      fail("pointer field changed", i);
  }
}

/* ---- roots ------------------------------------------------------------------ */

static void **slot_address(int s, void **stack_slots) {
  int cls = s / SLOTS_PER_CLASS, j = s % SLOTS_PER_CLASS;
  switch (cls) {
  case 0: return &stack_slots[j];
  case 1: return &fuzz_global_slots[j];
  case 2: return &range_slots[j];
  default: return &exact_slots[j];
  }
}

static void set_slot(int s, int obj, void **stack_slots) {
  slot_obj[s] = obj;
  *slot_address(s, stack_slots) = obj < 0 ? NULL : objs[obj].addr;
}

/* ---- reachability in the model -------------------------------------------- */

static unsigned char *mark;

static void model_mark(int i) {
  if (i < 0 || mark[i])
    return;
  mark[i] = 1;
  for (unsigned k = 0; k < FIELDS; k++)
    model_mark(objs[i].fields[k]);
}

static void model_reachable(void) {
  memset(mark, 0, MAX_OBJECTS);
  for (int s = 0; s < NSLOTS; s++)
    model_mark(slot_obj[s]);
  for (int i = 0; i < MAX_OBJECTS; i++)
    if (objs[i].addr &&
        (objs[i].kind == K_UNCOLL || objs[i].kind == K_ATOMIC_UNCOLL || objs[i].pins))
      model_mark(i);
}

static bool model_has_address(const char *a) {
  for (int i = 0; i < MAX_OBJECTS; i++)
    if (objs[i].addr == a)
      return true;
  return false;
}

/* The weak reference of model object i (reachability computed). */
static void check_weak(int i) {
  const model_obj *o = &objs[i];
  model_reachable();
  char *got = gc_weak_get((gc_weak_ref *)o->addr);
  int t = o->weak_target;
  if (t >= 0 && mark[t]) {
    if (got != o->weak_addr)
      fail("weak reference lost a reachable target", i);
    return;
  }
  if (!got)
    return;
  if (got != o->weak_addr || gc_base(got) != got)
    fail("weak reference dangles", i);
  if (t < 0 && model_has_address(got))
    fail("weak reference names an object allocated after its target died", i);
}

/* After a collection: check the reachable, forget the rest. */
static void check_all_and_forget_garbage(void) {
  model_reachable();
  for (int i = 0; i < MAX_OBJECTS; i++) {
    if (!objs[i].addr)
      continue;
    if (mark[i])
      check_object(i);
    else
      objs[i].addr = NULL;
  }
  for (int i = 0; i < MAX_OBJECTS; i++) /* targets forgotten: identity by address only */
    if (objs[i].addr && objs[i].kind == K_WEAKREF && objs[i].weak_target >= 0 &&
        !objs[objs[i].weak_target].addr)
      objs[i].weak_target = -1;
}

/* References to obj in the model; a weak reference, a finalizer or a pin
 * counts too, so that such objects are never freed explicitly. */
static int references_to(int obj) {
  int n = (objs[obj].fin_token ? 1 : 0) + (int)objs[obj].pins;
  for (int i = 0; i < MAX_OBJECTS; i++)
    if (objs[i].addr && objs[i].kind == K_WEAKREF && objs[i].weak_target == obj)
      n++;
  for (int s = 0; s < NSLOTS; s++)
    n += slot_obj[s] == obj;
  for (int i = 0; i < MAX_OBJECTS; i++)
    if (objs[i].addr)
      for (unsigned k = 0; k < FIELDS; k++)
        n += objs[i].fields[k] == obj;
  return n;
}

/* ---- operations ------------------------------------------------------------- */

static void *allocate(int kind, size_t n) {
  switch (kind) {
  case K_ATOMIC: return gc_alloc_atomic(n);
  case K_UNCOLL: return gc_alloc_uncollectable(n);
  case K_ATOMIC_UNCOLL: return gc_alloc_atomic_uncollectable(n);
  case K_PRECISE: return gc_alloc_typed(&node_type, n < 32 ? 32 : n);
  default: return gc_alloc(n);
  }
}

static int free_model_index(void) {
  for (int i = 0; i < MAX_OBJECTS; i++)
    if (!objs[i].addr)
      return i;
  return -1;
}

static void op_alloc(const uint8_t *a, void **stack_slots) {
  int kind = a[0] % K_COUNT, s = a[2] % NSLOTS, i = free_model_index();
  size_t n = sizes[a[1] % NSIZES];
  if (i < 0)
    return;
  char *p = allocate(kind, n);
  if (!p)
    fail("allocation failed", -1);
  if (kind == K_PRECISE && n < 32)
    n = 32;
  if (!bytes_are_zero(p, 0, n))
    fail("new object is not zero", -1);
  objs[i] = (model_obj){.addr = p, .size = n, .kind = kind, .seed = a[1] * 7u + a[2],
                        .weak_target = -1};
  for (unsigned k = 0; k < FIELDS; k++)
    objs[i].fields[k] = -1;
  write_pattern(&objs[i]);
  set_slot(s, i, stack_slots);
  check_object(i);
}

static void op_link(const uint8_t *a, bool unlink) {
  int from = slot_obj[a[0] % NSLOTS], to = unlink ? -1 : slot_obj[a[2] % NSLOTS];
  if (from < 0)
    return;
  unsigned k = a[1] % FIELDS;
  if (k >= field_count(&objs[from]))
    return;
  objs[from].fields[k] = to;
  ((void **)objs[from].addr)[k] = to < 0 ? NULL : objs[to].addr;
  check_object(from);
}

static void op_load(const uint8_t *a, void **stack_slots) {
  int from = slot_obj[a[0] % NSLOTS];
  if (from < 0)
    return;
  unsigned k = a[1] % FIELDS;
  if (k >= field_count(&objs[from]))
    return;
  int target = objs[from].fields[k];
  set_slot(a[2] % NSLOTS, target, stack_slots);
  if (target >= 0)
    check_object(target);
}

static void op_realloc(const uint8_t *a, void **stack_slots) {
  int s = a[0] % NSLOTS, i = slot_obj[s];
  if (i < 0 || references_to(i) != 1 || objs[i].kind == K_PRECISE || objs[i].kind == K_WEAKREF)
    return; /* a realloc'ed object is freed: nothing else may name it */
  size_t n = sizes[a[1] % NSIZES];
  model_obj old = objs[i];
  char *p = gc_realloc(old.addr, n);
  if (!p)
    fail("realloc failed", i);
  size_t keep = n < old.size ? n : old.size;
  objs[i].addr = p;
  objs[i].size = n;
  /* The kept prefix moved with its bytes: fields beyond the new size are
   * gone, the pattern is rewritten over the new extent. */
  for (unsigned k = field_count(&objs[i]); k < FIELDS; k++)
    objs[i].fields[k] = -1;
  void **f = (void **)p;
  for (unsigned k = 0; k < field_count(&objs[i]); k++) {
    if ((k + 1) * sizeof(void *) > keep)
      objs[i].fields[k] = -1;
    void *want = objs[i].fields[k] < 0 ? NULL : objs[objs[i].fields[k]].addr;
    if (f[k] != want)
      fail("realloc lost a pointer field", i);
  }
  if (n > keep && !bytes_are_zero(p, keep, n))
    fail("realloc grew with non-zero bytes", i);
  write_pattern(&objs[i]);
  set_slot(s, i, stack_slots);
  check_object(i);
}

static void op_free(const uint8_t *a, void **stack_slots) {
  int s = a[0] % NSLOTS, i = slot_obj[s];
  if (i < 0 || references_to(i) != 1)
    return;
  gc_free(objs[i].addr);
  objs[i].addr = NULL;
  set_slot(s, -1, stack_slots);
}

static void op_weak(const uint8_t *a, void **stack_slots) {
  int target = slot_obj[a[0] % NSLOTS], i = free_model_index();
  if (target < 0 || i < 0 || objs[target].kind == K_WEAKREF)
    return;
  gc_weak_ref *w = gc_weak_new(objs[target].addr);
  if (!w)
    fail("gc_weak_new failed", target);
  objs[i] = (model_obj){.addr = (char *)w, .kind = K_WEAKREF, .weak_target = target,
                        .weak_addr = objs[target].addr};
  for (unsigned k = 0; k < FIELDS; k++)
    objs[i].fields[k] = -1; /* the target is not a field: weak */
  set_slot(a[1] % NSLOTS, i, stack_slots);
  check_object(i);
}

static void finalizer(void *obj, void *data) {
  size_t token = (size_t)(uintptr_t)data - 1;
  if (token >= fins.count || fins.addr[token] != obj)
    fail("finalizer ran twice or for the wrong object", -1);
  fins.addr[token] = NULL;
  int i = fins.obj[token];
  if (i >= 0 && objs[i].addr == obj && objs[i].fin_token == token + 1) {
    model_reachable();
    if (mark[i])
      fail("finalizer ran on a reachable object", i);
  }
}

static void op_finalize(const uint8_t *a) {
  int i = slot_obj[a[0] % NSLOTS];
  if (i < 0 || objs[i].fin_token || objs[i].kind == K_WEAKREF || objs[i].kind == K_UNCOLL ||
      objs[i].kind == K_ATOMIC_UNCOLL)
    return; /* uncollectable objects are never finalized */
  if (fins.count == fins.capacity) {
    size_t cap = fins.capacity ? fins.capacity * 2 : 1024;
    char **addr = realloc(fins.addr, cap * sizeof *addr);
    int *obj = realloc(fins.obj, cap * sizeof *obj);
    if (!addr || !obj)
      abort();
    fins.addr = addr;
    fins.obj = obj;
    fins.capacity = cap;
  }
  size_t token = fins.count++;
  fins.addr[token] = objs[i].addr;
  fins.obj[token] = i;
  objs[i].fin_token = (unsigned)token + 1;
  gc_register_finalizer(objs[i].addr, finalizer, (void *)(uintptr_t)(token + 1), NULL, NULL);
}

static void op_pin(const uint8_t *a, bool pin) {
  int i = slot_obj[a[0] % NSLOTS];
  if (i < 0 || (pin && objs[i].pins >= MAX_PINS) || (!pin && !objs[i].pins))
    return;
  if (pin) {
    gc_pin(objs[i].addr);
    objs[i].pins++;
  } else {
    gc_unpin(objs[i].addr);
    objs[i].pins--;
  }
  check_object(i);
}

/* ---- one input ------------------------------------------------------------ */

/* libFuzzer and the sanitizer runtimes keep ~10 MB of tables in this
 * program's .bss; scanning them at every collection would make each input
 * cost tens of milliseconds.  Everything of the program's writable segment
 * except the global root slots is excluded (gc_exclude_roots), so the
 * global slots are still found by the real data-segment scan. */
static int exclude_program_data(struct dl_phdr_info *info, size_t size, void *unused) {
  (void)size;
  (void)unused;
  char *slots_lo = (char *)fuzz_global_slots, *slots_hi = slots_lo + sizeof fuzz_global_slots;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    char *lo = (char *)(info->dlpi_addr + ph->p_vaddr), *hi = lo + ph->p_memsz;
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) || slots_lo < lo || slots_hi > hi)
      continue;
    if (slots_lo > lo)
      gc_exclude_roots(lo, slots_lo);
    if (hi > slots_hi)
      gc_exclude_roots(slots_hi, hi);
  }
  return 0;
}

/* Warnings the harness provokes on purpose (ordered finalizers on cycles)
 * are counted, not printed: printing them cost more than the inputs. */
static unsigned long finalization_cycle_warnings;
static void warn(const char *message) {
  if (strstr(message, "finalization cycle")) {
    finalization_cycle_warnings++;
    return;
  }
  fprintf(stderr, "gleaner: %s\n", message);
}

static void setup_once(void) {
  static bool done;
  if (done)
    return;
  done = true;
  gc_config cfg = {.compact = -1}; /* the model names objects by address */
  gc_init(&cfg);
  gc_set_warn_handler(warn);
  objs = calloc(MAX_OBJECTS, sizeof *objs);
  slot_obj = malloc(NSLOTS * sizeof *slot_obj);
  mark = malloc(MAX_OBJECTS);
  range_slots = calloc(SLOTS_PER_CLASS, sizeof(void *));
  exact_slots = calloc(SLOTS_PER_CLASS, sizeof(void *));
  gc_add_roots(range_slots, range_slots + SLOTS_PER_CLASS);
  dl_iterate_phdr(exclude_program_data, NULL);
  for (int j = 0; j < SLOTS_PER_CLASS; j++)
    gc_root_add(&exact_slots[j]);
  node_type = (gc_type){.name = "fuzz_node", .size = 32, .pointer_bitmap = node_bitmap,
                        .bitmap_words = 1};
  if (gc_type_register(&node_type) != 0)
    abort();
}

/* Forget the previous input: queued finalizers run, the finalizers still
 * registered are removed (objects in finalization cycles would otherwise
 * stay forever and every later input would pay for them), pins are undone,
 * uncollectable objects are freed, roots cleared.  So an input's outcome
 * does not depend on the inputs before it. */
static void reset(void **stack_slots) {
  gc_run_finalizers();
  for (size_t t = 0; t < fins.count; t++)
    if (fins.addr[t]) {
      gc_register_finalizer(fins.addr[t], NULL, NULL, NULL, NULL);
      fins.addr[t] = NULL;
    }
  fins.count = 0;
  for (int i = 0; i < MAX_OBJECTS; i++)
    for (; objs[i].addr && objs[i].pins; objs[i].pins--)
      gc_unpin(objs[i].addr);
  for (int i = 0; i < MAX_OBJECTS; i++)
    if (objs[i].addr && (objs[i].kind == K_UNCOLL || objs[i].kind == K_ATOMIC_UNCOLL))
      gc_free(objs[i].addr);
  memset(objs, 0, MAX_OBJECTS * sizeof *objs);
  for (int s = 0; s < NSLOTS; s++)
    set_slot(s, -1, stack_slots);
}

static void step(uint8_t op, const uint8_t *a, void **stack_slots) {
  switch (op % OP_COUNT) {
  case OP_ALLOC: op_alloc(a, stack_slots); break;
  case OP_LINK: op_link(a, false); break;
  case OP_UNLINK: op_link(a, true); break;
  case OP_LOAD: op_load(a, stack_slots); break;
  case OP_MOVE: set_slot(a[1] % NSLOTS, slot_obj[a[0] % NSLOTS], stack_slots); break;
  case OP_CLEAR: set_slot(a[0] % NSLOTS, -1, stack_slots); break;
  case OP_REALLOC: op_realloc(a, stack_slots); break;
  case OP_FREE: op_free(a, stack_slots); break;
  case OP_COLLECT:
    gc_collect();
    check_all_and_forget_garbage();
    break;
  case OP_VERIFY:
    if (gc_verify() != 0)
      fail("gc_verify found the heap inconsistent", -1);
    check_all_and_forget_garbage();
    break;
  case OP_WEAK: op_weak(a, stack_slots); break;
  case OP_FINALIZE: op_finalize(a); break;
  case OP_PIN: op_pin(a, true); break;
  case OP_UNPIN: op_pin(a, false); break;
  default: gc_run_finalizers();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  void *volatile stack_slots_v[SLOTS_PER_CLASS] = {0};
  void **stack_slots = (void **)stack_slots_v;
  setup_once();
  reset(stack_slots);
  size_t pos = 0;
  for (int ops = 0; pos < size && ops < MAX_OPS; ops++) {
    uint8_t a[3] = {0, 0, 0};
    uint8_t op = data[pos++];
    for (int k = 0; k < 3 && pos < size; k++)
      a[k] = data[pos++];
    step(op, a, stack_slots);
  }
  gc_collect();
  check_all_and_forget_garbage();
  reset(stack_slots);
  return 0;
}
