"""What both supervisor reports share: the three periods every figure is counted for (本期, 上期,
去年同期), the comparison row, the coverage (whose data, up to when) and the report's footer facts."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Mapping, Sequence

from ..domain.errors import UserError
from ..domain.reports import Cell, Period, SiteCoverage, change_text
from ..storage import report_queries as rq
from ..storage import sync_ledger as ledger
from ..storage import unions_repo
from ..storage.hlc import parse_stamp
from ..storage.meta import get_meta
from .context import Context

COLUMNS = ("项目", "本期", "上期", "环比", "去年同期", "同比")
NOW, BEFORE, YEAR_BEFORE = 0, 1, 2
Number = int | Decimal


@dataclass(frozen=True)
class Scope:
    """Where a report counts: ``township`` (a union id, with every union below it) or the whole
    database (None), the union the report is headed with and whose data it holds."""

    township: str | None
    union_name: str
    township_name: str
    coverage: tuple[SiteCoverage, ...]


def periods_of(period: Period) -> tuple[Period, Period, Period]:
    """(本期, 上期, 去年同期)."""
    return period, period.previous(), period.year_before()


def iso_periods(period: Period) -> list[tuple[str, str]]:
    return [(p.start.isoformat(), p.end.isoformat()) for p in periods_of(period)]


def compare_row(label: str, values: Sequence[Number]) -> tuple[Cell, ...]:
    """项目, 本期, 上期, 环比, 去年同期, 同比 of one figure counted for the three periods."""
    now, before, year_before = values
    return (label, now, before, change_text(now, before), year_before, change_text(now, year_before))


def rows_of(lines: Sequence[tuple[str, Sequence[Number], bool]]) -> tuple[tuple[tuple[Cell, ...], ...], frozenset[int]]:
    """Table rows and the indexes of the indented ones from (label, values, indented) lines."""
    rows = tuple(compare_row(label, values) for label, values, _ in lines)
    return rows, frozenset(i for i, (_, _, indented) in enumerate(lines) if indented)


def per_period(counts: Mapping[int, Mapping[str, Number]], key: str, zero: Number = 0) -> tuple[Number, ...]:
    return tuple(counts[k].get(key, zero) for k in (NOW, BEFORE, YEAR_BEFORE))


def breakdown_lines(counts: Mapping[int, Mapping[str, int]], order: Sequence[str],
                    label: Callable[[str], str] = str) -> list[tuple[str, Sequence[Number], bool]]:
    return [(label(value), per_period(counts, value), True) for value in order]


# ---------------------------------------------------------------- coverage

def _stamp_text(stamp: str | None) -> str:
    if not stamp:
        return ""
    ms, _counter = parse_stamp(stamp)
    return _dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def _home_union_name(ctx: Context) -> str:
    home = ctx.home_union_id
    return next((u.name for u in unions_repo.all_unions(ctx.db) if u.id == home), "")


def is_district(ctx: Context) -> bool:
    # sync_site.ROLE_KEY / DISTRICT, read here so reports do not pull in the key handling
    return (get_meta(ctx.db, "sync_role", ledger.LAPTOP) or ledger.LAPTOP) == ledger.DISTRICT


def laptop_coverage(ctx: Context, peer: ledger.Peer, union_name: str) -> SiteCoverage:
    last = ledger.last_package(ctx.db, ledger.IN, peer.site_id)
    return SiteCoverage(peer.name, union_name, last.at if last else "")


def scope_of(ctx: Context, township: str | None) -> Scope:
    """The report's scope. On a laptop the data is this laptop's, up to its latest change; at the
    district it is every enrolled laptop whose union lies in the scope, each up to its last
    imported package."""
    home = _home_union_name(ctx)
    township_name = ""
    if township:
        township_name = rq.union_names(ctx.db, [township]).get(township, "")
        if not township_name:
            raise UserError("report.unknown_township", township=township)
    union_name = township_name or home
    if is_district(ctx):
        names = {u.id: u.name for u in unions_repo.all_unions(ctx.db)}
        inside = ledger.union_subtree(ctx.db, township) if township else None
        coverage = tuple(laptop_coverage(ctx, p, names.get(p.union_id, ""))
                         for p in ledger.peers(ctx.db, ledger.LAPTOP) if inside is None or p.union_id in inside)
    else:
        coverage = (SiteCoverage(ctx.laptop_name, home, _stamp_text(rq.last_change_stamp(ctx.db))),)
    return Scope(township, union_name, township_name, coverage)
