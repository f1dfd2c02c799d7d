# tests/diag.mk — `make explain-demo`: the program whose output
# docs/diagnostics.md shows (the explainer on three retained objects).
.PHONY: explain-demo
$(BUILD)/explain_demo: tests/explain_demo.c $(STATIC)
	$(CC) $(TEST_CFLAGS) -rdynamic $< -o $@ $(STATIC) $(LIB_LIBS)

explain-demo: $(BUILD)/explain_demo
	$(BUILD)/explain_demo
