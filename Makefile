# Gleaner — build, test, benchmark.
#   make            build/libgleaner.a and build/libgleaner.so.$(VERSION)
#   make test       every test (installs missing Debian packages when root)
#   make bench      comparison benchmarks against Boehm GC and malloc
#   make examples   example programs
#   make install PREFIX=/usr/local
# Every gc/*.c and roots/*.c is part of the library; every tests/test_*.c is
# one cmocka test program.  Sub-makefiles (tests/*.mk, bench/*.mk,
# examples/*.mk) add their own targets.

VERSION      := 0.1.0
SOVERSION    := 0
PREFIX       ?= /usr/local
CC           ?= cc
BUILD        ?= build
OPT          ?= -O2
CFLAGS_BASE  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) \
                -fno-strict-aliasing
LIB_CFLAGS   := $(CFLAGS_BASE) -fPIC -fvisibility=hidden -Iinclude -Igc -Iroots $(EXTRA_CFLAGS)
LIB_LIBS     := -lunwind -ldl -lpthread
TEST_CFLAGS  := $(CFLAGS_BASE) -Iinclude -Igc -Iroots $(EXTRA_CFLAGS)
DEB_PACKAGES := libunwind-dev libcmocka-dev libgc-dev pkg-config valgrind gnuplot-nox

LIB_SRCS := $(sort $(wildcard gc/*.c roots/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
STATIC   := $(BUILD)/libgleaner.a
# The same objects unlocalized, for tests that reach into the internals.
STATIC_INTERNAL := $(BUILD)/libgleaner-internal.a
SHARED   := $(BUILD)/libgleaner.so.$(VERSION)

.PHONY: all lib test bench examples install deps clean test-valgrind stress
all: lib
lib: deps $(STATIC) $(STATIC_INTERNAL) $(SHARED)

# --- dependencies: install missing Debian packages (root) or say how -------
DEPS_STAMP := $(BUILD)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@scripts/ensure-deps.sh $(DEB_PACKAGES)
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/obj/%.o: %.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c $< -o $@

# The installed archive is one relocatable object whose hidden symbols are
# made local, so that internal names (now_ns, parse_size, ...) can never
# clash with a program's own: only gc_* (and GC_*) stay global.
$(STATIC): $(LIB_OBJS)
	@rm -f $@ $(BUILD)/gleaner-all.o
	ld -r -o $(BUILD)/gleaner-all.o $^
	objcopy --localize-hidden $(BUILD)/gleaner-all.o
	ar rcs $@ $(BUILD)/gleaner-all.o

$(STATIC_INTERNAL): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libgleaner.so.$(SOVERSION) -o $@ $^ $(LIB_LIBS)
	ln -sf libgleaner.so.$(VERSION) $(BUILD)/libgleaner.so.$(SOVERSION)
	ln -sf libgleaner.so.$(VERSION) $(BUILD)/libgleaner.so

-include $(LIB_OBJS:.o=.d)

# --- tests ----------------------------------------------------------------
TEST_SRCS := $(sort $(wildcard tests/test_*.c))
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_LIBS := $(STATIC_INTERNAL) -lcmocka $(LIB_LIBS) -lm
# Programs run by `make test`, in order; sub-makefiles append to TEST_RUNS.
TEST_RUNS := $(TEST_BINS)

$(BUILD)/tests/%: tests/%.c $(STATIC_INTERNAL) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -rdynamic $< -o $@ $(TEST_LIBS)

-include $(sort $(wildcard tests/*.mk))
-include $(sort $(wildcard examples/*.mk))
-include $(sort $(wildcard bench/*.mk))

test: lib $(TEST_BINS) $(TEST_EXTRA_DEPS)
	@scripts/run-tests.sh $(TEST_RUNS)

test-valgrind: lib $(TEST_BINS) $(TEST_EXTRA_DEPS)
	@VALGRIND=1 scripts/run-tests.sh $(TEST_RUNS)

# --- install --------------------------------------------------------------
install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/gleaner.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libgleaner.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libgleaner.so.$(SOVERSION)
	ln -sf libgleaner.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libgleaner.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    gleaner.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/gleaner.pc
	$(INSTALL_EXTRA)

clean:
	rm -rf $(BUILD)
