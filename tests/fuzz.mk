# tests/fuzz.mk — the libFuzzer harness (tests/fuzz/fuzz_mutator.c).
#   make fuzz                 fuzz for FUZZ_TIME seconds (default 600) from
#                             the committed seed corpus tests/fuzz/corpus/;
#                             new inputs go to $(BUILD)/fuzz/corpus/
#   make fuzz FUZZ_TIME=60
#   make fuzz FUZZ_EXTRA_ENV="GLEANER_INCREMENTAL=1"   other collector modes
#   make fuzz FUZZ_EXTRA_ENV="GLEANER_STRESS=5"        (collect inside allocations)
# `make test` also runs a FUZZ_SMOKE_TIME-second smoke (default 60 s):
# the seed corpus replayed, then fuzzing; skipped under valgrind (a
# libFuzzer+ASan binary cannot run there) and in the sanitizer sub-builds
# (NO_FUZZ_SMOKE=1).  The library is rebuilt with clang, coverage
# instrumentation, ASan and UBSan into $(BUILD)/fuzz/obj.

FUZZ_CC         ?= clang
FUZZ_TIME       ?= 600
FUZZ_SMOKE_TIME ?= 60
FUZZ_DIR        := $(BUILD)/fuzz
FUZZ_BIN        := $(FUZZ_DIR)/fuzz_mutator
FUZZ_CFLAGS     := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
                   -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                   -fsanitize-address-use-after-return=never -Iinclude -Igc -Iroots \
                   -fsanitize-coverage-ignorelist=tests/fuzz/coverage_ignore.txt
FUZZ_LIB_OBJS   := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRCS))
# Crash inputs go to $(BUILD)/fuzz/, not the current directory (a failing
# smoke run once left two in the source tree, and they were committed).
FUZZ_OPTIONS    := -max_len=1024 -rss_limit_mb=4096 -print_final_stats=1 \
                   -artifact_prefix=$(FUZZ_DIR)/
FUZZ_EXTRA_ENV  ?=
FUZZ_ENV        := ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=0 $(FUZZ_EXTRA_ENV)

# clang and its runtime (libFuzzer) are installed like the other packages.
FUZZ_DEB_PACKAGES := clang libclang-rt-dev
FUZZ_DEPS_STAMP   := $(BUILD)/.fuzz-deps-ok
$(FUZZ_DEPS_STAMP):
	@scripts/ensure-deps.sh $(FUZZ_DEB_PACKAGES)
	@mkdir -p $(BUILD) && touch $@

.PHONY: fuzz
$(FUZZ_DIR)/obj/%.o: %.c $(DEPS_STAMP) $(FUZZ_DEPS_STAMP) tests/fuzz/coverage_ignore.txt
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BIN): tests/fuzz/fuzz_mutator.c $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@ $(LIB_LIBS)

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTIONS) -max_total_time=$(FUZZ_TIME) \
	  $(FUZZ_DIR)/corpus tests/fuzz/corpus

# The smoke run, as one program for scripts/run-tests.sh.
$(FUZZ_DIR)/smoke: $(FUZZ_BIN) tests/fuzz.mk
	@mkdir -p $(FUZZ_DIR)/smoke-corpus
	@printf '%s\n' '#!/bin/sh' \
	  'if [ -n "$$GLEANER_VALGRIND" ]; then echo "fuzz smoke: skipped under valgrind"; exit 0; fi' \
	  'exec env $(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTIONS) -max_total_time=$(FUZZ_SMOKE_TIME) $(FUZZ_DIR)/smoke-corpus tests/fuzz/corpus' \
	  > $@
	@chmod +x $@

ifneq ($(NO_FUZZ_SMOKE),1)
TEST_RUNS       += $(FUZZ_DIR)/smoke
TEST_EXTRA_DEPS += $(FUZZ_DIR)/smoke
endif

-include $(FUZZ_LIB_OBJS:.o=.d)
