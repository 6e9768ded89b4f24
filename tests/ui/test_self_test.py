"""``clerk-app --self-test`` from the source tree (fast; tests/test_bundle.py runs it from the
bundle): it passes, names the step that fails, and never opens the clerk's own data folder."""

from __future__ import annotations

import sys

import pytest

from clerk_app.cli import main
from clerk_app.ui import app as ui_app


@pytest.fixture(autouse=True)
def _own_data_folder_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("CLERK_APP_DATA_DIR", str(tmp_path / "clerks-own"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    yield
    assert not (tmp_path / "clerks-own").exists(), "the self-test opened the default data folder"


def test_self_test_passes(capsys):
    assert main(["--self-test"]) == 0
    out = capsys.readouterr().out
    assert "自检通过" in out
    for step in ("页面：会员", "页面：服务卡", "页面：活动签到", "入会登记对话框", "签到台", "服务卡打印预览并打印到 PDF"):
        assert f"✓ {step}" in out


def test_a_failing_step_exits_1_and_says_which(monkeypatch, capsys):
    def broken(_workspace):
        raise ImportError("libQt6Network.so.6: cannot open shared object file")

    monkeypatch.setattr(ui_app, "build_main_window", broken)
    assert main(["--self-test"]) == 1
    err = capsys.readouterr().err
    assert "自检失败：主窗口：ImportError: libQt6Network.so.6" in err
