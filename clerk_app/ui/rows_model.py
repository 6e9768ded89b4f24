"""The one table-model skeleton every list in the window uses: a list of typed rows (the
services' dataclasses), header labels, and per-model ``_display`` / ``_extra`` for what a cell
shows. Subclasses add filling (fixed lists, lazy pages) and their own roles' values."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole row object
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # the raw value to sort on (never an unmasked number)


class RowsModel(QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, row_id: str) -> int:
        for i, r in enumerate(self._rows):
            if r.id == row_id:
                return i
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return str(section + 1)

    def _display(self, row, col: int) -> str:
        raise NotImplementedError

    def _extra(self, row, col: int, role: int) -> Any:
        """Any other role of a cell (sort key, colour, tool tip, alignment); None by default."""
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.column())
        if role == ROW_ROLE:
            return row
        return self._extra(row, index.column(), role)


def row_table(model: QAbstractTableModel, widths: dict[int, tuple[int, int]] | None = None, *,
              multi: bool = False) -> QTableView:
    """The read-only list view every page uses: whole rows selected, alternating colours,
    comfortable row height, no wrapping. ``widths`` gives columns as (汉字, digits) wide,
    so they fit the bundled font at whatever size it is shown."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    metrics = view.fontMetrics()
    han, digit = metrics.horizontalAdvance("国"), metrics.horizontalAdvance("0")
    for col, (chars, digits) in (widths or {}).items():
        view.setColumnWidth(col, int(chars * han + digits * digit) + 16)
    view.verticalHeader().setDefaultSectionSize(int(metrics.height() * 1.5))
    return view
