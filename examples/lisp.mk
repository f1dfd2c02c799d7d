# examples/lisp.mk — the example Scheme interpreter (examples/lisp/), its
# script test suite and its benchmarks.
#
#   make build/examples/lisp     the interpreter (also part of `make examples`)
#   make test                    runs examples/lisp/run-tests.sh through a
#                                generated wrapper (plain, then GLEANER_STRESS=50)
#   make bench-lisp              times examples/lisp/bench/*.scm with
#                                GLEANER_COMPACT=1 and =0 and prints a table
#   make lisp-rootcheck          the script suite against rootcheck/movegc.c,
#                                a copying test double that moves every object
#                                at every collection (finds missing roots that
#                                Gleaner's conservative stack scan would hide)
#
# The interpreter is built like an embedder builds it: the public header
# only (no -Igc/-Iroots), linked with the static library.

LISP_SRCS := $(sort $(wildcard examples/lisp/*.c))
LISP_OBJS := $(patsubst examples/lisp/%.c,$(BUILD)/examples/lisp-obj/%.o,$(LISP_SRCS))
LISP_BIN  := $(BUILD)/examples/lisp
LISP_TEST_WRAPPER := $(BUILD)/examples/lisp-tests

$(BUILD)/examples/lisp-obj/%.o: examples/lisp/%.c examples/lisp/lisp.h include/gleaner.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -Iinclude -c $< -o $@

$(LISP_BIN): $(LISP_OBJS) $(STATIC)
	$(CC) $(LISP_OBJS) -o $@ $(STATIC) $(LIB_LIBS) -lm

# run-tests.sh takes the binary as an argument; TEST_RUNS entries take none.
$(LISP_TEST_WRAPPER): examples/lisp.mk
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec examples/lisp/run-tests.sh %s\n' '$(LISP_BIN)' > $@
	chmod +x $@

LISP_ROOTCHECK := $(BUILD)/examples/lisp-rootcheck
$(LISP_ROOTCHECK): $(LISP_OBJS) examples/lisp/rootcheck/movegc.c
	$(CC) $(CFLAGS_BASE) -Iinclude $(LISP_OBJS) examples/lisp/rootcheck/movegc.c -o $@ -lm

.PHONY: bench-lisp lisp-rootcheck
lisp-rootcheck: $(LISP_ROOTCHECK)
	@examples/lisp/run-tests.sh $(LISP_ROOTCHECK)

bench-lisp: $(LISP_BIN)
	@examples/lisp/bench/run.sh $(LISP_BIN)

examples: $(LISP_BIN)
TEST_RUNS += $(LISP_TEST_WRAPPER)
TEST_EXTRA_DEPS += $(LISP_BIN) $(LISP_TEST_WRAPPER)
