/*
 * stop_world.c — stop-the-world by signals.
 *
 * The collecting thread holds G->lock for the whole collection, so the
 * registry cannot change under it: a thread being created registers
 * itself under the lock (so it waits, and touches nothing before), and a
 * thread exiting unregisters under the lock (so it waits too, and is
 * stopped like any other while it waits).
 *
 * Protocol.  world_gen is even while the world runs.  To stop it the
 * collector makes it odd (gen), then sends the suspend signal to every
 * registered thread except itself and those parked in a blocking region
 * (they are scanned from the state gc_enter_blocking saved, and
 * gc_leave_blocking takes the lock, so they cannot come back before the
 * collection ends).  The handler copies the ucontext_t it received into
 * the thread's record (its registers are scanned from there), records a
 * stack pointer below the signal frame (so the scan also covers the
 * floating-point state the kernel saved on the stack), stores gen in
 * ack_gen and posts a semaphore; then it waits on a futex until world_gen
 * changes.  The collector waits until every signalled thread has
 * ack_gen == gen.  Restarting is world_gen++ and a futex wake: no second
 * signal, and no handshake is needed because a thread that is slow to
 * wake only sees a newer generation.
 *
 * Stray signals (the same number sent by someone else) are harmless: with
 * an even generation the handler returns at once, and acknowledgements
 * are per thread and per generation, never counted.
 *
 * EINTR discipline.  The handler is installed with SA_RESTART and saves
 * errno, so most interrupted system calls resume transparently; calls the
 * kernel never restarts (nanosleep, poll, epoll_wait, sem_timedwait, ...)
 * may return EINTR in a registered thread, as with any signal — such
 * calls belong inside gc_enter_blocking/gc_leave_blocking, which avoids
 * the signal altogether.  Every wait inside Gleaner retries on EINTR.
 *
 * Loader lock.  The world is stopped from inside a dl_iterate_phdr
 * callback: the collecting thread then holds glibc's loader lock, so no
 * stopped thread can be holding it (inside dlopen, or unwinding a C++
 * exception), and the collection's own dl_iterate_phdr calls (data
 * segments, libunwind) are recursive acquisitions instead of a deadlock.
 * Nothing in a collection may call malloc: a stopped thread may hold the
 * malloc lock.
 */
#include "stop_world.h"
#include "mark.h"
#include "mark_parallel.h"
#include "roots.h"
#include "stats.h"
#include "valgrind_support.h"
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif
/* Helgrind and DRD cannot see the ordering that the suspend handshake
 * gives (a raw futex and a signal handler): these annotations state it.
 * They cost a few instructions when not running under valgrind. */
#ifndef ANNOTATE_HAPPENS_BEFORE
#define ANNOTATE_HAPPENS_BEFORE(obj) ((void)(obj))
#define ANNOTATE_HAPPENS_AFTER(obj) ((void)(obj))
#endif

#define STW_LOG 4096            /* recent stop times kept for the median */
#define ACK_WARN_SECONDS 5      /* a thread this slow probably blocks the signal */

static int suspend_signal = SIGPWR;
static bool installed; /* stop_world_install ran: the signal is fixed */
static _Atomic uint32_t world_gen;
static sem_t acks;
static int stopped_now;         /* collector side, under the lock */

static struct {
  uint64_t log[STW_LOG];
  uint64_t scratch[STW_LOG];  /* for the median */
  uint64_t count, max_ns;
} stw;

static long futex_op(_Atomic uint32_t *addr, int op, uint32_t val) {
  return syscall(SYS_futex, (uint32_t *)addr, op, val, NULL, NULL, 0);
}

/* A stack pointer of the interrupted code, for a handler that does not
 * run on the thread's own stack (sigaltstack). */
static char *interrupted_sp(const ucontext_t *uc) {
#if defined(__x86_64__)
  return (char *)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
  return (char *)uc->uc_mcontext.sp;
#else
  (void)uc;
  return NULL;
#endif
}

static void suspend_handler(int sig, siginfo_t *info, void *ucv) {
  (void)sig;
  (void)info;
  int saved_errno = errno;
  mutator *m = gleaner_self;
  uint32_t gen = atomic_load_explicit(&world_gen, memory_order_acquire);
  if (m == &gleaner_unregistered || !(gen & 1) || m->ack_gen == gen) {
    errno = saved_errno;
    return;
  }
  if (__atomic_load_n(&m->blocking, __ATOMIC_ACQUIRE))
    goto acknowledge; /* parked: the state gc_enter_blocking saved stays */
  memcpy(&m->saved_context, ucv, sizeof(ucontext_t));
  volatile char anchor = 0;
  char *sp = (char *)&anchor;
  if (sp < m->stack_limit || sp >= m->stack_base) {
    /* On an alternate signal stack: trust the interrupted sp if it is on
     * the thread stack, else (a handler of the program's own, on the
     * alternate stack, was interrupted) scan the whole thread stack. */
    sp = interrupted_sp(ucv);
    if (!sp || sp < m->stack_limit || sp >= m->stack_base)
      sp = m->stack_limit + 128;
  }
  m->saved_sp = sp;
acknowledge:
  ANNOTATE_HAPPENS_BEFORE(&m->ack_gen);
  __atomic_store_n(&m->ack_gen, gen, __ATOMIC_RELEASE);
  sem_post(&acks);
  while (atomic_load_explicit(&world_gen, memory_order_acquire) == gen)
    futex_op(&world_gen, FUTEX_WAIT_PRIVATE, gen); /* EINTR, EAGAIN: recheck */
  ANNOTATE_HAPPENS_AFTER(&world_gen);
  errno = saved_errno;
}

void stop_world_install(void) {
  const char *v = getenv("GLEANER_SUSPEND_SIGNAL");
  if (v) {
    int n = atoi(v);
    if (n > 0 && n < NSIG && n != SIGKILL && n != SIGSTOP)
      suspend_signal = n;
    else
      gc_warnf("GLEANER_SUSPEND_SIGNAL=%s: not a usable signal number; ignored", v);
  }
  if (sem_init(&acks, 0, 0) != 0)
    gc_fatal("sem_init failed: %s", strerror(errno));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = suspend_handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  /* Block everything else while stopped: a program handler that runs on
   * a stopped thread could touch the heap. */
  sigfillset(&sa.sa_mask);
  sigdelset(&sa.sa_mask, SIGSEGV);
  sigdelset(&sa.sa_mask, SIGBUS);
  sigdelset(&sa.sa_mask, SIGILL);
  sigdelset(&sa.sa_mask, SIGFPE);
  if (sigaction(suspend_signal, &sa, NULL) != 0)
    gc_fatal("cannot install the suspend signal handler: %s", strerror(errno));
  installed = true;
}

int stop_world_signal(void) { return suspend_signal; }

bool stop_world_prefer_signal(int sig) {
  if (installed || sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP)
    return false;
  suspend_signal = sig;
  return true;
}

void stop_world_unblock_signal(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, suspend_signal);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void stop_world_block_signal(sigset_t *old) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, suspend_signal);
  pthread_sigmask(SIG_BLOCK, &set, old);
}

void stop_world_after_fork_child(void) {
  sem_destroy(&acks);
  sem_init(&acks, 0, 0);
  atomic_store(&world_gen, 0);
  stopped_now = 0;
}

static unsigned count_answers(uint32_t gen) {
  unsigned answered = 0;
  for (mutator *m = G->mutators; m; m = m->next)
    if (m->stopped == MUTATOR_SIGNALED &&
        __atomic_load_n(&m->ack_gen, __ATOMIC_ACQUIRE) == gen) {
      ANNOTATE_HAPPENS_AFTER(&m->ack_gen);
      answered++;
    }
  return answered;
}

/* Wait for the answers without sleeping for a while first: waking this
 * thread from sem_timedwait costs tens of microseconds on a virtual
 * machine whose CPU went idle, which was much of the time to stop the
 * world (2 threads: p50 51 -> 36 us).  When every signaled thread can
 * have a CPU of its own besides this one, spin; with more threads than
 * that, some need this CPU to answer at all (spinning: 250 us with 4
 * threads on 2 CPUs), so yield it between checks.  True when every thread
 * answered. */
#define ACK_SPIN_NS 200000
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static bool spin_for_acks(uint32_t gen, unsigned signaled) {
  if (running_on_valgrind())
    return false; /* it runs one thread at a time: spinning only delays */
  bool share_cpu = signaled + 1 > G->cfg.cores;
  uint64_t until = now_ns() + ACK_SPIN_NS;
  do {
    if (share_cpu)
      sched_yield();
    else
      for (int i = 0; i < 64; i++)
        cpu_relax();
    if (count_answers(gen) == signaled)
      return true;
  } while (now_ns() < until);
  return false;
}

static void wait_acks(uint32_t gen, unsigned signaled) {
  time_t started = time(NULL);
  bool warned = false;
  if (spin_for_acks(gen, signaled))
    return;
  for (;;) {
    unsigned answered = count_answers(gen);
    if (answered == signaled)
      return;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    if (sem_timedwait(&acks, &deadline) != 0 && errno != ETIMEDOUT && errno != EINTR)
      gc_fatal("sem_timedwait failed: %s", strerror(errno));
    if (!warned && time(NULL) - started >= ACK_WARN_SECONDS) {
      warned = true;
      gc_warnf("stop-the-world: %u of %u threads have not answered signal %d for %d s "
               "(a registered thread blocks it?)",
               signaled - answered, signaled, suspend_signal, ACK_WARN_SECONDS);
    }
  }
}

static void record_stop_time(uint64_t ns) {
  stw.log[stw.count % STW_LOG] = ns;
  stw.count++;
  if (ns > stw.max_ns)
    stw.max_ns = ns;
}

/* Whether the last stop had any other thread: in a single-threaded
 * program nobody can wait on the futex, and the restart needs no system
 * call.  (With other threads it always wakes, even if none was signaled:
 * a stray suspend signal makes a parked thread wait too.) */
static bool other_threads;

static void stop_others(void) {
  uint64_t start = now_ns();
  uint32_t gen = atomic_fetch_add(&world_gen, 1) + 1;
  GC_ASSERT(gen & 1);
  mutator *self = gleaner_self;
  unsigned signaled = 0;
  while (sem_trywait(&acks) == 0) /* forget posts of older generations */
    ;
  for (mutator *m = G->mutators; m; m = m->next) {
    m->stopped = MUTATOR_RUNNING;
    if (m == self)
      continue;
    if (__atomic_load_n(&m->blocking, __ATOMIC_ACQUIRE)) {
      ANNOTATE_HAPPENS_AFTER(&m->blocking);
      m->stopped = MUTATOR_PARKED;
      continue;
    }
    m->stopped = MUTATOR_SIGNALED;
    int rc = pthread_kill(m->thread, suspend_signal);
    if (rc != 0)
      gc_fatal("cannot signal registered thread %lu: %s (did it exit without "
               "unregistering?)", (unsigned long)m->thread, strerror(rc));
    signaled++;
  }
  wait_acks(gen, signaled);
  other_threads = G->mutators && (G->mutators != self || G->mutators->next);
  record_stop_time(now_ns() - start);
}

static void restart_others(void) {
  for (mutator *m = G->mutators; m; m = m->next)
    m->stopped = MUTATOR_RUNNING;
  ANNOTATE_HAPPENS_BEFORE(&world_gen);
  atomic_fetch_add_explicit(&world_gen, 1, memory_order_release);
  if (other_threads)
    futex_op(&world_gen, FUTEX_WAKE_PRIVATE, INT_MAX);
}

typedef struct stopped_call { void (*fn)(void *); void *arg; bool done; } stopped_call;

static int run_under_loader_lock(struct dl_phdr_info *info, size_t size, void *data) {
  (void)info;
  (void)size;
  stopped_call *call = data;
  stop_others();
  stopped_now = 1;
  call->fn(call->arg);
  stopped_now = 0;
  restart_others();
  call->done = true;
  return 1; /* stop the iteration: one object is enough to hold the lock */
}

void world_stopped_run(void (*fn)(void *), void *arg) {
  if (stopped_now) {
    fn(arg);
    return;
  }
  /* Whatever runs with the world stopped may read or change mark state:
   * background markers (mark_parallel.c) stop first. */
  mark_parallel_background_stop();
  stopped_call call = {fn, arg, false};
#if !defined(__SANITIZE_THREAD__)
  /* (Not under TSan: its report symbolizer, running in a helper marker
   * thread, takes the loader lock too.) */
  dl_iterate_phdr(run_under_loader_lock, &call);
#endif
  if (!call.done)
    run_under_loader_lock(NULL, 0, &call);
}

bool world_is_stopped(void) { return stopped_now != 0; }

void stop_world_exclude_from_roots(void) { roots_exclude_own(&stw, &stw + 1); }

/* k-th smallest of v[0..n) (quickselect; v is scratch). */
static uint64_t select_kth(uint64_t *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    uint64_t pivot = v[(lo + hi) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        uint64_t t = v[i]; v[i] = v[j]; v[j] = t;
        i++;
        if (j == 0) break;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return v[k];
}

void stw_summary(uint64_t *p50_ns, uint64_t *max_ns, uint64_t *count) {
  uint64_t *scratch = stw.scratch;
  size_t n = stw.count < STW_LOG ? (size_t)stw.count : STW_LOG;
  memcpy(scratch, stw.log, n * sizeof *scratch);
  *p50_ns = n ? select_kth(scratch, n, n / 2) : 0;
  *max_ns = stw.max_ns;
  *count = stw.count;
}

void stopped_cursors_mark(mutator *m) {
  for (unsigned k = 0; k < CURSOR_KINDS; k++) {
    for (unsigned c = 0; c < NUM_CLASSES; c++) {
      alloc_cursor *cur = &m->cursors[k][c];
      if (!cur->block)
        continue;
      /* Every allocated slot of the current word: the cursor's untaken
       * slots, the ones it handed out, and older objects of the word (at
       * most 63 floating-garbage objects per cursor and collection). */
      /* The slots it set aside in that word too (alloc.c).  The address
       * comes from block and word, not word_base: a thread stopped while
       * moving to its next word may have stored one and not yet the
       * other. */
      uint64_t allocated = G->bits[cur->block - 1].alloc[cur->word];
      char *base = block_base(cur->block - 1) + (size_t)cur->word * 64 * cur->size;
      for (uint64_t t = allocated; t; t &= t - 1)
        mark_ambiguous_word((uintptr_t)(base + (size_t)__builtin_ctzll(t) * cur->size));
    }
  }
}

void stop_world_annotate_parking(mutator *m) { ANNOTATE_HAPPENS_BEFORE(&m->blocking); }

