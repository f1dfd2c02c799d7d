# bench/fragmentation.mk — `make bench-frag` (also part of `make bench`):
# the fragmentation workload and GCBench with precise nodes, for Gleaner
# with compaction on and off and for Boehm GC.  Binaries are named
# fragmentation_gleaner / fragmentation_bdw (not *-gleaner, so that the
# pattern rules of bench/bench.mk do not claim them).
#   FRAG_MIB (256), FRAG_ROUNDS (6): size of the fragmentation run;
#   FRAG_REPS (5): GCBench repetitions per mode, alternated, median shown.
# Output also goes to build/bench/fragmentation.txt.

FRAG_DIR    := $(BUILD)/bench
FRAG_MIB    ?= 256
FRAG_ROUNDS ?= 6
FRAG_REPS   ?= 5
FRAG_GL     := $(FRAG_DIR)/fragmentation_gleaner
FRAG_BDW    := $(FRAG_DIR)/fragmentation_bdw
FRAG_CFLAGS := $(CFLAGS_BASE) -Iinclude -Igc -Iroots $(EXTRA_CFLAGS)

.PHONY: bench-frag
bench: bench-frag

$(FRAG_GL): bench/fragmentation.c $(STATIC_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) $(FRAG_CFLAGS) -DUSE_GLEANER $< -o $@ $(STATIC_INTERNAL) $(LIB_LIBS) -lm

$(FRAG_BDW): bench/fragmentation.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(FRAG_CFLAGS) -DUSE_BDW $< -o $@ -lgc -lpthread -lm

bench-frag: lib $(FRAG_GL) $(FRAG_BDW)
	@( GLEANER_COMPACT=1 $(FRAG_GL) frag $(FRAG_MIB) $(FRAG_ROUNDS) && \
	   GLEANER_COMPACT=0 $(FRAG_GL) frag $(FRAG_MIB) $(FRAG_ROUNDS) && \
	   $(FRAG_BDW) frag $(FRAG_MIB) $(FRAG_ROUNDS) && \
	   for i in $$(seq $(FRAG_REPS)); do \
	     GLEANER_COMPACT=1 $(FRAG_GL) gcbench | grep '^RESULT gcbench' && \
	     GLEANER_COMPACT=0 $(FRAG_GL) gcbench | grep '^RESULT gcbench' && \
	     $(FRAG_BDW) gcbench | grep '^RESULT gcbench' || exit 1; \
	   done ) > $(FRAG_DIR)/fragmentation.txt || { cat $(FRAG_DIR)/fragmentation.txt; exit 1; }
	@grep -v '^RESULT gcbench' $(FRAG_DIR)/fragmentation.txt
	@for m in 'gleaner, compaction on' 'gleaner, compaction off' 'Boehm GC'; do \
	   for k in seconds cpu; do \
	     grep "^RESULT gcbench $$m:" $(FRAG_DIR)/fragmentation.txt | sed "s/.*$$k=\([0-9.]*\).*/\1/" | sort -n | \
	     awk -v m="$$m" -v k="$$k" '{ v[NR] = $$1 } END { printf "GCBench (precise nodes), %s: %s median %.3f s of %d runs (min %.3f)\n", m, k == "cpu" ? "cpu" : "wall", v[int((NR + 1) / 2)], NR, v[1] }'; \
	   done; \
	 done | tee -a $(FRAG_DIR)/fragmentation.txt
