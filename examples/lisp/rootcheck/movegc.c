/*
 * movegc.c — a rooting checker for embedders of Gleaner's precise API.
 *
 * Gleaner scans the C stack conservatively and pins whatever a stack word
 * names, so an embedder that forgets to root a value across an allocation
 * usually gets away with it: the stale C local itself keeps the object in
 * place.  This file implements the subset of gleaner.h the interpreter
 * uses (typed allocation, exact roots and shadow frames, identity hashes,
 * ephemerons, stats) as a semispace copying collector that trusts *only*
 * exact roots, moves every object at every collection, and then makes the
 * old space inaccessible (PROT_NONE, kept for the next 8 collections).  A
 * stale pointer therefore faults at its first use instead of working by
 * luck.  GLEANER_STRESS=N collects every N allocations, as in Gleaner.
 *
 * It is a test tool, not a collector: no conservative roots at all (a
 * program that keeps a value only in a C local loses it — which is the
 * point), no threads, no finalizers.  It also checks what it can of the
 * embedder's type descriptors: every object's type is registered, a
 * size_fn agrees with the allocated size, and trace functions report only
 * slots inside their object.  Built by `make lisp-rootcheck`.
 */
#include <gleaner.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TYPE_MAGIC 0x6d6f7665u /* internal_id of types registered here */
#define QUARANTINE 8           /* old spaces kept PROT_NONE */

struct header {
  const gc_type *type; /* NULL: an ephemeron */
  size_t size;         /* bytes requested by the program */
  uint64_t identity;   /* gc_identity_hash, 0 until asked */
  void *forward;       /* new address during a collection */
};

struct gc_ephemeron {
  void *key, *value;
  struct gc_ephemeron *next_seen; /* ephemerons copied in this collection */
};

struct space {
  char *base, *top, *limit;
};

static struct space cur, from;
static struct space quarantine[QUARANTINE];
static unsigned quarantine_next;
static gc_frame *frame_top;
static void ***roots;
static size_t nroots, roots_cap;
static unsigned stress, countdown;
static uint64_t next_identity = 1;
static struct gc_ephemeron *seen_ephemerons;
static gc_stats stats;
static int initialized;
volatile int gc_barrier_active; /* never set: collections are atomic */

static _Noreturn void die(const char *msg, const void *p) {
  fprintf(stderr, "movegc: %s (%p)\n", msg, p);
  abort();
}

static size_t rounded(size_t n) {
  return sizeof(struct header) + ((n + 15) & ~(size_t)15);
}

static struct space map_space(size_t size) {
  char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    die("out of address space", NULL);
  return (struct space){p, p, p + size};
}

int gc_init(const gc_config *cfg) {
  (void)cfg;
  if (initialized)
    return 0;
  initialized = 1;
  const char *s = getenv("GLEANER_STRESS");
  stress = s ? (unsigned)atoi(s) : 0;
  countdown = stress;
  cur = map_space((size_t)1 << 20);
  return 0;
}

gc_frame **gc_frame_top(void) { return &frame_top; }

void gc_root_add(void **slot) {
  if (nroots == roots_cap) {
    roots_cap = roots_cap ? roots_cap * 2 : 64;
    roots = realloc(roots, roots_cap * sizeof *roots);
    if (!roots)
      die("out of memory for roots", NULL);
  }
  roots[nroots++] = slot;
}

void gc_root_remove(void **slot) {
  for (size_t i = 0; i < nroots; i++)
    if (roots[i] == slot) {
      roots[i] = roots[--nroots];
      return;
    }
}

int gc_type_register(gc_type *t) {
  if (!t || (t->size == 0 && !t->size_fn))
    die("bad type", t);
  t->internal_id = TYPE_MAGIC;
  return 0;
}

void gc_write_barrier(void *obj, void **slot, void *value) {
  (void)obj, (void)slot, (void)value;
}

/* ---- copying ---------------------------------------------------------- */

static int in_from(const void *p) {
  return (const char *)p >= from.base && (const char *)p < from.top;
}

static struct header *header_of(void *obj) { return (struct header *)obj - 1; }

static void *copy(void *obj) {
  struct header *h = header_of(obj);
  if (h->forward)
    return h->forward;
  if (h->type && h->type->internal_id != TYPE_MAGIC)
    die("exact slot names something that is not an object start", obj);
  struct header *n = (struct header *)cur.top;
  cur.top += rounded(h->size);
  memcpy(n, h, sizeof *h + h->size);
  h->forward = n + 1;
  stats.objects_moved++;
  stats.bytes_moved += h->size;
  if (!n->type) {
    struct gc_ephemeron *e = (struct gc_ephemeron *)(n + 1);
    e->next_seen = seen_ephemerons;
    seen_ephemerons = e;
  }
  return n + 1;
}

struct bounds {
  char *lo, *hi;
};

static void visit(void **slot, void *ctx) {
  struct bounds *b = ctx;
  if (b && ((char *)slot < b->lo || (char *)(slot + 1) > b->hi))
    die("trace function reported a slot outside its object", slot);
  if (*slot && in_from(*slot))
    *slot = copy(*slot);
}

static void scan_object(struct header *h) {
  const gc_type *t = h->type;
  char *obj = (char *)(h + 1);
  if (!t)
    return; /* ephemerons: resolved after the strong trace */
  if (t->size_fn && t->size_fn(obj) != h->size)
    die("size_fn disagrees with the allocated size", obj);
  struct bounds b = {obj, obj + h->size};
  if (t->trace) {
    t->trace(obj, visit, &b);
  } else if (t->pointer_bitmap) {
    size_t period = t->bitmap_words * 64;
    for (size_t i = 0; i < h->size / sizeof(void *); i++)
      if (t->pointer_bitmap[(i % period) / 64] >> (i % period % 64) & 1)
        visit((void **)obj + i, &b);
  }
}

static void scan_from(char **scan) {
  while (*scan < cur.top) {
    struct header *h = (struct header *)*scan;
    *scan += rounded(h->size);
    scan_object(h);
  }
}

static int alive(void *p) { return !in_from(p) || header_of(p)->forward; }

/* Values of ephemerons whose key is alive are strong; repeat until no
 * more values are copied.  Then dead keys clear their ephemeron. */
static void resolve_ephemerons(char **scan) {
  int progress = 1;
  while (progress) {
    progress = 0;
    for (struct gc_ephemeron *e = seen_ephemerons; e; e = e->next_seen)
      if (e->key && alive(e->key) && e->value && !alive(e->value)) {
        visit(&e->value, NULL);
        progress = 1;
      }
    scan_from(scan);
  }
  for (struct gc_ephemeron *e = seen_ephemerons; e; e = e->next_seen) {
    if (e->key && !alive(e->key)) {
      e->key = e->value = NULL;
      stats.weak_cleared++;
      continue;
    }
    visit(&e->key, NULL);
    visit(&e->value, NULL);
  }
}

static void retire_from_space(void) {
  size_t size = (size_t)(from.limit - from.base);
  memset(from.base, 0xdb, (size_t)(from.top - from.base));
  mprotect(from.base, size, PROT_NONE);
  struct space *old = &quarantine[quarantine_next];
  if (old->base)
    munmap(old->base, (size_t)(old->limit - old->base));
  *old = from;
  quarantine_next = (quarantine_next + 1) % QUARANTINE;
}

static void collect(size_t need) {
  from = cur;
  size_t used = (size_t)(from.top - from.base);
  cur = map_space(2 * used + need + ((size_t)1 << 20));
  char *scan = cur.base;
  seen_ephemerons = NULL;
  for (gc_frame *f = frame_top; f; f = f->prev)
    for (size_t i = 0; i < f->count; i++)
      visit(&f->slots[i], NULL);
  for (size_t i = 0; i < nroots; i++)
    visit(roots[i], NULL);
  scan_from(&scan);
  resolve_ephemerons(&scan);
  retire_from_space();
  stats.collections++;
  stats.live_bytes = (size_t)(cur.top - cur.base);
}

/* ---- allocation and queries ------------------------------------------ */

static void *allocate(const gc_type *t, size_t n) {
  gc_init(NULL);
  size_t total = rounded(n);
  if ((stress && --countdown == 0) || cur.top + total > cur.limit) {
    countdown = stress;
    collect(total);
  }
  struct header *h = (struct header *)cur.top;
  cur.top += total;
  memset(h, 0, total);
  h->type = t;
  h->size = n;
  stats.allocated_bytes += n;
  return h + 1;
}

void *gc_alloc_typed(const gc_type *t, size_t n) {
  if (!t || t->internal_id != TYPE_MAGIC)
    die("gc_alloc_typed: unregistered type", t);
  if (t->size && n < t->size)
    die("gc_alloc_typed: smaller than the type's size", t);
  return allocate(t, n);
}

void gc_collect(void) { collect(0); }

uint64_t gc_identity_hash(void *obj) {
  struct header *h = header_of(obj);
  if (!h->identity)
    h->identity = next_identity++;
  return h->identity;
}

gc_ephemeron *gc_ephemeron_new(void *key, void *value) {
  void *slots[2] = {key, value}; /* rooted across the allocation */
  gc_frame f = {frame_top, 2, slots};
  frame_top = &f;
  struct gc_ephemeron *e = allocate(NULL, sizeof *e);
  frame_top = f.prev;
  e->key = slots[0];
  e->value = slots[1];
  return e;
}

void *gc_ephemeron_key(const gc_ephemeron *e) { return e->key; }
void *gc_ephemeron_value(const gc_ephemeron *e) { return e->value; }

void gc_get_stats(gc_stats *out) {
  *out = stats;
  out->heap_bytes = (size_t)(cur.limit - cur.base);
}
