# mk/bench.mk -- `make bench`: hyve's debug server measured side by side with
# QEMU's gdbstub on guests/build/bench.elf (tools/bench/, doc/benchmark.md).
# Results: build/bench/bench.txt (the table), build/bench/bench.json (every
# sample), build/bench/logs/ (the stubs' console output).

BENCH_SRC := $(sort $(wildcard tools/bench/*.c))
BENCH_OBJ := $(BENCH_SRC:%.c=$(B)/%.o)

$(B)/bench/rspbench: $(BENCH_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

bench: $(B)/hyve $(B)/bench/rspbench guests
	B=$(B) tools/bench/run.sh

# Conditional breakpoints: hyve evaluating, gdb evaluating, QEMU (doc/benchmark.md).
bench-cond: $(B)/hyve guests
	B=$(B) tools/bench/cond_bench.py $(BENCH_COND_ARGS)

# Snapshots and the reverse-execution history: hyve beside QEMU (doc/benchmark.md).
bench-snap: $(B)/hyve guests
	B=$(B) tools/bench/snap_bench.py $(BENCH_SNAP_ARGS)

# hyve's small kernel to "Run /init" and the kernel's lx-* scripts, hyve beside QEMU (doc/linux.md).
bench-linux: $(B)/hyve linux-kernel linux-guest
	B=$(B) tools/bench/linux_bench.py $(BENCH_LINUX_ARGS)

.PHONY: bench bench-cond bench-snap bench-linux
-include $(BENCH_OBJ:.o=.d)
