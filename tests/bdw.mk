# tests/bdw.mk — the Boehm GC compatibility suite and the install of the
# Boehm-compatible headers.
#
# Each program of tests/bdw/suite/ is built twice from the same source:
#   $(BUILD)/bdw/boehm/NAME    against the system's Boehm GC (pkg-config bdw-gc)
#   $(BUILD)/bdw/gleaner/NAME  against Gleaner, through our own bdw-gc.pc
#                              (generated for the build tree), never libgc
# The runner (tests/bdw/run-suite.sh) runs the runs listed in
# tests/bdw/runs.txt under both and compares each output with
# tests/bdw/expected/RUN.out, checks with ldd/nm that the Gleaner binaries
# use libgleaner and not libgc, and checks that each snippet of
# tests/bdw/unsupported/ fails to compile with its expected message.
# tests/bdw/unit/*.c are cmocka tests of Gleaner-only behaviour of the layer.
#
#   make bdw-test        build and run the ready runs (also part of make test)
#   make bdw-test-all    also the runs marked pending in runs.txt
#   make install-bdw     headers + bdw-gc.pc (hooked into make install)

BDW_DIR      := tests/bdw
BDW_OUT      := $(BUILD)/bdw
BDW_PC_DIR   := $(BDW_OUT)/pkgconfig
BDW_NAMES    := $(notdir $(basename $(wildcard $(BDW_DIR)/suite/*.c)))
BDW_PLUGINS  := $(notdir $(basename $(wildcard $(BDW_DIR)/suite/plugins/*.c)))
BDW_HEADERS  := $(wildcard include/gleaner/bdw/*.h include/gleaner/bdw/gc/*.h)
BDW_UNITS    := $(notdir $(basename $(wildcard $(BDW_DIR)/unit/*.c)))
BDW_UNIT_BINS := $(addprefix $(BDW_OUT)/unit/,$(BDW_UNITS))

# The suite's own compile flags: the programs are "unmodified Boehm GC
# clients", so they get no project include paths, only what pkg-config says.
BDW_CFLAGS   := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
                -Wno-deprecated-declarations -g -O2 -pthread
BDW_PKG_BOEHM   := env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR pkg-config
BDW_PKG_GLEANER := env -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR=$(BDW_PC_DIR) pkg-config
BDW_RPATH    := -Wl,-rpath,$(CURDIR)/$(BUILD)

BDW_BINS := $(addprefix $(BDW_OUT)/boehm/,$(BDW_NAMES)) \
            $(addprefix $(BDW_OUT)/gleaner/,$(BDW_NAMES)) \
            $(addprefix $(BDW_OUT)/boehm/,$(addsuffix .so,$(BDW_PLUGINS))) \
            $(addprefix $(BDW_OUT)/gleaner/,$(addsuffix .so,$(BDW_PLUGINS)))

.PHONY: bdw-suite bdw-test bdw-test-all install-bdw

$(BDW_PC_DIR)/bdw-gc.pc: bdw-gc.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(CURDIR)|g' -e 's|@LIBDIR@|$(CURDIR)/$(BUILD)|g' \
	    -e 's|@INCLUDEDIR@|$(CURDIR)/include|g' $< > $@

$(BDW_OUT)/boehm/%: $(BDW_DIR)/suite/%.c $(wildcard $(BDW_DIR)/suite/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BDW_CFLAGS) $< -o $@ $$($(BDW_PKG_BOEHM) --cflags --libs bdw-gc) -ldl

$(BDW_OUT)/gleaner/%: $(BDW_DIR)/suite/%.c $(wildcard $(BDW_DIR)/suite/*.h) \
                      $(BDW_HEADERS) $(BDW_PC_DIR)/bdw-gc.pc $(SHARED)
	@mkdir -p $(dir $@)
	$(CC) $(BDW_CFLAGS) $< -o $@ $$($(BDW_PKG_GLEANER) --cflags --libs bdw-gc) \
	    -ldl $(BDW_RPATH)

# plugin_threads.c is plugin.c built with GC_THREADS.
$(BDW_OUT)/boehm/plugin_threads $(BDW_OUT)/gleaner/plugin_threads: $(BDW_DIR)/suite/plugin.c

$(BDW_OUT)/boehm/%.so: $(BDW_DIR)/suite/plugins/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BDW_CFLAGS) -fPIC -shared $< -o $@ $$($(BDW_PKG_BOEHM) --cflags --libs bdw-gc)

$(BDW_OUT)/gleaner/%.so: $(BDW_DIR)/suite/plugins/%.c $(BDW_HEADERS) \
                         $(BDW_PC_DIR)/bdw-gc.pc $(SHARED)
	@mkdir -p $(dir $@)
	$(CC) $(BDW_CFLAGS) -fPIC -shared $< -o $@ \
	    $$($(BDW_PKG_GLEANER) --cflags --libs bdw-gc) $(BDW_RPATH)

# cmocka tests of the layer's Gleaner-only behaviour, linked statically.
# Our Boehm headers come first on the include path (before -Igc).
$(BDW_OUT)/unit/%: $(BDW_DIR)/unit/%.c $(BDW_HEADERS) $(STATIC_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) -Iinclude/gleaner/bdw $(TEST_CFLAGS) -Wno-deprecated-declarations \
	    -rdynamic $< -o $@ $(TEST_LIBS)

# The runner as `make test` calls it: no arguments.
$(BDW_OUT)/run-bdw: $(BDW_DIR)/run-suite.sh tests/bdw.mk
	@mkdir -p $(dir $@)
	@printf '%s\n' '#!/bin/sh' \
	  'exec "$(CURDIR)/$(BDW_DIR)/run-suite.sh" "$(CURDIR)/$(BDW_OUT)" "$(CURDIR)/$(BDW_DIR)" "$$@"' \
	  > $@.tmp
	@printf 'BDW_CC="%s"\nBDW_GLEANER_CFLAGS="%s"\nBDW_GLEANER_LIB="%s"\n' \
	  '$(CC)' '$(BDW_CFLAGS) -I$(CURDIR)/include/gleaner/bdw' \
	  '$(CURDIR)/$(SHARED)' > $(BDW_OUT)/config.sh
	@chmod +x $@.tmp && mv $@.tmp $@

bdw-suite: lib $(BDW_BINS) $(BDW_UNIT_BINS) $(BDW_OUT)/run-bdw

bdw-test: bdw-suite
	@scripts/run-tests.sh $(BDW_UNIT_BINS) $(BDW_OUT)/run-bdw

bdw-test-all: bdw-suite
	@$(BDW_OUT)/run-bdw --all

TEST_EXTRA_DEPS += bdw-suite
TEST_RUNS += $(BDW_UNIT_BINS) $(BDW_OUT)/run-bdw

# --- install ---------------------------------------------------------------
BDW_INCLUDEDIR := $(DESTDIR)$(PREFIX)/include/gleaner/bdw
BDW_PCDIR      := $(DESTDIR)$(PREFIX)/lib/gleaner/pkgconfig

install-bdw:
	install -d $(BDW_INCLUDEDIR)/gc $(BDW_PCDIR)
	install -m 644 include/gleaner/bdw/gc.h $(BDW_INCLUDEDIR)/
	install -m 644 include/gleaner/bdw/gc/*.h $(BDW_INCLUDEDIR)/gc/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(PREFIX)/lib|g' \
	    -e 's|@INCLUDEDIR@|$(PREFIX)/include|g' bdw-gc.pc.in > $(BDW_PCDIR)/bdw-gc.pc

# `make install` runs $(INSTALL_EXTRA) as one shell line: each hook ends
# with ';' so that hooks from several sub-makefiles chain.
INSTALL_EXTRA += $(MAKE) --no-print-directory install-bdw PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)';
