"""Backups in the window: the daily backup timer, 从备份恢复 with the backup's date and counts
shown first, the damaged-database banner (read-only), and card issuing paused after a restore."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from clerk_app.services import backups, cards
from clerk_app.storage.db import DB_FILENAME
from clerk_app.ui import backup_actions
from clerk_app.ui.app import restore_with_message
from clerk_app.ui.cards_page import CardsPage
from clerk_app.ui.main_window import build_main_window
from clerk_app.ui.restore_dialog import COL_CARDS, COL_KIND, COL_MEMBERS, COL_TAKEN, RestoreDialog
from tests.conftest import LOGIN, reopen
from tests.test_damage import _flip_pages


def _window(qtbot, workspace):
    win = build_main_window(workspace)
    qtbot.addWidget(win)
    win.show()
    return win


def test_daily_backup_runs_in_the_background_once(qtbot, workspace, ctx, add_members):
    add_members(5)
    win = _window(qtbot, workspace)
    task = win.daily_backup.check()
    assert task is not None
    qtbot.waitUntil(lambda: win.daily_backup.finished, timeout=10000)
    assert win.daily_backup.error is None and win.daily_backup.last is not None
    listed = backups.list_backups(workspace.folder)
    assert [b.kind for b in listed] == ["daily"]
    assert "已自动备份" in win.statusBar().currentMessage()
    assert win.daily_backup.check() is None  # today's is made
    assert win.daily_backup.timer.interval() == backups.DAILY_CHECK_MS and win.daily_backup.timer.isActive()


def test_restore_dialog_shows_date_and_counts_and_asks_first(qtbot, workspace, ctx, add_members, boxes):
    add_members(7)
    first = backups.create_backup(ctx, "manual").path
    add_members_more = add_members  # noqa: F841 - the fixture adds from the start of its roster
    cards.set_card_prefix(ctx, "DX07")
    member = workspace.db.conn.execute("SELECT id FROM members LIMIT 1").fetchone()[0]
    cards.issue_card(ctx, member)
    win = _window(qtbot, workspace)
    dialog = win.open_restore()
    qtbot.addWidget(dialog)
    model = dialog.model
    assert model.rowCount() == 1
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[COL_MEMBERS] == "7" and row[COL_CARDS] == "0" and row[COL_KIND] == "手动"
    assert row[COL_TAKEN] == backups.parse_name(first.name)[0].strftime("%Y-%m-%d %H:%M:%S")
    boxes.answer("取消")
    dialog.restore_selected()
    assert dialog.isVisible() and win.pending_restore is None  # nothing chosen without confirming
    assert "会员 7 名" in boxes.texts[-1] and "服务卡 0 张" in boxes.texts[-1] and "发卡代码" in boxes.texts[-1]
    boxes.answer("恢复")
    with qtbot.waitSignal(dialog.finished):
        dialog.restore_selected()
    assert win.pending_restore is not None and win.pending_restore.path == first
    assert not win.isVisible()  # run_gui restores with the workspace closed, then reopens


def test_restore_then_cards_page_says_issuing_is_paused(qtbot, workspace, ctx, add_members, monkeypatch):
    add_members(3)
    cards.set_card_prefix(ctx, "DX07")
    backup = backups.create_backup(ctx, "manual").path
    folder, key = workspace.folder, workspace.key
    workspace.close()
    told = []
    monkeypatch.setattr("clerk_app.ui.app.QMessageBox.information", lambda _p, _t, text: told.append(text))
    assert restore_with_message(folder, backups.find_backup(folder, backup.name), unlocked=(ctx.clerk.id, key))
    assert "已从备份" in told[0] and "会员 3 名" in told[0]
    ws = reopen(folder)
    try:
        page = CardsPage(ws.context())
        qtbot.addWidget(page)
        page.show()
        assert page.paused_notice.isVisible()
        assert "从备份恢复" in page.paused_notice.text() and "新的发卡代码" in page.paused_notice.text()
    finally:
        ws.close()


def test_damaged_database_shows_the_banner_and_offers_restore(qtbot, data_dir, add_members, workspace, ctx):
    add_members(40)
    backups.create_backup(ctx, "manual")
    workspace.close()
    _flip_pages(data_dir / DB_FILENAME)
    ws = reopen(data_dir)
    try:
        assert ws.read_only
        win = _window(qtbot, ws)
        assert win.banner is not None and win.banner.isVisible()
        text = win.banner.label.text()
        assert "完整性检查未通过" in text and "只读" in text and "从备份恢复" in text
        assert not win.backup_action.isEnabled()
        assert win.daily_backup.check() is None  # a damaged database never replaces good backups
        dialog = win.banner.button.click() or win.restore_dialog
        qtbot.addWidget(dialog)
        assert dialog.model.rowCount() == 1
        dialog.reject()
        assert dialog.result() == QDialog.DialogCode.Rejected
    finally:
        ws.close()


def test_restore_dialog_for_a_missing_database_offers_starting_over(qtbot, tmp_path):
    dialog = RestoreDialog(tmp_path, intro="数据库文件 clerk.db 不见了", start_over=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.intro.isVisible() and dialog.new_button.isVisible()
    assert dialog.empty.isVisible() and not dialog.restore_button.isEnabled()
    assert dialog.close_button.text() == "退出程序"


def test_notice_banner_for_a_set_aside_wal(qtbot):
    label = backup_actions.notice_banner("数据库旁有一个不属于它的日志文件")
    qtbot.addWidget(label)
    assert label.objectName() == "notice_banner"


def test_issue_after_restore_says_paused_and_offers_settings(qtbot, workspace, ctx, add_members, boxes):
    from clerk_app.ui.card_dialogs import ensure_card_prefix

    add_members(2)
    cards.set_card_prefix(ctx, "DX07")
    backup = backups.create_backup(ctx, "manual").path
    folder = workspace.folder
    workspace.close()
    from clerk_app.workspace import restore_into

    restore_into(folder, backups.find_backup(folder, backup.name), login=LOGIN)
    ws = reopen(folder)
    try:
        boxes.answer("取消")
        assert not ensure_card_prefix(None, ws.context())
        assert boxes.titles[-1] == "发卡已暂停"
        assert "从备份恢复" in boxes.texts[-1] and "新的发卡代码" in boxes.texts[-1]
    finally:
        ws.close()


def test_a_full_disk_or_damage_is_not_called_an_internal_error():
    import errno

    from clerk_app.storage import cipher
    from clerk_app.ui.crash import environment_message

    assert "磁盘已满" in environment_message(OSError(errno.ENOSPC, "No space left on device"))
    assert "磁盘已满" in environment_message(cipher.OperationalError("database or disk is full"))
    damaged = cipher.DatabaseError("database disk image is malformed")
    damaged.sqlite_errorname = "SQLITE_CORRUPT"
    text = environment_message(damaged)
    assert "损坏" in text and "不受影响" not in text
    assert environment_message(ValueError("a bug")) is None


def test_a_clerk_window_refuses_restore_and_second_folder(qtbot, workspace, ctx, monkeypatch):
    """从备份恢复… and 第二备份位置… are a 管理员's: a 经办人 is told so, sees no list and no folder
    picker, and nothing is chosen."""
    from clerk_app.services import clerks
    from clerk_app.workspace import Login

    clerk_id = clerks.add_clerk(ctx, "钱经办", "经办人")
    workspace.add_login(clerk_id, "钱经办", "qian-pass-2026")
    workspace.switch(Login("钱经办", "qian-pass-2026"))
    win = _window(qtbot, workspace)
    told = []
    monkeypatch.setattr("clerk_app.ui.backup_actions.QMessageBox.warning", lambda _p, _t, text: told.append(text))
    monkeypatch.setattr("clerk_app.ui.backup_actions.QFileDialog.getExistingDirectory",
                        lambda *_a: (_ for _ in ()).throw(AssertionError("no folder picker for a 经办人")))
    assert win.open_restore() is None and win.pending_restore is None
    backup_actions.choose_second_folder(win)
    assert len(told) == 2 and all("无权管理备份" in t and "管理员" in t for t in told)
    assert backups.second_folder(workspace.folder) is None
