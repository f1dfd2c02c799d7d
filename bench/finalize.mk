# bench/finalize.mk — `make bench-finalize` (also part of `make bench`):
# finalizers and weak references, Gleaner and Boehm GC side by side.
# The same source (bench/finalize_bench.c) is built against each collector
# and each runs in its own process; bench/finalize_compare.sh prints one
# table with the ratio Gleaner / Boehm.
FINALIZE_BENCH_GLEANER := $(BUILD)/bench/finalize_gleaner
FINALIZE_BENCH_BOEHM   := $(BUILD)/bench/finalize_boehm
BOEHM_FLAGS            := $(shell pkg-config --cflags --libs bdw-gc 2>/dev/null || echo -lgc)

$(FINALIZE_BENCH_GLEANER): bench/finalize_bench.c $(STATIC_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< -o $@ $(STATIC_INTERNAL) $(LIB_LIBS) -lm

$(FINALIZE_BENCH_BOEHM): bench/finalize_bench.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -DUSE_BOEHM $< -o $@ $(BOEHM_FLAGS)

.PHONY: bench-finalize
bench-finalize: lib $(FINALIZE_BENCH_GLEANER) $(FINALIZE_BENCH_BOEHM)
	@bench/finalize_compare.sh $(FINALIZE_BENCH_GLEANER) $(FINALIZE_BENCH_BOEHM)

bench: bench-finalize
