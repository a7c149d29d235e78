# fuzz.mk - builds the harnesses of tests/fuzz/ (called by tests/fuzz/*.sh
# and by the top-level `make fuzz-build`, `make fuzz`).
#
#   make -f tests/fuzz/fuzz.mk MODE=fuzzer   clang libFuzzer binaries  -> tests/out/fuzz/fuzzer/fuzz_NAME
#   make -f tests/fuzz/fuzz.mk MODE=replay   gcc replay programs       -> tests/out/fuzz/replay/fuzz_NAME
#
# Both builds compile mailtap's sources (everything but the UI and main)
# themselves with AddressSanitizer and UndefinedBehaviorSanitizer, any
# report fatal.

MODE ?= replay
OUT  ?= tests/out/fuzz/$(MODE)

PKGS     := libpcap libndpi zlib libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ifeq ($(MODE),fuzzer)
FCC      ?= clang
OBJ_SAN  := $(SAN) -fsanitize=fuzzer-no-link
LINK_SAN := $(SAN) -fsanitize=fuzzer
MAIN_OBJ :=
else
FCC      ?= gcc
OBJ_SAN  := $(SAN)
LINK_SAN := $(SAN)
MAIN_OBJ := $(OUT)/obj/tests/fuzz/replay_main.o
endif

CFLAGS_F := -std=gnu11 -O1 -g -Wall -Wno-unused-parameter $(PKG_CFLAGS) $(OBJ_SAN) -MMD -MP

SRC := $(sort $(wildcard capture/*.c dissect/*.c)) ui/json_out.c ui/report_text.c ui/export.c
OBJ := $(SRC:%.c=$(OUT)/obj/%.o)
HARNESS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BIN := $(HARNESS:tests/fuzz/%.c=$(OUT)/%)

all: $(BIN)

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FCC) $(CFLAGS_F) -c -o $@ $<

$(OUT)/lib.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/fuzz_%: $(OUT)/obj/tests/fuzz/fuzz_%.o $(MAIN_OBJ) $(OUT)/lib.a
	$(FCC) $(LINK_SAN) -o $@ $< $(MAIN_OBJ) $(OUT)/lib.a $(PKG_LIBS)

.PHONY: all
.SECONDARY:
-include $(OBJ:.o=.d) $(HARNESS:tests/fuzz/%.c=$(OUT)/obj/tests/fuzz/%.d) $(MAIN_OBJ:.o=.d)
