"""The 走访 tab of the 困难职工 page: the file's visits (date, visitors, what was found, what was
given) listed, and a new one recorded on the task runner's worker (its own connection), the
list reloaded when the write comes back."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QDateEdit, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from ..domain.errors import UserError
from ..services import hardship, hardship_ledger
from ..services.context import Context
from .rows_model import RowsModel, row_table
from .tasks import context_job, runner

COL_DATE, COL_VISITORS, COL_FOUND, COL_GIVEN = range(4)


class VisitsModel(RowsModel):
    headers = ("走访日期", "走访人", "了解到的情况", "送去的物品或帮助")

    def _display(self, v, col: int) -> str:
        first_line = lambda text: text.splitlines()[0] if text else ""  # noqa: E731 - a cell shows one line
        return (v.visit_date, v.visitors, first_line(v.findings), first_line(v.given))[col]


class VisitsPanel(QWidget):
    saved = Signal(object)  # the Visit, once it is written and the list reloaded

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.file_id: str | None = None
        self.task = None
        self.model = VisitsModel(self)
        self.table = row_table(self.model, {COL_DATE: (0, 10), COL_VISITORS: (6, 0), COL_FOUND: (12, 0),
                                            COL_GIVEN: (8, 0)})
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.setMaximumDate(QDate(today.year, today.month, today.day))
        self.visitors = QLineEdit()
        self.visitors.setPlaceholderText("如：张主席、李经办")
        self.findings = QPlainTextEdit()
        self.findings.setPlaceholderText("了解到的情况（住房、健康、子女上学……）")
        self.findings.setTabChangesFocus(True)
        self.given = QLineEdit()
        self.given.setPlaceholderText("送去的物品或帮助（如：米面油、慰问金另记台账）")
        for box in (self.findings,):
            box.setFixedHeight(self.visitors.sizeHint().height() * 2)
        self.add_button = QPushButton("记录走访")
        self.status = QLabel()
        form = QFormLayout()
        top = QHBoxLayout()
        top.addWidget(self.day)
        top.addWidget(QLabel("走访人"))
        top.addWidget(self.visitors, 1)
        form.addRow("日期", top)
        form.addRow("情况", self.findings)
        form.addRow("送去", self.given)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_visit)
        self.visitors.returnPressed.connect(self.add_visit)
        self.set_file(None, ())

    def set_file(self, file_id: str | None, visits) -> None:
        self.file_id = file_id
        self.model.set_rows(list(visits))
        self.add_button.setEnabled(file_id is not None and self.task is None)

    def _day(self) -> _dt.date:
        d = self.day.date()
        return _dt.date(d.year(), d.month(), d.day())

    def add_visit(self) -> None:
        if self.file_id is None or self.task is not None:
            return
        file_id, day = self.file_id, self._day()
        visitors, findings, given = self.visitors.text(), self.findings.toPlainText(), self.given.text()

        def job(ctx, _progress, _cancel):
            return hardship_ledger.record_visit(ctx, file_id, day=day, visitors=visitors, findings=findings,
                                                given=given)

        self.add_button.setEnabled(False)
        self.status.setText("正在保存……")
        self.task = runner().submit(context_job(self.ctx, job), on_success=self._done, on_error=self._failed,
                                    owner=self)

    def _done(self, visit) -> None:
        self.task = None
        self.visitors.clear()
        self.findings.clear()
        self.given.clear()
        self.status.setText(f"已记录 {visit.visit_date} 的走访")
        if self.file_id == visit.file_id:
            self.set_file(self.file_id, hardship.get_detail(self.ctx, visit.file_id).visits)
        self.add_button.setEnabled(self.file_id is not None)
        self.saved.emit(visit)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self.status.clear()
        self.add_button.setEnabled(self.file_id is not None)
        if not isinstance(exc, UserError):
            raise exc  # our bug: the crash dialog, not a friendly message
        QMessageBox.warning(self, "不能记录走访", exc.message)
