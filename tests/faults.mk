# tests/faults.mk — the fault injection tests inject mmap/mprotect/madvise/
# mremap/pthread_create failures by wrapping those symbols at link time
# (tests/fault_plan.h); the library itself carries no fault hooks.
FAULT_WRAP := -Wl,--wrap=mmap,--wrap=mprotect,--wrap=madvise,--wrap=mremap,--wrap=pthread_create
$(BUILD)/tests/test_faults: TEST_LIBS += $(FAULT_WRAP)
$(BUILD)/tests/test_faults_marking: TEST_LIBS += $(FAULT_WRAP)
