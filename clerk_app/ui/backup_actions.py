"""The window's backup side: the daily backup timer, 立即备份, 从备份恢复…, 检查数据库, 备份位置…,
and the banner that says the database is damaged and read-only.

The timer runs on the main thread and only asks whether today's backup is due; the backup
itself (``services.backups.backup_if_due``) runs on a worker with its own connection."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QWidget

from ..domain.errors import UserError
from ..services import access, backups
from ..storage.cipher import ProgrammingError
from ..workspace import damage_message, problem_lines
from . import crash
from .tasks import Task, context_job, run_with_progress, runner

FIRST_CHECK_MS = 10_000  # the first look, once the window has settled


class DailyBackup(QObject):
    """Checks at start and every half hour whether today's backup is due; makes it if so."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.task: Task | None = None
        self.last = None  # the last BackupRun (tests, status)
        self.error: BaseException | None = None
        self.finished = False  # the last check's backup has been delivered
        self.timer = QTimer(self)
        self.timer.setInterval(backups.DAILY_CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.first = QTimer(self)
        self.first.setSingleShot(True)
        self.first.setInterval(FIRST_CHECK_MS)
        self.first.timeout.connect(self.check)

    def start(self) -> None:
        self.first.start()
        self.timer.start()

    def stop(self) -> None:
        self.first.stop()
        self.timer.stop()

    def check(self) -> Task | None:
        ws = self.window.workspace
        if ws.read_only or not self.window.isVisible() or (self.task is not None and self.task.is_running()):
            return None
        if not backups.backup_due(ws.folder, self.window.ctx.today()):
            return None
        try:
            job = context_job(self.window.ctx, lambda ctx, _p, _c: backups.backup_if_due(ctx))
        except ProgrammingError:  # the workspace was closed under a window still shown
            self.stop()
            return None
        self.error = None
        self.task = runner().submit(job, on_success=self._done, on_error=self._failed, owner=self)
        return self.task

    def _done(self, run) -> None:
        self.last = run
        self.finished = True
        if run is None:
            return
        text = "已自动备份" + ("；" + "；".join(run.warnings) if run.warnings else "")
        self.window.statusBar().showMessage(text, 15000)

    def _failed(self, exc: BaseException) -> None:
        self.error = exc
        self.finished = True
        if isinstance(exc, UserError):
            self.window.statusBar().showMessage(f"自动备份未完成：{exc.message}", 30000)
        else:
            crash.report_bug(exc, self.window)


def damage_banner(window, on_restore) -> QWidget:
    """The red line over the pages when the database failed its check (read-only)."""
    box = QWidget()
    box.setObjectName("damage_banner")
    box.setStyleSheet("QWidget#damage_banner { background: #ffebee; border: 1px solid #e57373; }")
    label = QLabel(damage_message(window.workspace.health.problems))
    label.setWordWrap(True)
    label.setStyleSheet("color: #b71c1c; font-weight: bold;")
    label.setToolTip("\n".join(problem_lines(window.workspace.health.problems)[:20]))
    button = QPushButton("从备份恢复…")
    button.clicked.connect(on_restore)
    row = QHBoxLayout(box)
    row.addWidget(label, 1)
    row.addWidget(button)
    box.label = label
    box.button = button
    return box


def notice_banner(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("notice_banner")
    label.setWordWrap(True)
    label.setStyleSheet("QLabel#notice_banner { background: #fff3e0; color: #8a4b00; border: 1px solid #ffb74d;"
                        " padding: 6px; }")
    return label


def backup_now(window) -> Task:
    """立即备份 behind a progress dialog."""

    def done(run) -> None:
        text = f"已备份到：{run.path}" + (f"\n第二备份位置：{run.second}" if run.second else "")
        if run.warnings:
            text += "\n\n" + "\n".join(run.warnings)
        QMessageBox.information(window, "备份完成", text)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, UserError):
            QMessageBox.warning(window, "未能备份", exc.message)
        else:
            crash.report_bug(exc, window)

    window.task = run_with_progress(window, "正在备份……", context_job(window.ctx, lambda ctx, _p, _c:
                                                                    backups.create_backup(ctx, "manual")),
                                    on_success=done, on_error=failed)
    return window.task


def check_database(window) -> list[str]:
    """检查数据库: the full integrity_check now (read-only), and what it found."""
    problems = window.workspace.check(full=True)
    if problems:
        box = QMessageBox(QMessageBox.Icon.Critical, "数据库检查", damage_message(problems),
                          QMessageBox.StandardButton.Ok, window)
        box.setDetailedText("\n".join(problem_lines(problems)[:50]))
        box.exec()
    else:
        QMessageBox.information(window, "数据库检查", "数据库完整性检查通过（完整检查，含外键检查）")
    return problems


def may_manage_backups(window, title: str) -> bool:
    """True when the window's clerk may manage backups; else says who may, and False."""
    try:
        access.require(window.ctx, "backup")
    except UserError as exc:
        QMessageBox.warning(window, title, exc.message)
        return False
    return True


def choose_second_folder(window) -> None:
    """备份位置…: pick (or clear) the second backup folder, e.g. on a USB stick (管理员 only:
    anyone else is told so before a folder is asked for)."""
    if not may_manage_backups(window, "第二备份位置"):
        return
    folder = window.workspace.folder
    current = backups.second_folder(folder)
    path = QFileDialog.getExistingDirectory(window, "选择第二备份位置（如 U 盘上的文件夹；取消则不更改）",
                                            str(current or folder))
    if path:
        try:
            backups.set_second_folder(window.ctx, path)
        except UserError as exc:
            QMessageBox.warning(window, "第二备份位置", exc.message)
            return
        window.statusBar().showMessage(f"第二备份位置：{path}", 8000)
