# dlopen.mk — plugins for test_dlopen: every tests/plugin/NAME.c becomes
# $(BUILD)/tests/plugin/NAME.so.  A plugin is not linked against the
# library: its gc_* references resolve to the test executable's collector
# (test programs are linked with -rdynamic), so there is one heap.
# test_dlopen finds the plugins next to itself (or through argv[1] /
# GLEANER_TEST_PLUGIN).

PLUGIN_SRCS := $(sort $(wildcard tests/plugin/*.c))
PLUGIN_SOS  := $(patsubst tests/plugin/%.c,$(BUILD)/tests/plugin/%.so,$(PLUGIN_SRCS))

$(BUILD)/tests/plugin/%.so: tests/plugin/%.c include/gleaner.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -Iinclude $< -o $@

TEST_EXTRA_DEPS += $(PLUGIN_SOS)
