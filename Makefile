# SPDX-License-Identifier: GPL-2.0
#
# kbench: the two commands of the README, and the steps behind them.
#   make run    install what is missing, build, run configs/default.toml on
#               the default target (host if it can load modules, else QEMU
#               with Debian's 6.12 kernel), write results and a summary
#   make test   everything CI runs (.ci/run calls it)
# Knobs: CONFIG=configs/x.toml TARGET=host|qemu:6.1|qemu:6.12 OUT=dir

CONFIG ?= configs/default.toml
TARGET ?= auto
OUT ?= out/latest
BUILD := build/cmake
KBENCH := $(BUILD)/bin/kbench
JOBS ?= $(shell nproc)

.PHONY: all run test deps deps-test build unit-test sanitize-test e2e-test lint format clean

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

test: deps-test
	@$(MAKE) --no-print-directory build
	scripts/run-tests.sh

format:
	clang-format -i $$(git ls-files 'runner/*.cpp' 'runner/*.h')

clean:
	rm -rf build/cmake build/asan out
