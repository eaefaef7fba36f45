# SPDX-License-Identifier: GPL-2.0
"""kbench installed like a kernel tool: `make install` lays out the FHS
tree (bin/kbench, share/kbench, libexec/kbench, src/kbench-VERSION with
dkms.conf); the installed binary works from any directory, on its own data
(configs, scripts, the report package, the guest agent) and measures in
QEMU; DKMS builds the installed module source for a Debian kernel; `make
uninstall` leaves no file behind. Installed into a DESTDIR staging tree and
a private DKMS tree, so the machine running the tests is not changed."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from kbtest import ROOT, Run, env_with_test_db

CACHE = ROOT / "build" / "cache"
VERSION = re.search(r"project\(kbench VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)
TINY = """
[run]
repetitions = 1
[[sweep]]
apis = ["kmalloc", "vmalloc"]
sizes = ["4K"]
batches = 2
warmup_batches = 0
"""


def make(*args, **kw):
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, **kw)
    assert proc.returncode == 0, f"make {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    dest = tmp_path_factory.mktemp("destdir")
    make("install", f"DESTDIR={dest}")
    yield dest / "usr"
    make("uninstall", f"DESTDIR={dest}")


def installed(usr, *args, cwd="/", check=True, **env):
    """The installed kbench, run from / with its cache and history in scratch places."""
    proc = subprocess.run([str(usr / "bin" / "kbench"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=env_with_test_db(**env))
    if check:
        assert proc.returncode == 0, f"kbench {args} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc


def test_make_install_lays_out_the_standard_paths(staged):
    usr = staged
    assert os.access(usr / "bin" / "kbench", os.X_OK)
    assert os.access(usr / "libexec" / "kbench" / "kbench-agent", os.X_OK)
    share = usr / "share" / "kbench"
    assert (share / "configs" / "default.toml").is_file() and (share / "configs" / "quick.toml").is_file()
    assert os.access(share / "scripts" / "build-module.sh", os.X_OK)
    assert not (share / "scripts" / "run-tests.sh").exists(), "the test runner is not part of the install"
    assert (share / "reports" / "kbench_report" / "__main__.py").is_file()
    assert not list(share.rglob("__pycache__"))
    src = usr / "src" / f"kbench-{VERSION}"
    assert (share / "kbench-module").resolve() == src.resolve()
    assert (src / "Kbuild").is_file() and (src / "include" / "uapi" / "linux" / "kbench.h").is_file()
    assert not [p for p in src.rglob("*") if p.suffix in (".o", ".ko", ".cmd")], "no build products in the source"
    conf = (src / "dkms.conf").read_text()
    assert f'PACKAGE_VERSION="{VERSION}"' in conf and 'BUILT_MODULE_NAME[0]="kbench"' in conf
    assert 'AUTOINSTALL="yes"' in conf, "rebuilt when a kernel is installed"


def test_the_installed_kbench_works_from_any_directory(staged, tmp_path):
    usr = staged
    share = usr / "share" / "kbench"
    assert "kbench" in installed(usr, "--help").stdout
    dry = installed(usr, "run", "--dry-run", "-c", share / "configs" / "quick.toml")
    assert "kmalloc/size:" in dry.stdout
    # Measures in QEMU from / with only the installed files: its scripts
    # fetch the kernel, build the installed module source and pack its agent.
    config = tmp_path / "tiny.toml"
    config.write_text(TINY)
    out = tmp_path / "out"
    run = installed(usr, "run", "-c", config, "--target", "qemu:6.12", "--out", out, KBENCH_CACHE=str(CACHE))
    measured = Run(out, run, 0)
    assert measured.find(api="kmalloc", phase="pair") and measured.find(api="vmalloc", phase="pair")
    assert measured.results["context"]["kbench_version"] == VERSION
    assert "after the run the module holds 0 objects" in run.stdout
    # The report, drawn by the installed report package.
    installed(usr, "report", out / "results.json", "--out", tmp_path / "report")
    assert (tmp_path / "report" / "index.html").is_file()


def test_dkms_builds_the_installed_module_for_a_debian_kernel(staged, tmp_path):
    """dkms add and build against Debian's 6.12 headers (not the running
    kernel: this machine cannot load modules), in a DKMS tree of the test's."""
    dist = Path(subprocess.run([str(ROOT / "scripts" / "fetch-kernel.sh"), "6.12", str(CACHE / "kernels")],
                               capture_output=True, text=True, check=True, timeout=900).stdout.strip())
    release = (dist / "release").read_text().strip()
    tree = tmp_path / "dkms"
    tree.mkdir()
    where = ["-m", "kbench", "-v", VERSION, "--sourcetree", str(staged / "src"), "--dkmstree", str(tree)]
    for step in (["add"], ["build", "-k", release, "--kernelsourcedir", str((dist / "kdir").resolve())]):
        proc = subprocess.run(["dkms", *step, *where], capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"dkms {step[0]}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    ko = tree / "kbench" / VERSION / release / "x86_64" / "module" / "kbench.ko"
    assert ko.is_file()
    info = subprocess.run(["modinfo", "-F", "vermagic", str(ko)], capture_output=True, text=True, check=True)
    assert info.stdout.startswith(release + " "), info.stdout


def test_make_uninstall_leaves_no_file_behind(tmp_path):
    dest = tmp_path / "destdir"
    make("install", f"DESTDIR={dest}")
    assert any(p.is_file() for p in dest.rglob("*"))
    make("uninstall", f"DESTDIR={dest}")
    left = [str(p) for p in dest.rglob("*") if not p.is_dir()]
    assert not left, left
