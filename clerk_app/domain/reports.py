"""Supervisor reports as values: the period a report covers and the report itself (tables of
counts, charts, coverage, footer facts). Built by ``services.reports`` from the database, drawn by
``printing.reports`` (PDF) and ``sheets.report_xlsx`` (.xlsx), shown by the window's 统计报表 page.

No personal data ever enters these values: labels are categories (性别, 年龄段, 职业 ...) and cells
are counts or money; a name or a number has no field to go in."""

from __future__ import annotations

import calendar
import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal

PERIOD_KINDS = ("month", "quarter", "year", "custom")
REPORT_KINDS = {"members": "基层工会会员报表", "work": "工作情况报表"}

Cell = int | Decimal | str | None


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of days ``start``..``end`` (both included)."""

    start: _dt.date
    end: _dt.date
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.end < self.start:
            raise ValueError("period ends before it starts")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(_dt.date(year, month, 1), _dt.date(year, month, last), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError("quarter is 1..4")
        first = 3 * quarter - 2
        last = calendar.monthrange(year, first + 2)[1]
        return cls(_dt.date(year, first, 1), _dt.date(year, first + 2, last), "quarter")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(_dt.date(year, 1, 1), _dt.date(year, 12, 31), "year")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "quarter":
            return f"{s.year}年第{(s.month + 2) // 3}季度"
        if self.kind == "year":
            return f"{s.year}年"
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"

    def previous(self) -> Period:
        """The period just before (环比): the month, quarter or year before; a custom range of
        the same number of days ending the day before this one starts."""
        s = self.start
        if self.kind == "month":
            return Period.month(s.year - (s.month == 1), 12 if s.month == 1 else s.month - 1)
        if self.kind == "quarter":
            q = (s.month + 2) // 3
            return Period.quarter(s.year - (q == 1), 4 if q == 1 else q - 1)
        if self.kind == "year":
            return Period.year(s.year - 1)
        end = s - _dt.timedelta(days=1)
        return Period(end - _dt.timedelta(days=self.days - 1), end, "custom")

    def year_before(self) -> Period:
        """The same period one year earlier (同比); 29 February falls back to the 28th."""
        s = self.start
        if self.kind == "month":
            return Period.month(s.year - 1, s.month)
        if self.kind == "quarter":
            return Period.quarter(s.year - 1, (s.month + 2) // 3)
        if self.kind == "year":
            return Period.year(s.year - 1)
        return Period(_year_back(self.start), _year_back(self.end), "custom")


def _year_back(day: _dt.date) -> _dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a report. ``columns`` names every column, the first being the row label
    column (e.g. ("项目", "本期", "上期", "环比", "去年同期", "同比")). Each row is a tuple of
    cells as long as ``columns``: the first a label (str), the rest numbers (int counts,
    Decimal yuan), a ratio text such as "+12.5%", or None for "not applicable" (shown as —).
    ``indent`` lists row indexes drawn as sub-lines (e.g. each occupation under 按职业)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    indent: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.title}: a row has {len(row)} cells for {len(self.columns)} columns")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[int | Decimal, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart drawn with reportlab's graphics: ``kind`` "bar" (vertical bars, one group per
    category) or "line" (one line per series over the categories)."""

    title: str
    kind: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]

    def __post_init__(self) -> None:
        if self.kind not in ("bar", "line"):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"{self.title}: series {s.name} does not match the categories")


@dataclass(frozen=True, slots=True)
class SiteCoverage:
    """Whose data a report counts: a laptop (site) and how far its data reaches (the last
    change stamp, or in district mode the date of its last imported package)."""

    site_name: str
    union_name: str
    up_to: str  # ISO date or date-time as known; "" when nothing has arrived yet


@dataclass(frozen=True, slots=True)
class Report:
    kind: str  # a key of REPORT_KINDS
    title: str
    union_name: str
    period: Period
    sections: tuple[Table | Chart, ...]
    coverage: tuple[SiteCoverage, ...]
    printed_on: _dt.date
    clerk: str
    reconciliation: str = ""  # e.g. "期初 1,200 + 增加 35 − 减少 12 = 期末 1,223，核对相符"
    township: str = ""  # set when the report is one township's part of a district report
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in REPORT_KINDS:
            raise ValueError(f"unknown report kind {self.kind!r}")

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(s for s in self.sections if isinstance(s, Table))

    @property
    def charts(self) -> tuple[Chart, ...]:
        return tuple(s for s in self.sections if isinstance(s, Chart))


def change_text(now: int | Decimal, before: int | Decimal | None) -> str | None:
    """The 环比/同比 cell: "+12.5%", "-3.0%", "持平", or "—" wording left to the drawer (None)
    when there is nothing to compare with (no earlier figure, or it was 0)."""
    if before is None or before == 0:
        return None
    if now == before:
        return "持平"
    pct = (Decimal(now) - Decimal(before)) * 100 / Decimal(before)
    return f"{pct:+.1f}%"
