# tests/threads.mk — thread tests under ThreadSanitizer and helgrind.
#   make test-tsan       the thread tests built with -fsanitize=thread (build-tsan/)
#   make test-helgrind   a short run of the thread tests under valgrind --tool=helgrind
# The thread tests themselves (tests/test_threads*.c) are ordinary cmocka
# programs, built and run by `make test`.
#
# TSan build: the conservative scanner (mark.c, stack_scan.c,
# data_segments.c, root_ranges.c) is compiled without instrumentation.  It
# reads, by design, memory it does not own: the stacks of stopped threads,
# whole data segments (TSan's own multi-hundred-MiB tables included, which
# instrumented would take minutes per collection) and heap words that the
# program writes without synchronisation with the collector.  Those reads
# are ordered by the stop-the-world protocol, which TSan cannot see through
# a signal handler.  The remaining reports are suppressed in
# tests/tsan.supp, each with its reason.  die_after_fork=0: the fork test
# starts threads in the child of a multi-threaded parent, which glibc
# supports and TSan refuses by default.

THREAD_TESTS := test_threads test_threads_torture test_threads_mark test_background_mark
TSAN_BUILD   := build-tsan

ifeq ($(GLEANER_TSAN),1)
LIB_CFLAGS  += -fsanitize=thread
TEST_CFLAGS += -fsanitize=thread
TSAN_UNINSTRUMENTED := $(addprefix $(BUILD)/obj/,gc/mark.o roots/stack_scan.o \
                         roots/data_segments.o roots/root_ranges.o)
$(TSAN_UNINSTRUMENTED): LIB_CFLAGS := $(filter-out -fsanitize=thread,$(LIB_CFLAGS))
endif

.PHONY: test-tsan test-helgrind
test-tsan:
	$(MAKE) BUILD=$(TSAN_BUILD) OPT=-O1 GLEANER_TSAN=1 \
	    $(addprefix $(TSAN_BUILD)/tests/,$(THREAD_TESTS))
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp die_after_fork=0 halt_on_error=1 \
	    second_deadlock_stack=1" scripts/run-tests.sh \
	    $(addprefix $(TSAN_BUILD)/tests/,$(THREAD_TESTS))

# Helgrind: the registry/API scenarios only (the torture runs are far too
# slow under valgrind's serialised threads); suppressions in
# tests/helgrind.supp.
test-helgrind: lib $(BUILD)/tests/test_threads
	GLEANER_VALGRIND=1 valgrind -q --tool=helgrind --error-exitcode=99 \
	    --suppressions=tests/helgrind.supp $(BUILD)/tests/test_threads

# The threads torture again with the heap verifier after every collection
# (it found a new large object freed in the window after the allocator's
# unlock; test_alloc_window now hits that window deterministically).
$(BUILD)/tests/test_threads_torture_verify: $(BUILD)/tests/test_threads_torture
	@printf '#!/bin/sh\nGLEANER_VERIFY=1 exec "$$(dirname "$$0")/test_threads_torture" "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_threads_torture_verify
TEST_RUNS += $(BUILD)/tests/test_threads_torture_verify

# And under incremental marking (the VM barrier: the torture calls no
# barrier), two markers sharing the slices, verified after every cycle.
$(BUILD)/tests/test_threads_torture_incremental: $(BUILD)/tests/test_threads_torture
	@printf '#!/bin/sh\nGLEANER_INCREMENTAL=1 GLEANER_BARRIER=vm GLEANER_MARKERS=2 GLEANER_VERIFY=1 exec "$$(dirname "$$0")/test_threads_torture" "$$@"\n' > $@
	@chmod +x $@
TEST_EXTRA_DEPS += $(BUILD)/tests/test_threads_torture_incremental
TEST_RUNS += $(BUILD)/tests/test_threads_torture_incremental
