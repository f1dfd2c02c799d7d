# tests/no_malloc.mk — test_no_malloc_stopped counts calls to malloc,
# realloc, calloc and free made while the world is stopped, by wrapping
# those symbols at link time (see the top of the test).
$(BUILD)/tests/test_no_malloc_stopped: TEST_LIBS += -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc,--wrap=free -ldl
