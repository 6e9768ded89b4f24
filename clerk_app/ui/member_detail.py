"""The selected member, read-only: fields (numbers masked), status history, consent record.

显示完整号码 shows the full ID and phone number for this member only, and writes an audit
entry saying who looked (the entry names the fields, never the values)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHeaderView, QLabel, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from ..domain import vocab
from ..domain.idnumber import mask
from ..domain.member import LABELS, TEXT_FIELDS
from ..domain.phone import mask_phone
from ..services import members as member_service
from ..services.context import Context
from ..storage.db import transaction
from .member_models import StatusHistoryModel

_SHOWN = ("name", "gender", "birth_date", "id_number", "phone", "union_name", "status", "join_date",
          "join_channel", "occupation", "platform", "employer", "work_area", "ethnicity", "education",
          "political_status", "household_type", "native_place", "job_title", "professional_title",
          "salary_fen", "member_card_no", "family_info", "resume", "remarks")
_EXTRA_LABELS = {"gender": "性别", "birth_date": "出生日期", "union_name": "所属工会", "status": "会籍状态",
                 "salary_fen": "工资（元/月）", "family_info": "家庭成员", "resume": "工作简历"}


def _text(rec: dict, key: str, revealed: bool) -> str:
    value = rec.get(key)
    if value is None or value == "":
        return "—"
    if key == "id_number":
        return value if revealed else mask(value)
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
        self.record: dict | None = None
        self.revealed = False
        self.values: dict[str, QLabel] = {}

        self.title = QLabel("请在左侧列表中选择一名会员")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)

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
        layout.addWidget(fields_box)
        layout.addWidget(history_box)
        layout.addWidget(consent_box)
        layout.addStretch(1)
        self.show_member(None)

    def show_member(self, member_id: str | None) -> None:
        self.revealed = False
        self.record = member_service.get_member(self.ctx, member_id) if member_id else None
        self._render()

    def reveal(self) -> None:
        if self.record is None or self.revealed:
            return
        with transaction(self.ctx.db):
            self.ctx.audit("reveal", "member", self.record["id"], field="id_number,phone")
        self.revealed = True
        self._render()

    def _render(self) -> None:
        rec = self.record
        self.reveal_button.setEnabled(rec is not None and not self.revealed)
        if rec is None:
            self.title.setText("请在左侧列表中选择一名会员")
            for label in self.values.values():
                label.setText("—")
            self.history_model.set_rows([])
            self.consent.setText("—")
            return
        self.title.setText(f"{rec['name']}（{vocab.STATUSES.get(rec['status'], rec['status'])}）")
        for key, label in self.values.items():
            label.setText(_text(rec, key, self.revealed))
        self.history_model.set_rows(rec.get("history", []))
        consents = rec.get("consents") or []
        self.consent.setText("\n".join(
            f"{c['consented_at'][:16].replace('T', ' ')}  {vocab.CONSENT_METHODS.get(c['method'], c['method'])}"
            f"（告知书版本 {c['notice_version']}）" for c in consents) or "无同意记录")
