#!/bin/sh
# bench-publish.sh — copy the results of the last `make bench` into the
# documentation: the table of BENCH_DIR/results.md replaces everything
# between the "results:begin" and "results:end" markers of
# docs/benchmarks.md, and the pause plot is redrawn into docs/.
#
#   scripts/bench-publish.sh [BENCH_DIR]      (default build/bench)
set -eu
DIR=${1:-build/bench}
DOC=docs/benchmarks.md
[ -f "$DIR/results.md" ] || { echo "bench-publish: run make bench first" >&2; exit 1; }
[ -f "$DOC" ] || { echo "bench-publish: $DOC missing" >&2; exit 1; }
grep -q '<!-- results:begin -->' "$DOC" && grep -q '<!-- results:end -->' "$DOC" ||
  { echo "bench-publish: markers missing in $DOC" >&2; exit 1; }
awk -v results="$DIR/results.md" '
  /<!-- results:begin -->/ { print; while ((getline line < results) > 0) print line; skip = 1; next }
  /<!-- results:end -->/ { skip = 0 }
  !skip { print }' "$DOC" > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"
if ls "$DIR"/steps-*.txt > /dev/null 2>&1; then
  scripts/bench-plot.sh "$DIR" docs
fi
echo "bench-publish: updated $DOC"
