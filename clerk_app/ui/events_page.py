"""活动签到: the list of events (newest first, by date range, type and title), create and edit,
open the sign-in desk, print the sign-in sheet (filled or blank) and the event report."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..domain import event as ev
from ..services import events as event_service
from ..services.changes import Changes
from ..services.context import Context
from .changes import follow
from .event_dialog import EventDialog
from .feedback import run_modal
from .event_models import (
    ECOL_DATE,
    ECOL_TIME,
    ECOL_TITLE,
    ECOL_TYPE,
    ECOL_VENUE,
    ROW_ROLE,
    EventTableModel,
)
from .rows_model import row_table

SEARCH_DELAY_MS = 150
ALL_TYPES = "全部类型"
# (label, days back from today; None = no limit; 0 = today only; -1 = from today on)
DATE_RANGES = (("全部日期", None), ("今天", 0), ("今天及以后", -1), ("最近 7 天", 7), ("最近 30 天", 30),
               ("今年", "year"))


def date_range(choice, today: _dt.date) -> tuple[_dt.date | None, _dt.date | None]:
    if choice is None:
        return None, None
    if choice == "year":
        return _dt.date(today.year, 1, 1), _dt.date(today.year, 12, 31)
    if choice == -1:
        return today, None
    return today - _dt.timedelta(days=choice), today


class EventsPage(QWidget):
    title = "活动签到"
    changed = Signal()
    results_shown = Signal(int)

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.desks: dict[str, QWidget] = {}
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("搜索活动名称")
        self.search_box.setClearButtonEnabled(True)
        self.type_box = QComboBox()
        self.type_box.addItems([ALL_TYPES, *ev.EVENT_TYPES])
        self.range_box = QComboBox()
        for label, value in DATE_RANGES:
            self.range_box.addItem(label, value)
        self.new_button = QPushButton("新建活动（Ctrl+N）")
        self.edit_button = QPushButton("编辑")
        self.desk_button = QPushButton("开始签到")
        self.desk_button.setStyleSheet("QPushButton { font-weight: bold; padding: 4px 18px; }")
        self.sheet_button = QPushButton("打印签到表")
        self.blank_button = QPushButton("打印空白签到表")
        self.report_button = QPushButton("打印活动报告")
        self.export_button = QPushButton("导出名单…")
        self.export_button.setToolTip("把本活动的签到名单导出为 Excel 文件（手机号、身份证号已遮蔽）")
        self.count_label = QLabel()

        self.model = EventTableModel(self)
        self.table = row_table(self.model, {ECOL_DATE: (0, 10), ECOL_TIME: (1, 11), ECOL_TYPE: (5, 0),
                                            ECOL_TITLE: (18, 0), ECOL_VENUE: (10, 0)})
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumWidth(260)
        self.detail.setContentsMargins(12, 8, 12, 8)

        bar = QHBoxLayout()
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.type_box)
        bar.addWidget(self.range_box)
        bar.addWidget(self.new_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.export_button)  # here, not with the prints: keeps the page narrow
        actions = QHBoxLayout()
        for button in (self.desk_button, self.sheet_button, self.blank_button, self.report_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 340])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(split, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._timer.start)
        self.type_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.range_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.new_button.clicked.connect(lambda: self.new_event())
        self.edit_button.clicked.connect(lambda: self.edit_selected())
        self.desk_button.clicked.connect(lambda: self.open_desk())
        self.sheet_button.clicked.connect(lambda: self.print_sheet(blank=False))
        self.blank_button.clicked.connect(lambda: self.print_sheet(blank=True))
        self.report_button.clicked.connect(lambda: self.print_report())
        self.export_button.clicked.connect(lambda: self.export_attendance())
        self.table.doubleClicked.connect(lambda _i: self.open_desk())
        self.table.activated.connect(lambda _i: self.open_desk())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        QShortcut(QKeySequence.StandardKey.New, self, lambda: self.new_event())
        QShortcut(QKeySequence("Ctrl+F"), self, self.search_box.setFocus)
        follow(self, ctx, self.SHOWS)
        self.refresh()

    SHOWS = Changes(events=True, attendance=True, cards=True)  # the summary counts sign-ins and cards

    # --- list -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Events or their sign-ins changed elsewhere (a desk, another page): list them again."""
        self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        shown = self.selected_id()
        kind = self.type_box.currentText()
        since, until = date_range(self.range_box.currentData(), self.ctx.today())
        rows = event_service.list_events(self.ctx, since, until, None if kind == ALL_TYPES else kind,
                                         self.search_box.text())
        self.model.set_rows(rows)
        self.count_label.setText(f"共 {len(rows)} 场活动")
        row = self.model.row_of(shown) if shown else -1
        self.table.selectRow(row if row >= 0 else 0)
        self._show_detail()
        self.results_shown.emit(len(rows))

    def selected(self) -> event_service.Event | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def selected_id(self) -> str | None:
        event = self.selected()
        return event.id if event else None

    def select_event(self, event_id: str) -> None:
        row = self.model.row_of(event_id)
        if row >= 0:
            self.table.selectRow(row)

    def _show_detail(self) -> None:
        event = self.selected()
        for button in (self.edit_button, self.desk_button, self.sheet_button, self.blank_button, self.report_button,
                       self.export_button):
            button.setEnabled(event is not None)
        if event is None:
            self.detail.setText("还没有活动。点“新建活动”登记一场活动，再点“开始签到”。")
            return
        s = event_service.event_summary(self.ctx, event.id)
        lines = [f"<h3>{_esc(event.title)}</h3>", f"<b>类型：</b>{_esc(event.type)}",
                 f"<b>时间：</b>{_esc(event.when_label)}", f"<b>地点：</b>{_esc(event.venue)}",
                 f"<b>主办：</b>{_esc(event.union_name)}"]
        if event.sub_venues:
            lines.append(f"<b>分会场：</b>{_esc('、'.join(event.sub_venues))}")
        if event.services:
            lines.append(f"<b>服务项目：</b>{_esc('、'.join(event.services))}")
        lines += ["", f"<b>签到：</b>{s.attendance} 人（会员 {s.members}，非会员 {s.walk_ins}）",
                  f"<b>现场入会：</b>{s.joined} 人　<b>发卡：</b>{s.cards_issued} 张",
                  f"<b>咨询：</b>{s.consultations_total} 人次　<b>资料：</b>{s.materials_total} 份　"
                  f"<b>服务：</b>{s.services_total} 人次"]
        self.detail.setText("<br>".join(lines))

    # --- actions ----------------------------------------------------------------------------
    def new_event(self) -> EventDialog:
        return self._run_dialog(EventDialog(self.ctx, parent=self))

    def edit_selected(self) -> EventDialog | None:
        event_id = self.selected_id()
        return self._run_dialog(EventDialog(self.ctx, event_id, parent=self)) if event_id else None

    def _run_dialog(self, dialog: EventDialog) -> EventDialog:
        if run_modal(dialog) == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.refresh()
            self.select_event(dialog.saved.id)
            self.changed.emit()
        return dialog

    def open_desk(self):
        """开始签到: one desk window per event (a second click brings it to the front)."""
        from .signin_desk import open_desk

        event_id = self.selected_id()
        if not event_id:
            return None
        desk = self.desks.get(event_id)
        if desk is not None:
            desk.showNormal()
            desk.raise_()
            desk.activateWindow()
            return desk
        desk = open_desk(self.ctx, event_id, self.window())
        self.desks[event_id] = desk
        desk.changed.connect(self._show_detail)
        desk.destroyed.connect(lambda _o=None, k=event_id: self._desk_closed(k))
        return desk

    def _desk_closed(self, event_id: str) -> None:
        self.desks.pop(event_id, None)  # plain Python: safe even while the window closes

    def print_sheet(self, blank: bool):
        from .event_prints import preview_signin_sheet

        event_id = self.selected_id()
        return preview_signin_sheet(self, self.ctx, event_id, blank=blank) if event_id else None

    def print_report(self):
        from .event_prints import preview_event_report

        event_id = self.selected_id()
        return preview_event_report(self, self.ctx, event_id) if event_id else None

    def export_attendance(self):
        """Who signed in at the selected event, to .xlsx (numbers masked)."""
        from ..services.list_export import export_attendance
        from .roster_export import export_list

        event = self.selected()
        if event is None:
            return None
        return export_list(self, self.ctx, "导出签到名单", f"签到名单_{event.title}",
                           lambda ctx, path: export_attendance(ctx, path, event.id))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
