"""现场统计: big buttons the clerk taps as things happen — consultations by topic, leaflets
handed out, services given — each tap one ``add_tally`` (+1), with −1 per row for a mis-tap.
Members recruited and cards issued are not tapped: they are counted from the records."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from ..domain import event as ev
from ..domain.errors import UserError, ValidationFailed
from ..services import events as event_service
from ..services.context import Context
from .feedback import FieldError
from .signin_widgets import sized

KIND_TITLES = {ev.CONSULTATION: "咨询（人次）", ev.MATERIAL: "宣传资料（份）", ev.SERVICE: "服务（人次）"}


class TallyRow:
    """One label: [label +1] count [−1]."""

    def __init__(self, panel: "TallyPanel", kind: str, label: str, total: int):
        self.kind, self.label = kind, label
        self.plus = sized(QPushButton(label), 13, True)
        self.plus.setMinimumHeight(46)
        self.plus.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.plus.setMinimumWidth(60)  # the three columns share the width, whatever the label length
        self.plus.setToolTip(f"{label}：点一下加 1")
        self.count = sized(QLabel(str(total)), 18, True)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count.setMinimumWidth(self.count.fontMetrics().horizontalAdvance("000") + 4)
        self.minus = sized(QPushButton("−1"), 12)
        self.minus.setToolTip(f"撤销一次“{label}”（点错时用）")
        self.minus.setMinimumHeight(46)
        self.minus.setFixedWidth(self.minus.fontMetrics().horizontalAdvance("−1") + 22)
        for button in (self.plus, self.minus):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plus.clicked.connect(lambda: panel.tap(kind, label, 1))
        self.minus.clicked.connect(lambda: panel.tap(kind, label, -1))

    def set_total(self, total: int) -> None:
        self.count.setText(str(total))
        self.minus.setEnabled(total > 0)


class TallyPanel(QWidget):
    changed = Signal()  # a tally moved

    def __init__(self, ctx: Context, event_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.event_id = event_id
        self.rows: dict[tuple[str, str], TallyRow] = {}
        self.grids: dict[str, QGridLayout] = {}
        self.new_label: dict[str, QLineEdit] = {}
        self.summary = sized(QLabel(), 15, True)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #1b5e20;")
        self.error = FieldError()
        columns = QHBoxLayout()
        for kind in ev.TALLY_KINDS:
            box = QGroupBox(KIND_TITLES[kind])
            sized(box, 14, True)
            inner = QVBoxLayout(box)
            grid = QGridLayout()
            grid.setColumnStretch(0, 1)
            self.grids[kind] = grid
            inner.addLayout(grid)
            if kind != ev.CONSULTATION:  # topics are a closed list; materials and services are open
                edit = sized(QLineEdit(), 13)
                edit.setPlaceholderText("其他项目名称")
                edit.setMaxLength(ev.LABEL_MAX)
                add = sized(QPushButton("添加"), 13)
                add.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                add.clicked.connect(lambda _=False, k=kind: self.add_label(k))
                edit.returnPressed.connect(lambda k=kind: self.add_label(k))
                self.new_label[kind] = edit
                line = QHBoxLayout()
                line.addWidget(edit, 1)
                line.addWidget(add)
                inner.addLayout(line)
            inner.addStretch(1)
            columns.addWidget(box, 1)
        holder = QWidget()
        holder.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # a tap must not take the focus from the scanner
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        hint = sized(QLabel("每点一下按钮计 1 次；点错了按右边的 −1。"), 12)
        hint.setStyleSheet("color: #546e7a;")
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)
        self.refresh()

    def typing_widgets(self) -> list[QWidget]:
        return list(self.new_label.values())

    def _row(self, kind: str, label: str, total: int) -> TallyRow:
        row = self.rows.get((kind, label))
        if row is None:
            row = self.rows[(kind, label)] = TallyRow(self, kind, label, total)
            grid = self.grids[kind]
            at = grid.rowCount()
            grid.addWidget(row.plus, at, 0)
            grid.addWidget(row.count, at, 1)
            grid.addWidget(row.minus, at, 2)
        row.set_total(total)
        return row

    def refresh(self) -> None:
        """Every label with its total: the event's own services first, then the suggested labels."""
        counts = event_service.tallies(self.ctx, self.event_id)  # the event's own services included
        services = event_service.get_event(self.ctx, self.event_id).services
        for kind in ev.TALLY_KINDS:
            shown = {t.label: t.total for t in counts[kind]}
            for label in ev.TALLY_SUGGESTIONS[kind]:
                shown.setdefault(label, 0)
            for label in ev.order_labels(kind, shown, services if kind == ev.SERVICE else ()):
                self._row(kind, label, shown[label])
        self.refresh_summary()

    def refresh_summary(self) -> None:
        s = event_service.event_summary(self.ctx, self.event_id)
        self.summary.setText(f"本场现场入会 {s.joined} 人 · 发放服务卡 {s.cards_issued} 张 · "
                             f"咨询 {s.consultations_total} 人次 · 资料 {s.materials_total} 份 · 服务 {s.services_total} 人次")

    def tap(self, kind: str, label: str, delta: int) -> None:
        self.error.clear_error()
        try:
            count = event_service.add_tally(self.ctx, self.event_id, kind, label, delta)
        except ValidationFailed as exc:
            self.error.show_error("；".join(i.message for i in exc.issues))
            return
        except UserError as exc:
            self.error.show_error(exc.message)
            return
        self._row(kind, label, count.total)
        self.refresh_summary()
        self.changed.emit()

    def add_label(self, kind: str) -> None:
        """A label of the clerk's own (a leaflet not on the list): a row at 0, counted from the first tap."""
        edit = self.new_label[kind]
        label, problem = ev.check_tally(kind, edit.text(), 1)
        if problem:
            self.error.show_error(problem.message)
            return
        self.error.clear_error()
        self._row(kind, label, self.total(kind, label))
        edit.clear()

    def total(self, kind: str, label: str) -> int:
        row = self.rows.get((kind, label))
        return int(row.count.text()) if row else 0
