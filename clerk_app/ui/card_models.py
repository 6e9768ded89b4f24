"""Table models for service cards: the card register (lazy pages of ``list_cards``) and one
member's card history. Holders' ID numbers arrive masked from the service; nothing here
ever holds a full one."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ..domain import card as lifecycle
from ..domain.cardno import grouped
from ..services.cards import Card, CardHistory, CardPage
from .rows_model import ROW_ROLE, SORT_ROLE, Index, RowsModel

(COL_NO, COL_HOLDER, COL_ID, COL_STATUS, COL_ISSUED, COL_STATUS_DATE, COL_REPLACED_BY) = range(7)
HEADERS = ("卡号", "持卡人", "身份证号码", "状态", "发卡日期", "状态日期", "补换后的新卡号")

CARD_ROLE = ROW_ROLE  # the whole services.cards.Card
__all__ = ["CARD_ROLE", "SORT_ROLE", "CardTableModel"]

STATUS_COLOURS = {lifecycle.ACTIVE: "#2e7d32", lifecycle.LOST: "#b26a00",
                  lifecycle.CANCELLED: "#757575", lifecycle.REPLACED: "#757575"}

PageFetcher = Callable[[int, int], CardPage]  # (limit, offset) -> page with total


def _display(card: Card, col: int) -> str:
    if col == COL_NO:
        return card.grouped_no
    if col == COL_HOLDER:
        return card.holder.name
    if col == COL_ID:
        return card.holder.id_number_masked
    if col == COL_STATUS:
        return card.status_label
    if col == COL_ISSUED:
        return card.issue_date
    if col == COL_STATUS_DATE:
        return card.status_date or ""
    return grouped(card.replaced_by_no)


def _sort_key(card: Card, col: int) -> Any:
    if col == COL_NO:
        return card.card_no
    if col == COL_STATUS:
        return card.status
    if col == COL_REPLACED_BY:
        return card.replaced_by_no or ""
    return _display(card, col)


class CardTableModel(RowsModel):
    """Cards, either a fixed list (``set_rows``) or a filtered register fetched a page at a
    time as the view scrolls (``browse``: limit/offset, with the total of all pages)."""

    PAGE_SIZE = 200
    headers = HEADERS

    def __init__(self, parent=None, page_size: int | None = None):
        super().__init__(parent)
        self._fetch: PageFetcher | None = None
        self.total = 0
        self.page_size = page_size or self.PAGE_SIZE

    # --- filling -----------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Card], total: int | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._fetch = None
        self.total = len(self._rows) if total is None else total
        self.endResetModel()

    def browse(self, fetch: PageFetcher) -> None:
        """Show the first page now and the rest as needed."""
        self.beginResetModel()
        self._fetch = fetch
        page = fetch(self.page_size, 0)
        self._rows = list(page.rows)
        self.total = page.total
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._fetch is not None and len(self._rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        page = self._fetch(self.page_size, len(self._rows))
        known = {c.id for c in self._rows}
        rows = [c for c in page.rows if c.id not in known]  # a card issued meanwhile shifts the pages
        if not rows:  # the register shrank meanwhile: stop here rather than ask again
            self.total = len(self._rows)
            return
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def card_at(self, row: int) -> Card | None:
        return self.row_at(row)

    def loaded(self) -> list[Card]:
        return list(self._rows)

    def _display(self, card: Card, col: int) -> str:
        return _display(card, col)

    def _extra(self, card: Card, col: int, role: int) -> Any:
        if role == SORT_ROLE:
            return _sort_key(card, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS:
            return QBrush(QColor(STATUS_COLOURS.get(card.status, "#000000")))
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_HOLDER:
            return f"{card.holder.name}（{card.holder.member_status_label}，{card.holder.union_name}）"
        return None


def _note(event_name: str, reason: str, other: str | None) -> str:
    parts = [reason] if reason else []
    if other:
        parts.append(f"新卡 {grouped(other)}" if event_name == lifecycle.EV_REISSUE else f"补换原卡 {grouped(other)}")
    return "；".join(parts)


def history_lines(history: Sequence[CardHistory]) -> list[tuple[Card, list[str]]]:
    """A member's cards, newest first, each with its dated steps oldest first as one line
    each ("2026-11-21 补换：原卡遗失；新卡 DX07 000046 S"), for a narrow detail panel."""
    out = []
    for item in reversed(list(history)):  # the service lists them oldest first
        lines = []
        for ev in sorted(item.events, key=lambda e: (e.event_date, e.recorded_at)):
            note = _note(ev.event, ev.reason, ev.other_card_no)
            lines.append(f"{ev.event_date} {ev.label}" + (f"：{note}" if note else ""))
        out.append((item.card, lines))
    return out
