"""The selected member, read-only: fields (numbers masked), service cards, status history,
consent record; 发卡 and 打印入会登记表 for this member.

显示完整号码 asks the service (``services.reveal.reveal_member``) for the full ID number,
phone and birth date of this member only; the service writes the audit entry first (it names
the fields, never the values) and refuses when it cannot."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import replace
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from ..domain import card as lifecycle
from ..domain import vocab
from ..domain.idnumber import age_on, mask
from ..domain.errors import UserError
from ..domain.member import LABELS, TEXT_FIELDS, missing_labels
from ..domain.messages import message
from ..domain.phone import mask_phone
from ..domain.records import Member, MemberFile
from ..services import cards as card_service
from ..services import members as member_service
from ..services.context import Context
from ..services.reveal import RevealedMember, reveal_member
from .card_models import history_lines
from .feedback import ask_choice, run_modal
from .member_models import StatusHistoryModel
from .print_actions import file_safe, preview_card, preview_registration_form, refuse_print

_SHOWN = ("name", "gender", "birth_date", "id_number", "phone", "union_name", "status", "join_date",
          "join_channel", "occupation", "platform", "employer", "work_area", "ethnicity", "education",
          "political_status", "household_type", "native_place", "job_title", "professional_title",
          "salary_fen", "member_card_no", "family_info", "resume", "remarks")
_EXTRA_LABELS = {"gender": "性别", "birth_date": "出生日期", "union_name": "所属工会", "status": "会籍状态",
                 "salary_fen": "工资（元/月）", "family_info": "家庭成员", "resume": "工作简历"}


_CARD_NO = re.compile(r"\b([0-9A-Z]{4,5}) ([0-9]{6}) ([0-9A-Z])\b")


def _keep_numbers_whole(text: str) -> str:
    """A grouped card number never breaks across lines (no-break spaces inside it)."""
    return _CARD_NO.sub("\\1\u00a0\\2\u00a0\\3", text)


def _text(member: Member, key: str, revealed: bool, today: _dt.date) -> str:
    value = getattr(member, key)
    if key == "join_date" and not value:
        return "未知"  # a roster that did not say; never guessed
    if value is None or value == "":
        return "—"
    if key == "id_number":
        return value if revealed else mask(value)
    if key == "birth_date" and not revealed:  # the date is the part of the ID number the mask hides
        try:
            return f"{age_on(_dt.date.fromisoformat(value[:10]), today)} 岁（日期已隐去）"
        except ValueError:
            return "—"
    if key == "phone":
        return value if revealed else mask_phone(value)
    if key == "status":
        return vocab.STATUSES.get(value, value)
    if key == "join_channel":
        return vocab.JOIN_CHANNELS.get(value, value)
    if key == "salary_fen":
        return f"{value / 100:,.2f}"
    return str(value)


class MemberDetail(QWidget):
    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.record: MemberFile | None = None
        self.full: RevealedMember | None = None  # the full numbers, once revealed
        self.values: dict[str, QLabel] = {}
        self.open_card: card_service.Card | None = None  # active or lost
        self.preview = None  # the last print preview opened from here
        self.notice: QMessageBox | None = None  # the last "saved" note of a data copy

        self.title = QLabel("请在左侧列表中选择一名会员")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        # 资料待补全: what a roster left out of the 登记表 (empty and hidden when complete).
        self.incomplete = QLabel()
        self.incomplete.setWordWrap(True)
        self.incomplete.setStyleSheet("color: #a15c00; font-weight: bold;")
        self.incomplete.hide()

        fields_box = QGroupBox("登记信息")
        form = QFormLayout(fields_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        labels = {**LABELS, **{f: label for f, label, _ in TEXT_FIELDS}, **_EXTRA_LABELS}
        for key in _SHOWN:
            value = QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            form.addRow(labels.get(key, key) + "：", value)

        self.reveal_button = QPushButton("显示完整号码")
        self.reveal_button.setToolTip("显示身份证号码和手机号码全文（会记录查看日志）")
        self.reveal_button.clicked.connect(self.reveal)
        form.addRow("", self.reveal_button)

        self.issue_button = QPushButton("发卡")
        self.issue_button.setToolTip("为该会员发放服务卡（卡号由本机生成）")
        self.issue_button.clicked.connect(self.issue_card)
        self.card_print_button = QPushButton("打印服务卡")
        self.card_print_button.clicked.connect(self.print_card)
        self.form_button = QPushButton("打印入会登记表")
        self.form_button.setToolTip("入会申请书和工会会员登记表（预览后打印或另存为PDF）")
        self.form_button.clicked.connect(self.print_form)
        self.data_copy_button = QPushButton("个人信息副本")
        self.data_copy_button.setToolTip("应本人请求，导出其在本机的全部个人信息（PDF，含完整号码，记入审计日志）")
        self.data_copy_button.clicked.connect(lambda: self.export_data_copy())
        actions = QHBoxLayout()
        for button in (self.issue_button, self.card_print_button, self.form_button, self.data_copy_button):
            actions.addWidget(button)
        actions.addStretch(1)

        cards_box = QGroupBox("服务卡")
        self.card_summary = QLabel("—")
        self.card_summary.setWordWrap(True)
        self.card_history = QLabel()  # one block per card, newest first: wraps in a narrow panel
        self.card_history.setWordWrap(True)
        self.card_history.setTextFormat(Qt.TextFormat.RichText)
        self.card_history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        kl = QVBoxLayout(cards_box)
        kl.addWidget(self.card_summary)
        kl.addWidget(self.card_history)

        history_box = QGroupBox("会籍变动记录")
        self.history_model = StatusHistoryModel(self)
        self.history = QTableView()
        self.history.setModel(self.history_model)
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.history.setMaximumHeight(150)
        hl = QVBoxLayout(history_box)
        hl.addWidget(self.history)

        self.consent = QLabel("—")
        self.consent.setWordWrap(True)
        consent_box = QGroupBox("个人信息处理同意记录")
        cl = QVBoxLayout(consent_box)
        cl.addWidget(self.consent)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.incomplete)
        layout.addLayout(actions)
        layout.addWidget(cards_box)
        layout.addWidget(fields_box)
        layout.addWidget(history_box)
        layout.addWidget(consent_box)
        layout.addStretch(1)
        self.show_member(None)

    @property
    def revealed(self) -> bool:
        return self.full is not None

    @property
    def member_id(self) -> str | None:
        """The member shown, if any."""
        return self.record.member.id if self.record else None

    def show_member(self, member_id: str | None) -> None:
        self.full = None
        self.record = member_service.get_member_file(self.ctx, member_id) if member_id else None
        self._render()

    def reveal(self) -> None:
        if self.record is None or self.revealed:
            return
        try:
            self.full = reveal_member(self.ctx, self.record.member.id)
        except UserError as exc:
            QMessageBox.warning(self, "不能显示完整号码", exc.message)
            return
        self._render()

    # --- cards and forms ---------------------------------------------------------------------
    def _render_cards(self) -> None:
        rec = self.record.member if self.record else None
        history = card_service.member_cards(self.ctx, rec.id) if rec else []
        self.history_blocks = history_lines(history)
        self.card_history.setText("".join(
            f"<p style='margin:4px 0'><b>{_keep_numbers_whole(escape(card.grouped_no))}</b>　{escape(card.status_label)}<br>"
            + "<br>".join(f"<span style='color:#555'>{_keep_numbers_whole(escape(line))}</span>" for line in lines)
            + "</p>"
            for card, lines in self.history_blocks))
        self.card_history.setVisible(bool(history))
        open_cards = [h.card for h in history if h.card.status in lifecycle.OPEN]
        self.open_card = open_cards[-1] if open_cards else None
        card = self.open_card
        refusal = ""
        if rec is None:
            self.card_summary.setText("—")
        elif card is not None and card.is_active:
            self.card_summary.setText(f"有效卡：{card.grouped_no}")
            refusal = message("card.already_active", name=rec.name, card_no=card.grouped_no)
        elif card is not None:
            self.card_summary.setText(f"服务卡 {card.grouped_no} 已于 {card.status_date} 挂失，"
                                      "请在“服务卡”页办理补办（新卡号）")
            refusal = message("card.has_lost_card", name=rec.name, card_no=card.grouped_no)
        else:
            self.card_summary.setText("暂无有效服务卡" if history else "尚未发卡")
        if rec is not None and not rec.in_union:
            refusal = message("card.member_not_in_union", name=rec.name, status=rec.status_label)
        self.issue_button.setEnabled(rec is not None and not refusal)
        self.issue_button.setToolTip(refusal or "为该会员发放服务卡（卡号由本机生成）")
        self.card_print_button.setEnabled(card is not None and card.is_active)
        self.form_button.setEnabled(rec is not None)

    def issue_card(self) -> card_service.Card | None:
        """发卡: needs the laptop's card code; afterwards offers to print the card."""
        from .card_dialogs import IssueCardDialog, ensure_card_prefix  # on first use

        if self.record is None or not ensure_card_prefix(self, self.ctx):
            return None
        dialog = IssueCardDialog(self.ctx, self.record.member.id, self)
        if run_modal(dialog) != QDialog.DialogCode.Accepted or dialog.card is None:
            return None
        card = dialog.card
        self._render_cards()
        text = f"已为{card.holder.name}发卡，卡号 {card.grouped_no}。\n\n现在打印这张卡吗？"
        if ask_choice(self, "发卡完成", text, ["打印预览", "以后再说"]) == 0:
            self.preview = preview_card(self, self.ctx, card)
        return card

    def print_card(self) -> None:
        if self.open_card is not None:
            self.preview = preview_card(self, self.ctx, self.open_card)

    def print_form(self) -> None:
        if self.record is not None:
            self.preview = preview_registration_form(self, self.ctx, self.record.member.id)

    def export_data_copy(self, path: str | None = None):
        """个人信息副本 (PIPL art. 45): asks where to save it unless ``path`` is given; the
        service audits the export before the file exists. Returns the PrintResult, or None."""
        if self.record is None:
            return None
        if path is None:
            suggested = Path.home() / f"{file_safe(self.record.member.name)}的个人信息副本.pdf"
            path, _ = QFileDialog.getSaveFileName(self, "保存个人信息副本", str(suggested), "PDF 文件 (*.pdf)")
            if not path:
                return None
        from ..services import subject_access

        try:
            result = subject_access.export_member_data(self.ctx, self.record.member.id, path)
        except UserError as exc:
            refuse_print(self, exc)
            return None
        self.notice = QMessageBox(QMessageBox.Icon.Information, "个人信息副本",
                                  f"已保存（{result.pages} 页，含完整号码，已记入审计日志），请交本人签收：\n{path}",
                                  QMessageBox.StandardButton.Ok, self)
        self.notice.open()
        return result

    def _render(self) -> None:
        rec = self.record
        self.reveal_button.setEnabled(rec is not None and not self.revealed)
        self.data_copy_button.setEnabled(rec is not None)
        self._render_cards()
        if rec is None:
            self.title.setText("请在左侧列表中选择一名会员")
            for label in self.values.values():
                label.setText("—")
            self.history_model.set_rows([])
            self.consent.setText("—")
            self.incomplete.hide()
            return
        member = rec.member
        self.title.setText(f"{member.name}（{member.status_label}）")
        missing = missing_labels(member.missing_fields)
        self.incomplete.setText("资料待补全：缺" + "、".join(missing) + "（点“编辑”补全）" if missing else "")
        self.incomplete.setVisible(bool(missing))
        if self.full is not None:
            member = replace(member, id_number=self.full.id_number, phone=self.full.phone,
                             birth_date=self.full.birth_date)
        for key, label in self.values.items():
            label.setText(_text(member, key, self.revealed, self.ctx.today()))
        self.history_model.set_rows(list(rec.history))
        self.consent.setText("\n".join(
            f"{c.consented_at[:16].replace('T', ' ')}  {c.method_label}"
            + (f"：{c.basis}" if c.basis else "")
            + f"（告知书版本 {c.notice_version}）" for c in rec.consents) or "无同意记录")
