# stress.mk — `make stress`: long torture runs, for after touching the
# collector (several minutes; `make test` runs only short ones).
#
#   - test_torture for each seed of STRESS_SEEDS (fixed, so a failure can be
#     replayed) and one random seed (printed), STRESS_ROUNDS rounds each;
#   - test_torture collecting at every allocation, and with GLEANER_VERIFY=1;
#   - test_torture and test_deep_recursion with the libunwind frame walk
#     switched off (all-linear stack scan) and walking every frame;
#   - every other API test program STRESS_REPEAT times.
# Every torture run prints its seed; a failure prints the replay command.

STRESS_SEEDS  ?= 1 2 3
STRESS_ROUNDS ?= 4000
STRESS_REPEAT ?= 5
STRESS_API_TESTS := test_deep_recursion test_big_objects test_realloc test_bad_input test_dlopen
STRESS_BINS := $(BUILD)/tests/test_torture $(addprefix $(BUILD)/tests/,$(STRESS_API_TESTS))

stress: lib $(STRESS_BINS) $(TEST_EXTRA_DEPS)
	@set -e; t=$(BUILD)/tests; \
	for s in $(STRESS_SEEDS); do \
	  echo "=== torture: seed $$s, $(STRESS_ROUNDS) rounds"; \
	  $$t/test_torture --seed $$s --rounds $(STRESS_ROUNDS); \
	done; \
	echo "=== torture: random seed, $(STRESS_ROUNDS) rounds"; \
	$$t/test_torture --rounds $(STRESS_ROUNDS); \
	echo "=== torture: a collection at every allocation"; \
	$$t/test_torture --seed 4 --rounds 400 --stress 1; \
	echo "=== torture: GLEANER_VERIFY=1"; \
	GLEANER_VERIFY=1 $$t/test_torture --seed 5 --rounds 400 --stress 4; \
	for frames in 0 1000000; do \
	  echo "=== GLEANER_STACK_WALK_FRAMES=$$frames"; \
	  GLEANER_STACK_WALK_FRAMES=$$frames $$t/test_torture --seed 6 --rounds 400; \
	  GLEANER_STACK_WALK_FRAMES=$$frames $$t/test_deep_recursion; \
	done; \
	for i in $$(seq $(STRESS_REPEAT)); do \
	  for p in $(STRESS_API_TESTS); do echo "=== $$p (run $$i)"; $$t/$$p; done; \
	done; \
	echo "stress: all runs passed"
