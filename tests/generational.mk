# tests/generational.mk — minor collections (gc/generational.c).
# test_generational runs by itself (tests/test_generational.c); here the
# torture test's shadow model is run twice more: with the verifier after
# every collection (its stress mode makes most of them minor, so every
# minor collection is checked against a fresh full traversal), and with
# minor collections off, so that the plain stop-the-world path stays
# covered now that it is no longer the default.
$(BUILD)/tests/test_torture_verify_minor: $(BUILD)/tests/test_torture tests/generational.mk
	@printf '#!/bin/sh\nGLEANER_VERIFY=1 exec "$$(dirname "$$0")/test_torture" --rounds 60 "$$@"\n' > $@
	@chmod +x $@
$(BUILD)/tests/test_torture_no_minor: $(BUILD)/tests/test_torture tests/generational.mk
	@printf '#!/bin/sh\nGLEANER_GENERATIONAL=0 exec "$$(dirname "$$0")/test_torture" "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_torture_verify_minor $(BUILD)/tests/test_torture_no_minor
TEST_RUNS += $(BUILD)/tests/test_torture_verify_minor $(BUILD)/tests/test_torture_no_minor
# Minor incremental cycles (they allocate white and keep the marks),
# checked by the verifier after every cycle.  (The explicit barrier's minor
# cycles are verified by the lisp interpreter's scripts, tests/lisp: the
# torture test stores without GC_STORE.)
$(BUILD)/tests/test_torture_verify_minor_vm: $(BUILD)/tests/test_torture tests/generational.mk
	@printf '#!/bin/sh\nGLEANER_INCREMENTAL=1 GLEANER_BARRIER=vm GLEANER_VERIFY=1 exec "$$(dirname "$$0")/test_torture" --rounds 60 "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_torture_verify_minor_vm
TEST_RUNS += $(BUILD)/tests/test_torture_verify_minor_vm
