# stress.mk — `make stress`: long torture runs, for after touching the
# collector (several minutes; `make test` runs only short ones).
#
#   - test_torture for each seed of STRESS_SEEDS (fixed, so a failure can be
#     replayed) and one random seed (printed), STRESS_ROUNDS rounds each;
#   - test_torture collecting at every allocation, and with GLEANER_VERIFY=1;
#   - test_torture and test_deep_recursion with the libunwind frame walk
#     switched off (all-linear stack scan) and walking every frame;
#   - test_torture under incremental marking, with the default virtual-memory
#     barrier and with the mprotect fallback (GLEANER_VM_BARRIER=mprotect);
#   - every other API test program STRESS_REPEAT times.
# Every torture run prints its seed; a failure prints the replay command.
#
# `make test` also gets one short variant from here: the torture under
# incremental marking (test_torture_incremental, a wrapper script).

STRESS_SEEDS  ?= 1 2 3
STRESS_ROUNDS ?= 2000
STRESS_REPEAT ?= 5
STRESS_API_TESTS := test_deep_recursion test_big_objects test_realloc test_bad_input test_dlopen
STRESS_BINS := $(BUILD)/tests/test_torture $(addprefix $(BUILD)/tests/,$(STRESS_API_TESTS))

$(BUILD)/tests/test_torture_incremental: $(BUILD)/tests/test_torture
	@printf '#!/bin/sh\nGLEANER_INCREMENTAL=1 exec "$$(dirname "$$0")/test_torture" "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_torture_incremental
TEST_RUNS += $(BUILD)/tests/test_torture_incremental

# Every run goes on after a failure; the failed commands are listed at the end.
stress: lib $(STRESS_BINS) $(TEST_EXTRA_DEPS)
	@t=$(BUILD)/tests; failed=""; \
	run() { echo "=== $$*"; env "$$@" || failed="$$failed\n  $$*"; }; \
	for s in $(STRESS_SEEDS); do run $$t/test_torture --seed $$s --rounds $(STRESS_ROUNDS); done; \
	run $$t/test_torture --rounds $(STRESS_ROUNDS); \
	run $$t/test_torture --seed 4 --rounds 400 --stress 1; \
	run GLEANER_VERIFY=1 $$t/test_torture --seed 5 --rounds 400 --stress 4; \
	run GLEANER_INCREMENTAL=1 $$t/test_torture --rounds 1000; \
	run GLEANER_INCREMENTAL=1 GLEANER_VM_BARRIER=mprotect $$t/test_torture --rounds 1000; \
	for frames in 0 1000000; do \
	  run GLEANER_STACK_WALK_FRAMES=$$frames $$t/test_torture --seed 6 --rounds 400; \
	  run GLEANER_STACK_WALK_FRAMES=$$frames $$t/test_deep_recursion; \
	done; \
	for i in $$(seq $(STRESS_REPEAT)); do \
	  for p in $(STRESS_API_TESTS); do run $$t/$$p; done; \
	done; \
	if [ -n "$$failed" ]; then printf "stress: FAILED:$$failed\n"; exit 1; fi; \
	echo "stress: all runs passed"

# The libunwind frame walk is off by default (GLEANER_STACK_WALK_FRAMES=0,
# docs/design.md): keep it covered in make test.
$(BUILD)/tests/test_deep_recursion_walk: $(BUILD)/tests/test_deep_recursion tests/stress.mk
	@printf '#!/bin/sh\nGLEANER_STACK_WALK_FRAMES=16 exec "$$(dirname "$$0")/test_deep_recursion" "$$@"\n' > $@
	@chmod +x $@
$(BUILD)/tests/test_torture_walk: $(BUILD)/tests/test_torture tests/stress.mk
	@printf '#!/bin/sh\nGLEANER_STACK_WALK_FRAMES=16 exec "$$(dirname "$$0")/test_torture" --rounds 60 "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_deep_recursion_walk $(BUILD)/tests/test_torture_walk
TEST_RUNS += $(BUILD)/tests/test_deep_recursion_walk $(BUILD)/tests/test_torture_walk
