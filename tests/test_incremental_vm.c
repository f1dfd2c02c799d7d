/*
 * test_incremental_vm.c — incremental marking with virtual-memory dirty
 * tracking: the program calls no barrier (raw stores), and the lost-object
 * scenarios must still keep C.  Also read(2) into heap buffers, atomic and
 * scanned, during a cycle: the kernel resolves the write protection, so
 * the call must not fail with EFAULT, and the data must be there.
 * GLEANER_VM_BARRIER=mprotect runs the same tests on the mprotect
 * fallback (tests/incremental.mk does).  Skipped where neither works:
 * the collector then stays stop-the-world.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "incremental_scenarios.h"
#include "vm_barrier.h"

static void lost_object_into_black_object(void **state) {
  (void)state;
  scenario(INTO_BLACK_OBJECT, 0, 1);
}

static void read_into_heap_during_cycle(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  /* The mprotect fallback never protects atomic blocks, but scanned ones
   * it must: there read(2) fails with EFAULT (documented), so only the
   * atomic buffer is tried. */
  for (int atomic = vm_barrier_is_mprotect(); atomic < 2; atomic++) {
    char *buf = atomic ? gc_alloc_atomic(8192) : gc_alloc(8192);
    global_a = (obj *)buf;
    gc_collect(); /* buf is old and scanned: its pages get protected */
    while (!incremental_in_cycle())
      gc_collect_a_little();
    const char msg[] = "written by the kernel into a protected page";
    assert_int_equal(write(fds[1], msg, sizeof msg), (ssize_t)sizeof msg);
    ssize_t n = read(fds[0], buf + 4096 + 100, sizeof msg);
    if (n < 0)
      fail_msg("read(2) into the heap failed: %s", strerror(errno));
    assert_int_equal(n, (ssize_t)sizeof msg);
    assert_string_equal(buf + 4096 + 100, msg);
    finish_cycle();
    assert_string_equal(buf + 4096 + 100, msg);
  }
  close(fds[0]);
  close(fds[1]);
  global_a = NULL;
}

int main(void) {
  setenv("GLEANER_INCREMENTAL", "1", 1);
  setenv("GLEANER_BARRIER", "vm", 1);
  setenv("GLEANER_PAUSE_TARGET_US", "50", 1);
  gc_init(NULL);
  gc_set_warn_handler(NULL);
  if (!gc_is_incremental()) {
    printf("SKIP: the virtual-memory barrier is not available here\n");
    return 0;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lost_object_into_black_object),
      cmocka_unit_test(lost_object_through_global),
      cmocka_unit_test(lost_object_through_stack),
      cmocka_unit_test(read_into_heap_during_cycle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
