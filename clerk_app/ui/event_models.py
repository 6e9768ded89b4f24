"""Table models of the events page and the sign-in desk. Phones and ID numbers arrive masked
from the services (``Attendee.id_number_masked``, ``phone_masked``) and are shown that way."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..services.events import Event
from ..services.signin import Attendee

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole Event / Attendee

(ECOL_DATE, ECOL_TIME, ECOL_TYPE, ECOL_TITLE, ECOL_VENUE, ECOL_UNION) = range(6)
EVENT_HEADERS = ("日期", "时间", "类型", "活动名称", "地点", "主办工会")


class _RowsModel(QAbstractTableModel):
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


class EventTableModel(_RowsModel):
    """Events, newest first (as ``services.events.list_events`` returns them)."""

    headers = EVENT_HEADERS

    def _display(self, row: Event, col: int) -> str:
        if col == ECOL_DATE:
            return row.event_date
        if col == ECOL_TIME:
            return row.time_label
        if col == ECOL_TYPE:
            return row.type
        if col == ECOL_TITLE:
            return row.title
        if col == ECOL_VENUE:
            return row.venue + (f"（另有 {len(row.sub_venues)} 个分会场）" if row.sub_venues else "")
        return row.union_name


(ACOL_TIME, ACOL_NAME, ACOL_NUMBER, ACOL_MEMBER, ACOL_METHOD, ACOL_VENUE) = range(6)
ATTENDANCE_HEADERS = ("时间", "姓名", "身份证号/手机号", "会员", "方式", "会场")
_JOINED_COLOUR = QColor("#2e7d32")
_WALK_IN_COLOUR = QColor("#8a5a00")


class AttendanceModel(_RowsModel):
    """The desk's recent sign-ins, newest on top."""

    headers = ATTENDANCE_HEADERS

    def add_first(self, attendee: Attendee) -> None:
        """A new sign-in goes on top (no reload: the burst of a queue stays cheap)."""
        if self.row_of(attendee.id) >= 0:
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, attendee)
        self.endInsertRows()

    def _display(self, row: Attendee, col: int) -> str:
        if col == ACOL_TIME:
            return row.time_label()
        if col == ACOL_NAME:
            return row.name
        if col == ACOL_NUMBER:
            return row.id_number_masked or row.phone_masked
        if col == ACOL_MEMBER:
            return row.membership_label
        if col == ACOL_METHOD:
            return row.method_label
        return row.venue_label

    def _extra(self, row: Attendee, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and col == ACOL_MEMBER and row.is_walk_in:
            return _JOINED_COLOUR if row.joined else _WALK_IN_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (ACOL_TIME, ACOL_MEMBER):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None
