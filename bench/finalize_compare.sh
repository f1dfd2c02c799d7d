#!/bin/sh
# finalize_compare.sh GLEANER_BIN BOEHM_BIN [N] — run both finalization
# benchmarks (one process each) and print one table: metric, Gleaner,
# Boehm GC, ratio Gleaner/Boehm.  Times are milliseconds (best of the
# rounds in finalize_bench.c); *_count rows are object counts.
set -e
g=$(mktemp) b=$(mktemp)
trap 'rm -f "$g" "$b"' EXIT
"$1" ${3:-} > "$g"
"$2" ${3:-} > "$b"
awk 'FNR == NR { boehm[$1] = $2; next }
     FNR == 1 { printf "%-36s %12s %12s %8s\n", "metric", "gleaner", "boehm", "ratio" }
     $1 == "collector" { next }
     {
       if ($1 in boehm) {
         r = (boehm[$1] > 0 && $2 >= 0) ? sprintf("%.2f", $2 / boehm[$1]) : "-"
         printf "%-36s %12s %12s %8s\n", $1, $2, boehm[$1], r
       } else {
         printf "%-36s %12s %12s %8s\n", $1, $2, "-", "-"
       }
     }' "$b" "$g"
