#!/bin/sh
# run-tests.sh LISP — the interpreter's script test suite.
#
# Each tests/NAME.scm runs as a script; its standard output must equal
# NAME.out.  If NAME.err exists the script must fail (exit status 1) with
# exactly that on standard error; otherwise it must succeed with an empty
# standard error (so collector warnings fail the test).  tests/NAME.in is
# fed to the REPL on standard input, checked against NAME.out/NAME.err;
# the REPL reports errors and goes on, so it must exit with status 0.
#
# Every case runs in several collector configurations, because a missing
# root or write barrier only shows when a collection (or an incremental
# step) lands at the wrong moment:
#   plain        defaults
#   stress       GLEANER_STRESS=50: a collection every 50 allocations
#   incremental  GLEANER_INCREMENTAL=1 with the explicit barrier (GC_STORE)
#                and a small heap, so marking interleaves with the program
#   incremental-verify, vm-verify  both barriers, two markers sharing the
#                slices, GLEANER_VERIFY=1 after every cycle
#   stress-verify  a step every 50 allocations with the explicit barrier:
#                among the cycles, minor collections that go on as cycles
# Under VALGRIND=1 (make test-valgrind) only the plain configuration runs,
# under valgrind.  Prints one line per failure and a summary; exit 1 if
# anything failed.
set -u
[ $# -eq 1 ] || { echo "usage: $0 path/to/lisp" >&2; exit 2; }
case "$1" in /*) bin=$1 ;; *) bin=$(pwd)/$1 ;; esac
[ -x "$bin" ] || { echo "$0: $bin is not executable" >&2; exit 2; }
cd "$(dirname "$0")/tests" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

pass=0
fail=0

# check NAME CONFIG STATUS: compares $tmp/out and $tmp/err with NAME.out/.err
check() {
  name=$1 config=$2 status=$3 why="" expected=1
  [ -f "$name.in" ] && expected=0
  if ! cmp -s "$tmp/out" "$name.out"; then
    why="stdout differs"
  elif [ -f "$name.err" ]; then
    [ "$status" -eq "$expected" ] || why="exit status $status, expected $expected"
    cmp -s "$tmp/err" "$name.err" || why="stderr differs"
  else
    [ "$status" -eq 0 ] || why="exit status $status"
    [ -s "$tmp/err" ] && why="unexpected stderr"
  fi
  if [ -z "$why" ]; then
    pass=$((pass + 1))
    return
  fi
  fail=$((fail + 1))
  echo "FAIL $name [$config]: $why"
  diff "$name.out" "$tmp/out" | head -10
  head -5 "$tmp/err"
}

# run_case NAME CONFIG ENV...: runs NAME.scm (or the REPL on NAME.in)
run_case() {
  name=$1 config=$2
  shift 2
  if [ -f "$name.in" ]; then
    env "$@" $runner "$bin" < "$name.in" > "$tmp/out" 2> "$tmp/err"
  else
    env "$@" $runner "$bin" "$name.scm" < /dev/null > "$tmp/out" 2> "$tmp/err"
  fi
  check "$name" "$config" $?
}

# A corrupted heap can loop forever: a case that hangs fails instead.
runner="timeout 300"
[ -n "${VALGRIND:-}" ] && runner="timeout 1200 valgrind -q --error-exitcode=99 --leak-check=no --px-default=allregs-at-mem-access"

for t in *.scm *.in; do
  name=${t%.*}
  run_case "$name" plain GLEANER_STATS=0
  [ -n "${VALGRIND:-}" ] && continue
  run_case "$name" stress GLEANER_STRESS=50
  run_case "$name" incremental GLEANER_INCREMENTAL=1 GLEANER_BARRIER=explicit \
    GLEANER_INITIAL_HEAP=1M GLEANER_PAUSE_TARGET_US=100
  # Both barriers, two markers in the slices, the heap verified after
  # every cycle (a full independent mark) and after every compaction.
  run_case "$name" incremental-verify GLEANER_INCREMENTAL=1 GLEANER_BARRIER=explicit \
    GLEANER_INITIAL_HEAP=1M GLEANER_PAUSE_TARGET_US=100 GLEANER_MARKERS=2 GLEANER_VERIFY=1
  run_case "$name" vm-verify GLEANER_INCREMENTAL=1 GLEANER_BARRIER=vm \
    GLEANER_INITIAL_HEAP=1M GLEANER_PAUSE_TARGET_US=100 GLEANER_MARKERS=2 GLEANER_VERIFY=1
  # A step every 50 allocations: minor collections that go on as cycles
  # at once (incremental_stress_step) among the cycles, every one verified.
  run_case "$name" stress-verify GLEANER_STRESS=50 GLEANER_INCREMENTAL=1 \
    GLEANER_BARRIER=explicit GLEANER_VERIFY=1
done
echo "lisp scripts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
