"""Import step 2 — 核对列: which column of the clerk's file fills which member field.

One table row per column of the file: its letter, its header, a combo with our fields (or
忽略) pre-filled from :func:`~clerk_app.services.roster_import.suggest_mapping` (the
mapping confirmed last time for the same header row, else one proposed from the names),
and the first few values under it. ID numbers and phones in the samples are masked like
everywhere else on screen. Below: choices for the whole file (union, join channel,
values for empty 民族/职业 cells, and where join dates come from: the column, one date the
clerk states, or unknown)."""

from __future__ import annotations

import datetime as _dt
import re

from openpyxl.utils import get_column_letter
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QGridLayout, QGroupBox,
                               QHBoxLayout,
                               QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWizardPage)

from ..domain import vocab
from ..domain.idnumber import mask
from ..domain.phone import mask_phone
from ..domain.roster_cells import cell_text
from ..domain.roster_columns import FIELD_LABELS, IGNORE, ColumnMapping, missing_required
from ..services.roster_import import (JOIN_FROM_COLUMN, JOIN_STATED, JOIN_UNKNOWN, ImportOptions,
                                      suggest_mapping)
from ..services.unions import list_unions

SAMPLE_ROWS = 3
REQUIRED = ("name", "id_number")
(MCOL_LETTER, MCOL_HEADER, MCOL_FIELD, MCOL_SAMPLE) = range(4)
_ID_LIKE = re.compile(r"\d{14}[\dXx]|\d{17}[\dXx]")
_PHONE_LIKE = re.compile(r"1\d{10}")
_RED, _GREEN = "#c62828", "#2e7d32"


def field_choices() -> list[tuple[str, str]]:
    """(label, field) for the combo: 忽略 first, then the required fields, then the rest."""
    out = [("（不导入）", IGNORE)]
    for fname in REQUIRED:
        out.append((f"{FIELD_LABELS[fname]}（必填）", fname))
    out += [(label, fname) for fname, label in FIELD_LABELS.items() if fname not in REQUIRED]
    return out


def sample_text(cell: object, fname: str) -> str:
    """A sample cell as shown: ID numbers and mobile numbers masked (mapped or not)."""
    text = cell_text(cell).strip()
    if fname == "id_number" or _ID_LIKE.fullmatch(text):
        return mask(text)
    if fname == "phone" or _PHONE_LIKE.fullmatch(text):
        return mask_phone(text)
    return text


class MappingPage(QWizardPage):
    def __init__(self, wizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("第 2 步：核对列的对应")
        self.setSubTitle("每一列要导入为哪一项？不需要的列选“（不导入）”。姓名和身份证号码必须有。")
        self.mapping = ColumnMapping()
        self.combos: list[QComboBox] = []
        self._choices = field_choices()

        self.origin = QLabel()
        self.origin.setWordWrap(True)
        self.required_label = QLabel()
        self.required_label.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["列", "表头", "导入为", "前几行的内容"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the combos take focus, not the cells
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        metrics = self.fontMetrics()
        han = metrics.horizontalAdvance("国")
        self.table.setColumnWidth(MCOL_LETTER, han * 2 + 16)
        self.table.setColumnWidth(MCOL_HEADER, han * 8 + 16)
        self.table.setColumnWidth(MCOL_FIELD, han * 10 + 40)
        header.setSectionResizeMode(MCOL_LETTER, QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(int(metrics.height() * 1.75))

        self.union = QComboBox()
        self.channel = QComboBox()
        for code, label in vocab.JOIN_CHANNELS.items():
            self.channel.addItem(label, code)
        self.channel.setCurrentIndex(self.channel.findData(ImportOptions().join_channel))
        self.ethnicity = self._default_combo(vocab.ETHNICITIES)
        self.occupation = self._default_combo(vocab.OCCUPATIONS)
        # 入会日期: never made up. From the column, one date the clerk states, or unknown.
        self.join_mode = QComboBox()
        for label, mode in (("取自表中的“入会日期”列（空白的为未知）", JOIN_FROM_COLUMN),
                            ("统一为右边的日期", JOIN_STATED), ("未知（以后补全）", JOIN_UNKNOWN)):
            self.join_mode.addItem(label, mode)
        self.join_day = QDateEdit()
        self.join_day.setCalendarPopup(True)
        self.join_day.setDisplayFormat("yyyy-MM-dd")
        today = wizard.ctx.today()
        self.join_day.setMaximumDate(QDate(today.year, today.month, today.day))
        self.join_day.setDate(QDate(today.year, today.month, today.day))
        self._join_mode_chosen = False  # until the clerk picks one, it follows the mapping
        join_row = QHBoxLayout()
        join_row.addWidget(self.join_mode, 1)
        join_row.addWidget(self.join_day)
        self.allow_dups = QCheckBox("姓名和出生日期与他人相同的行也导入（已核实不是同一人）")
        options = QGroupBox("对整个文件")
        grid = QGridLayout(options)
        for row, pairs in enumerate(((("导入到工会：", self.union), ("表中没有入会方式时：", self.channel)),
                                     (("民族为空时填写：", self.ethnicity), ("职业为空时填写：", self.occupation)))):
            for i, (label, widget) in enumerate(pairs):
                grid.addWidget(QLabel(label), row, 2 * i, Qt.AlignmentFlag.AlignRight)
                grid.addWidget(widget, row, 2 * i + 1)
        grid.addWidget(QLabel("入会日期："), 2, 0, Qt.AlignmentFlag.AlignRight)
        grid.addLayout(join_row, 2, 1, 1, 3)
        grid.addWidget(self.allow_dups, 3, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 0)

        heading = QHBoxLayout()
        heading.addWidget(self.origin, 1)
        heading.addWidget(self.required_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(options)
        self.join_mode.activated.connect(self._join_mode_picked)
        self._show_join_day()

    @staticmethod
    def _default_combo(items) -> QComboBox:
        box = QComboBox()
        box.addItem("（不填，留空）", "")
        for item in items:
            box.addItem(item, item)
        box.setMaxVisibleItems(15)
        return box

    # --- QWizardPage ---------------------------------------------------------------------
    def initializePage(self) -> None:
        table = self.wiz.table
        proposal = suggest_mapping(self.wiz.ctx.db, table.headers)
        self.mapping = proposal.mapping
        self.origin.setText("已按上次确认的对应关系填好（同样表头的文件）。" if proposal.remembered
                            else "已按列名自动对应，请逐列核对。")
        self.union.clear()
        for union in list_unions(self.wiz.ctx):
            self.union.addItem(union.name, union.id)
        home = self.union.findData(self.wiz.ctx.home_union_id)
        self.union.setCurrentIndex(max(home, 0))
        self._fill_table()
        self._show_required()
        self._join_mode_chosen = False
        self._follow_mapping()

    def isComplete(self) -> bool:
        return not missing_required(self.mapping)

    def validatePage(self) -> bool:
        self.wiz.mapping = self.mapping
        self.wiz.options = self.options()
        return True

    # --- the table -----------------------------------------------------------------------
    def _fill_table(self) -> None:
        table = self.wiz.table
        self.table.setRowCount(len(table.headers))
        self.combos = []
        field_of = {i: f for f, i in self.mapping.columns.items()}
        for col, header in enumerate(table.headers):
            letter = QTableWidgetItem(get_column_letter(col + 1))
            letter.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(col, MCOL_LETTER, letter)
            head = QTableWidgetItem(header or "（无表头）")
            head.setToolTip(header)
            if not header:
                head.setForeground(QBrush(QColor("#757575")))
            self.table.setItem(col, MCOL_HEADER, head)
            combo = QComboBox()
            for label, fname in self._choices:
                combo.addItem(label, fname)
            combo.setMaxVisibleItems(len(self._choices))
            combo.setCurrentIndex(max(combo.findData(field_of.get(col, IGNORE)), 0))
            combo.currentIndexChanged.connect(lambda _i, c=col: self._combo_changed(c))
            self.combos.append(combo)
            self.table.setCellWidget(col, MCOL_FIELD, combo)
            samples = [sample_text(cells[col], field_of.get(col, "")) for _row, cells in table.rows[:SAMPLE_ROWS]
                       if col < len(cells)]
            sample = QTableWidgetItem("　|　".join(s for s in samples if s) or "（前几行为空）")
            sample.setToolTip("\n".join(samples))
            self.table.setItem(col, MCOL_SAMPLE, sample)
        self._style_rows()

    def field_of_column(self, col: int) -> str:
        return self.combos[col].currentData()

    def set_field(self, col: int, fname: str) -> None:
        """Choose ``fname`` (IGNORE: not imported) for column ``col`` — as the clerk would."""
        self.combos[col].setCurrentIndex(self.combos[col].findData(fname))

    def _combo_changed(self, col: int) -> None:
        fname = self.combos[col].currentData()
        mapping = ColumnMapping({f: i for f, i in self.mapping.columns.items() if i != col})
        if fname != IGNORE:
            mapping = mapping.with_column(fname, col)  # a field comes from one column: its old one is freed
        self.mapping = mapping
        field_of = {i: f for f, i in mapping.columns.items()}
        for other, combo in enumerate(self.combos):
            want = field_of.get(other, IGNORE)
            if combo.currentData() != want:
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(want))
                combo.blockSignals(False)
        self._refresh_samples()
        self._style_rows()
        self._show_required()
        self._follow_mapping()
        self.completeChanged.emit()

    def _refresh_samples(self) -> None:
        table = self.wiz.table
        for col in range(len(self.combos)):
            fname = self.field_of_column(col)
            samples = [sample_text(cells[col], fname) for _row, cells in table.rows[:SAMPLE_ROWS] if col < len(cells)]
            self.table.item(col, MCOL_SAMPLE).setText("　|　".join(s for s in samples if s) or "（前几行为空）")

    def _style_rows(self) -> None:
        for col, combo in enumerate(self.combos):
            fname = combo.currentData()
            font = QFont(self.table.font())
            font.setBold(fname in REQUIRED)
            self.table.item(col, MCOL_HEADER).setFont(font)
            grey = fname == IGNORE
            self.table.item(col, MCOL_SAMPLE).setForeground(QBrush(QColor("#9e9e9e" if grey else "#212121")))

    def _show_required(self) -> None:
        missing = missing_required(self.mapping)
        if missing:
            self.required_label.setText("✘ 还没有对应必填项：" + "、".join(missing)
                                        + "。请在下表“导入为”一栏为它选择一列，才能继续。")
            self.required_label.setStyleSheet(f"color: {_RED}; font-weight: bold;")
        else:
            self.required_label.setText("✔ 必填项 姓名、身份证号码 都已对应。表中没有的其他项（民族、职业等）"
                                        "不影响导入，这些会员标为“资料待补全”，以后在会员页补全。")
            self.required_label.setStyleSheet(f"color: {_GREEN};")

    # --- options -------------------------------------------------------------------------
    def set_join_mode(self, mode: str) -> None:
        """Choose where join dates come from — as the clerk would."""
        self.join_mode.setCurrentIndex(self.join_mode.findData(mode))
        self._join_mode_picked()

    def _join_mode_picked(self, *_args) -> None:
        self._join_mode_chosen = True
        self._show_join_day()

    def _follow_mapping(self) -> None:
        if not self._join_mode_chosen:
            mode = JOIN_FROM_COLUMN if self.mapping.column_of("join_date") is not None else JOIN_UNKNOWN
            self.join_mode.setCurrentIndex(self.join_mode.findData(mode))
        self._show_join_day()

    def _show_join_day(self) -> None:
        self.join_day.setEnabled(self.join_mode.currentData() == JOIN_STATED)

    def options(self) -> ImportOptions:
        defaults = {}
        if self.ethnicity.currentData():
            defaults["ethnicity"] = self.ethnicity.currentData()
        if self.occupation.currentData():
            defaults["occupation"] = self.occupation.currentData()
        mode = self.join_mode.currentData()
        day = self.join_day.date()
        return ImportOptions(union_id=self.union.currentData() or "", join_channel=self.channel.currentData(),
                             defaults=defaults, allow_possible_duplicates=self.allow_dups.isChecked(),
                             join_date_mode=mode,
                             join_date=_dt.date(day.year(), day.month(), day.day()) if mode == JOIN_STATED else None)
