# SPDX-License-Identifier: GPL-2.0
#
# kbench: the two commands of the README, and the steps behind them.
#   make run    install what is missing, build, run configs/default.toml on
#               the default target (host if it can load modules, else QEMU
#               with Debian's 6.12 kernel), write results and a summary
#   make test   everything CI runs (.ci/run calls it)
#   make install    kbench under PREFIX (/usr) and its module under DKMS
#   make uninstall  all of it removed again
# Knobs: CONFIG=configs/x.toml TARGET=host|qemu:6.1|qemu:6.12 OUT=dir
#        PREFIX=/usr DESTDIR=dir (install into a staging tree; no DKMS)

CONFIG ?= configs/default.toml
TARGET ?= auto
OUT ?= out/latest
BUILD := build/cmake
KBENCH := $(BUILD)/bin/kbench
JOBS ?= $(shell nproc)
PREFIX ?= /usr
DESTDIR ?=
# One version: CMake's project version (it fills in dkms.conf too).
VERSION := $(shell grep -o 'kbench VERSION [0-9.]*' CMakeLists.txt | cut -d' ' -f3)

.PHONY: all run test install uninstall deps deps-test build unit-test sanitize-test e2e-test lint format clean

all: build

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# The run's exit code 3 (incomplete, results saved) still gets a report.
run: deps
	@$(MAKE) --no-print-directory build
	$(KBENCH) run --config $(CONFIG) --target $(TARGET) --out $(OUT); rc=$$?; \
	  if [ -f $(OUT)/results.json ]; then $(KBENCH) report $(OUT)/results.json --out $(OUT)/report || exit 1; fi; \
	  exit $$rc

# Configured again: a build tree first made by `make run` has no GoogleTest.
test: deps-test
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(MAKE) --no-print-directory build
	scripts/run-tests.sh

# Every build of kbench VERSION out of DKMS, when DKMS has it.
dkms_remove = if command -v dkms >/dev/null && [ -n "$$(dkms status -m kbench -v $(VERSION))" ]; then \
  dkms remove -m kbench -v $(VERSION) --all; fi

# The module goes to DKMS (built for every installed kernel that has its
# headers, rebuilt on kernel upgrades) when installing into the system
# under /usr, where DKMS looks for sources. Installing again replaces what
# was there: files removed upstream must not stay in the module's source,
# and DKMS would keep an earlier build of the same version.
install:
	@scripts/install-deps.sh $(if $(DESTDIR),run,install)
	@$(MAKE) --no-print-directory build
	@[ -n "$(DESTDIR)" ] || { $(dkms_remove); }
	rm -rf "$(DESTDIR)$(PREFIX)/share/kbench" "$(DESTDIR)$(PREFIX)/src/kbench-$(VERSION)"
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX)
	@if [ -n "$(DESTDIR)" ]; then exit 0; fi; \
	if [ "$(PREFIX)" != /usr ]; then echo "make install: DKMS skipped: it takes module sources from /usr/src only"; exit 0; fi; \
	dkms add -m kbench -v $(VERSION) || exit 1; \
	for b in /lib/modules/*/build; do \
	  [ -e "$$b/Makefile" ] || continue; k=$$(basename "$$(dirname "$$b")"); \
	  dkms install -m kbench -v $(VERSION) -k "$$k" || exit 1; \
	done

# What install wrote (the layout is CMakeLists.txt's), DKMS's builds, and
# the installed kbench's cache (root's).
uninstall:
	@[ -n "$(DESTDIR)" ] || { $(dkms_remove); }
	rm -rf "$(DESTDIR)$(PREFIX)/bin/kbench" "$(DESTDIR)$(PREFIX)/share/kbench" \
	  "$(DESTDIR)$(PREFIX)/libexec/kbench" "$(DESTDIR)$(PREFIX)/src/kbench-$(VERSION)"
	@[ -n "$(DESTDIR)" ] || rm -rf /var/cache/kbench

format:
	clang-format -i $$(git ls-files 'runner/*.cpp' 'runner/*.h')

clean:
	rm -rf build/cmake build/asan out
