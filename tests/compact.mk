# Compaction at the end of incremental cycles, again with the virtual-memory
# barrier (userfaultfd, then the mprotect fallback): the compactor writes
# into heap pages that the barrier may still protect.
$(BUILD)/tests/test_compact_incremental_vm: $(BUILD)/tests/test_compact_incremental
	@printf '#!/bin/sh\nCOMPACT_BARRIER=vm exec "$$(dirname "$$0")/test_compact_incremental" "$$@"\n' > $@
	@chmod +x $@
$(BUILD)/tests/test_compact_incremental_mprotect: $(BUILD)/tests/test_compact_incremental
	@printf '#!/bin/sh\nCOMPACT_BARRIER=vm GLEANER_VM_BARRIER=mprotect exec "$$(dirname "$$0")/test_compact_incremental" "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_compact_incremental_vm $(BUILD)/tests/test_compact_incremental_mprotect
TEST_RUNS += $(BUILD)/tests/test_compact_incremental_vm $(BUILD)/tests/test_compact_incremental_mprotect
