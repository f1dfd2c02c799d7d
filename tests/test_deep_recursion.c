/*
 * test_deep_recursion.c — the stack scan must cover a 100,000-frame stack.
 *
 * A recursion of DEPTH frames holds references to collector objects only in
 * its shallowest frame (the test function: a conservative object, an atomic
 * one and an interior pointer) and its deepest frame (at_bottom).  Every
 * frame in between holds only non-pointer words.  At the bottom the heap is
 * collected and churned (the same size classes are allocated over and over,
 * so a wrongly freed slot is handed out again and overwritten), then both
 * ends' objects must be intact.  This fails if the scanner stops early —
 * e.g. at a frame-walk cap — instead of covering the rest of the stack
 * linearly up to its base.
 *
 * The test checks itself: the recursion must really span DEPTH frames of
 * stack (tail-call elimination would make it vacuous).
 *
 * Runs on the main thread.  RLIMIT_STACK is raised to 64 MiB first: Linux
 * grows the main stack up to the limit in force when it faults.  (A thread
 * variant through gc_pthread_create belongs here once the core has threads.)
 */
#include "shadow_model.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/resource.h>

#define DEPTH 100000u
#define OBJ_SIZE 96
#define BIG_SIZE (256 * 1024)
#define CHURN_OBJECTS 20000
#define STACK_LIMIT ((rlim_t)64 << 20)

static uintptr_t g_hidden_a, g_hidden_atomic, g_hidden_b; /* for checks only */
static char *g_top_frame, *g_bottom_frame;
static int g_bottom_ok;
static char g_bottom_msg[256];

static void fill(void *p, size_t n, uint64_t seed) {
  uint64_t *w = p;
  for (size_t i = 0; i < n / 8; i++) w[i] = sm_mix(seed, i) | SM_PAYLOAD_BIT;
}

static int intact(const void *p, size_t n, uint64_t seed) {
  const uint64_t *w = p;
  if (gc_base(p) != p) return 0;
  for (size_t i = 0; i < n / 8; i++)
    if (w[i] != (sm_mix(seed, i) | SM_PAYLOAD_BIT)) return 0;
  return 1;
}

/* Allocates garbage of the objects' size classes; none may come back at an
 * address the recursion still references.  Compares hidden values only:
 * an unhidden copy in this frame would itself keep the objects alive. */
static int referenced(const void *p) {
  uintptr_t h = sm_hide(p);
  return h == g_hidden_a || h == g_hidden_atomic || h == g_hidden_b;
}

static int churn(void) {
  for (int i = 0; i < CHURN_OBJECTS; i++) {
    void *p = (i & 1) ? gc_alloc_atomic(OBJ_SIZE) : gc_alloc(OBJ_SIZE);
    if (!p || referenced(p)) return -1;
    fill(p, OBJ_SIZE, (uint64_t)i);
    if (i % 1000 == 0) {
      void *big = gc_alloc(BIG_SIZE);
      if (!big || referenced(big)) return -1;
      fill(big, BIG_SIZE, 7);
    }
  }
  return 0;
}

static __attribute__((noinline)) uint64_t at_bottom(void) {
  char here;
  g_bottom_frame = &here;
  uint64_t *b = gc_alloc(BIG_SIZE); /* referenced only from this frame */
  if (!b) {
    snprintf(g_bottom_msg, sizeof g_bottom_msg, "gc_alloc(%d) failed", BIG_SIZE);
    return 0;
  }
  fill(b, BIG_SIZE, 0xB);
  g_hidden_b = sm_hide(b);
  gc_collect();
  int churned = churn() == 0;
  gc_collect();
  churned = churned && churn() == 0;
  gc_collect();
  if (!churned)
    snprintf(g_bottom_msg, sizeof g_bottom_msg,
             "an allocation at the bottom returned the memory of a referenced object");
  else if (!intact(sm_unhide(g_hidden_a), OBJ_SIZE, 0xA) ||
           !intact(sm_unhide(g_hidden_atomic), OBJ_SIZE, 0xAA))
    snprintf(g_bottom_msg, sizeof g_bottom_msg,
             "objects referenced only from the shallowest frame were reclaimed");
  else if (!intact(b, BIG_SIZE, 0xB))
    snprintf(g_bottom_msg, sizeof g_bottom_msg,
             "the object referenced only from the deepest frame was reclaimed");
  else
    g_bottom_ok = 1;
  sm_keep(b);
  return b[1];
}

/* Each frame keeps two non-pointer words in memory, read after the call so
 * that the call is not a tail call. */
static __attribute__((noinline)) uint64_t descend(unsigned depth, uint64_t acc) {
  volatile uint64_t pad[2];
  pad[0] = (acc ^ depth) | SM_PAYLOAD_BIT;
  pad[1] = (uint64_t)depth * 0x9E3779B97F4A7C15ull | SM_PAYLOAD_BIT;
  uint64_t r = depth >= DEPTH ? at_bottom() : descend(depth + 1, acc * 31 + depth);
  __asm__ volatile("" : : "r"(pad) : "memory");
  return r + pad[0] + pad[1];
}

/* Starts the descent with the general registers zeroed.  Otherwise a
 * register the recursion never touches could carry a stale copy of a
 * shallow pointer all the way down, where the deepest frame saves it: the
 * object would then be referenced from the bottom too, and a scanner that
 * stops early would pass.  (rbp is left alone: it may be the frame pointer;
 * the shallow pointers never pass through this frame's registers anyway,
 * see make_top_objects.) */
static __attribute__((noinline)) uint64_t start_descent(void) {
#if defined(__x86_64__)
  __asm__ volatile("xor %%eax, %%eax\n\txor %%ebx, %%ebx\n\txor %%ecx, %%ecx\n\t"
                   "xor %%edx, %%edx\n\txor %%esi, %%esi\n\txor %%edi, %%edi\n\t"
                   "xor %%r8d, %%r8d\n\txor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\t"
                   "xor %%r11d, %%r11d\n\txor %%r12d, %%r12d\n\txor %%r13d, %%r13d\n\t"
                   "xor %%r14d, %%r14d\n\txor %%r15d, %%r15d"
                   :
                   :
                   : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
                     "r13", "r14", "r15", "cc");
#elif defined(__aarch64__)
  __asm__ volatile("mov x0, xzr\n\tmov x1, xzr\n\tmov x2, xzr\n\tmov x3, xzr\n\t"
                   "mov x4, xzr\n\tmov x5, xzr\n\tmov x6, xzr\n\tmov x7, xzr\n\t"
                   "mov x8, xzr\n\tmov x9, xzr\n\tmov x10, xzr\n\tmov x11, xzr\n\t"
                   "mov x12, xzr\n\tmov x13, xzr\n\tmov x14, xzr\n\tmov x15, xzr\n\t"
                   "mov x19, xzr\n\tmov x20, xzr\n\tmov x21, xzr\n\tmov x22, xzr\n\t"
                   "mov x23, xzr\n\tmov x24, xzr\n\tmov x25, xzr\n\tmov x26, xzr\n\t"
                   "mov x27, xzr\n\tmov x28, xzr"
                   :
                   :
                   : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                     "x12", "x13", "x14", "x15", "x19", "x20", "x21", "x22", "x23", "x24", "x25",
                     "x26", "x27", "x28");
#endif
  uint64_t r = descend(1, 1);
  __asm__ volatile("" : : : "memory"); /* not a tail call: this frame stays */
  return r;
}

/* Creates the shallow objects and stores them straight into the caller's
 * frame: top[0] = a conservative object, top[1] = an interior pointer (the
 * last byte) of an atomic one.  The caller's registers never hold them. */
static __attribute__((noinline)) void make_top_objects(void *volatile *top) {
  uint64_t *a = gc_alloc(OBJ_SIZE);
  uint64_t *atomic = gc_alloc_atomic(OBJ_SIZE);
  if (a) fill(a, OBJ_SIZE, 0xA);
  if (atomic) fill(atomic, OBJ_SIZE, 0xAA);
  g_hidden_a = sm_hide(a);
  g_hidden_atomic = sm_hide(atomic);
  top[0] = a;
  top[1] = atomic ? (char *)atomic + OBJ_SIZE - 1 : NULL;
}

static void deep_recursion_keeps_both_ends(void **state) {
  (void)state;
  char here;
  void *volatile top[2];
  g_top_frame = &here;
  g_bottom_ok = 0;
  g_bottom_msg[0] = 0;
  make_top_objects(top);
  assert_non_null(top[0]);
  assert_non_null(top[1]);

  uint64_t r = start_descent();

  size_t span = (size_t)(g_top_frame - g_bottom_frame);
  fprintf(stderr, "deep recursion: %u frames, %zu KiB of stack\n", DEPTH, span >> 10);
  assert_true(span >= (size_t)DEPTH * 16); /* the recursion really was deep */
  if (!g_bottom_ok) fail_msg("at the bottom of the recursion: %s", g_bottom_msg);
  assert_ptr_equal(top[0], sm_unhide(g_hidden_a));
  assert_true(intact(top[0], OBJ_SIZE, 0xA));
  assert_ptr_equal(gc_base(top[1]), sm_unhide(g_hidden_atomic));
  assert_true(intact(sm_unhide(g_hidden_atomic), OBJ_SIZE, 0xAA));
  sm_keep((void *)(uintptr_t)r);
}

/* Twice: the second time the stack pages already exist and hold the first
 * run's stale words, which must not confuse anything either. */
static void deep_recursion_again(void **state) { deep_recursion_keeps_both_ends(state); }

static int raise_stack_limit(void **state) {
  (void)state;
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) != 0) return -1;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < STACK_LIMIT) {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= STACK_LIMIT ? STACK_LIMIT
                                                                             : rl.rlim_max;
    if (setrlimit(RLIMIT_STACK, &rl) != 0) return -1;
  }
  return gc_init(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(deep_recursion_keeps_both_ends),
      cmocka_unit_test(deep_recursion_again),
  };
  return cmocka_run_group_tests(tests, raise_stack_limit, NULL);
}
