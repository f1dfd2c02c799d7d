#!/bin/sh
# bench-smoke.sh — part of `make test`: run every built benchmark binary at
# tiny sizes (each must verify its own results and print its RESULT line),
# then run each once with BENCH_INJECT_FAULT=1 and require that its
# verification catches the corruption (a check that cannot fail is no
# check).  Gleaner binaries also run once under GLEANER_STRESS so that the
# workloads' verification sees a collection every few allocations.
#
#   scripts/bench-smoke.sh [BENCH_DIR]      (default build/bench)
set -u
DIR=${1:-build/bench}
pass=0; fail=0

small_args() {
  case $1 in
    gcbench-*) echo "-d 8 -l 8 -s 10 -a 1000" ;;
    pause-*) echo "-n 20000 -w 4000" ;;
    mark-*) echo "-m 4" ;;
    alloc_cost-*) echo "-n 50000 -w 1000" ;;
  esac
}

check() { # description, then expect ok|fail, then command...
  what=$1; expect=$2; shift 2
  out=$("$@" 2>&1); rc=$?
  if [ "$expect" = ok ] && [ $rc -eq 0 ] && echo "$out" | grep -q '^RESULT '; then
    pass=$((pass + 1)); return
  fi
  if [ "$expect" = fail ] && [ $rc -ne 0 ] && echo "$out" | grep -q '^FAIL '; then
    pass=$((pass + 1)); return
  fi
  fail=$((fail + 1))
  echo "FAILED: $what (expected $expect, exit $rc)"
  echo "$out" | tail -5 | sed 's/^/    /'
}

found=0
for bin in "$DIR"/gcbench-* "$DIR"/pause-* "$DIR"/mark-* "$DIR"/alloc_cost-*; do
  [ -x "$bin" ] || continue
  found=$((found + 1))
  name=$(basename "$bin")
  # shellcheck disable=SC2046
  check "$name" ok env BENCH_SEED=1 "$bin" $(small_args "$name")
  case $name in alloc_cost-*) ;; *)
    # shellcheck disable=SC2046
    check "$name fault injection" fail env BENCH_SEED=1 BENCH_INJECT_FAULT=1 \
      "$bin" $(small_args "$name") ;;
  esac
  case $name in *-gleaner|*-gleaner-xb)
    # shellcheck disable=SC2046
    check "$name under GLEANER_STRESS=50" ok env BENCH_SEED=1 GLEANER_STRESS=50 \
      "$bin" $(small_args "$name") ;;
  esac
done
[ $found -gt 0 ] || { echo "bench-smoke: no benchmark binaries in $DIR"; exit 1; }
echo "bench-smoke: $pass checks passed, $fail failed ($found binaries)"
[ $fail -eq 0 ]
