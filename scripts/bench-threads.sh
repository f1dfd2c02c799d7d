#!/bin/sh
# bench-threads.sh DIR — run the multi-threaded benchmarks built in DIR
# (bench/threads.mk) and print one table.  Each configuration runs REPS
# times (default 5) and the best run is kept: on a shared machine the
# minimum time is the one least disturbed by other load.
#   REPS=n  STRETCH=d (mt_gcbench stretch depth, default 18)
#   MARK_MB=n (random graph size for mt_mark, default 512)
dir=${1:-build/bench}
reps=${REPS:-5}
stretch=${STRETCH:-18}
best() { # command...: best (lowest seconds=) line of $reps runs
  i=0; bestline=""; bests=""
  while [ $i -lt $reps ]; do
    line=$("$@") || { echo "FAILED: $*" >&2; return 1; }
    s=$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
    if [ -z "$bests" ] || awk "BEGIN{exit !($s < $bests)}"; then bests=$s; bestline=$line; fi
    i=$((i+1))
  done
  echo "$bestline"
}
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## mt_gcbench (stretch depth $stretch, best of $reps)"
for c in gleaner boehm malloc; do
  for t in 1 2 4; do
    best "$dir/mt_gcbench_$c" $t $stretch
  done
done
echo "## stop-the-world with 4 mutator threads (gleaner, one run per line)"
for i in 1 2 3; do "$dir/mt_gcbench_gleaner" 4 $stretch; done
echo "## marking a ${MARK_MB:-512} MiB random graph: 1 vs 2 markers (best of $reps)"
for m in 1 2; do
  best env GLEANER_MARKERS=$m "$dir/mt_mark" ${MARK_MB:-512}
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
