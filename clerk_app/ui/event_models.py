"""Table models of the events page and the sign-in desk. Phones and ID numbers arrive masked
from the services (``Attendance.id_number_masked``, ``phone_masked``) and are shown that way."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from ..clock import SYSTEM, Clock
from ..domain.records import Event
from ..domain.records import Attendance
from .rows_model import ROW_ROLE, RowsModel

__all__ = ["ROW_ROLE", "EventTableModel", "AttendanceModel"]

(ECOL_DATE, ECOL_TIME, ECOL_TYPE, ECOL_TITLE, ECOL_VENUE, ECOL_UNION) = range(6)
EVENT_HEADERS = ("日期", "时间", "类型", "活动名称", "地点", "主办工会")


class EventTableModel(RowsModel):
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


class AttendanceModel(RowsModel):
    """The desk's recent sign-ins, newest on top."""

    headers = ATTENDANCE_HEADERS

    def __init__(self, parent=None, clock: Clock = SYSTEM):
        super().__init__(parent)
        self.clock = clock  # a sign-in today shows its time only; an earlier one its date too

    def add_first(self, attendee: Attendance) -> None:
        """A new sign-in goes on top (no reload: the burst of a queue stays cheap)."""
        if self.row_of(attendee.id) >= 0:
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, attendee)
        self.endInsertRows()

    def _display(self, row: Attendance, col: int) -> str:
        if col == ACOL_TIME:
            return row.time_label(self.clock.today())
        if col == ACOL_NAME:
            return row.name
        if col == ACOL_NUMBER:
            return row.id_number_masked or row.phone_masked
        if col == ACOL_MEMBER:
            return row.membership_label
        if col == ACOL_METHOD:
            return row.method_label
        return row.venue_label

    def _extra(self, row: Attendance, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and col == ACOL_MEMBER and row.is_walk_in:
            return _JOINED_COLOUR if row.joined else _WALK_IN_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (ACOL_TIME, ACOL_MEMBER):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None
