"""bench_roster runs end to end at a tiny size (no timing asserted; timings are its output)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_roster_tiny():
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_roster", "--rows", "60"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "roster import, 60 rows" in proc.stdout
    assert re.search(r"ratio app/baseline [\d.]+x", proc.stdout)
    for stage in ("read_roster", "build_preview", "commit_import", "calamine read", "bare executemany"):
        assert stage in proc.stdout
