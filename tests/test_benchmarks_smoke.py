"""The benchmarks run at a tiny scale, so they do not rot between the times someone runs
them for real (no timing is asserted: timings belong in the benchmarks' own output)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("bench-data")


def _run(module: str, cache_dir: Path, *extra: str) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", module, "--members", "200", "--cache-dir", str(cache_dir), *extra],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_data_builder_makes_the_folder_once(cache_dir):
    first = _run("benchmarks._data", cache_dir)
    assert "building benchmark data: 200 members" in first
    assert re.search(r"generation: 200 members in [\d.,]+ s = [\d,]+ members/s", first)
    again = _run("benchmarks._data", cache_dir)
    assert "building" not in again  # cached
    folders = list(cache_dir.glob("members-200-seed-2026-*"))
    assert len(folders) == 1 and (folders[0] / "clerk.db").is_file()


def test_search_benchmark_prints_app_and_floor_per_kind(cache_dir):
    out = _run("benchmarks.bench_search", cache_dir, "--queries", "10", "--rounds", "2")
    assert re.search(r"^data size: 200 members, [\d,]+ search keys, database \d+ MiB", out, re.M), out
    for kind in ("name-fragment", "pinyin-initials", "id-tail", "phone-tail"):
        assert re.search(rf"^ratio {kind}: app/floor p95 = \d+\.\d+x \(min \d+\.\d+, max \d+\.\d+\)", out, re.M), out
        row = re.search(rf"^{kind}\s+([\d.]+)/([\d.]+)/([\d.]+)\s.*\s([\d.]+)$", out, re.M)
        assert row and float(row.group(4)) >= 1, out  # every sampled query finds its member
    assert "different number of rows" not in out  # the floor does the same lookup as the app


def test_register_benchmark_prints_both_ratios(cache_dir):
    out = _run("benchmarks.bench_register", cache_dir, "--count", "20")
    assert re.search(r"registration on a copy of 200 members, 20 forms per way", out), out
    assert re.search(r"^ratio register one-by-one: app/bare mean = \d+\.\d+x", out, re.M), out
    assert re.search(r"^ratio register bulk: app/bare mean = \d+\.\d+x", out, re.M), out


def test_startup_benchmark_prints_window_beside_the_lean_window(cache_dir):
    out = _run("benchmarks.bench_startup", cache_dir, "--runs", "1")
    assert re.search(r"^ratio startup: app/lean window \(unlock -> shown\) = \d+\.\d+x", out, re.M), out
    assert re.search(r"lean window: unlock -> shown \(floor\)\s+[\d,]+/[\d,]+/[\d,]+$", out, re.M), out


def test_sync_benchmark_prints_app_floor_and_ratio(cache_dir):
    out = _run("benchmarks.bench_syncpkg", cache_dir, "--changes", "300", "--rounds", "2")
    assert re.search(r"^[\d,]+ change records; package [\d,]+ bytes, plain json [\d,]+ bytes", out, re.M), out
    for label in ("app: sync export (laptop)", "app: sync import (district)", "app: export + import",
                  "floor: json + executemany"):
        assert re.search(rf"^{re.escape(label)} +min +[\d.]+ s +median +[\d.]+ s +max +[\d.]+ s", out, re.M), out
    assert re.search(r"^ratio app/floor: min \d+\.\d+x +median \d+\.\d+x +max \d+\.\d+x", out, re.M), out


def test_report_benchmark_prints_app_beside_plain_sql(cache_dir):
    out = _run("benchmarks.bench_report", cache_dir, "--events", "50", "--rounds", "1")
    assert "equal to plain SQL" in out, out
    assert re.search(r"^ratio report: app/raw median = \d+\.\d+x", out, re.M), out


def test_filesize_benchmark_prints_the_change_log_share_and_the_compaction(cache_dir):
    out = _run("benchmarks.bench_filesize", cache_dir)
    assert re.search(r"^file size on 200 members: encrypted [\d.,]+ MiB = [\d.,]+ KiB per member", out, re.M), out
    assert re.search(r"^  change log with its indexes\s+[\d.]+\s+\d+%", out, re.M), out
    assert re.search(r"^ratio filesize: compacted/as-is = \d+\.\d+x", out, re.M), out
