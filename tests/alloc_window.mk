# tests/alloc_window.mk — test_alloc_window runs a collection inside every
# unlock of the collector's lock during an allocation call, by wrapping
# pthread_mutex_unlock at link time (see the top of the test).
$(BUILD)/tests/test_alloc_window: TEST_LIBS += -Wl,--wrap=pthread_mutex_unlock
