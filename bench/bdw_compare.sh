#!/bin/sh
# bdw_compare.sh OUT DIR [REPS] — time the Boehm GC compatibility suite
# under both collectors and print, per run, the median wall time of the
# Boehm GC build and of the Gleaner build and the ratio Gleaner / Boehm
# (below 1: Gleaner faster), then the geometric mean of the ratios.
#
# OUT is the suite's build directory (boehm/ and gleaner/ binaries), DIR
# tests/bdw (runs.txt, expected/).  Every "ready" run of runs.txt is run
# REPS times (default 5, or $BENCH_REPS) per collector, the two builds
# alternating so that a change in machine load hits both; a run whose
# output differs from expected/RUN.out is reported as FAILED, not timed.
# The table is also written to OUT/bench.md (Markdown).
out=$1
dir=$2
reps=${3:-${BENCH_REPS:-5}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# run_once FLAVOUR PROG ENV... -- ARGS...: prints the wall time in ns, or
# "fail" when the program failed or printed something unexpected.
run_once() {
  flavour=$1 run=$2 prog=$3
  shift 3
  envs=""
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
  [ "$1" = "--" ] && shift
  t0=$(now_ns)
  # shellcheck disable=SC2086
  env $envs "$out/$flavour/$prog" "$@" >"$tmp/out" 2>/dev/null
  rc=$?
  t1=$(now_ns)
  if [ $rc -ne 0 ] || ! cmp -s "$tmp/out" "$dir/expected/$run.out"; then
    echo fail
  else
    echo $((t1 - t0))
  fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "fail"; else print v[int((NR + 1) / 2)] }'; }

printf '| run | boehm ms | gleaner ms | ratio |\n| --- | ---: | ---: | ---: |\n' >"$tmp/table"
while read -r status run prog rest; do
  case "$status" in ''|'#'*) continue ;; esac
  [ "$status" = "ready" ] || continue
  : >"$tmp/b" ; : >"$tmp/g"
  i=0
  while [ $i -lt "$reps" ]; do
    # shellcheck disable=SC2086
    run_once boehm "$run" "$prog" $rest >>"$tmp/b"
    # shellcheck disable=SC2086
    run_once gleaner "$run" "$prog" $rest >>"$tmp/g"
    i=$((i + 1))
  done
  if grep -q fail "$tmp/b" "$tmp/g"; then
    printf '| %s | FAILED | FAILED | - |\n' "$run" >>"$tmp/table"
    continue
  fi
  b=$(median <"$tmp/b")
  g=$(median <"$tmp/g")
  awk -v r="$run" -v b="$b" -v g="$g" \
    'BEGIN { printf "| %s | %.1f | %.1f | %.2f |\n", r, b / 1e6, g / 1e6, g / b }' >>"$tmp/table"
done <"$dir/runs.txt"

awk -F'|' 'NR > 2 && $5 + 0 > 0 { s += log($5); n++ }
           END { if (n) printf "| geometric mean (%d runs) | | | %.2f |\n", n, exp(s / n) }' \
  "$tmp/table" >>"$tmp/table"
echo "Boehm GC compatibility suite: median wall time of $reps runs each; ratio = Gleaner / Boehm GC"
cat "$tmp/table"
cp "$tmp/table" "$out/bench.md"
! grep -q FAILED "$tmp/table"
