"""bench_syncpkg at a tiny scale, so it keeps working (no timing is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_syncpkg_benchmark_runs_tiny_and_prints_both_paths():
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_syncpkg", "--changes", "300", "--runs", "2"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for label in ("app: seal_package", "app: open_package", "raw: json.dumps", "raw: zlib.decompress"):
        assert re.search(rf"^{re.escape(label)}.* min +[\d.]+ s +median +[\d.]+ s +max +[\d.]+ s", out, re.M), out
    assert re.search(r"^ratio pack\+unpack: app/raw median = \d+\.\d+x", out, re.M), out
