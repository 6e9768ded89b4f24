"""Every window and dialog fits the laptops clerks have: 1366×768, and 1920×1080 at 150 %
(1280×720 in Qt's logical pixels), each less a 40-pixel taskbar, with room for a title bar.

Qt picks its screen when it starts, so each screen gets a fresh process running
``screen_fit_run.py`` on an offscreen screen of that size (Qt's offscreen ``configfile``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = {  # what a laptop leaves for windows: its size less the taskbar, in Qt's logical pixels
    "1366x768": {"width": 1366, "height": 768 - 40, "dpr": 1},
    "1920x1080@150%": {"width": 1280, "height": 720 - 40, "dpr": 1.5},
}


def run_on_screen(tmp_path: Path, screen: dict) -> dict:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "logicalDpi": 96,
                                               "logicalBaseDpi": 96, **screen}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PYTHONPATH": str(ROOT),
           "PYTHONIOENCODING": "utf-8", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "ui" / "screen_fit_run.py")], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_window_and_button_fits_the_screen(tmp_path, name):
    report = run_on_screen(tmp_path, SCREENS[name])
    assert report["screen"][:2] == [SCREENS[name]["width"], SCREENS[name]["height"]]
    assert len(report["windows"]) >= 18, sorted(report["windows"])  # every window was opened
    assert report["problems"] == []


def test_the_check_catches_a_window_that_does_not_fit(tmp_path):
    """On a screen smaller than any laptop's the same run must report problems."""
    report = run_on_screen(tmp_path, {"width": 800, "height": 500, "dpr": 1})
    assert any("放不下" in p for p in report["problems"]), report["problems"]
