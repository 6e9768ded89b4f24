"""The payment-list benchmark still runs (tiny scale), and its plain-reportlab floor draws the
same text as the app, page for page (``--check``): the comparison stays a fair one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_bench_payment_list_runs_and_draws_the_same_content():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_payment_list.py"), "--entries", "30",
                          "--repeat", "1", "--check"], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "payment list, 30 entries: app" in out.stdout and "(3 pages" in out.stdout
    assert "same text on all 3 pages" in out.stdout
