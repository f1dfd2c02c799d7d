# examples/hello.mk — the minimal C application (examples/hello.c), built
# like a user builds it: public header only, linked with the static library.
# `make test` runs it as a smoke test of the conservative path.

HELLO_BIN := $(BUILD)/examples/hello

$(HELLO_BIN): examples/hello.c include/gleaner.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -Iinclude $< -o $@ $(STATIC) $(LIB_LIBS)

examples: $(HELLO_BIN)
TEST_RUNS += $(HELLO_BIN)
TEST_EXTRA_DEPS += $(HELLO_BIN)
