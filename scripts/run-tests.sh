#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh - every test kbench has (what `make test` and CI run):
#   1. GoogleTest unit tests
#   2. the same unit tests under AddressSanitizer and UBSan
#   3. pytest: module builds (W=1, both kernels), checkpatch, clang-format,
#      clang-tidy, end-to-end runs of the real module on Debian 6.1 and 6.12
#      kernels in QEMU, and the report package with a headless-Chromium test
# Expects `make build` to have run (make test does it).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== unit tests"
(cd build/cmake && ctest --output-on-failure --no-tests=error -j"$jobs")

echo "== unit tests with AddressSanitizer + UBSan"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DKBENCH_SANITIZE=address,undefined \
	-DKBENCH_BUILD_AGENT=OFF >/dev/null
cmake --build build/asan --target kbench_unit_tests -j"$jobs" >/dev/null
(cd build/asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure --no-tests=error -j"$jobs")

echo "== module, style, end-to-end (QEMU) and report tests (pytest)"
# Debian's python3 (with python3-pytest, scipy, matplotlib), not another on
# PATH. The test folders are pytest.ini's testpaths: tests/ and reports/tests/.
exec /usr/bin/python3 -m pytest -p no:cacheprovider -ra "$@"
