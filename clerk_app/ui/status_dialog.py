"""变更会籍: move a member to a status the lifecycle allows, with a date and a reason."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLayout, QLineEdit,
                               QVBoxLayout, QWidget)

from ..domain import vocab
from ..domain.errors import UserError
from ..services import members as member_service
from ..services.context import Context
from .feedback import FieldError
from .member_dialog import DateField

# Lifecycle order, so the choices always appear the same way round.
_ORDER = (vocab.ACTIVE, vocab.RETAINED, vocab.TRANSFERRED_OUT, vocab.WITHDRAWN, vocab.EXPELLED)


def allowed_targets(current: str) -> list[str]:
    return [s for s in _ORDER if s in vocab.TRANSITIONS.get(current, set())]


class StatusDialog(QDialog):
    def __init__(self, ctx: Context, member_id: str, name: str, current: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.member_id = member_id
        self.setWindowTitle("变更会籍")
        self.setMinimumWidth(480)

        self.target = QComboBox()
        for code in allowed_targets(current):
            self.target.addItem(vocab.STATUSES[code], code)
        self.effective = DateField(self.ctx.today())
        self.reason = QLineEdit()
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText("例如：退休、调离本单位、本人书面申请")
        self.error = FieldError()

        form = QFormLayout()
        form.addRow("会员：", QLabel(name))
        form.addRow("当前会籍：", QLabel(vocab.STATUSES.get(current, current)))
        form.addRow("变更为：", self.target)
        form.addRow("生效日期：", self.effective)
        form.addRow("原因：", self.reason)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if self.target.count() == 0:
            self.error.show_error("当前会籍状态不能再变更（开除会籍须经工会委员会重新决定）。")
            self.ok_button.setEnabled(False)

    def save(self) -> None:
        qd = self.effective.date()
        try:
            member_service.change_status(self.ctx, self.member_id, self.target.currentData(),
                                         effective=_dt.date(qd.year(), qd.month(), qd.day()),
                                         reason=self.reason.text())
        except UserError as exc:
            self.error.show_error(exc.message)
            self.adjustSize()
            return
        self.accept()
