# bench/bdw.mk — `make bench-bdw` (also part of `make bench`): the Boehm
# GC compatibility suite (tests/bdw/, built by tests/bdw.mk) timed under
# both collectors; bench/bdw_compare.sh prints, per program run, the
# median wall time under Boehm GC and under Gleaner and the ratio
# Gleaner / Boehm, and writes the table to build/bdw/bench.md.
# BENCH_REPS (default 5) runs per collector and run.

.PHONY: bench-bdw
bench-bdw: bdw-suite
	@bench/bdw_compare.sh $(CURDIR)/$(BDW_OUT) $(CURDIR)/$(BDW_DIR) $(BENCH_REPS)

bench: bench-bdw
