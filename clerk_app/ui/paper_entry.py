"""纸质签到表补录: type a paper sheet back in on a keyboard grid, see what each row becomes
(matched member, walk-in, already signed in, rejected with the reason), then save. Rejected
rows stay in the grid to be corrected; nothing is dropped without being shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain.errors import UserError
from ..services import events as event_service
from ..services import signin
from ..services.context import Context
from .feedback import FieldError, ask_choice
from .screen_fit import fit_to_screen

COLUMNS = ("姓名", "手机号", "身份证后四位", "职业", "单位/平台")
START_ROWS = 20
OUTCOME_TEXT = {signin.MATCHED: "会员签到", signin.WALK_IN_ADDED: "非会员登记", signin.ALREADY: "已签到，不重复计数",
                signin.REJECTED: "有误，不保存"}
OUTCOME_COLOUR = {signin.MATCHED: "#1b5e20", signin.WALK_IN_ADDED: "#7a4f00", signin.ALREADY: "#546e7a",
                  signin.REJECTED: "#c62828"}


class PaperEntryDialog(QDialog):
    def __init__(self, ctx: Context, event_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.meeting = event_service.get_event(ctx, event_id)
        self.preview: signin.PaperEntryResult | None = None
        self._previewed: list[signin.PaperRow] | None = None
        self._grid_rows: list[int] = []  # grid row of each previewed input row
        self.saved_count = 0
        self.setWindowTitle(f"纸质签到表补录 — {self.meeting.title}")

        self.venue = QComboBox()
        self.venue.addItems(list(self.meeting.venue_choices))
        self.grid = QTableWidget(START_ROWS, len(COLUMNS))
        self.grid.setHorizontalHeaderLabels(list(COLUMNS))
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.grid.setTabKeyNavigation(True)
        self.grid.itemChanged.connect(self._grow)
        self.result_table = QTableWidget(0, 3)
        self.result_table.setHorizontalHeaderLabels(["行", "姓名", "结果"])
        self.result_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.result_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.result_table.verticalHeader().hide()
        self.summary = QLabel("按纸质签到表逐行录入（Tab 换格），录完点“预览核对”。")
        self.summary.setWordWrap(True)
        self.error = FieldError()
        self.preview_button = QPushButton("预览核对")
        self.save_button = QPushButton("保存")
        self.save_button.setEnabled(False)
        close = QPushButton("关闭")
        self.preview_button.clicked.connect(self.run_preview)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel("本表所在会场："))
        top.addWidget(self.venue)
        top.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.grid)
        split.addWidget(self.result_table)
        split.setSizes([640, 420])
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        fit_to_screen(self, 1100, 640)
        self.grid.setCurrentCell(0, 0)
        self.grid.setFocus()

    # --- the grid -------------------------------------------------------------------------
    def _grow(self, item: QTableWidgetItem) -> None:
        if item.row() == self.grid.rowCount() - 1 and item.text().strip():
            self.grid.insertRow(self.grid.rowCount())
        self.save_button.setEnabled(False)  # the preview no longer matches the grid

    def set_cell(self, row: int, col: int, text: str) -> None:
        while row >= self.grid.rowCount():
            self.grid.insertRow(self.grid.rowCount())
        self.grid.setItem(row, col, QTableWidgetItem(text))

    def _cell(self, row: int, col: int) -> str:
        item = self.grid.item(row, col)
        return item.text().strip() if item is not None else ""

    def typed_rows(self) -> tuple[list[int], list[signin.PaperRow]]:
        """The grid rows with anything typed, as PaperRows (blank rows skipped)."""
        place = self.venue.currentText()
        where, rows = [], []
        for r in range(self.grid.rowCount()):
            values = [self._cell(r, c) for c in range(len(COLUMNS))]
            if not any(values):
                continue
            name, phone, tail, occupation, employer = values
            where.append(r)
            rows.append(signin.PaperRow(name, phone, tail, occupation, employer, place))
        return where, rows

    # --- preview and save ---------------------------------------------------------------------
    def _call(self, dry_run: bool) -> signin.PaperEntryResult | None:
        self.error.clear_error()
        where, rows = self.typed_rows()
        if not rows:
            self.error.show_error("还没有录入任何一行")
            return None
        try:
            result = signin.enter_paper_rows(self.ctx, self.meeting.id, rows, dry_run=dry_run)
        except UserError as exc:
            self.error.show_error(exc.message)
            return None
        self._grid_rows = where
        self._show(result)
        return result

    def run_preview(self) -> None:
        result = self._call(dry_run=True)
        self.preview = result
        if result is not None:
            self._previewed = self.typed_rows()[1]
            self.save_button.setEnabled(bool(result.matched or result.walk_ins))

    def _show(self, result: signin.PaperEntryResult) -> None:
        self.result_table.setRowCount(len(result.rows))
        for i, row in enumerate(result.rows):
            grid_row = self._grid_rows[row.index]
            if row.outcome == signin.REJECTED:
                text = "；".join(issue.message for issue in row.issues)
            elif row.member is not None:
                text = f"{OUTCOME_TEXT[row.outcome]}：{row.member.name}（{row.member.id_number_masked}）"
            else:
                text = OUTCOME_TEXT[row.outcome]
            if row.note:
                text += f"（{row.note}）"
            name = row.attendee.name if row.attendee else self._cell(grid_row, 0)
            items = [QTableWidgetItem(str(grid_row + 1)), QTableWidgetItem(name), QTableWidgetItem(text)]
            items[2].setForeground(QColor(OUTCOME_COLOUR[row.outcome]))
            items[2].setToolTip(text)
            for col, item in enumerate(items):
                self.result_table.setItem(i, col, item)
        self.summary.setText(
            f"会员 {len(result.matched)} 人，非会员 {len(result.walk_ins)} 人，已签到不重复计数 {len(result.already)} 人，"
            f"有误 {len(result.rejected)} 行" + ("（已保存）" if result.saved else "（尚未保存）"))

    def save(self) -> None:
        if self._previewed != self.typed_rows()[1]:
            self.error.show_error("表格内容在预览后有改动，请先重新预览核对")
            self.save_button.setEnabled(False)
            return
        result = self._call(dry_run=False)
        if result is None:
            return
        self.saved_count += len(result.matched) + len(result.walk_ins)
        keep = {self._grid_rows[r.index] for r in result.rejected}
        for r in reversed(range(self.grid.rowCount())):
            if r not in keep and any(self._cell(r, c) for c in range(len(COLUMNS))):
                self.grid.removeRow(r)
        self.save_button.setEnabled(False)
        self._previewed = None
        if result.rejected:
            ask_choice(self, "部分行未保存", f"已保存 {len(result.matched) + len(result.walk_ins)} 人。"
                       f"有 {len(result.rejected)} 行有误未保存，仍留在表格中，请改正后再预览保存。", ["知道了"])
