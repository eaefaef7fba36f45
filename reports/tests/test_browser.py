# SPDX-License-Identifier: GPL-2.0
"""The report in a real browser: headless Chromium (Debian's package) opens
index.html, every image loads, the console shows no error, and a
screenshot is kept as a test artifact in build/test-artifacts/."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--allow-file-access-from-files", "--enable-logging=stderr", "--v=0"]

CHECK = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="f" src="index.html" style="width:1400px;height:900px"></iframe>
<script>
document.getElementById('f').addEventListener('load', function () {
  var doc = this.contentDocument, imgs = Array.from(doc.images);
  var wait = imgs.map(function (i) { return i.complete ? Promise.resolve() :
    new Promise(function (r) { i.onload = i.onerror = r; }); });
  Promise.all(wait).then(function () {
    document.getElementById('result').textContent = JSON.stringify({
      title: doc.title, banner: !!doc.querySelector('.banner'),
      images: imgs.map(function (i) { return {src: i.getAttribute('src'), width: i.naturalWidth}; })});
  });
});
</script></body></html>"""


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium is missing: apt-get install chromium (make test installs it)")


def test_report_renders_in_chromium(report_dir, tmp_path):
    (report_dir / "check.html").write_text(CHECK)
    profile = tmp_path / "profile"
    proc = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=20000",
                           "--dump-dom", (report_dir / "check.html").as_uri()],
                          capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="result">(.*?)</pre>', proc.stdout, re.S)
    assert m and m.group(1) != "pending", f"the page did not finish loading:\n{proc.stderr[-3000:]}"
    result = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert result["title"] == "kbench report" and result["banner"] is True
    assert len(result["images"]) >= 6
    broken = [i for i in result["images"] if i["width"] <= 0]
    assert not broken, broken
    # No image the page shows is blank: each has drawn (non-white) pixels
    # over a real share of it, in more than one colour.
    import matplotlib.image as mpimg
    import numpy as np
    for img in result["images"]:
        px = mpimg.imread(report_dir / img["src"])[..., :3]
        drawn = (px < 0.97).any(axis=-1).mean()
        colours = len(np.unique((px.reshape(-1, 3) * 255).astype(np.uint8), axis=0))
        assert drawn > 0.01 and colours > 8, (img["src"], drawn, colours)
    console_errors = [line for line in proc.stderr.splitlines()
                      if "CONSOLE" in line and ("ERROR" in line or "Uncaught" in line or "Failed to load" in line)]
    assert not console_errors, console_errors

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-screenshot.png"
    shot.unlink(missing_ok=True)
    subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--window-size=1400,2600",
                    "--virtual-time-budget=10000", f"--screenshot={shot}", (report_dir / "index.html").as_uri()],
                   capture_output=True, text=True, timeout=180)
    assert shot.exists() and shot.stat().st_size > 20000
