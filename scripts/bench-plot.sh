#!/bin/sh
# bench-plot.sh — draw the pause workload's step-time distribution and MMU
# curves, one line per configuration, side by side in one PNG.
#
#   scripts/bench-plot.sh [BENCH_DIR [OUT_DIR]]    (defaults: build/bench, BENCH_DIR)
#
# Input: BENCH_DIR/steps-<config>.txt (per-step times of the median pause
# run of each configuration, written by scripts/bench-run.sh).  The helper
# steps_plotdata (built by `make bench` into BENCH_DIR, or BENCH_TOOL_DIR
# if set) turns each into a CCDF and
# an MMU curve; gnuplot draws OUT_DIR/bench-pauses.png.
set -eu
DIR=${1:-build/bench}
OUT=${2:-$DIR}
TOOL=${BENCH_TOOL_DIR:-$DIR}/steps_plotdata
[ -x "$TOOL" ] || { echo "bench-plot: $TOOL missing (make bench builds it)" >&2; exit 1; }
command -v gnuplot > /dev/null || { echo "bench-plot: gnuplot missing" >&2; exit 1; }
mkdir -p "$OUT" "$DIR/plot"

configs=""
for f in "$DIR"/steps-*.txt; do
  [ -f "$f" ] || continue
  c=$(basename "$f" .txt); c=${c#steps-}
  "$TOOL" "$f" "$DIR/plot/$c"
  configs="$configs $c"
done
[ -n "$configs" ] || { echo "bench-plot: no $DIR/steps-*.txt" >&2; exit 1; }

ccdf=""; mmu=""
for c in $configs; do
  ccdf="$ccdf${ccdf:+, }'$DIR/plot/$c.ccdf' using 1:2 with steps lw 2 title '$c'"
  mmu="$mmu${mmu:+, }'$DIR/plot/$c.mmu' using 1:2 with lines lw 2 title '$c'"
done

gnuplot <<GP
set terminal pngcairo size 1400,560 font ",11"
set output '$OUT/bench-pauses.png'
set multiplot layout 1,2 title "Pause workload: 1,000,000 messages of 1 KiB through a window of 200,000 (median run of each)"
set logscale xy
set grid
set xlabel "step time (µs)"
set ylabel "fraction of steps at least this long"
set format y "10^{%T}"
set key top right
set title "Step-time distribution (CCDF; worst step = last point)"
plot $ccdf
unset logscale y
set format y "%g"
set yrange [0:1.02]
set xlabel "window (ms)"
set ylabel "minimum mutator utilization"
set key bottom right
set title "MMU (lost time = step time beyond the median step)"
plot $mmu
unset multiplot
GP
echo "bench-plot: wrote $OUT/bench-pauses.png" >&2
