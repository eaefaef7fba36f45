# SPDX-License-Identifier: GPL-2.0
"""The C++ runner keeps clang-format style and is clang-tidy clean."""
import subprocess

from kbtest import BUILD, ROOT


def runner_sources(*suffixes):
    out = subprocess.run(["git", "ls-files", "runner"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    files = [f for f in out if f.endswith(suffixes)]
    assert files, "no runner sources found"
    return files


def test_clang_format_clean():
    proc = subprocess.run(["clang-format", "--dry-run", "--Werror", *runner_sources(".cpp", ".h")], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-4000:]


def test_clang_tidy_clean():
    sources = [f for f in runner_sources(".cpp") if f.startswith("runner/src/")]
    proc = subprocess.run(["xargs", "-P", "2", "-n", "4", "clang-tidy", "-p", str(BUILD), "--quiet"],
                          input="\n".join(sources), cwd=ROOT, capture_output=True, text=True, timeout=1200)
    findings = [line for line in proc.stdout.splitlines() if ": error:" in line or ": warning:" in line]
    assert not findings, "\n".join(findings)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
