"""Table models for member lists. ID numbers and phones are masked here, once, for every view.

The list shows the member's age, not the birth date: the birth date is exactly the eight
digits the masked ID number hides, so showing both side by side would undo the mask."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt

from ..clock import SYSTEM, Clock
from ..domain import vocab
from ..domain.idnumber import age_on, mask
from ..domain.phone import mask_phone
from ..domain.records import MemberRow
from .rows_model import ROW_ROLE, SORT_ROLE, Index, RowsModel

(COL_NAME, COL_GENDER, COL_AGE, COL_ID, COL_PHONE, COL_OCCUPATION, COL_PLATFORM,
 COL_EMPLOYER, COL_UNION, COL_STATUS, COL_JOINED) = range(11)
HEADERS = ("姓名", "性别", "年龄", "身份证号码", "手机号码", "职业", "平台", "工作单位",
           "所属工会", "会籍状态", "入会日期")

__all__ = ["ROW_ROLE", "SORT_ROLE", "MemberTableModel", "StatusHistoryModel"]

PageFetcher = Callable[[int | None, int], list[MemberRow]]  # (before_rowid, limit) -> rows


def age(row: MemberRow, today: _dt.date) -> int | None:
    """Age in whole years on ``today`` (None when the birth date is missing or unreadable)."""
    try:
        birth = _dt.date.fromisoformat((row.birth_date or "")[:10])
    except ValueError:
        return None
    return age_on(birth, today)


def _display(row: MemberRow, col: int, today: _dt.date) -> str:
    if col == COL_NAME:
        return row.name
    if col == COL_GENDER:
        return row.gender
    if col == COL_AGE:
        years = age(row, today)
        return "" if years is None else str(years)
    if col == COL_ID:
        return mask(row.id_number)
    if col == COL_PHONE:
        return mask_phone(row.phone)
    if col == COL_OCCUPATION:
        return row.occupation
    if col == COL_PLATFORM:
        return row.platform
    if col == COL_EMPLOYER:
        return row.employer
    if col == COL_UNION:
        return row.union_name
    if col == COL_STATUS:
        return vocab.STATUSES.get(row.status, row.status)
    return row.join_date or "未知"  # a roster that did not say when they joined


def _sort_key(row: MemberRow, col: int, today: _dt.date) -> Any:
    # The status code sorts by lifecycle; ID and phone sort masked: no role hands out a full
    # number; age sorts as a number (never the birth date, which the mask hides).
    if col == COL_STATUS:
        return row.status
    if col == COL_AGE:
        years = age(row, today)
        return -1 if years is None else years
    return _display(row, col, today)


class MemberTableModel(RowsModel):
    """Member rows, either a fixed list (``set_rows``: search results) or the whole roster
    fetched page by page as the view scrolls (``browse``: keyset paging on rowid), so a
    200,000-member database opens as fast as an empty one."""

    PAGE_SIZE = 200
    headers = HEADERS

    def __init__(self, parent=None, page_size: int | None = None, clock: Clock = SYSTEM):
        super().__init__(parent)
        self.clock = clock  # ages are counted on the clerk's today
        self._fetch: PageFetcher | None = None
        self._more = False
        self.page_size = page_size or self.PAGE_SIZE

    # --- filling -----------------------------------------------------------------------
    def set_rows(self, rows: Sequence[MemberRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._fetch = None
        self._more = False
        self.endResetModel()

    def browse(self, fetch: PageFetcher) -> None:
        """Show every member, newest first; the first page now, the rest as needed."""
        self.beginResetModel()
        self._fetch = fetch
        self._rows = fetch(None, self.page_size)
        self._more = len(self._rows) == self.page_size
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._more and self._fetch is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        before = self._rows[-1].rowid if self._rows else None
        rows = self._fetch(before, self.page_size)
        self._more = len(rows) == self.page_size
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def _display(self, row: MemberRow, col: int) -> str:
        return _display(row, col, self.clock.today())

    def _extra(self, row: MemberRow, col: int, role: int) -> Any:
        if role == SORT_ROLE:
            return _sort_key(row, col, self.clock.today())
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_STATUS:
            return vocab.STATUSES.get(row.status, row.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


(HCOL_DATE, HCOL_STATUS, HCOL_REASON, HCOL_CHANNEL) = range(4)
HISTORY_HEADERS = ("生效日期", "会籍状态", "原因", "方式")


class StatusHistoryModel(RowsModel):
    """A member's status history (``StatusChange`` rows of ``services.members.get_member_file``)."""

    headers = HISTORY_HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return None
        if not 0 <= index.row() < len(self._rows):
            return None
        rec = self._rows[index.row()]
        col = index.column()
        if col == HCOL_DATE:
            if role == SORT_ROLE:
                return rec.effective_date or ""
            return rec.effective_date or "日期不详"  # joined on a day the roster did not say
        if col == HCOL_STATUS:
            return rec.status if role == SORT_ROLE else rec.status_label
        if col == HCOL_REASON:
            return rec.reason
        channel = rec.channel or ""
        return vocab.JOIN_CHANNELS.get(channel, channel)
