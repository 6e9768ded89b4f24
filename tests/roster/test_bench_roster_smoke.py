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
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_roster", "--rows", "60", "--rounds", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "roster import, 60 rows" in proc.stdout and "2 rounds, interleaved" in proc.stdout
    assert re.search(r"same rows checked: members 60, member_keys \d+, member_status_history 60, consents 60,"
                     r" change_log 180, audit_log 61", proc.stdout), proc.stdout
    assert re.search(r"^ratio roster 60: app/floor median [\d.]+x", proc.stdout, re.M)
    for stage in ("read_roster", "build_preview", "commit_import", "backups before + after", "floor  same rows"):
        assert stage in proc.stdout
