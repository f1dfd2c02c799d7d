#!/bin/sh
# run-suite.sh OUT DIR [--all] — the Boehm GC compatibility suite.
#
# OUT is the build directory (boehm/ and gleaner/ binaries, config.sh), DIR
# the source directory (runs.txt, expected/, unsupported/).  For each run of
# runs.txt (only those marked "ready" unless --all) both builds are run with
# the run's environment and arguments; each must exit 0 and print exactly
# expected/RUN.out.  Then every Gleaner binary is checked to use libgleaner
# and not libgc (ldd) and to take every GC_ symbol it needs from libgleaner
# (nm), and every snippet of unsupported/ must fail to compile with the
# message its "expect:" comment names.  Exit status 0 when all passed.
#
# runs.txt lines: STATUS RUN PROGRAM [VAR=value ...] [-- ARG ...]
# ('#' starts a comment; STATUS is ready or pending).
out=$1
dir=$2
all=0
[ "$3" = "--all" ] && all=1
. "$out/config.sh"

pass=0
fail=0
failed=""
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "  ok    $1"; }
bad() { fail=$((fail + 1)); failed="$failed $1"; echo "  FAIL  $1${2:+: $2}"; }

# run_one FLAVOUR RUN PROGRAM ENV... -- ARGS...
run_one() {
  flavour=$1 run=$2 prog=$3
  shift 3
  envs=""
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
  [ "$1" = "--" ] && shift
  # shellcheck disable=SC2086
  env $envs timeout 300 "$out/$flavour/$prog" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 0 ]; then
    bad "$run [$flavour]" "exit status $rc"
    sed 's/^/        /' "$tmp/err" | tail -n 20
  elif ! cmp -s "$tmp/out" "$dir/expected/$run.out"; then
    bad "$run [$flavour]" "output differs from expected/$run.out"
    diff "$dir/expected/$run.out" "$tmp/out" | sed 's/^/        /' | head -n 20
  else
    ok "$run [$flavour]"
  fi
}

echo "--- Boehm GC compatibility suite"
while read -r status run prog rest; do
  case "$status" in ''|'#'*) continue ;; esac
  if [ "$status" != "ready" ] && [ $all -eq 0 ]; then
    echo "  skip  $run ($status)"
    continue
  fi
  # shellcheck disable=SC2086
  run_one boehm "$run" "$prog" $rest
  # shellcheck disable=SC2086
  run_one gleaner "$run" "$prog" $rest
done <"$dir/runs.txt"

echo "--- the Gleaner builds link Gleaner, not Boehm GC"
nm -D --defined-only "$BDW_GLEANER_LIB" | awk '{print $3}' | sort -u >"$tmp/provided"
for bin in "$out"/gleaner/*; do
  name=$(basename "$bin")
  if ldd "$bin" | grep -q 'libgc\.so'; then
    bad "$name links libgc"
  elif ! ldd "$bin" | grep -q 'libgleaner\.so'; then
    bad "$name does not link libgleaner"
  else
    nm -D --undefined-only "$bin" | awk '$2 ~ /^GC_/ {print $2}' | sort -u >"$tmp/needed"
    missing=$(comm -23 "$tmp/needed" "$tmp/provided" | tr '\n' ' ')
    if [ -n "$missing" ]; then bad "$name" "GC_ symbols not in libgleaner: $missing"
    else ok "$name: libgleaner only"; fi
  fi
done

echo "--- unsupported calls fail at compile time"
for src in "$dir"/unsupported/*.c; do
  name=$(basename "$src")
  expect=$(sed -n 's/.*expect: \(.*\) \*\/.*/\1/p' "$src" | head -n 1)
  # shellcheck disable=SC2086
  if LC_ALL=C $BDW_CC $BDW_GLEANER_CFLAGS -c "$src" -o "$tmp/x.o" 2>"$tmp/cc"; then
    bad "$name" "compiled, but should not have"
  elif ! grep -qF -- "$expect" "$tmp/cc"; then
    bad "$name" "error does not say: $expect"
    head -n 5 "$tmp/cc" | sed 's/^/        /'
  else
    ok "$name"
  fi
done

[ -n "$failed" ] && echo "FAILED:$failed"
echo "bdw suite: $pass passed, $fail failed"
[ $fail -eq 0 ]
