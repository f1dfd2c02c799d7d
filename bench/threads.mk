# bench/threads.mk — multi-threaded benchmarks (issue 5).
#   make bench-threads   mt_gcbench with 1, 2 and 4 threads, three ways
#                        (Gleaner, Boehm GC with GC_THREADS, malloc/free),
#                        then stop-the-world times and markers 1 vs 2 on a
#                        512 MiB random graph (bench/mt_mark.c).
# Results: docs/benchmarks.md (section "Threads").
BENCH_T_CFLAGS := $(CFLAGS_BASE) -O2 -Iinclude

$(BUILD)/bench/mt_gcbench_gleaner: bench/mt_gcbench.c $(STATIC_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_T_CFLAGS) $< -o $@ $(STATIC_INTERNAL) $(LIB_LIBS)
$(BUILD)/bench/mt_gcbench_boehm: bench/mt_gcbench.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_T_CFLAGS) -DUSE_BOEHM $< -o $@ -lgc -lpthread
$(BUILD)/bench/mt_gcbench_malloc: bench/mt_gcbench.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_T_CFLAGS) -DUSE_MALLOC $< -o $@ -lpthread
$(BUILD)/bench/mt_mark: bench/mt_mark.c $(STATIC_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_T_CFLAGS) -Igc -Iroots $< -o $@ $(STATIC_INTERNAL) $(LIB_LIBS)

MT_BENCH_BINS := $(addprefix $(BUILD)/bench/,mt_gcbench_gleaner mt_gcbench_boehm \
                   mt_gcbench_malloc mt_mark)

.PHONY: bench-threads
bench-threads: lib $(MT_BENCH_BINS)
	scripts/bench-threads.sh $(BUILD)/bench
