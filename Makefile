# hyve -- a small KVM hypervisor with a built-in GDB debug server.
#
#   make            build build/hyve
#   make run        install what is missing, build, boot the demo guest (2 vCPUs)
#   make test       unit tests, guest tests, end-to-end tests
#   make install PREFIX=/usr/local

VERSION := 0.1.0
PREFIX  ?= /usr/local
B       := build

CC      ?= gcc
WARN    := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	   -Wundef -Wshadow -Wno-unused-parameter -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -Isrc -D_GNU_SOURCE \
	   -DHYVE_VERSION='"$(VERSION)"' -MMD -MP
LDLIBS  := -lpthread

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
B       := build-san
endif

SRCS     := $(sort $(wildcard src/*.c src/*/*.c src/arch/x86/*.c src/arch/x86/*/*.c))
OBJS     := $(SRCS:%.c=$(B)/%.o)
LIBOBJS  := $(filter-out $(B)/src/main.o,$(OBJS))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
KVM_SRC  := $(sort $(wildcard tests/kvm/test_*.c))
KVMTESTS := $(KVM_SRC:tests/kvm/test_%.c=$(B)/tests/kvm_%)

all: $(B)/hyve

$(B)/hyve: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/libhyve.a: $(LIBOBJS)
	rm -f $@; ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libhyve.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		-Wl,--whole-archive $(B)/libhyve.a -Wl,--no-whole-archive $(LDLIBS)

$(B)/tests/kvm_%: tests/kvm/test_%.c tests/kvm/kvm_test.h tests/unit/test.h $(B)/libhyve.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		-Wl,--whole-archive $(B)/libhyve.a -Wl,--no-whole-archive $(LDLIBS)

# Test and demo guests (freestanding, built with the host gcc).
guests:
	$(MAKE) -C guests

units: $(UNITS) $(KVMTESTS)

# The Debian kernel the Linux tests boot (apt-get download, cached; one
# directory for every build flavour).
LINUX_GUEST ?= build/linux
export LINUX_GUEST

linux-guest:
	scripts/build-linux-guest.sh $(LINUX_GUEST)

# deps first, as for `make run`: on a fresh machine the tests need gdb, lldb,
# SeaBIOS, clang... (scripts/install-deps.sh installs only what is missing)
test: deps all units guests linux-guest
	B=$(B) tests/run.sh

test-unit: units
	B=$(B) tests/run.sh unit

test-linux: all
	B=$(B) tests/linux/test-linux.sh

# The end-to-end tier inside an emulated AMD-V host (QEMU TCG + nested SVM): real
# hardware-style KVM on any machine, /dev/kvm or not (tests/svm/l1run.sh).
# test-svm runs every e2e test (SVM_TESTS: a tests/run.sh PATTERN or @LIST; the
# small kernel is built out here: inside, under TCG, its build would take hours);
# test-svm-ci the list CI runs, tests/svm/ci.list (doc/test-tiers.md).
SVM_TESTS ?= e2e
test-svm: all units guests linux-guest linux-kernel
	B=$(B) tests/svm/run.sh $(SVM_TESTS)

test-svm-ci: all units guests linux-guest linux-kernel
	B=$(B) tests/svm/run.sh @tests/svm/ci.list

run: deps all guests
	$(B)/hyve -c 2 -m 64M --kernel guests/build/demo.elf -G 127.0.0.1:1234 $(RUN_ARGS)

deps:
	@scripts/install-deps.sh

install: all
	install -D -m 755 $(B)/hyve $(DESTDIR)$(PREFIX)/bin/hyve
	install -D -m 644 doc/hyve.1 $(DESTDIR)$(PREFIX)/share/man/man1/hyve.1

clean:
	rm -rf build build-san
	$(MAKE) -C guests clean

.PHONY: all guests units test test-unit test-linux test-svm test-svm-ci run deps install clean linux-guest
-include $(OBJS:.o=.d)
-include mk/reliability.mk
-include mk/bench.mk

# hyve's own small debugging kernel (tinyconfig + tests/linux/tiny.config, DWARF,
# scripts/gdb), built from Debian's linux-source-6.1 in ~/.cache/hyve (about 35 minutes
# on 2 CPUs the first time, then "up to date"); $(LINUX_TINY) links to it.  e2e/linux_tiny
# boots it.  See doc/linux.md.
LINUX_TINY ?= $(B)/linux-tiny
export LINUX_TINY
linux-kernel:
	scripts/build-linux-kernel.sh $(LINUX_TINY)
.PHONY: linux-kernel
