# tests/weakness.mk — run the finalization, weak-reference and ephemeron
# tests a second time under stress mode (a full collection at every
# allocation) and a third time with incremental marking requested, through
# small wrapper scripts in $(BUILD)/tests.
WEAKNESS_TESTS := test_finalize test_finalize_kinds test_weak test_ephemeron test_weakness_torture
WEAKNESS_WRAPPED := $(patsubst %,$(BUILD)/tests/stress1-%,$(WEAKNESS_TESTS)) \
                    $(patsubst %,$(BUILD)/tests/incremental-%,$(WEAKNESS_TESTS))

$(BUILD)/tests/stress1-%: $(BUILD)/tests/% tests/weakness.mk
	@printf '#!/bin/sh\n# %s with a collection at every allocation.\nGLEANER_STRESS=1 exec "$$(dirname "$$0")/%s" "$$@"\n' $* $* > $@
	@chmod +x $@

$(BUILD)/tests/incremental-%: $(BUILD)/tests/% tests/weakness.mk
	@printf '#!/bin/sh\n# %s with incremental marking requested.\nGLEANER_INCREMENTAL=1 exec "$$(dirname "$$0")/%s" "$$@"\n' $* $* > $@
	@chmod +x $@

TEST_RUNS += $(WEAKNESS_WRAPPED)
TEST_EXTRA_DEPS += $(WEAKNESS_WRAPPED)
