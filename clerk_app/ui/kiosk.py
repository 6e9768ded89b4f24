"""自助签到 (kiosk mode): the clerk leaves the desk; scans keep signing people in and show the
masked confirmation, and nothing else of the app — search, lists, other windows — is reachable
until a clerk's password ends it. Every other window of the app is hidden meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from ..domain.errors import UserError
from ..services import events as event_service
from ..services import signin
from ..services.context import Context
from ..workspace import verify_clerk
from . import crash
from .signin_widgets import ResultPanel, ScanField, normalise_scan


class KioskWindow(QWidget):
    ended = Signal()  # a clerk's password ended it; the other windows are back
    def __init__(self, ctx: Context, event_id: str, place: str | None = None):
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.ctx, self.event_id, self.place = ctx, event_id, place
        self.unlocked = False
        self.hidden: list[QWidget] = []
        self.login = None
        title = event_service.get_event(ctx, event_id).title
        self.setWindowTitle("自助签到")
        heading = QLabel(f"自助签到　{title}")
        heading.setStyleSheet("font-size: 22pt; font-weight: bold;")
        hint = QLabel("请把服务卡二维码对准扫描枪。")
        hint.setStyleSheet("font-size: 16pt;")
        self.scan = ScanField()
        self.scan.returnPressed.connect(self.on_scan)
        self.panel = ResultPanel(clock=ctx.clock)
        self.leave_button = QPushButton("结束自助签到（需要经办人密码）")
        self.leave_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.leave_button.clicked.connect(self.ask_password)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        for widget in (heading, hint, self.scan, self.panel):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.leave_button, 0, Qt.AlignmentFlag.AlignRight)

    def start(self, full_screen: bool = True) -> None:
        """Hide every other window of the app, then take the screen."""
        self.hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not self]
        for widget in self.hidden:
            widget.hide()
        self.showFullScreen() if full_screen else self.show()
        self.activateWindow()
        self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

    def on_scan(self) -> None:
        text = normalise_scan(self.scan.text())
        self.scan.clear()
        if not text:
            return
        try:
            result = signin.sign_in_scan(self.ctx, self.event_id, text, self.place)
        except Exception as exc:  # noqa: BLE001 - a clerk's problem is shown, a bug reported
            if not isinstance(exc, UserError):
                crash.report_bug(exc, self)
                return
            self.panel.show_message(signin.LEVEL_WARNING, "✖ 未签到", exc.message)
        else:
            self.panel.show_result(result, can_join=False)
            self.panel.lookup_button.setVisible(False)  # looking people up is the clerk's, not the queue's
        QApplication.beep()
        self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

    def ask_password(self) -> None:
        from .login import LoginDialog

        clerk = self.ctx.clerk.name
        self.login = LoginDialog([clerk], lambda login: verify_clerk(self.ctx, login.password), title="结束自助签到",
                                 fixed_clerk=clerk, intro="请经办人输入密码，回到工作台。", parent=self)
        self.login.accepted.connect(self.end)
        self.login.open()

    def end(self) -> None:
        self.unlocked = True
        self.close()
        for widget in self.hidden:
            widget.show()
        self.ended.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.unlocked:  # Alt+F4 at the queue: stays
            event.ignore()
            return
        super().closeEvent(event)
