"""新建活动 / 编辑活动: type, title, date and times, venue, host union, sub-venues and the
services offered there. Every problem is shown under its field at once; nothing typed is lost."""

from __future__ import annotations

import datetime as _dt
import re

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget)

from ..domain import event as ev
from ..domain.errors import Issue, UserError, ValidationFailed
from ..services import events as event_service
from ..services.context import Context
from ..services.unions import list_unions
from .feedback import FieldError, ask_choice
from .member_dialog import DateField

_SPLIT = re.compile(r"[、，,；;\n]+")


def split_items(text: str) -> list[str]:
    """``"理发、义诊, 送水"`` -> the items, in order (blank ones dropped)."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


class EventDialog(QDialog):
    """``EventDialog(ctx)`` creates an event; ``EventDialog(ctx, event_id)`` edits one.
    After ``Accepted``, ``saved`` is the stored :class:`domain.records.Event`."""

    def __init__(self, ctx: Context, event_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.event_id = event_id
        self.saved: event_service.Event | None = None
        self.errors: dict[str, FieldError] = {}
        self._order: list[str] = []
        self.setWindowTitle("编辑活动" if event_id else "新建活动")
        self._build()
        inp = event_service.get_event(ctx, event_id).to_input() if event_id else event_service.new_event_input(ctx)
        self.fill(inp)
        self._initial = self.read_input()
        self.title_edit.setFocus()

    # --- building -----------------------------------------------------------------------------
    def _row(self, form: QFormLayout, name: str, widget, required: bool = False, hint: str = "",
             label: str = "") -> None:
        err = self.errors.setdefault(name, FieldError())
        column = QVBoxLayout()
        column.setSpacing(2)
        if isinstance(widget, QWidget):
            column.addWidget(widget)
        else:
            column.addLayout(widget)
        if hint:
            note = QLabel(hint)
            note.setStyleSheet("color: #616161;")
            column.addWidget(note)
        column.addWidget(err)
        form.addRow(("* " if required else "") + (label or ev.LABELS[name]) + "：", column)

    def _build(self) -> None:
        self.general_error = FieldError()
        self.type_box = QComboBox()
        self.type_box.addItems(list(ev.EVENT_TYPES))
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(ev.TITLE_MAX + 20)
        self.title_edit.setPlaceholderText("如：黄村镇新就业形态劳动者职工沟通会")
        self.date_edit = DateField(self.ctx.today())
        self.start_edit = QLineEdit()
        self.end_edit = QLineEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setPlaceholderText("如 09:30")
            edit.setMaxLength(8)
            edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("00:00") * 3)
            edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.venue_edit = QLineEdit()
        self.venue_edit.setMaxLength(ev.VENUE_MAX + 20)
        self.union_box = QComboBox()
        for union in list_unions(self.ctx):
            self.union_box.addItem(union.name, union.id)
        self.sub_venues_edit = QPlainTextEdit()
        self.sub_venues_edit.setTabChangesFocus(True)
        self.sub_venues_edit.setPlaceholderText("没有分会场可不填；有的话每行写一个，如：京东物流站点")
        self.sub_venues_edit.setFixedHeight(self.sub_venues_edit.fontMetrics().lineSpacing() * 3 + 16)
        self.service_checks: dict[str, QCheckBox] = {}
        services_grid = QGridLayout()
        services_grid.setHorizontalSpacing(16)
        for i, name in enumerate(ev.SUGGESTED_SERVICES):
            box = QCheckBox(name)
            self.service_checks[name] = box
            services_grid.addWidget(box, i // 5, i % 5)
        self.other_services = QLineEdit()
        self.other_services.setPlaceholderText("其他服务项目，用顿号隔开，如：送水、量血压")
        services_grid.addWidget(self.other_services, 2, 0, 1, 5)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(self.notes_edit.fontMetrics().lineSpacing() * 2 + 14)

        times = QHBoxLayout()
        times.addWidget(self.start_edit)
        times.addWidget(QLabel("至"))
        times.addWidget(self.end_edit)
        times.addStretch(1)
        self.errors["end_time"] = FieldError()
        form = QFormLayout()
        self._row(form, "type", self.type_box, required=True)
        self._row(form, "title", self.title_edit, required=True)
        self._row(form, "event_date", self.date_edit, required=True)
        self._row(form, "start_time", times, label="活动时间")
        form.addRow("", self.errors["end_time"])
        self._row(form, "venue", self.venue_edit, required=True)
        self._row(form, "union_id", self.union_box, required=True)
        self._row(form, "sub_venues", self.sub_venues_edit)
        self._row(form, "services", services_grid)
        self._row(form, "notes", self.notes_edit)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存")
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("国") * 44)

        # A corrected field drops its message at once (not only at the next 保存).
        def clear(*names: str):
            return lambda *_: [self.errors[name].clear_error() for name in names]

        self.type_box.currentIndexChanged.connect(clear("type"))
        self.title_edit.textEdited.connect(clear("title"))
        self.date_edit.dateChanged.connect(clear("event_date"))
        for edit in (self.start_edit, self.end_edit):  # a time problem may be either end's
            edit.textEdited.connect(clear("start_time", "end_time"))
        self.venue_edit.textEdited.connect(clear("venue"))
        self.union_box.currentIndexChanged.connect(clear("union_id"))
        self.sub_venues_edit.textChanged.connect(clear("sub_venues"))
        self.other_services.textEdited.connect(clear("services"))
        for box in self.service_checks.values():
            box.toggled.connect(clear("services"))
        self.notes_edit.textChanged.connect(clear("notes"))

    # --- the form -----------------------------------------------------------------------------
    def fill(self, inp: ev.EventInput) -> None:
        self.type_box.setCurrentIndex(max(self.type_box.findText(inp.type), 0))
        self.title_edit.setText(inp.title)
        if inp.event_date:
            d = inp.event_date
            self.date_edit.setDate(QDate(d.year, d.month, d.day))
        self.start_edit.setText(inp.start_time)
        self.end_edit.setText(inp.end_time)
        self.venue_edit.setText(inp.venue)
        self.union_box.setCurrentIndex(max(self.union_box.findData(inp.union_id), 0))
        self.sub_venues_edit.setPlainText("\n".join(inp.sub_venues))
        self._order = list(inp.services)
        others = []
        for name in inp.services:
            if name in self.service_checks:
                self.service_checks[name].setChecked(True)
            else:
                others.append(name)
        self.other_services.setText("、".join(others))
        self.notes_edit.setPlainText(inp.notes)

    def read_input(self) -> ev.EventInput:
        qd = self.date_edit.date()
        services = [name for name, box in self.service_checks.items() if box.isChecked()]
        services += split_items(self.other_services.text())
        kept = [name for name in self._order if name in services]  # an edit keeps the stored order
        services = kept + [name for name in services if name not in kept]
        return ev.EventInput(
            type=self.type_box.currentText(), title=self.title_edit.text(),
            event_date=_dt.date(qd.year(), qd.month(), qd.day()), start_time=self.start_edit.text(),
            end_time=self.end_edit.text(), venue=self.venue_edit.text(), union_id=self.union_box.currentData() or "",
            sub_venues=[line.strip() for line in self.sub_venues_edit.toPlainText().splitlines()],
            services=services, notes=self.notes_edit.toPlainText())

    def show_issues(self, issues: list[Issue]) -> None:
        focus = {"type": self.type_box, "title": self.title_edit, "event_date": self.date_edit,
                 "start_time": self.start_edit, "end_time": self.end_edit, "venue": self.venue_edit,
                 "union_id": self.union_box, "sub_venues": self.sub_venues_edit,
                 "services": self.other_services, "notes": self.notes_edit}
        first = None
        for issue in issues:
            target = self.errors.get(issue.field, self.general_error)
            if target.has_error:  # two problems with one field: show both
                target.show_error(target.text() + "\n" + issue.message)
            else:
                target.show_error(issue.message)
            first = first or focus.get(issue.field)
        if first is not None:
            first.setFocus()

    def save(self) -> None:
        self.general_error.clear_error()
        for err in self.errors.values():
            err.clear_error()
        inp = self.read_input()
        _, issues = ev.validate_event(inp, self.ctx.today())
        if issues:
            self.show_issues(issues)
            return
        try:
            if self.event_id:
                self.saved = event_service.update_event(self.ctx, self.event_id, inp)
            else:
                self.saved = event_service.create_event(self.ctx, inp)
        except ValidationFailed as exc:
            self.show_issues(exc.issues)
        except UserError as exc:
            self.general_error.show_error(exc.message)
        else:
            self.accept()

    def reject(self) -> None:
        if self.read_input() != self._initial and ask_choice(
                self, "放弃填写？", "已填写的内容还没有保存，确定放弃吗？", ["继续填写", "放弃"], escape=0) == 0:
            return
        super().reject()
