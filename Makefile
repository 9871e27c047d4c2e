# smbfs: a FUSE filesystem for SMB2/SMB3 shares.
#
#   make            build/ (library, smbfs-mount, tools)
#   make check      install missing packages (as root), build, run unit and
#                   integration tests (tests built with ASan + UBSan)
#   make tsan       the filesystem integration tests with every program
#                   built with ThreadSanitizer (in build-tsan/)
#   make bench      compare smbfs with other clients on one local server
#   make fuzz       libFuzzer harnesses in build/fuzz/ (tests/fuzz/README.md)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

PREFIX ?= /usr/local
DESTDIR ?=
# mount(8) looks for helpers in /sbin only; SBINDIR= skips the helper.
SBINDIR ?= /sbin
BUILD := build
CC ?= cc

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wno-missing-field-initializers
CPPFLAGS_ALL := -Iinclude -Itests/common -Itests/integration -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
CFLAGS_ALL := -std=gnu11 $(WARN) -pthread -fno-strict-aliasing $(CFLAGS)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

SSL_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
FUSE_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null)
FUSE_LIBS := $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3)
# Kerberos through Heimdal's GSS-API (package heimdal-dev); only the
# Kerberos mechanism includes its headers.
GSS_CFLAGS := $(shell krb5-config.heimdal --cflags gssapi 2>/dev/null || echo -I/usr/include/heimdal)
GSS_LIBS := $(shell krb5-config.heimdal --libs gssapi krb5 2>/dev/null || echo -L/usr/lib/x86_64-linux-gnu/heimdal -lgssapi -lkrb5)
LIBS := $(GSS_LIBS) $(SSL_LIBS) -pthread

# Library layers: util, wire codec, crypto, auth, connection, client ops.
LIB_DIRS := src/util src/wire src/crypto src/auth src/conn src/client src/pool src/cache
LIB_SRC := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
# Filesystem and mount layers (everything but main() goes into a library
# so unit tests can link it).
FS_SRC := $(filter-out src/mount/main.c,$(sort $(wildcard src/fs/*.c) $(wildcard src/mount/*.c)))
MOUNT_MAIN := $(wildcard src/mount/main.c)
TOOL_SRC := $(sort $(wildcard src/tools/*.c))
# Programs the tests use (tests/tools/NAME.c -> build/tests/NAME), not installed.
TEST_TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
ITEST_SRC := $(sort $(wildcard tests/integration/itest_*.c))
COMMON_TEST_SRC := $(sort $(wildcard tests/common/*.c))
HARNESS_SRC := $(filter-out $(ITEST_SRC),$(sort $(wildcard tests/integration/*.c)))

# Fuzz harnesses (tests/fuzz/fuzz_NAME.c): libFuzzer programs built with
# clang (make fuzz), and the same code replaying its corpus as the unit
# test build/tests/test_fuzz_NAME.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HARNESS_SRC := $(filter-out tests/fuzz/fuzz_abort.c,$(FUZZ_SRC))
FUZZ_NAMES := $(FUZZ_HARNESS_SRC:tests/fuzz/fuzz_%.c=%)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB_OBJ_SAN := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
FS_OBJ := $(FS_SRC:%.c=$(BUILD)/obj/%.o)
FS_OBJ_SAN := $(FS_SRC:%.c=$(BUILD)/san/%.o)
COMMON_TEST_OBJ := $(COMMON_TEST_SRC:%.c=$(BUILD)/san/%.o)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/san/%.o)

LIBSMBFS := $(BUILD)/libsmbfs.a
LIBSMBFS_SAN := $(BUILD)/san/libsmbfs.a
LIBFS := $(BUILD)/libsmbfs-fs.a
LIBFS_SAN := $(BUILD)/san/libsmbfs-fs.a
TOOLS := $(TOOL_SRC:src/tools/%.c=$(BUILD)/%)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
ITEST_BINS := $(ITEST_SRC:tests/integration/%.c=$(BUILD)/tests/%)
TEST_TOOLS := $(TEST_TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
MOUNT_BIN := $(if $(MOUNT_MAIN),$(BUILD)/smbfs-mount)
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_REPLAY_BINS := $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)

.SECONDARY:
.PHONY: all check tests deps clean install bench demo format tsan fuzz fuzz-deps
all: $(LIBSMBFS) $(TOOLS) $(MOUNT_BIN)

tests: $(UNIT_BINS) $(ITEST_BINS) $(TEST_TOOLS) $(FUZZ_REPLAY_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(FUSE_CFLAGS) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(FUSE_CFLAGS) $(CFLAGS_ALL) $(SAN) -MMD -MP -c $< -o $@

# Heimdal's headers: the Kerberos mechanism in every build, and the fuzz
# harness that plays the server's side of it.
$(BUILD)/obj/src/auth/krb5_gss.o $(BUILD)/san/src/auth/krb5_gss.o \
	$(BUILD)/fuzz/obj/src/auth/krb5_gss.o \
	$(BUILD)/san/tests/fuzz/fuzz_krb5.o \
	$(BUILD)/fuzz/obj/tests/fuzz/fuzz_krb5.o: CPPFLAGS_ALL += $(GSS_CFLAGS)

$(LIBSMBFS): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSMBFS_SAN): $(LIB_OBJ_SAN)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBFS): $(FS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBFS_SAN): $(FS_OBJ_SAN)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%: $(BUILD)/obj/src/tools/%.o $(LIBSMBFS)
	$(CC) $(CFLAGS_ALL) $^ $(LIBS) -o $@

$(BUILD)/smbfs-mount: $(BUILD)/obj/src/mount/main.o $(LIBFS) $(LIBSMBFS)
	$(CC) $(CFLAGS_ALL) $^ $(FUSE_LIBS) $(LIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/san/tests/unit/%.o $(COMMON_TEST_OBJ) $(LIBFS_SAN) $(LIBSMBFS_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN) $^ -lcunit $(FUSE_LIBS) $(LIBS) -o $@

# Test tools stand alone: no library, no sanitizers (they sit in the data
# path of benchmarks).
$(TEST_TOOLS): $(BUILD)/tests/%: $(BUILD)/obj/tests/tools/%.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $^ -o $@

$(BUILD)/tests/itest_%: $(BUILD)/san/tests/integration/itest_%.o $(HARNESS_OBJ) $(COMMON_TEST_OBJ) $(LIBFS_SAN) $(LIBSMBFS_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN) $^ -lcunit $(FUSE_LIBS) $(LIBS) -o $@

# A fuzz harness replaying its corpus (shorter stem: wins over the rule
# above).  Harnesses may test pure functions of src/fs.
$(BUILD)/san/tests/fuzz/%.o: CPPFLAGS_ALL += -Isrc/fs
$(BUILD)/tests/test_fuzz_%: $(BUILD)/san/tests/fuzz/fuzz_%.o $(BUILD)/san/tests/fuzz/replay_main.o $(COMMON_TEST_OBJ) $(LIBFS_SAN) $(LIBSMBFS_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN) $^ -lcunit $(FUSE_LIBS) $(LIBS) -o $@

# libFuzzer builds: the whole library again, instrumented by clang.
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 $(WARN) -pthread -fno-strict-aliasing -g -O1 \
	$(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIB := $(BUILD)/fuzz/libsmbfs.a
FUZZ_LIBFS := $(BUILD)/fuzz/libsmbfs-fs.a

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS_ALL) -Isrc/fs $(FUSE_CFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_LIBFS): $(FS_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(BUILD)/fuzz/obj/tests/fuzz/fuzz_abort.o $(FUZZ_LIBFS) $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(FUSE_LIBS) $(LIBS) -o $@

fuzz-deps:
	@bash tests/fuzz/install-deps.sh

fuzz: fuzz-deps
	$(MAKE) $(FUZZ_BINS)

deps:
	@bash scripts/install-deps.sh

check: deps
	$(MAKE) all tests
	@bash scripts/run-tests.sh

TSAN := -fsanitize=thread -fno-omit-frame-pointer

tsan: deps
	$(MAKE) BUILD=build-tsan CFLAGS="-O1 -g $(TSAN)" SAN="$(TSAN)" all tests
	@BUILD=build-tsan bash scripts/run-tsan.sh

bench: deps
	$(MAKE) all $(TEST_TOOLS)
	@bash scripts/bench.sh

demo: deps
	$(MAKE) all
	@bash scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8
	$(if $(MOUNT_BIN),install -m 0755 $(MOUNT_BIN) $(DESTDIR)$(PREFIX)/bin/)
	$(foreach t,$(TOOLS),install -m 0755 $(t) $(DESTDIR)$(PREFIX)/bin/;)
	$(foreach m,$(wildcard man/*.8),install -m 0644 $(m) $(DESTDIR)$(PREFIX)/share/man/man8/;)
	ln -sf smbfs-mount $(DESTDIR)$(PREFIX)/bin/smbfs
	ln -sf smbfs-mount.8 $(DESTDIR)$(PREFIX)/share/man/man8/mount.smbfs.8
	$(if $(SBINDIR),install -d $(DESTDIR)$(SBINDIR) && ln -sf $(PREFIX)/bin/smbfs-mount $(DESTDIR)$(SBINDIR)/mount.smbfs)

format:
	clang-format -i $(LIB_SRC) $(FS_SRC) $(TOOL_SRC) $(TEST_TOOL_SRC) include/smbfs/*.h include/smbfs/*/*.h

clean:
	rm -rf $(BUILD) build-tsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
