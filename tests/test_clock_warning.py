"""A laptop whose wall clock is more than a day behind its last change stamp warns its clerk:
a banner over the window's pages at start-up, a line on stderr after a command that wrote.
Time comes from the app's clock only (here moved back with CLERK_APP_TODAY)."""

from __future__ import annotations

import datetime as dt

from clerk_app.__main__ import main
from clerk_app.clock import SYSTEM, TODAY_ENV, Clock
from clerk_app.services.clock_check import clock_warning
from clerk_app.services.context import Context
from clerk_app.services.members import register_member
from clerk_app.ui.main_window import build_main_window
from tests.test_cli_setup import SETUP_ARGS


def _moved(ctx, **back) -> Context:
    return Context(ctx.db, ctx.clerk, ctx.site_id, Clock(SYSTEM.shift - dt.timedelta(**back)))


def test_the_warning_names_the_last_stamp_and_how_far_ahead_it_is(ctx, member_input):
    register_member(ctx, member_input())
    assert clock_warning(ctx) is None
    assert clock_warning(_moved(ctx, hours=12)) is None  # within a day: a time zone, a slow clock
    text = clock_warning(_moved(ctx, days=3))
    assert text is not None and "晚约 3 天" in text and "请核对电脑的日期时间" in text
    assert ctx.today().isoformat() in text  # the last stamp, shown as a date and time


def test_the_window_shows_a_banner_at_start_up(qtbot, workspace, ctx, member_input, monkeypatch, today):
    register_member(ctx, member_input())
    window = build_main_window(workspace)
    qtbot.addWidget(window)
    assert window.clock_banner is None
    monkeypatch.setenv(TODAY_ENV, (today - dt.timedelta(days=3)).isoformat())
    window = build_main_window(workspace)
    qtbot.addWidget(window)
    window.show()
    assert window.clock_banner is not None and window.clock_banner.isVisible()
    assert "请核对电脑的日期时间" in window.clock_banner.text()


def test_a_command_that_writes_warns_on_stderr_and_a_reading_one_does_not(tmp_path, capsys, monkeypatch, today):
    folder = str(tmp_path / "laptop")
    assert main(["setup", *SETUP_ARGS, "--data-dir", folder]) == 0
    assert main(["cards", "set-prefix", "DX08", "--data-dir", folder]) == 0
    assert "请核对电脑的日期时间" not in capsys.readouterr().err
    monkeypatch.setenv(TODAY_ENV, (today - dt.timedelta(days=3)).isoformat())
    assert main(["cards", "list", "--data-dir", folder]) == 0
    assert "请核对电脑的日期时间" not in capsys.readouterr().err
    assert main(["cards", "set-prefix", "DX09", "--data-dir", folder]) == 0
    assert "请核对电脑的日期时间" in capsys.readouterr().err
