"""The print benchmark still runs (tiny scale; timings are for benchmarks/, not tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_print.py"


def test_bench_print_runs_at_tiny_scale():
    out = subprocess.run([sys.executable, str(BENCH), "--cards", "12", "--repeat", "1"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "cards: 12 on 2 A4 pages" in out.stdout
    assert "print engine (card_sheet_pdf):" in out.stdout and "plain reportlab canvas:" in out.stdout
    assert "ratio engine / plain:" in out.stdout
