#!/bin/sh
# run.sh LISP — times each examples/lisp/bench/*.scm with compaction on
# (GLEANER_COMPACT=1) and off (=0) and prints one table row per run: wall
# and CPU seconds, peak and final RSS, the committed heap and the live
# bytes after the last collection, collections, objects moved, longest
# pause.
# The program output of the two runs must agree (a cheap correctness check
# of compaction); a mismatch or a failing run makes the exit status 1.
# BENCH_REPEAT=N (default 1) keeps the fastest of N runs.
set -u
[ $# -eq 1 ] || { echo "usage: $0 path/to/lisp" >&2; exit 2; }
bin=$1
dir=$(dirname "$0")
repeat=${BENCH_REPEAT:-1}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

# mb VALUE DIVISOR: VALUE / DIVISOR as a decimal
mb() { awk "BEGIN{print $1 / $2}"; }

# field NAME: the value of NAME=... in the stats line in $tmp/stats
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^stats: $1=\([^ ]*\).*/\1/p" "$tmp/stats" | head -1; }

printf '%-14s %7s %7s %7s %8s %7s %8s %8s %5s %10s %9s\n' script compact \
  wall_s cpu_s peak_MB rss_MB heap_MB live_MB gcs moved_objs pause_ms
for script in "$dir"/*.scm; do
  name=$(basename "$script" .scm)
  for compact in 1 0; do
    best=""
    i=0
    while [ $i -lt "$repeat" ]; do
      i=$((i + 1))
      if ! GLEANER_COMPACT=$compact "$bin" --stats "$script" \
           > "$tmp/out.$compact" 2> "$tmp/err"; then
        echo "$name: run failed (GLEANER_COMPACT=$compact):" >&2
        cat "$tmp/err" >&2
        status=1
        continue
      fi
      grep '^stats:' "$tmp/err" > "$tmp/stats.try"
      wall=$(sed -n 's/.*wall=\([^ ]*\).*/\1/p' "$tmp/stats.try")
      if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then
        best=$wall
        cp "$tmp/stats.try" "$tmp/stats"
      fi
    done
    [ -n "$best" ] || continue
    printf '%-14s %7s %7s %7s %8.1f %7.1f %8.1f %8.1f %5s %10s %9s\n' \
      "$name" "$compact" "$(field wall)" "$(field cpu)" \
      "$(mb "$(field maxrss_kb)" 1024)" "$(mb "$(field rss_kb)" 1024)" \
      "$(mb "$(field heap_bytes)" 1048576)" "$(mb "$(field live_bytes)" 1048576)" \
      "$(field collections)" "$(field objects_moved)" "$(field pause_max_ms)"
  done
  if [ -f "$tmp/out.1" ] && [ -f "$tmp/out.0" ] && ! cmp -s "$tmp/out.1" "$tmp/out.0"; then
    echo "$name: output differs between GLEANER_COMPACT=1 and =0" >&2
    status=1
  fi
  rm -f "$tmp/out.1" "$tmp/out.0"
done
exit $status
