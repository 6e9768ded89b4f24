"""Long batch work shows one progress line on stderr (tqdm), which ends with a newline, so what
follows (an error, the shell prompt, the next log line) starts on a line of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from clerk_app.cli.progress import progress_line
from tests.test_cli_core import ROOT


def _states(stderr: str) -> list[str]:
    """Every drawn state of the line (tqdm redraws with \\r), in order."""
    return [s for s in re.split(r"[\r\n]", stderr) if s.strip()]


def test_demo_progress_is_one_line_ending_at_20_of_20(tmp_path):
    # bytes, decoded by hand: text mode would turn every \r into a line break
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([sys.executable, "-m", "clerk_app", "--data-dir", str(tmp_path / "data"), "demo",
                          "--members", "20"], cwd=ROOT, env=env, capture_output=True, timeout=120)
    err = out.stderr.decode("utf-8")
    assert out.returncode == 0, err
    assert "已生成 20 名演示会员" in out.stdout.decode("utf-8") and b"20/20" not in out.stdout
    assert err.endswith("\n") and err.count("\n") == 1  # one line, ended
    states = _states(err)
    assert all(s.startswith("生成会员:") for s in states), states
    assert err.count("20/20") == 1 and "20/20" in states[-1]  # the final state, drawn once


def test_roster_import_progress_lines_end_before_the_next_output(data_dir, tmp_path, capsys, monkeypatch):
    from clerk_app.cli import main
    from clerk_app.clock import TODAY_ENV
    from clerk_app.workspace import open_workspace
    from tests.conftest import SETUP
    from tests.roster.conftest import ROSTER_DAY, person, write_csv

    monkeypatch.setenv(TODAY_ENV, ROSTER_DAY.isoformat())  # the roster's members joined 2025-03-01
    ws = open_workspace(data_dir)
    ws.set_up(SETUP)
    ws.close()

    path = write_csv(tmp_path / "r.csv", [person(n) for n in range(1, 6)])
    assert main(["roster", "import", str(path), "--yes", "--data-dir", str(data_dir)]) == 0
    captured = capsys.readouterr()
    assert "已导入 5 名会员" in captured.out
    assert captured.err.endswith("\n")
    lines = captured.err.split("\n")[:-1]  # str.splitlines would also split at tqdm's \r
    assert [line.split("\r")[-1].split(":")[0] for line in lines] == ["检查花名册", "正在导入"]
    assert all("5/5" in line.split("\r")[-1] for line in lines)


def test_an_interrupted_line_shows_where_it_stopped_and_still_ends(capsys):
    with pytest.raises(KeyboardInterrupt):
        with progress_line("排版服务卡", "张") as progress:
            progress(0, 30)
            progress(10, 30)
            raise KeyboardInterrupt
    err = capsys.readouterr().err
    assert err.endswith("\n") and "10/30" in _states(err)[-1] and "30/30" not in err


def test_no_work_draws_no_line(capsys):
    with progress_line("生成会员", "人"):
        pass
    assert capsys.readouterr().err == ""
