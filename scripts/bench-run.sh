#!/bin/sh
# bench-run.sh — run the comparison benchmarks and print one table.
#
#   scripts/bench-run.sh [BENCH_DIR]       (make bench calls it; default build/bench)
#
# The binaries are taken from BENCH_DIR; results go to BENCH_OUT (default
# BENCH_DIR).
# Reads the configurations from bench/configs.txt (one table column each),
# runs every selected workload of every selected configuration BENCH_REPS
# times (interleaved, so slow drifts of the machine hit every column alike),
# measures instructions per allocation once per configuration under
# callgrind, and writes into BENCH_OUT:
#   results.tsv         every measured value: workload config rep key value
#   results.md          machine, date and the table of medians (also printed)
#   steps-<config>.txt  the per-step times of the median pause run (plots)
#   raw/                stdout/stderr of every run (seeds for replay)
# and finally draws the plots (scripts/bench-plot.sh) when gnuplot exists.
#
# Environment:
#   BENCH_REPS=3          runs per workload and configuration (medians)
#   BENCH_GCBENCH_REPS    runs of GCBench (default 3 x BENCH_REPS: a run
#                         lasts 0.2 s, and on a shared machine run-to-run
#                         noise there is 10-20%, as large as the
#                         differences the table is read for)
#   BENCH_CONFIGS="a b"   run exactly these configurations (default: those
#                         marked "yes" in bench/configs.txt)
#   BENCH_WORKLOADS="gcbench pause mark alloc"   subset of workloads
#   BENCH_QUICK=1         small problem sizes (a check that all runs, in
#                         seconds; the numbers mean nothing)
# Exits non-zero when any run failed its own verification or crashed (every
# outcome is recorded in results.tsv, "status fail"); the table then shows
# FAIL in that cell.
set -u
DIR=${1:-build/bench}
OUT=${BENCH_OUT:-$DIR}
CONFIGS_FILE=${BENCH_CONFIGS_FILE:-bench/configs.txt}
REPS=${BENCH_REPS:-3}
GCBENCH_REPS=${BENCH_GCBENCH_REPS:-$((REPS * 3))}
QUICK=${BENCH_QUICK:-0}
WORKLOADS=${BENCH_WORKLOADS:-gcbench pause mark alloc}
RAW=$OUT/raw
DATA=$OUT/results.tsv

mkdir -p "$RAW" || exit 1
rm -f "$RAW"/* "$DATA" "$OUT"/steps-*.txt
: > "$DATA"

# Problem sizes: the real ones, or tiny ones for BENCH_QUICK=1.
args_for() {
  if [ "$QUICK" = 1 ]; then
    case $1 in
      gcbench) echo "-d 10 -l 10 -s 12 -a 10000" ;;
      pause) echo "-n 50000 -w 10000" ;;
      mark) echo "-m 16" ;;
      alloc) echo "-n 100000 -w 10000" ;;
    esac
  else
    case $1 in
      alloc) echo "-n 1000000 -w 100000" ;;
      *) echo "" ;;
    esac
  fi
}

# The binary of a workload in a build; empty when that pair does not exist
# by design (malloc has no collection to time, so no mark binary).
binary_for() { # workload build
  case $1-$2 in
    mark-malloc) echo "" ;;
    alloc-*) echo "$DIR/alloc_cost-$2" ;;
    *) echo "$DIR/$1-$2" ;;
  esac
}

# Selected configurations as lines "name build workloads env...".
selected_configs() {
  awk -v want="${BENCH_CONFIGS:-}" '
    /^[ \t]*#/ || NF < 4 { next }
    {
      pick = (want == "") ? ($4 == "yes") : 0
      n = split(want, w, /[ ,]+/)
      for (i = 1; i <= n; i++) if (w[i] == $1) pick = 1
      if (!pick) next
      line = $1 " " $2 " " $3
      for (i = 5; i <= NF; i++) line = line " " $i
      print line
    }' "$CONFIGS_FILE"
}

runs_workload() { # workloads-field workload
  [ "$1" = all ] && return 0
  case ",$1," in *",$2,"*) return 0 ;; esac
  return 1
}

record_result() { # workload config rep file
  awk -v w="$1" -v c="$2" -v r="$3" '
    $1 == "RESULT" { for (i = 4; i <= NF; i++) {
      k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v)
      print w "\t" c "\t" r "\t" k "\t" v } }' "$4" >> "$DATA"
}

# One run of one workload in one configuration; records its RESULT fields.
run_one() { # workload config build rep env...
  w=$1; c=$2; b=$3; rep=$4; shift 4
  bin=$(binary_for "$w" "$b")
  out=$RAW/$w-$c-$rep
  if [ -z "$bin" ]; then
    printf '%s\t%s\t%s\tstatus\tna\n' "$w" "$c" "$rep" >> "$DATA"
    return
  fi
  if [ ! -x "$bin" ]; then
    printf '%s\t%s\t%s\tstatus\tmissing\n' "$w" "$c" "$rep" >> "$DATA"
    echo "  $w/$c: $bin not built" >&2
    return
  fi
  extra=""
  [ "$w" = pause ] && extra="-o $RAW/steps-$c-$rep.txt"
  # shellcheck disable=SC2046,SC2086
  env "$@" "$bin" $(args_for "$w") $extra > "$out.out" 2> "$out.err"
  rc=$?
  if [ $rc -ne 0 ] || ! grep -q '^RESULT ' "$out.out"; then
    printf '%s\t%s\t%s\tstatus\tfail\n' "$w" "$c" "$rep" >> "$DATA"
    echo "  FAIL $w/$c rep $rep (exit $rc); see $out.err:" >&2
    tail -5 "$out.err" | sed 's/^/    /' >&2
    return
  fi
  record_result "$w" "$c" "$rep" "$out.out"
  echo "  $w/$c rep $rep: $(grep '^RESULT ' "$out.out" | cut -d' ' -f4-7)" >&2
}

# Instructions per allocation: callgrind counts only bench_measured_loop.
# One marker thread everywhere so that all collection work the loop causes
# runs on the counted thread.  glibc's memset switches to `rep stosb` above
# 2 KiB, which callgrind counts once per byte although the hardware stores
# 32+ bytes a cycle; the tunable keeps memset on its vector loop (one
# counted instruction per 32 bytes) for every column alike.
callgrind_one() { # config build env...
  c=$1; b=$2; shift 2
  bin=$(binary_for alloc "$b")
  [ -n "$bin" ] && [ -x "$bin" ] || return
  command -v valgrind > /dev/null || { echo "  valgrind missing" >&2; return; }
  cg=$RAW/callgrind-$c.out
  set -- "$@" GLEANER_MARKERS=1 GC_MARKERS=1 \
      GLIBC_TUNABLES=glibc.cpu.x86_rep_stosb_threshold=0x7fffffffffffffff
  # shellcheck disable=SC2046
  env "$@" valgrind --tool=callgrind --toggle-collect=bench_measured_loop \
      --callgrind-out-file="$cg" "$bin" $(args_for alloc) \
      > "$RAW/alloc-$c-callgrind.out" 2> "$RAW/alloc-$c-callgrind.err"
  rc=$?
  count=$(sed -n 's/.* count=\([0-9]*\).*/\1/p' "$RAW/alloc-$c-callgrind.out")
  ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$cg" 2>/dev/null)
  if [ $rc -ne 0 ] || [ -z "$count" ] || [ -z "$ir" ]; then
    printf 'alloc\t%s\t0\tstatus\tfail\n' "$c" >> "$DATA"
    echo "  FAIL alloc/$c under callgrind; see $RAW/alloc-$c-callgrind.err" >&2
    return
  fi
  per=$(awk -v i="$ir" -v n="$count" 'BEGIN { printf "%.1f", i / n }')
  printf 'alloc\t%s\t0\tir_per_alloc\t%s\n' "$c" "$per" >> "$DATA"
  echo "  alloc/$c callgrind: $per instructions per allocation" >&2
}

# Keep the per-step file of the median pause run of each configuration.
keep_median_steps() {
  for c in $(awk -F'\t' '$1 == "pause" && $4 == "time_s" { print $2 }' "$DATA" | sort -u); do
    rep=$(awk -F'\t' -v c="$c" '$1 == "pause" && $2 == c && $4 == "time_s" { print $5, $3 }' "$DATA" |
          sort -g | awk '{ r[NR] = $2 } END { print r[int((NR + 1) / 2)] }')
    [ -f "$RAW/steps-$c-$rep.txt" ] && mv "$RAW/steps-$c-$rep.txt" "$OUT/steps-$c.txt"
  done
  rm -f "$RAW"/steps-*.txt
}

machine_header() {
  cpu=$(sed -n 's/^model name[ \t]*: //p' /proc/cpuinfo | head -1)
  rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD 2>/dev/null || rev="$rev (with local changes)"
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
  echo "- Compiler: $(${CC:-cc} --version | head -1); Boehm GC $(pkg-config --modversion bdw-gc 2>/dev/null || echo '?') (Debian libgc); $(ldd --version 2>/dev/null | head -1)"
  echo "- Gleaner commit: $rev; medians of $REPS runs (GCBench: $GCBENCH_REPS)$( [ "$QUICK" = 1 ] && echo '; QUICK sizes (numbers not meaningful)')"
  echo "- Load average (1 min) before / after the runs: $LOAD_BEFORE / $(cut -d' ' -f1 /proc/loadavg) (other processes share the cores when above ~0.2)"
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
configs=$(selected_configs)
[ -n "$configs" ] || { echo "no configuration selected" >&2; exit 1; }
echo "bench: configurations: $(echo "$configs" | cut -d' ' -f1 | tr '\n' ' ')" >&2

reps_of() { if [ "$1" = gcbench ]; then echo "$GCBENCH_REPS"; else echo "$REPS"; fi; }
max_reps=$((GCBENCH_REPS > REPS ? GCBENCH_REPS : REPS))
rep=1
while [ "$rep" -le "$max_reps" ]; do
  for w in $WORKLOADS; do
    [ "$rep" -le "$(reps_of "$w")" ] || continue
    echo "$configs" | while read -r c b ws envs; do
      runs_workload "$ws" "$w" || continue
      # shellcheck disable=SC2086
      run_one "$w" "$c" "$b" "$rep" $envs
    done
  done
  rep=$((rep + 1))
done
case " $WORKLOADS " in *" alloc "*)
  echo "$configs" | while read -r c b ws envs; do
    runs_workload "$ws" alloc || continue
    # shellcheck disable=SC2086
    callgrind_one "$c" "$b" $envs
  done ;;
esac
keep_median_steps

{
  echo "### Run of $(date -u +%Y-%m-%d)"
  echo
  machine_header
  echo
  awk -F'\t' -v order="$(echo "$configs" | cut -d' ' -f1 | tr '\n' ' ')" \
      -f bench/results_table.awk "$DATA"
} > "$OUT/results.md"
cat "$OUT/results.md"

if command -v gnuplot > /dev/null && ls "$OUT"/steps-*.txt > /dev/null 2>&1; then
  BENCH_TOOL_DIR=$DIR scripts/bench-plot.sh "$OUT" "$OUT" || echo "bench: plotting failed" >&2
fi
nmiss=$(awk -F'\t' '$4 == "status" && $5 == "missing"' "$DATA" | wc -l)
[ "$nmiss" -gt 0 ] && echo "bench: $nmiss run(s) skipped: binary not built (see the table)" >&2

nfail=$(awk -F'\t' '$4 == "status" && $5 == "fail"' "$DATA" | wc -l)
if [ "$nfail" -gt 0 ]; then
  echo "bench: $nfail run(s) FAILED; see $RAW/*.err" >&2
  exit 1
fi
exit 0
