# SPDX-License-Identifier: GPL-2.0
"""Session fixtures of the end-to-end tests: the built kbench binary, and real
runs in QEMU that several tests inspect (each kernel boots once per session)."""
import subprocess
import time

import pytest

from kbtest import KBENCH, KERNELS, ROOT, Run, env_with_test_db, kbench  # noqa: F401


@pytest.fixture(scope="session")
def kbench_bin():
    assert KBENCH.exists(), f"{KBENCH} is missing: run `make build` first"
    return KBENCH


@pytest.fixture(scope="session", params=KERNELS)
def quick_run(request, kbench_bin, tmp_path_factory):
    """configs/quick.toml on qemu:<kernel>; the kernel and module are fetched
    and built first by `kbench list`, so the run itself is timed warm."""
    kernel = request.param
    list_out = tmp_path_factory.mktemp(f"list-{kernel}")
    listing = kbench("list", "--target", f"qemu:{kernel}", "--out", list_out)
    out = tmp_path_factory.mktemp(f"quick-{kernel}")
    t0 = time.monotonic()
    proc = kbench("run", "--config", "configs/quick.toml", "--target", f"qemu:{kernel}", "--out", out)
    run = Run(out, proc, time.monotonic() - t0)
    run.kernel = kernel
    run.listing = listing.stdout
    return run


@pytest.fixture(scope="session")
def make_run(tmp_path_factory):
    """The README's first command, `make run`, into a scratch directory."""
    out = tmp_path_factory.mktemp("make-run")
    t0 = time.monotonic()
    proc = subprocess.run(["make", "--no-print-directory", "run", f"OUT={out}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=3600, env=env_with_test_db())
    assert proc.returncode == 0, f"make run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return Run(out, proc, time.monotonic() - t0)
