#!/bin/sh
# bdw_compare.sh TIMER OUT DIR [REPS] — time the Boehm GC compatibility
# suite under both collectors and print, per run, the median wall time and
# the median CPU time (user + system, all threads) of the Boehm GC build
# and of the Gleaner build, with the ratios Gleaner / Boehm (below 1:
# Gleaner faster), then the geometric means of the ratios.
#
# TIMER is bench/bdw_time.c built; OUT the suite's build directory (boehm/
# and gleaner/ binaries); DIR tests/bdw (runs.txt, expected/).  Every
# "ready" run of runs.txt is run REPS times (default 5, or $BENCH_REPS) per
# collector, the two builds alternating so that a change in machine load
# hits both.  A run whose output differs from expected/RUN.out (or that
# fails) is reported as FAILED, not timed.  The table is also written to
# OUT/bench.md (Markdown).  Exit status 1 if any run FAILED.
timer=$1
out=$2
dir=$3
reps=${4:-${BENCH_REPS:-5}}
[ -n "$reps" ] || reps=5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_once FLAVOUR RUN PROG ENV... -- ARGS...: appends "WALL CPU" (ns) to
# $tmp/FLAVOUR, or "fail".
run_once() {
  flavour=$1 run=$2 prog=$3
  shift 3
  envs=""
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
  [ "$1" = "--" ] && shift
  # shellcheck disable=SC2086
  set -- $(env $envs "$timer" "$tmp/out" "$out/$flavour/$prog" "$@")
  if [ "$3" != "0" ] || ! cmp -s "$tmp/out" "$dir/expected/$run.out"; then
    echo fail >>"$tmp/$flavour"
  else
    echo "$1 $2" >>"$tmp/$flavour"
  fi
}

# median FILE COLUMN
median() {
  awk -v c="$2" '{ print $c }' "$1" | sort -n |
    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

{
  echo "| run | boehm wall ms | gleaner wall ms | wall ratio | boehm CPU ms | gleaner CPU ms | CPU ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$tmp/table"
while read -r status run prog rest; do
  case "$status" in ''|'#'*) continue ;; esac
  [ "$status" = "ready" ] || continue
  : >"$tmp/boehm"
  : >"$tmp/gleaner"
  i=0
  while [ $i -lt "$reps" ]; do
    # shellcheck disable=SC2086
    run_once boehm "$run" "$prog" $rest
    # shellcheck disable=SC2086
    run_once gleaner "$run" "$prog" $rest
    i=$((i + 1))
  done
  if grep -q fail "$tmp/boehm" "$tmp/gleaner"; then
    echo "| $run | FAILED | FAILED | - | | | |" >>"$tmp/table"
    continue
  fi
  awk -v r="$run" -v bw="$(median "$tmp/boehm" 1)" -v gw="$(median "$tmp/gleaner" 1)" \
      -v bc="$(median "$tmp/boehm" 2)" -v gc="$(median "$tmp/gleaner" 2)" \
    'BEGIN { printf "| %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |\n",
             r, bw / 1e6, gw / 1e6, gw / bw, bc / 1e6, gc / 1e6, (bc > 0 ? gc / bc : 0) }' \
    >>"$tmp/table"
done <"$dir/runs.txt"

awk -F'|' 'NR > 2 && $5 + 0 > 0 && $8 + 0 > 0 { w += log($5); c += log($8); n++ }
           END { if (n) printf "| geometric mean (%d runs) | | | %.2f | | | %.2f |\n",
                            n, exp(w / n), exp(c / n) }' "$tmp/table" >>"$tmp/table"
echo "Boehm GC compatibility suite: medians of $reps runs each; ratio = Gleaner / Boehm GC"
cat "$tmp/table"
cp "$tmp/table" "$out/bench.md"
! grep -q FAILED "$tmp/table"
