"""发放签收表 for a chosen period (from the 困难职工 page's 打印 menu): from–to dates, the type
and the fund; the page previews the list of the payments that stand in it."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from ..domain import assistance

ALL_KINDS, ALL_FUNDS = "全部类型", "全部资金来源"


@dataclass(frozen=True)
class PaymentsChoice:
    date_from: _dt.date
    date_to: _dt.date
    kind: str  # '' for every type
    fund: str  # '' for every fund


def _date_edit(day: _dt.date) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def _day(edit: QDateEdit) -> _dt.date:
    d = edit.date()
    return _dt.date(d.year(), d.month(), d.day())


class PaymentsDialog(QDialog):
    def __init__(self, today: _dt.date, funds: list[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("打印发放签收表")
        self.date_from = _date_edit(_dt.date(today.year, 1, 1))
        self.date_to = _date_edit(today)
        self.kind = QComboBox()
        self.kind.addItems([ALL_KINDS, *assistance.KINDS])
        self.fund = QComboBox()
        self.fund.setEditable(True)
        self.fund.addItems([ALL_FUNDS, *dict.fromkeys([*assistance.FUNDS, *funds])])
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#b00020")
        form = QFormLayout(self)
        form.addRow("发放日期自", self.date_from)
        form.addRow("至", self.date_to)
        form.addRow("帮扶类型", self.kind)
        form.addRow("资金来源", self.fund)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("预览")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> PaymentsChoice:
        kind = self.kind.currentText()
        fund = self.fund.currentText().strip()
        return PaymentsChoice(_day(self.date_from), _day(self.date_to), "" if kind == ALL_KINDS else kind,
                              "" if fund in (ALL_FUNDS, "") else fund)

    def accept(self) -> None:
        chosen = self.choice()
        if chosen.date_from > chosen.date_to:
            self.problem.setText("起始日期不能晚于截止日期")
            return
        super().accept()
