"""Starting the app: Chinese Qt, the bundled font, refusals without tracebacks, first run, crashes."""

from __future__ import annotations

import os
import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMainWindow, QMessageBox

from clerk_app import paths
from clerk_app.storage.lock import InstanceLock
from clerk_app.ui import crash
from clerk_app.ui.app import prepare_application, run_gui
from clerk_app.ui.first_run import FirstRunDialog
from clerk_app.ui.qt_fixes import _Probe
from clerk_app.ui.login import LoginDialog
from clerk_app.workspace import Login, open_workspace
from tests.conftest import SETUP, TEST_KDF, TEST_PASSWORD


@pytest.fixture(autouse=True)
def _keep_excepthook(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs the crash hook


def test_standard_buttons_speak_chinese():
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_bundled_font_is_the_application_font():
    if not paths.font_path().is_file():
        pytest.skip("bundled font not built")
    assert QApplication.font().family() == "Noto Sans SC Clerk"
    assert QApplication.font().pointSizeF() >= 11


def test_many_emits_do_not_exhaust_references_to_true():
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(5000):
        probe.ping.emit()
    assert sys.getrefcount(True) >= before - 10


def test_a_long_session_of_qt_calls_does_not_exhaust_references_to_none():
    """PySide6 6.12 on Python 3.11 drops a reference to None on every call of a Qt method that
    returns nothing; a fresh window process aborted ("deallocating None") after about 12,000.
    Run in a fresh interpreter: this test process has far more references to None to lose."""
    import subprocess

    code = ("import sys\n"
            "from clerk_app.ui.app import prepare_application\n"
            "from PySide6.QtWidgets import QLabel\n"
            "app = prepare_application(); label = QLabel()\n"
            "for _ in range(40_000):\n"
            "    label.setText('x'); app.processEvents()\n"
            "print('alive')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0 and done.stdout.strip() == "alive", done.stderr[-2000:]


def test_second_instance_is_refused_with_a_chinese_message(data_dir, boxes):
    with InstanceLock(data_dir):
        boxes.answer("确定")
        assert run_gui(data_dir) == 1
    assert "已被另一个正在运行的程序打开" in boxes.texts[0]


def test_database_from_a_newer_version_is_refused(data_dir, boxes):
    ws = open_workspace(data_dir)
    ws.db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                  "VALUES ('clerk_app', '9999_future', '2030-01-01')")
    ws.close()
    boxes.answer("确定")
    assert run_gui(data_dir) == 1
    assert "更新版本" in boxes.texts[0] and "9999_future" in boxes.texts[0]


def test_first_run_then_main_window(data_dir):
    seen = {}

    def fill_first_run():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, FirstRunDialog):
            QTimer.singleShot(10, fill_first_run)
            return
        for edit, text in ((dialog.laptop_name, "笔记本一"), (dialog.union_name, "黄村镇总工会"),
                           (dialog.clerk_name, "张经办"), (dialog.password, TEST_PASSWORD),
                           (dialog.confirm, TEST_PASSWORD)):
            event = QInputMethodEvent("", [])
            event.setCommitString(text)
            QApplication.sendEvent(edit, event)
        QTimer.singleShot(10, close_recovery_box)
        dialog.ok_button.click()

    def close_recovery_box():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, close_recovery_box)
            return
        seen["recovery"] = box.text()
        box.accept()
        QTimer.singleShot(10, close_main)

    def close_main():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(10, close_main)
            return
        seen["title"] = windows[0].windowTitle()
        windows[0].close()

    QTimer.singleShot(0, fill_first_run)
    assert run_gui(data_dir) == 0
    assert seen["title"].endswith("笔记本一") and "恢复密钥" in seen["recovery"]
    ws = open_workspace(data_dir, login=Login("张经办", TEST_PASSWORD))
    try:
        assert ws.ready and ws.context().clerk.name == "张经办"
    finally:
        ws.close()


def _main_window_shown(seen: dict) -> None:
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    if not windows:
        QTimer.singleShot(10, lambda: _main_window_shown(seen))
        return
    seen["title"] = windows[0].windowTitle()
    seen["clerk"] = windows[0].ctx.clerk.name
    windows[0].close()


def test_a_set_up_laptop_opens_only_after_the_login_dialog(data_dir):
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    ws.set_up(SETUP)
    ws.close()
    seen: dict = {}

    def log_in():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LoginDialog):
            QTimer.singleShot(10, log_in)
            return
        seen["clerks"] = [dialog.clerk.itemText(i) for i in range(dialog.clerk.count())]
        dialog.password.setText("wrong-password")
        dialog.ok_button.click()
        seen["refusal"] = dialog.error.text()
        dialog.password.setText(TEST_PASSWORD)
        QTimer.singleShot(10, lambda: _main_window_shown(seen))
        dialog.ok_button.click()

    QTimer.singleShot(0, log_in)
    assert run_gui(data_dir) == 0
    assert seen["clerks"] == ["李经办"] and seen["refusal"] == "姓名或密码不对"
    assert seen["clerk"] == "李经办" and seen["title"].endswith("测试笔记本")


def test_cancelling_first_run_exits_quietly(data_dir):
    def cancel():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, FirstRunDialog):
            dialog.reject()
        else:
            QTimer.singleShot(10, cancel)

    QTimer.singleShot(0, cancel)
    assert run_gui(data_dir) == 0


def test_a_bug_is_logged_without_its_message_and_shown(tmp_path, boxes):
    crash.install(tmp_path)
    try:
        raise RuntimeError("王小明 110105199003071234")
    except RuntimeError as exc:
        boxes.answer("确定")
        crash.report_bug(exc)
    log = (tmp_path / crash.LOG_DIR / crash.LOG_FILE).read_text(encoding="utf-8")
    assert "RuntimeError" in log and "test_a_bug_is_logged" in log
    assert "王小明" not in log and "110105199003071234" not in log
    assert boxes.titles == ["程序内部错误"] and "不是您的操作问题" in boxes.texts[0]


def _english_only_texts(widget) -> list[str]:
    import re

    from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QTabWidget

    seen = [w.text() for w in widget.findChildren(QLabel)]
    seen += [t for b in widget.findChildren(QAbstractButton) for t in (b.text(), b.toolTip())]
    seen += [g.title() for g in widget.findChildren(QGroupBox)]
    seen += [t.tabText(i) for t in widget.findChildren(QTabWidget) for i in range(t.count())]
    seen += [c.itemText(i) for c in widget.findChildren(QComboBox) for i in range(c.count())]
    return sorted({t for t in seen if re.search(r"[A-Za-z]{3,}", t) and not re.search(r"[\u4e00-\u9fff]", t)
                   and not t.startswith("/")})  # a folder path is what it is


def test_qt_own_file_and_print_dialogs_speak_chinese(qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QFileDialog

    prepare_application()
    save = QFileDialog(None, "另存为PDF", str(tmp_path), "PDF 文件 (*.pdf)")
    save.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # what Linux desktops without a portal get
    save.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(save)
    save.show()
    printer = QPrinter()
    printing = QPrintDialog(printer)
    qtbot.addWidget(printing)
    printing.show()
    assert _english_only_texts(save) == []
    assert _english_only_texts(printing) == []


def test_a_lost_database_is_restored_from_the_window_after_the_login(data_dir, boxes, monkeypatch):
    """clerk.db gone on a set-up (encrypted) laptop: the login's password unwraps the backups'
    key from keys.json, the restore dialog shows what each backup holds, and after the restore
    the laptop opens again with its members."""
    from clerk_app.services import backups
    from clerk_app.services.demo import generate_members
    from clerk_app.ui.restore_dialog import COL_MEMBERS, RestoreDialog

    ws = open_workspace(data_dir, kdf=TEST_KDF)
    generate_members(ws.set_up(SETUP), 4, seed=5)
    backups.create_backup(ws.context(), "manual")
    ws.close()
    paths.db_path(data_dir).unlink()
    told: list[str] = []
    monkeypatch.setattr("clerk_app.ui.app.QMessageBox.information", lambda _p, _t, text: told.append(text))
    seen: dict = {"logins": 0}

    def when(kind, then):
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            then(dialog)
        else:
            QTimer.singleShot(10, lambda: when(kind, then))

    def log_in(dialog):
        seen["logins"] += 1
        if seen["logins"] == 1:
            dialog.password.setText("wrong-password")
            dialog.ok_button.click()
            seen["refusal"] = dialog.error.text()
            QTimer.singleShot(10, lambda: when(RestoreDialog, restore))
        else:
            QTimer.singleShot(10, lambda: _main_window_shown(seen))
        dialog.password.setText(TEST_PASSWORD)
        dialog.ok_button.click()

    def restore(dialog):
        seen["members"] = dialog.model.index(0, COL_MEMBERS).data()
        if seen["members"] != "4":  # the backup could not be read: quit (run_gui returns 1)
            dialog.reject()
            return
        dialog.table.selectRow(0)
        boxes.answer("恢复")
        QTimer.singleShot(10, lambda: when(LoginDialog, log_in))
        dialog.restore_selected()

    QTimer.singleShot(0, lambda: when(LoginDialog, log_in))
    assert run_gui(data_dir) == 0
    assert seen["refusal"] == "姓名或密码不对"  # a wrong password opens no backup either
    assert seen["members"] == "4" and "已从备份" in told[0] and "会员 4 名" in told[0]
    assert seen["logins"] == 2 and seen["title"].endswith("测试笔记本")
