# bench/bench.mk — `make bench`: build every workload three ways (Gleaner,
# Boehm GC, malloc/free) and run them side by side (scripts/bench-run.sh),
# printing one table with ratios to Boehm GC; results in build/bench/.
# Included by the top Makefile; uses $(BUILD), $(STATIC), $(LIB_LIBS),
# $(CFLAGS_BASE), $(TEST_RUNS), $(TEST_EXTRA_DEPS).
#
#   make bench            full run (BENCH_REPS, BENCH_CONFIGS, BENCH_QUICK:
#                         see scripts/bench-run.sh)
#   make bench-build      only build the benchmark programs
#   make bench-publish    copy build/bench/results.md and the pause plot into
#                         docs/ (after a `make bench` worth keeping)
#
# Binaries: build/bench/<workload>-<build>, build in gleaner, gleaner-xb
# (explicit write barrier compiled in), bdw, malloc.  `make test` also runs
# bench/test_step_stats and a smoke run of every binary at tiny sizes with
# fault injection (scripts/bench-smoke.sh), so a broken benchmark or a
# verification that cannot fail is caught early.

BENCH_DIR    := $(BUILD)/bench
BENCH_COMMON := bench/bench_util.c bench/step_stats.c
BENCH_HDRS   := $(wildcard bench/*.h)
BENCH_CFLAGS := $(CFLAGS_BASE) -Iinclude -Ibench $(EXTRA_CFLAGS)
BENCH_BDW_CFLAGS   := $(shell pkg-config --cflags bdw-gc 2>/dev/null)
BENCH_BDW_LIBS     := $(or $(shell pkg-config --libs bdw-gc 2>/dev/null),-lgc -lpthread)

# Which workload is built which ways (mark needs a collector to time).
BENCH_BINS := $(foreach w,gcbench pause mark alloc_cost,$(BENCH_DIR)/$(w)-bdw) \
              $(foreach w,gcbench pause alloc_cost,$(BENCH_DIR)/$(w)-malloc)
# The Gleaner variants need the library: gc/*.c on this branch.
ifneq ($(LIB_SRCS),)
BENCH_BINS += $(foreach w,gcbench pause mark alloc_cost,$(BENCH_DIR)/$(w)-gleaner) \
              $(foreach w,gcbench pause mark,$(BENCH_DIR)/$(w)-gleaner-xb)
endif
BENCH_TOOLS := $(BENCH_DIR)/steps_plotdata
BENCH_TEST  := $(BENCH_DIR)/test_step_stats
BENCH_SMOKE := $(BENCH_DIR)/smoke

.PHONY: bench-build bench-publish

# Parts of the core that land later (threads: issue 5, explicit barrier:
# issue 3) are detected in the archive and written to gleaner-features:
# without gc_pthread_create a threaded Gleaner run fails loudly
# (alloc_shim.h); without gc_write_barrier the -xb binaries are skipped
# with a notice and their columns say "not built".
BENCH_FEATURES := $(BENCH_DIR)/gleaner-features
$(BENCH_FEATURES): $(STATIC)
	@mkdir -p $(dir $@)
	@nm -g --defined-only $(STATIC) | awk '$$2 == "T" { print $$3 }' | \
	  awk '$$1 == "gc_pthread_create" { print "-DBENCH_HAVE_GC_PTHREAD" } \
	       $$1 == "gc_write_barrier" { print "-DBENCH_HAVE_GC_WRITE_BARRIER" }' > $@

$(BENCH_DIR)/%-gleaner: bench/%.c $(BENCH_COMMON) $(BENCH_HDRS) $(STATIC) $(BENCH_FEATURES)
	$(CC) $(BENCH_CFLAGS) -DUSE_GLEANER $$(cat $(BENCH_FEATURES)) $< $(BENCH_COMMON) \
	    -o $@ $(STATIC) $(LIB_LIBS) -lm

$(BENCH_DIR)/%-gleaner-xb: bench/%.c $(BENCH_COMMON) $(BENCH_HDRS) $(STATIC) $(BENCH_FEATURES)
	@if grep -q BENCH_HAVE_GC_WRITE_BARRIER $(BENCH_FEATURES); then \
	  echo "$(CC) ... -DUSE_GLEANER -DBENCH_EXPLICIT_BARRIER $< -o $@"; \
	  $(CC) $(BENCH_CFLAGS) -DUSE_GLEANER -DBENCH_EXPLICIT_BARRIER $$(cat $(BENCH_FEATURES)) \
	    $< $(BENCH_COMMON) -o $@ $(STATIC) $(LIB_LIBS) -lm; \
	else echo "bench: skipping $@: the library has no gc_write_barrier yet"; fi

$(BENCH_DIR)/%-bdw: bench/%.c $(BENCH_COMMON) $(BENCH_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(BENCH_BDW_CFLAGS) -DUSE_BDW $< $(BENCH_COMMON) -o $@ $(BENCH_BDW_LIBS) -lm

$(BENCH_DIR)/%-malloc: bench/%.c $(BENCH_COMMON) $(BENCH_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -DUSE_MALLOC $< $(BENCH_COMMON) -o $@ -lpthread -lm

$(BENCH_TOOLS): bench/steps_plotdata.c bench/step_stats.c bench/step_stats.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) bench/steps_plotdata.c bench/step_stats.c -o $@ -lm

$(BENCH_TEST): bench/test_step_stats.c bench/step_stats.c bench/step_stats.h $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) bench/test_step_stats.c bench/step_stats.c -o $@ -lcmocka -lm

# A one-line launcher so that scripts/run-tests.sh (which passes no
# arguments) runs the smoke test against this build directory.
$(BENCH_SMOKE): scripts/bench-smoke.sh
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec scripts/bench-smoke.sh $(BENCH_DIR)\n' > $@
	chmod +x $@

bench-build: $(BENCH_BINS) $(BENCH_TOOLS)

bench: bench-build
	scripts/bench-run.sh $(BENCH_DIR)

bench-publish:
	scripts/bench-publish.sh $(BENCH_DIR)

TEST_RUNS += $(BENCH_TEST) $(BENCH_SMOKE)
TEST_EXTRA_DEPS += $(BENCH_BINS) $(BENCH_TEST) $(BENCH_SMOKE)
