"""Clerks at the window: the idle lock hides every page until the password is given, and
switching clerk reopens the window as the other clerk (matrix row 39)."""

from __future__ import annotations

from clerk_app.services import clerks
from clerk_app.ui.idle_lock import IdleLock
from clerk_app.ui.main_window import build_main_window
from tests.conftest import TEST_PASSWORD


def _window(qtbot, workspace, ctx):
    win = build_main_window(workspace)
    qtbot.addWidget(win)
    win.show()
    return win


def test_the_window_locks_when_idle_and_only_the_password_opens_it(qtbot, workspace, ctx):
    win = _window(qtbot, workspace, ctx)
    win.idle_lock.stop()
    win.idle_lock = lock = IdleLock(win, workspace, idle_ms=30)
    qtbot.waitUntil(lambda: lock.is_locked, timeout=3000)
    assert not win.centralWidget().isVisible() and not win.menuBar().isEnabled()
    dialog = lock.dialog
    assert dialog.clerk.currentText() == "李经办" and not dialog.clerk.isEnabled()
    dialog.password.setText("not-my-password")
    dialog.ok_button.click()
    assert lock.is_locked and dialog.error.text() == "姓名或密码不对"
    dialog.password.setText(TEST_PASSWORD)
    dialog.ok_button.click()
    assert not lock.is_locked and win.centralWidget().isVisible() and win.menuBar().isEnabled()
    lock.stop()


def test_lock_from_the_menu_and_switching_clerk_is_one_step(qtbot, workspace, ctx):
    helper = clerks.add_clerk(ctx, "赵经办", "经办人")
    workspace.add_login(helper, "赵经办", "zhao-pass-1")
    win = _window(qtbot, workspace, ctx)
    win.lock_action.trigger()
    assert win.idle_lock.is_locked and not win.centralWidget().isVisible()
    win.idle_lock.dialog.password.setText(TEST_PASSWORD)
    win.idle_lock.dialog.ok_button.click()

    def log_in_as_zhao(dialog):
        dialog.clerk.setCurrentText("赵经办")
        dialog.password.setText("zhao-pass-1")
        dialog.open = dialog.exec = lambda: (dialog.save(), dialog.result())[1]  # drive it without a modal loop

    new = win.switch_clerk(dialog_hook=log_in_as_zhao)
    assert new is not None
    qtbot.addWidget(new)
    assert new.ctx.clerk.name == "赵经办" and new.ctx.clerk.role == "经办人"
    assert not win.isVisible() and new.isVisible()
    new.idle_lock.stop()


def test_a_manager_adds_a_clerk_who_can_then_log_in(qtbot, workspace, ctx):
    from clerk_app.domain.errors import ValidationFailed
    from clerk_app.workspace import Login, verify_clerk

    win = _window(qtbot, workspace, ctx)
    dialog = win.open_clerks()
    qtbot.addWidget(dialog)
    assert dialog.add_button.isEnabled() and dialog.table.rowCount() == 1
    import pytest

    with pytest.raises(ValidationFailed):
        dialog.create("孙经办", "经办人", "short")
    assert dialog.table.rowCount() == 1  # nothing half-made
    dialog.create("孙经办", "经办人", "sun-pass-1")
    assert [dialog.table.item(r, 0).text() for r in range(2)] == ["李经办", "孙经办"]
    sun = workspace.switch(Login("孙经办", "sun-pass-1"))
    verify_clerk(sun, "sun-pass-1")
    as_sun = win.__class__(workspace, sun)
    qtbot.addWidget(as_sun)
    limited = as_sun.open_clerks()
    qtbot.addWidget(limited)
    assert not limited.add_button.isEnabled() and limited.password_button.isEnabled()
    as_sun.idle_lock.stop()
    win.idle_lock.stop()
