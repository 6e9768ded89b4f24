"""Service-card dialogs: 发卡, 挂失, 补办, 注销 (each with its date and reason, and a button
that says exactly what it will do), and the choice of cards for 批量打印.

Each dialog calls the service itself on 确认 and shows the service's Chinese message under the
form when it refuses (nothing is lost: the dialog stays open with what was typed)."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLayout,
                               QLineEdit, QMessageBox, QRadioButton, QVBoxLayout, QWidget)

from ..domain import card as lifecycle
from ..domain.errors import UserError
from ..domain.messages import message
from ..services import cards as card_service
from ..services import members as member_service
from ..services.context import Context
from ..services.printouts import active_cards
from .card_models import grouped
from .feedback import FieldError, ask_choice, run_modal
from .member_dialog import DateField

ACTION_TEXT = {
    lifecycle.EV_LOST: ("挂失服务卡", "确认挂失", "挂失日期", "例如：本人电话报告丢失"),
    lifecycle.EV_CANCEL: ("注销服务卡", "确认注销", "注销日期", "例如：本人申请注销、卡片收回"),
    lifecycle.EV_REISSUE: ("补办服务卡（换新卡号）", "确认补办", "补办日期", "例如：原卡遗失、卡片损坏"),
}
ACTION_NOTE = {
    lifecycle.EV_LOST: "挂失后此卡立即停用，签到时会提示已挂失。之后可为会员补办新卡（新卡号）。",
    lifecycle.EV_CANCEL: "注销后此卡永久作废，不能恢复。会员如再需要服务卡，须重新发卡（新卡号）。",
    lifecycle.EV_REISSUE: "补办后原卡永久作废，并记录由哪张新卡替换。新卡号如下：",
}


def to_date(value: QDate) -> _dt.date:
    return _dt.date(value.year(), value.month(), value.day())


def _bold(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class _CardForm(QDialog):
    """Shared frame: a form, a message line, OK (renamed) and 取消."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        self.error = FieldError()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grow when a message appears
        layout.addLayout(self.form)
        layout.addWidget(self.note)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def refuse(self, text: str) -> None:
        self.error.show_error(text)
        self.adjustSize()

    def save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class CardActionDialog(_CardForm):
    """挂失 / 注销 / 补办 one card. After 确认: ``self.card`` (挂失, 注销) or ``self.reissued``."""

    def __init__(self, ctx: Context, card: card_service.Card, action: str, parent: QWidget | None = None):
        title, ok_text, date_label, hint = ACTION_TEXT[action]
        super().__init__(title, ok_text, parent)
        self.ctx = ctx
        self.card = card
        self.action = action
        self.reissued: card_service.ReissueResult | None = None

        self.date = DateField(ctx.today())
        self.reason = QLineEdit()
        self.reason.setMaxLength(lifecycle.REASON_MAX)
        self.reason.setPlaceholderText(hint)
        self.form.addRow("卡号：", _bold(card.grouped_no))
        self.form.addRow("持卡人：", QLabel(f"{card.holder.name}（{card.holder.id_number_masked}）"))
        self.form.addRow("当前状态：", QLabel(f"{card.status_label}（{card.issue_date} 发卡）"))
        self.form.addRow(date_label + "：", self.date)
        self.form.addRow("原因：", self.reason)
        self.show_note(ACTION_NOTE[action])
        self.new_no = QLabel()
        if action == lifecycle.EV_REISSUE:
            numbering = card_service.numbering(ctx)
            nxt = grouped(numbering.next_no or "")
            self.new_no.setText(f"{card.grouped_no}  →  {nxt or '（未设置发卡代码）'}")
            font = self.new_no.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            font.setBold(True)
            self.new_no.setFont(font)
            self.extra.addWidget(self.new_no)
            if numbering.prefix is None:
                self.refuse(message(numbering.missing_code))
                self.ok_button.setEnabled(False)
        if not lifecycle.allowed(card.status, action):
            self.refuse(message("card.bad_transition", card_no=card.grouped_no, status=card.status_label,
                                action=lifecycle.EVENTS[action]))
            self.ok_button.setEnabled(False)
        self.reason.setFocus()

    def save(self) -> None:
        self.error.clear_error()
        day, reason = to_date(self.date.date()), self.reason.text()
        try:
            if self.action == lifecycle.EV_LOST:
                self.card = card_service.report_lost(self.ctx, self.card.id, reason, day)
            elif self.action == lifecycle.EV_CANCEL:
                self.card = card_service.cancel_card(self.ctx, self.card.id, reason, day)
            else:
                self.reissued = card_service.reissue_card(self.ctx, self.card.id, reason, day)
                self.card = self.reissued.old
        except UserError as exc:
            self.refuse(exc.message)
            return
        self.accept()


class IssueCardDialog(_CardForm):
    """发卡 to one member: shows the number the card will get. After 确认: ``self.card``."""

    def __init__(self, ctx: Context, member_id: str, parent: QWidget | None = None):
        super().__init__("发放服务卡", "确认发卡", parent)
        self.ctx = ctx
        self.member_id = member_id
        self.card: card_service.Card | None = None
        rec = member_service.get_member(ctx, member_id)
        numbering = card_service.numbering(ctx)
        self.date = DateField(ctx.today())
        self.form.addRow("会员：", _bold(rec.name))
        self.form.addRow("会籍状态：", QLabel(rec.status_label))
        self.form.addRow("所属工会：", QLabel(rec.union_name or ""))
        self.number = _bold(grouped(numbering.next_no or "") or "（未设置发卡代码）")
        self.form.addRow("卡号：", self.number)
        self.form.addRow("发卡日期：", self.date)
        self.show_note("卡号由本机按发卡代码顺序生成，发卡后不能更改。卡片上的二维码只含卡号，不含个人信息。")
        if numbering.prefix is None:
            self.refuse(message(numbering.missing_code))
            self.ok_button.setEnabled(False)

    def save(self) -> None:
        self.error.clear_error()
        try:
            self.card = card_service.issue_card(self.ctx, self.member_id, to_date(self.date.date()))
        except UserError as exc:
            self.refuse(exc.message)
            return
        self.accept()


def sheets(count: int) -> int:
    from ..printing.cards import PER_SHEET

    return (count + PER_SHEET - 1) // PER_SHEET


class BatchPrintDialog(_CardForm):
    """批量打印: the active cards selected in the register, or every active card issued since a
    date. After 确认: ``self.cards`` (oldest first) and ``self.since`` (None for a selection)."""

    def __init__(self, ctx: Context, selected: list[card_service.Card], parent: QWidget | None = None):
        super().__init__("批量打印服务卡", "排版并预览", parent)
        self.ctx = ctx
        self.selected = [c for c in selected if c.is_active]
        self.cards: list[card_service.Card] = []
        self.since: _dt.date | None = None

        self.use_selection = QRadioButton(f"列表中选中的有效卡（{len(self.selected)} 张）")
        self.use_since = QRadioButton("发卡日期从")
        self.since_date = DateField(ctx.today())
        group = QButtonGroup(self)
        group.addButton(self.use_selection)
        group.addButton(self.use_since)
        row = QHBoxLayout()
        row.addWidget(self.use_since)
        row.addWidget(self.since_date)
        row.addWidget(QLabel("起的全部有效卡"))
        row.addStretch(1)
        self.form.addRow(self.use_selection)
        self.form.addRow(row)
        self.count = QLabel()
        self.extra.addWidget(self.count)
        from ..printing.cards import PER_SHEET

        self.show_note(f"A4 纸每页 {PER_SHEET} 张，带裁切线；排版完成后先预览，再打印或另存为PDF。")
        (self.use_selection if self.selected else self.use_since).setChecked(True)
        self.use_selection.setEnabled(bool(self.selected))
        for signal in (self.use_selection.toggled, self.use_since.toggled):
            signal.connect(self._update_count)
        self.since_date.dateChanged.connect(lambda _d: self._choose_since())
        self._update_count()

    def _choose_since(self) -> None:
        self.use_since.setChecked(True)
        self._update_count()

    def chosen(self) -> list[card_service.Card]:
        if self.use_selection.isChecked():
            return sorted(self.selected, key=lambda c: (c.issue_date, c.issued_at, c.card_no))
        return active_cards(self.ctx, to_date(self.since_date.date()))

    def _how_many(self) -> int:
        """The count only (one query): the cards themselves are read on 确认, not at every
        change of the date (tens of thousands of active cards take seconds to read)."""
        if self.use_selection.isChecked():
            return len(self.selected)
        return card_service.list_cards(self.ctx, status=lifecycle.ACTIVE, date_from=to_date(self.since_date.date()),
                                       limit=1).total

    def _update_count(self, *_args) -> None:
        n = self._how_many()
        self.count.setText(f"共 {n} 张，A4 纸 {sheets(n)} 页" if n else "没有符合条件的有效卡")
        self.ok_button.setEnabled(n > 0)

    def save(self) -> None:
        self.cards = self.chosen()
        if not self.cards:
            self.refuse(message("print.nothing"))
            return
        self.since = None if self.use_selection.isChecked() else to_date(self.since_date.date())
        self.accept()


def ensure_card_prefix(parent: QWidget | None, ctx: Context) -> bool:
    """True when this laptop has its card code; otherwise say so and offer 本机设置."""
    if card_service.get_card_prefix(ctx):
        return True
    paused = card_service.issuing_paused(ctx)
    choice = ask_choice(parent, "发卡已暂停" if paused else "尚未设置发卡代码",
                        card_service.missing_prefix_message(ctx), ["打开本机设置", "取消"],
                        icon=QMessageBox.Icon.Warning)
    if choice != 0:
        return False
    from .settings_dialog import SettingsDialog

    run_modal(SettingsDialog(ctx, parent))
    return bool(card_service.get_card_prefix(ctx))
