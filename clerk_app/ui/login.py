"""Logging in: who is at the laptop (姓名 + 密码) before the window opens, when clerks switch,
and when an old plaintext database gets its first password. The dialog only asks; what the
login opens is ``attempt(login)``, whose Chinese refusal (wrong password, wait after several
failures) is shown in the dialog without closing it."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLayout, QLineEdit,
                               QMessageBox, QVBoxLayout, QWidget)

from .. import APP_TITLE
from ..domain.errors import UserError, ValidationFailed
from ..domain.messages import message
from ..services.setup import password_issues
from ..workspace import Login
from .feedback import FieldError


class LoginDialog(QDialog):
    """``names``: the clerks to pick from. ``new_password``: ask twice (a first password)."""

    def __init__(self, names: tuple[str, ...] | list[str], attempt: Callable[[Login], Any], *,
                 title: str = "登录", intro: str = "请选择经办人并输入密码。", new_password: bool = False,
                 fixed_clerk: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.attempt = attempt
        self.result_value: Any = None
        self.new_password = new_password
        self.setWindowTitle(f"{title} — {APP_TITLE}")
        self.setMinimumWidth(440)

        banner = QLabel(APP_TITLE)
        banner.setStyleSheet("font-size: 16pt; font-weight: bold;")
        heading = QLabel(intro)
        heading.setWordWrap(True)
        self.clerk = QComboBox()
        self.clerk.addItems(list(names))
        if fixed_clerk is not None:
            self.clerk.setCurrentText(fixed_clerk)
            self.clerk.setEnabled(False)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少 8 位" if new_password else "")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FieldError()
        for field in (self.clerk, self.password, self.confirm):
            field.setMinimumWidth(self.fontMetrics().horizontalAdvance("国" * 16))
        self.password.textEdited.connect(lambda *_: self.error.clear_error())

        form = QFormLayout()
        form.addRow("经办人：", self.clerk)
        form.addRow("新密码：" if new_password else "密码：", self.password)
        if new_password:
            form.addRow("再输入一次：", self.confirm)
        else:
            self.confirm.hide()
        form.addRow("", self.error)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("确定" if new_password else "登录")
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(banner)
        layout.addWidget(heading)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        self.error.clear_error()
        text = self.password.text()
        if self.new_password:
            issues = password_issues(text)
            if issues:
                return self._fail(issues[0].message)
            if self.confirm.text() != text:
                return self._fail(message("auth.password_mismatch"))
        try:
            self.result_value = self.attempt(Login(self.clerk.currentText() or None, text))
        except ValidationFailed as exc:
            return self._fail(exc.issues[0].message if exc.issues else exc.message)
        except UserError as exc:
            return self._fail(exc.message)
        self.accept()

    def _fail(self, text: str) -> None:
        self.error.show_error(text)
        self.password.clear()
        self.confirm.clear()
        self.password.setFocus()
        self.adjustSize()


def show_recovery_code(parent: QWidget | None, code: str) -> None:
    """The recovery key, once: for the union chair's safe."""
    groups = code.split("-")
    lines = "<br>".join("-".join(groups[i:i + 4]) for i in range(0, len(groups), 4))  # two lines, as on paper
    box = QMessageBox(QMessageBox.Icon.Information, "恢复密钥（只显示这一次）",
                      "<p>数据库已加密。请把下面的恢复密钥抄写或打印下来，交工会主席放入保险柜。"
                      "忘记全部密码时，凭它才能打开本机的数据：</p>"
                      f"<p style='font-family: monospace; font-size: 16pt; white-space: nowrap;'>{lines}</p>",
                      parent=parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()
