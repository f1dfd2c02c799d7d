#!/bin/sh
# Run each test program; print a closing "N passed, N failed" line.
# VALGRIND=1 runs each under memcheck (error exit code 99), with precise
# registers at every memory access: the mprotect barrier's SIGSEGV handler
# returns to restart the faulting store, and with valgrind's default
# (registers exact only at some points) the restarted code ran with stale
# registers and wrote old values back (test_background_mark's counters).
pass=0; fail=0; failed=""
for t in "$@"; do
  echo "=== $t"
  if [ -n "$VALGRIND" ]; then
    GLEANER_VALGRIND=1 valgrind -q --error-exitcode=99 --leak-check=no \
      --px-default=allregs-at-mem-access "$t"
  else
    "$t"
  fi
  if [ $? -eq 0 ]; then pass=$((pass+1)); else fail=$((fail+1)); failed="$failed $t"; fi
done
[ -n "$failed" ] && echo "FAILED:$failed"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
