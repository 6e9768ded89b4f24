"""The window locks after some minutes without keyboard or mouse (and on 文件 → 锁定): the pages
are hidden and only the clerk's password (or another clerk's login, which switches) opens them
again. Nothing is lost by locking: every save was already its own transaction.

The idle time is ``security/idle_minutes`` in the data folder's window.ini (default 10; 0 turns
it off). It is a duration measured by a Qt timer, not a reading of the clock."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from ..workspace import Login, Workspace

DEFAULT_IDLE_MINUTES = 10
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}


class IdleLock(QObject):
    def __init__(self, window: QMainWindow, workspace: Workspace, idle_ms: int):
        super().__init__(window)
        self.window = window
        self.workspace = workspace
        self.is_locked = False
        self.dialog = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, idle_ms))
        self.timer.timeout.connect(self.lock)
        if idle_ms > 0:
            QApplication.instance().installEventFilter(self)
            self.timer.start()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if not self.is_locked and event.type() in _ACTIVITY and self.timer.interval() > 0:
            self.timer.start()  # any key or mouse input restarts the count
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def lock(self) -> None:
        """Hide every page and ask for the password (the dialog is window-modal, not blocking)."""
        from .login import LoginDialog

        if self.is_locked:
            return
        self.is_locked = True
        self.timer.stop()
        self.window.centralWidget().hide()
        self.window.menuBar().setEnabled(False)
        clerk = self.window.ctx.clerk.name
        self.dialog = LoginDialog([clerk], self._attempt, title="已锁定", fixed_clerk=clerk, parent=self.window,
                                  intro=f"工作台已锁定（经办人：{clerk}）。请输入密码继续；取消则退出程序（已保存的内容不受影响）。")
        self.dialog.accepted.connect(self._unlocked)
        self.dialog.rejected.connect(self.window.close)
        self.dialog.open()

    def _attempt(self, login: Login) -> None:
        self.workspace.verify(login.password)

    def _unlocked(self) -> None:
        self.is_locked = False
        self.window.centralWidget().show()
        self.window.menuBar().setEnabled(True)
        self.dialog = None
        self.timer.start()
