# mk/reliability.mk -- fuzzing and static analysis of hyve (included at the end
# of the Makefile, so $(WARN), $(B), $(SRCS) are known).
#
#   make fuzz [FUZZ_SECONDS=N]   build the libFuzzer targets, run each N s (300)
#   make fuzz-short              run each for FUZZ_SHORT_SECONDS (25) -- what
#                                `make test` does through tests/e2e/fuzz_short.sh
#   make fuzz-build              only build them (build/fuzz/fuzz_*)
#   make fuzz-regress            run every corpus input once (no fuzzing)
#   make analyze                 cppcheck + clang-tidy: zero findings, or fails
#
# Targets (tests/fuzz/fuzz_<name>.c; seeds in tests/fuzz/corpus/<name>/):
#   rsp       the packet codec and argument parsers
#   session   the whole command dispatcher over an in-memory machine
#   ax        agent expressions: Z-packet lists, ax_check, the interpreter
# New inputs go to build/fuzz/corpus/<name>/ (the checked-in seeds are never
# written); a crash leaves build/fuzz/crash-<name>-<sha1>: add it to
# tests/fuzz/corpus/<name>/ as crash-<what> once fixed, as a regression test.

# GCC 12 reports a false -Wstringop-overflow in src/arch/x86/debug.c (a [8][10]
# array parameter) only with -fsanitize: keep it a warning in that build.
# LeakSanitizer: start-up errors exit through die() with the images main()
# read still allocated; tests/analysis/lsan.supp says which, and why.
ifeq ($(SANITIZE),1)
CFLAGS += -Wno-error=stringop-overflow
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/analysis/lsan.supp:print_suppressions=0
endif

FUZZ_CC            ?= clang
FUZZ_B             := build/fuzz
FUZZ_SECONDS       ?= 300
FUZZ_SHORT_SECONDS ?= 25
FUZZ_NAMES         := rsp session ax
FUZZ_BINS          := $(FUZZ_NAMES:%=$(FUZZ_B)/fuzz_%)
# clang (not gcc) flags the vprintf in util.c's static log helper: -Wno-format-nonliteral.
FUZZ_FLAGS         := -g -O1 -std=gnu11 $(WARN) -Wno-format-nonliteral -Isrc \
		      -Itests/fuzz -D_GNU_SOURCE -fno-omit-frame-pointer \
		      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SRC_rsp     := tests/fuzz/fuzz_rsp.c src/gdb/rsp.c src/gdb/rsp_args.c
FUZZ_SRC_session := tests/fuzz/fuzz_session.c tests/fuzz/mem_target.c \
		    src/gdb/rsp.c src/gdb/rsp_args.c $(wildcard src/gdb/session*.c) \
		    src/gdb/ax.c src/gdb/ax_printf.c src/gdb/ax_zopts.c \
		    src/arch/x86/walk.c src/arch/x86/gdb_regs.c src/util.c
FUZZ_SRC_ax      := tests/fuzz/fuzz_ax.c src/gdb/ax.c src/gdb/ax_printf.c src/gdb/ax_zopts.c

$(FUZZ_B)/fuzz_rsp: $(FUZZ_SRC_rsp) src/gdb/rsp.h tests/fuzz/fuzz_util.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRC_rsp)

$(FUZZ_B)/fuzz_session: $(FUZZ_SRC_session) tests/fuzz/mem_target.h tests/fuzz/fuzz_util.h \
		$(wildcard src/gdb/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRC_session)

$(FUZZ_B)/fuzz_ax: $(FUZZ_SRC_ax) src/gdb/ax.h src/gdb/ax_int.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRC_ax)

fuzz-build: $(FUZZ_BINS)

# tests/fuzz/run.sh runs one target (flags, dictionary, log, summary).
# `make fuzz` keeps what it found in build/fuzz/corpus/ for the next run.
fuzz: $(FUZZ_BINS)
	for n in $(FUZZ_NAMES); do \
		tests/fuzz/run.sh $$n $(FUZZ_SECONDS) $(FUZZ_B)/corpus/$$n || exit 1; done

# The short run starts from the checked-in seeds alone, every time.
fuzz-short: $(FUZZ_BINS)
	rm -rf $(FUZZ_B)/short
	for n in $(FUZZ_NAMES); do \
		tests/fuzz/run.sh $$n $(FUZZ_SHORT_SECONDS) $(FUZZ_B)/short/$$n || exit 1; done

# Every checked-in input once: the crash-* regression inputs among them.
fuzz-regress: $(FUZZ_BINS)
	for n in $(FUZZ_NAMES); do $(FUZZ_B)/fuzz_$$n -runs=0 tests/fuzz/corpus/$$n || exit 1; done

# ---- static analysis ----
# The configuration is checked in: .clang-tidy (checks, each one turned off
# justified there), tests/analysis/tidy-suppressions.txt and
# tests/analysis/cppcheck-suppressions.txt (per-file false positives, each
# with its reason).  Sources: hyve's and the fuzzers' own.
ANALYZE_SRCS := $(SRCS) $(wildcard tests/fuzz/*.c)
CPPCHECK     ?= cppcheck

analyze: analyze-cppcheck analyze-tidy

analyze-cppcheck:
	@mkdir -p build/analysis
	$(CPPCHECK) --quiet --error-exitcode=1 --std=c11 --language=c \
		--enable=warning,performance,portability --inline-suppr \
		--suppressions-list=tests/analysis/cppcheck-suppressions.txt \
		--cppcheck-build-dir=build/analysis -D__x86_64__ -D_GNU_SOURCE \
		-Isrc -Itests/fuzz $(ANALYZE_SRCS)
	@echo "cppcheck: no findings"

analyze-tidy:
	tests/analysis/tidy.sh $(ANALYZE_SRCS)

.PHONY: fuzz fuzz-short fuzz-build fuzz-regress analyze analyze-cppcheck analyze-tidy
