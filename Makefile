# mailtap - plain Makefile. `make` builds ./mailtap; `make test` runs every test;
# `make demo` shows the sample capture. Both install missing Debian packages first.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

PKGS     := libpcap libndpi ncursesw zlib libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes -Wno-unused-parameter \
           -Wformat=2 -Wno-format-nonliteral
OPT     ?= -O2 -g
# No _POSIX_C_SOURCE here: nDPI's cflags set _DEFAULT_SOURCE/_XOPEN_SOURCE themselves.
CFLAGS  ?=
ALL_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS  := $(PKG_LIBS) $(LDFLAGS_EXTRA)

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(sort $(wildcard capture/*.c dissect/*.c ui/*.c))
MAIN_SRC := ui/main.c
LIB_SRC  := $(filter-out $(MAIN_SRC),$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libmailtap.a

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/unit/helpers/*.c))
HELPER_OBJ := $(HELPER_SRC:%.c=$(BUILD)/%.o)

.PHONY: all clean deps demo test test-build asan install uninstall pcaps bench fuzz check-valgrind golden-update

all: mailtap

mailtap: $(BUILD)/mailtap
	cp $< $@

$(BUILD)/mailtap: $(MAIN_OBJ) $(LIB)
	$(CC) $(OPT) $(CFLAGS) -o $@ $(MAIN_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(HELPER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(HELPER_OBJ) $(LIB) $(LDLIBS) -lcmocka

test-build: $(BUILD)/mailtap $(UNIT_BIN)

# The sanitizer build lives in its own directory; the tests run both builds.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g" CFLAGS="$(SAN_FLAGS)" LDFLAGS_EXTRA="$(SAN_FLAGS)" test-build

deps:
	@sh .ci/deps.sh

demo: deps mailtap
	./mailtap --report --transcript -r pcaps/pop3-typed-qpopper-lab.pcap

test: deps
	$(MAKE) all test-build
	$(MAKE) asan
	sh tests/run.sh

golden-update: mailtap
	sh tests/golden.sh --update

pcaps:
	sh pcaps/gen/make-pcaps.sh

bench: mailtap
	sh bench/run.sh

# Fuzzing (tests/fuzz/): clang libFuzzer harnesses; `make fuzz` runs each for
# FUZZ_SECONDS, two at a time. The gcc replay of their corpora is in make test.
FUZZ_SECONDS ?= 600
.PHONY: fuzz-build
fuzz-build:
	$(MAKE) -f tests/fuzz/fuzz.mk MODE=fuzzer

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

check-valgrind: mailtap
	sh tests/valgrind.sh --all

install: mailtap
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 mailtap $(DESTDIR)$(PREFIX)/bin/mailtap
	install -m 0644 docs/mailtap.1 $(DESTDIR)$(PREFIX)/share/man/man1/mailtap.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mailtap $(DESTDIR)$(PREFIX)/share/man/man1/mailtap.1

clean:
	rm -rf build build-asan mailtap tests/out

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(HELPER_OBJ:.o=.d)
