# Incremental marking: the VM-barrier tests again on the mprotect fallback.
$(BUILD)/tests/test_incremental_vm_mprotect: $(BUILD)/tests/test_incremental_vm
	@printf '#!/bin/sh\nGLEANER_VM_BARRIER=mprotect exec "$$(dirname "$$0")/test_incremental_vm" "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_incremental_vm_mprotect
TEST_RUNS += $(BUILD)/tests/test_incremental_vm_mprotect

# Background marking and the rewired graph on the mprotect fallback too.
$(BUILD)/tests/test_background_mark_mprotect: $(BUILD)/tests/test_background_mark
	@printf '#!/bin/sh\nGLEANER_VM_BARRIER=mprotect exec "$$(dirname "$$0")/test_background_mark" "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_background_mark_mprotect
TEST_RUNS += $(BUILD)/tests/test_background_mark_mprotect
