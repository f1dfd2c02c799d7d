# tests/faults.mk — test_faults injects mmap/mprotect/madvise/mremap
# failures by wrapping those symbols at link time (see the top of
# tests/test_faults.c); the library itself carries no fault hooks.
$(BUILD)/tests/test_faults: TEST_LIBS += -Wl,--wrap=mmap,--wrap=mprotect,--wrap=madvise,--wrap=mremap
