"""Import step 3 — 检查: every row checked in the background, every problem row listed.

Nothing is saved here. The counts (可以导入 / 不能导入 / 有提示) head the page; the table
lists each row that cannot be imported and each row imported with a warning, by its Excel
row number, with the name, the masked ID number and the reason in Chinese. The bad rows can
be saved as an error file (the clerk's own columns plus 错误原因) to fix and import again."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableView, QVBoxLayout, QWizardPage)

from ..domain.errors import UserError
from ..domain.idnumber import mask, normalise
from ..domain.roster_cells import cell_text
from ..services import roster_import as ri
from ..services.members import Cancelled
from . import crash
from .rows_model import RowsModel
from .task_panel import TaskPanel

BAD, WARN, SKIP = "bad", "warn", "skip"
(PCOL_ROW, PCOL_NAME, PCOL_ID, PCOL_KIND, PCOL_REASON) = range(5)
PROBLEM_HEADERS = ("行号", "姓名", "身份证号码", "结果", "原因")
KIND_LABELS = {BAD: "不能导入", WARN: "可导入，有提示", SKIP: "已跳过"}
_KIND_COLOURS = {BAD: "#c62828", WARN: "#a15c00", SKIP: "#616161"}


@dataclass(frozen=True)
class Problem:
    row: int      # as Excel numbers it
    name: str
    id_masked: str
    kind: str     # BAD | WARN | SKIP
    reason: str


def _cell(cells: Sequence[object], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cell_text(cells[index]).strip()


def problems_of(preview: ri.ImportPreview, bad_rows: Sequence[ri.BadRow] | None = None) -> list[Problem]:
    """The rows worth the clerk's attention, in file order (a row's warnings after nothing
    else: a row is either bad or good)."""
    name_col = preview.mapping.column_of("name")
    id_col = preview.mapping.column_of("id_number")
    out = []
    for bad in bad_rows if bad_rows is not None else preview.bad:
        number = normalise(_cell(bad.cells, id_col))
        out.append(Problem(bad.row, _cell(bad.cells, name_col), mask(number) if number else "", BAD, bad.reason))
    for good in preview.good:
        if good.warnings:
            reason = "；".join(dict.fromkeys(w.message for w in good.warnings))
            out.append(Problem(good.row, good.member.name, mask(normalise(good.member.id_number)), WARN, reason))
    if bad_rows is None:
        for skipped in preview.skipped:  # 合计/总计 lines: not members, not errors
            text = "　".join(cell_text(c).strip() for c in skipped.cells if cell_text(c).strip())
            out.append(Problem(skipped.row, "", "", SKIP, f"{skipped.reason}（{text}）"))
    out.sort(key=lambda p: p.row)
    return out


def incomplete_summary(incomplete: Sequence[ri.GoodRow]) -> str:
    """"其中 N 行资料待补全（缺 民族 N 人、职业 N 人）…" for the preview and confirm pages."""
    counts: dict[str, int] = {}
    for good in incomplete:
        for label in good.missing:
            counts[label] = counts.get(label, 0) + 1
    detail = "、".join(f"{label} {n} 人" for label, n in counts.items())
    return (f"其中 {len(incomplete)} 行资料待补全（缺 {detail}）：照常导入，标为“资料待补全”，"
            "以后可在会员页勾选“只看资料待补全”逐一补全。")


class ProblemModel(RowsModel):
    """Problem rows, optionally only the ones that cannot be imported."""

    headers = PROBLEM_HEADERS

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[Problem] = []
        self._rows: list[Problem] = []
        self.only_bad = False

    def set_rows(self, rows: Sequence[Problem]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._apply()
        self.endResetModel()

    def set_only_bad(self, only: bool) -> None:
        self.beginResetModel()
        self.only_bad = only
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        self._rows = [p for p in self._all if p.kind == BAD] if self.only_bad else list(self._all)

    def problem(self, row: int) -> Problem | None:
        return self.row_at(row)

    def _display(self, p: Problem, col: int) -> str:
        return (str(p.row), p.name, p.id_masked, KIND_LABELS[p.kind], p.reason)[col]

    def _extra(self, p: Problem, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and col == PCOL_REASON:
            return p.reason
        if role == Qt.ItemDataRole.ForegroundRole and col == PCOL_KIND:
            return QBrush(QColor(_KIND_COLOURS[p.kind]))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == PCOL_ROW:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def problem_table(model: ProblemModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    metrics = view.fontMetrics()
    han, digit = metrics.horizontalAdvance("国"), metrics.horizontalAdvance("0")
    for col, width in ((PCOL_ROW, 4 * digit + 2 * han), (PCOL_NAME, 5 * han), (PCOL_ID, 18 * digit),
                       (PCOL_KIND, 7 * han)):
        view.setColumnWidth(col, width + 20)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setDefaultSectionSize(int(metrics.height() * 1.5))
    return view


class PreviewPage(QWizardPage):
    def __init__(self, wizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("第 3 步：检查每一行")
        self.setSubTitle("逐行检查身份证号码、必填项和重复。此时还没有保存任何数据。")
        self.preview: ri.ImportPreview | None = None

        self.panel = TaskPanel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = ProblemModel(self)
        self.view = problem_table(self.model)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.only_bad = QCheckBox("只显示不能导入的行")
        self.save_errors = QPushButton("保存错误行…")
        self.save_errors.setToolTip("把不能导入的行另存为 Excel（原来的列加“错误原因”），改正后可再次导入")
        self.retry = QPushButton("重新检查")
        self.retry.hide()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        tools = QHBoxLayout()
        tools.addWidget(self.only_bad)
        tools.addStretch(1)
        tools.addWidget(self.retry)
        tools.addWidget(self.save_errors)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.summary)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.reason)
        layout.addWidget(self.note)

        self.only_bad.toggled.connect(self.model.set_only_bad)
        self.save_errors.clicked.connect(lambda: self.wiz.save_error_file(self.preview, None, self.note.setText))
        self.retry.clicked.connect(self.start)
        self.view.selectionModel().currentRowChanged.connect(self._show_reason)
        self.panel.finished.connect(self.completeChanged)

    # --- QWizardPage ---------------------------------------------------------------------
    def initializePage(self) -> None:
        self.start()

    def cleanupPage(self) -> None:
        self.panel.abandon()
        self.preview = None
        self.wiz.preview = None
        self.model.set_rows([])

    def isComplete(self) -> bool:
        return self.preview is not None and bool(self.preview.good) and not self.panel.is_busy()

    def validatePage(self) -> bool:
        self.wiz.preview = self.preview
        return self.preview is not None

    # --- checking ------------------------------------------------------------------------
    def start(self) -> None:
        self.preview = None
        self.model.set_rows([])
        self.summary.setText("")
        self.reason.setText("")
        self.note.setText("")
        self.retry.hide()
        self.save_errors.setEnabled(False)
        self.only_bad.setEnabled(False)
        table, mapping, options = self.wiz.table, self.wiz.mapping, self.wiz.options

        def job(ctx, progress, cancel):
            return ri.build_preview(ctx, table, mapping, options, progress=progress, cancel=cancel)

        self.panel.run(f"正在检查 {len(table.rows)} 行……", self.wiz.db_job(job),
                       on_success=self._checked, on_error=self._failed)
        self.completeChanged.emit()

    def _checked(self, preview: ri.ImportPreview) -> None:
        self.preview = preview
        problems = problems_of(preview)
        warned = sum(1 for g in preview.good if g.warnings)
        self.model.set_rows(problems)
        parts = [f"共 {preview.total} 行：",
                 f"<b style='color:#2e7d32'>可以导入 {len(preview.good)} 行</b>",
                 f"<b style='color:#c62828'>不能导入 {len(preview.bad)} 行</b>"]
        text = parts[0] + parts[1] + "，" + parts[2]
        if warned:
            text += f"（可以导入的行中有 {warned} 行带提示，请看下表）"
        if preview.skipped:
            text += f"；另有 {len(preview.skipped)} 行合计行已跳过（不是会员）"
        incomplete = preview.incomplete
        if incomplete:
            text += "<br>" + html.escape(incomplete_summary(incomplete))
        if not preview.good:
            text += "<br>没有可以导入的行。请按下表的原因改正文件后再导入，或返回上一步核对列的对应。"
        elif preview.bad:
            text += "<br>不能导入的行不会保存；可以点“保存错误行…”另存出来，改正后再导入。"
        self.summary.setText(text)
        self.save_errors.setEnabled(bool(preview.bad))
        self.only_bad.setEnabled(bool(problems))
        if problems:
            self.view.selectRow(0)

    def _failed(self, exc: BaseException) -> None:
        self.retry.show()
        if isinstance(exc, Cancelled):
            self.summary.setText("已取消检查，没有保存任何数据。可以点“重新检查”，或返回上一步。")
        elif isinstance(exc, UserError):
            self.summary.setText(f"<span style='color:#c62828'>{html.escape(exc.message)}</span>")
        else:
            self.summary.setText("检查时出现程序内部错误。")
            crash.report_bug(exc, self)

    def _show_reason(self, current: QModelIndex, _previous: QModelIndex = QModelIndex()) -> None:
        p = self.model.problem(current.row()) if current.isValid() else None
        self.reason.setText(f"第 {p.row} 行（{p.name or '无姓名'}）：{p.reason}" if p else "")
