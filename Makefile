# agentpipe: small C tools for teams running LLM coding agents.
#
#   make            build bin/ (and the sanitizer build with `make asan`)
#   make check      install missing Debian packages, build twice, run every suite
#   make demo       run costsum on the bundled example
#   make bench      compare against the peer tools (see tests/bench/)
#   make fuzz       run each fuzz target for a while (clang, libFuzzer)
#   make coverage   line coverage of tools/ from the suites (gcovr)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CSTD = -std=c11
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -Itools/lib
CFLAGS ?= -O2 -g
LDLIBS = -lsqlite3 -lyaml -ljansson -lpthread -lm

TOOLS = costsum taskwatch budgetgate
LIB_SRC = $(wildcard tools/lib/*.c)
MAN = $(wildcard man/*.[157])

# Each build lives under build/<flavour>/; bin/ is the normal build.
OBJ = build/obj
ASAN_DIR = build/asan
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
COV_DIR = build/cov

.PHONY: all asan check demo bench fuzz coverage install clean deps test unit
all: $(TOOLS:%=bin/%)

# The library and tools, for one flavour: $(1) object dir, $(2) bin dir, $(3) the
# name of a variable holding its extra flags (a value would split on commas).
define flavour
$(1)/lib/%.o: tools/lib/%.c $$(wildcard tools/lib/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CSTD) $$(CPPFLAGS) $$(CFLAGS) $$($(3)) $$(WARN) -c -o $$@ $$<
$(1)/libagentpipe.a: $$(patsubst tools/lib/%.c,$(1)/lib/%.o,$$(LIB_SRC))
	@rm -f $$@
	$$(AR) rcs $$@ $$^
$(1)/tools/%.o: tools/%.c $$(wildcard tools/lib/*.h tools/*/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CSTD) $$(CPPFLAGS) $$(CFLAGS) $$($(3)) $$(WARN) -c -o $$@ $$<
$$(foreach t,$$(TOOLS),$$(eval $$(call tool,$(1),$(2),$(3),$$(t))))
endef

# One tool $(4) in a flavour.
define tool
$(2)/$(4): $$(patsubst tools/%.c,$(1)/tools/%.o,$$(wildcard tools/$(4)/*.c)) $(1)/libagentpipe.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$($(3)) -o $$@ $$^ $$(LDLIBS)
endef

NO_FLAGS =
COV_FLAGS = -O0 --coverage -fprofile-update=atomic
$(eval $(call flavour,$(OBJ),bin,NO_FLAGS))
$(eval $(call flavour,$(ASAN_DIR)/obj,$(ASAN_DIR)/bin,ASAN_FLAGS))
$(eval $(call flavour,$(COV_DIR)/obj,$(COV_DIR)/bin,COV_FLAGS))

asan: $(TOOLS:%=$(ASAN_DIR)/bin/%)

# Unit tests: tests/unit/*.c, each linked with the library.
UNIT_SRC = $(wildcard tests/unit/*.c)
bin/test/%: tests/unit/%.c $(OBJ)/libagentpipe.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $^ $(LDLIBS)
$(ASAN_DIR)/bin/test/%: tests/unit/%.c $(ASAN_DIR)/obj/libagentpipe.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CPPFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(WARN) -o $@ $^ $(LDLIBS)
unit: $(UNIT_SRC:tests/unit/%.c=bin/test/%) $(UNIT_SRC:tests/unit/%.c=$(ASAN_DIR)/bin/test/%)

deps:
	@tests/deps.sh

# make check: dependencies, both builds, every suite against each; the last
# line is "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory all asan unit
	@tests/run.sh

test: check

demo: all
	@examples/demo.sh

bench: all
	@tests/bench/run.sh

fuzz:
	@tests/fuzz/run.sh

coverage: deps
	@$(MAKE) --no-print-directory $(TOOLS:%=$(COV_DIR)/bin/%)
	@tests/coverage.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(PREFIX)/share/agentpipe
	install -m 755 $(TOOLS:%=bin/%) $(DESTDIR)$(PREFIX)/bin/
	for m in $(MAN); do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done
	cp -R share/agentpipe/. $(DESTDIR)$(PREFIX)/share/agentpipe/

clean:
	rm -rf bin build
