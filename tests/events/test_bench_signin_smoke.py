"""bench_signin at a tiny scale, so it keeps working (no timing is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_signin_benchmark_runs_tiny_and_prints_both_paths(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_signin", "--members", "120", "--cards", "40",
                           "--scans", "15", "--rounds", "2", "--cache-dir", str(tmp_path / "cache")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "issued 40 cards in" in out and "on 120 members and 40 cards" in out and "2 rounds of 15 scans" in out
    assert re.search(r"^app: sign_in_scan \(new sign-in\)\s+15\s", out, re.M), out
    assert re.search(r"^floor: same rows, state in memory\s+15\s", out, re.M), out
    assert re.search(r"^bare: SELECT \+ INSERT \+ COMMIT\s+15\s", out, re.M), out
    assert re.search(r"^app: sign_in_scan \(repeat -> already\)\s+3\s", out, re.M), out
    assert re.search(r"^ratio sign-in: app/floor p95 = \d+\.\d+x", out, re.M), out
    leftovers = [line for line in out.splitlines() if line.startswith("data: ")]
    copy = Path(leftovers[0].split(" -> private copy ")[1])
    assert not copy.exists()
