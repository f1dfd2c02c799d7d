# tests/sanitize.mk — the whole suite under a sanitizer, each in its own
# build directory (the library and every test rebuilt with the flags):
#   make test-asan    AddressSanitizer     (build-asan/)
#   make test-ubsan   UndefinedBehaviorSanitizer, no recovery (build-ubsan/)
# What a conservative collector must do under ASan (docs/diagnostics.md):
#   - the ambiguous scan reads stack and global redzones on purpose, so the
#     scanning loops carry no_sanitize("address");
#   - with detect_stack_use_after_return, locals live in ASan's "fake
#     stack" frames (heap memory the scanner does not see), so an object
#     held only by such a local would be collected: we build with
#     -fsanitize-address-use-after-return=never (gcc: --param
#     asan-use-after-return=0) and run with
#     detect_stack_use_after_return=0;
#   - the heap itself is mmapped by the collector, never poisoned, so no
#     redzones are needed around objects (the block layout keeps metadata
#     out of band).
# NO_FUZZ_SMOKE=1: the libFuzzer smoke run belongs to the plain `make test`.

ifneq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
ASAN_NO_FAKE_STACK := -fsanitize-address-use-after-return=never
else
ASAN_NO_FAKE_STACK := --param=asan-use-after-return=0
endif
ASAN_FLAGS  := -fsanitize=address -fno-omit-frame-pointer $(ASAN_NO_FAKE_STACK)
UBSAN_FLAGS := -fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_ASAN_OPTIONS := detect_stack_use_after_return=0:detect_leaks=0:abort_on_error=1:verify_asan_link_order=0
SAN_UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

.PHONY: test-asan test-ubsan
# The shared library is linked with the sanitizer runtime too, so that
# programs built without the sanitizer (the Boehm-compatibility suite)
# can load it; ASan then is not first in their library list, which
# verify_asan_link_order=0 allows.
test-asan:
	ASAN_OPTIONS=$(SAN_ASAN_OPTIONS) $(MAKE) --no-print-directory BUILD=build-asan \
	  EXTRA_CFLAGS="$(ASAN_FLAGS)" LIB_LIBS="-lunwind -ldl -lpthread $(ASAN_FLAGS)" \
	  NO_FUZZ_SMOKE=1 test

test-ubsan:
	UBSAN_OPTIONS=$(SAN_UBSAN_OPTIONS) $(MAKE) --no-print-directory BUILD=build-ubsan \
	  EXTRA_CFLAGS="$(UBSAN_FLAGS)" LIB_LIBS="-lunwind -ldl -lpthread $(UBSAN_FLAGS)" \
	  NO_FUZZ_SMOKE=1 test
