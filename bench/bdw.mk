# bench/bdw.mk — `make bench-bdw` (also part of `make bench`): the Boehm
# GC compatibility suite (tests/bdw/, built by tests/bdw.mk) timed under
# both collectors.  bench/bdw_compare.sh prints, per program run, the
# median wall and CPU time under Boehm GC and under Gleaner with the ratios
# Gleaner / Boehm, and writes the table to build/bdw/bench.md; the CPU
# times come from bench/bdw_time.c (wait4's rusage).  BENCH_REPS (default
# 5) runs per collector and run.

BDW_TIMER := $(BUILD)/bench/bdw_time

$(BDW_TIMER): bench/bdw_time.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $< -o $@

.PHONY: bench-bdw
bench-bdw: bdw-suite $(BDW_TIMER)
	@bench/bdw_compare.sh $(CURDIR)/$(BDW_TIMER) $(CURDIR)/$(BDW_OUT) $(CURDIR)/$(BDW_DIR) $(BENCH_REPS)

bench: bench-bdw
