"""本机设置: this laptop's name, site id and clerk, and its card code (发卡代码).

The card code is assigned by the district union (see ``domain.cardno``): two letters for the
district and two or three characters for the laptop. Once a card has been issued under a code
it can only be replaced by a code never used before; the service says so in Chinese."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel, QLayout, QLineEdit,
                               QMessageBox, QVBoxLayout, QWidget)

from ..domain import cardno
from ..domain.errors import UserError
from ..domain.messages import message
from ..services import cards as card_service
from ..services.context import Context
from .card_models import grouped
from .feedback import OK, FieldError, ask_choice


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def numbering_text(numbering: card_service.CardNumbering) -> str:
    if numbering.prefix is None:
        return message(numbering.missing_code) if numbering.paused else "尚未设置发卡代码，不能发卡"
    nxt = grouped(numbering.next_no) if numbering.next_no else "（本代码卡号已用完）"
    return f"本代码已发卡 {numbering.issued_with_prefix} 张；下一张卡号：{nxt}"


class SettingsDialog(QDialog):
    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("本机设置")
        self.setMinimumWidth(560)

        about = QGroupBox("本机")
        form = QFormLayout(about)
        form.addRow("本机名称：", _selectable(ctx.laptop_name or "—"))
        form.addRow("站点编号：", _selectable(ctx.site_id))
        form.addRow("经办人：", _selectable(ctx.clerk.name))

        cards_box = QGroupBox("服务卡")
        card_form = QFormLayout(cards_box)
        self.current = card_service.get_card_prefix(ctx)
        self.prefix = QLineEdit(self.current or "")
        self.prefix.setPlaceholderText("由区总工会分配，例如 DX07")
        self.prefix.setMaxLength(12)
        self.prefix_hint = FieldError()
        self.numbering = QLabel(numbering_text(card_service.numbering(ctx)))
        self.numbering.setWordWrap(True)
        explain = QLabel("发卡代码由区总工会统一分配给每台笔记本，保证各台笔记本离线发出的卡号永不重复。"
                         "用某个代码发过卡后，只能换成一个从未用过的新代码。")
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #616161;")
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.prefix)
        box.addWidget(self.prefix_hint)
        card_form.addRow("发卡代码：", box)
        card_form.addRow("卡号：", self.numbering)
        card_form.addRow(explain)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存")
        self.save_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(about)
        layout.addWidget(cards_box)
        layout.addWidget(buttons)
        self.prefix.textEdited.connect(self._check)
        self.prefix.setFocus()

    def _check(self, text: str) -> None:
        """As the clerk types: the shape only (whether a code was used is checked on 保存)."""
        prefix, problem = cardno.check_prefix(text)
        if not text.strip():
            self.prefix_hint.clear_error()
        elif problem:
            self.prefix_hint.show_error(message(problem, text=prefix))
        elif prefix != text.strip():
            self.prefix_hint.show_message(f"将保存为 {prefix}", OK)
        else:
            self.prefix_hint.clear_error()
        self.adjustSize()

    def save(self) -> None:
        text = self.prefix.text()
        if not text.strip() and not self.current:
            self.accept()  # nothing assigned yet: leaving it empty is allowed
            return
        prefix, _problem = cardno.check_prefix(text)
        if self.current and prefix != self.current and not _problem:
            if ask_choice(self, "更换发卡代码", f"本机的发卡代码将由 {self.current} 改为 {prefix}，"
                          f"之后发出的卡使用新代码。确定更换吗？", ["更换", "取消"],
                          icon=QMessageBox.Icon.Warning) != 0:
                return
        try:
            card_service.set_card_prefix(self.ctx, text)
        except UserError as exc:
            self.prefix_hint.show_error(exc.message)
            self.adjustSize()
            self.prefix.setFocus()
            return
        self.accept()
