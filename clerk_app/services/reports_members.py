"""基层工会会员报表: members at the start and end of the period, what changed (joined, re-joined,
transferred in and out, retained, withdrawn, expelled), who the members are at the end (gender,
age band, occupation, platform, join channel, branch), members month by month, and the check
start + increases − decreases = end. What a history line counts as: ``domain.report_figures``."""

from __future__ import annotations

from ..domain import report_figures as rf
from ..domain import vocab
from ..domain.reports import REPORT_KINDS, Chart, Period, Report, Series, Table
from ..storage import report_queries as rq
from .context import Context
from .report_tables import (BEFORE, COLUMNS, NOW, YEAR_BEFORE, breakdown_lines, iso_periods, per_period, periods_of,
                            rows_of, scope_of)


def _count_days(period: Period) -> tuple[list[str], list[tuple[str, str]]]:
    """The days whose member count the report needs: each period's eve and last day, then the
    twelve month ends of the chart; and the chart's (label, day) list."""
    days: list[str] = []
    for p in periods_of(period):
        days += [rf.day_before(p.start).isoformat(), p.end.isoformat()]
    months = [(label, day.isoformat()) for label, day in rf.month_ends(period.end)]
    return days + [day for _, day in months], months


def reconciliation_text(start: int, increase: int, decrease: int, end: int) -> str:
    expected = start + increase - decrease
    sums = f"期初 {start:,} + 增加 {increase:,} − 减少 {decrease:,}"
    if expected == end:
        return f"{sums} = 期末 {end:,}，核对相符"
    return (f"{sums} = {expected:,}，而期末实有 {end:,}，相差 {end - expected:+,} 人，核对不符："
            "会籍变动记录有误（如重复的退会、转出记录），请核对后重新生成")


def members_report(ctx: Context, period: Period, *, township: str | None = None) -> Report:
    """The 会员报表 of ``period`` for the whole database or one township (a union id and the
    unions below it). Counts only: no name or number of anyone enters the report."""
    scope = scope_of(ctx, township)
    ends = [p.end.isoformat() for p in periods_of(period)]
    count_days, months = _count_days(period)
    found = rq.member_figures(ctx.db, detail_days=ends, count_days=count_days, periods=iso_periods(period),
                              township=township)
    stock = found["stock"]
    start = tuple(stock[2 * k][0] for k in (NOW, BEFORE, YEAR_BEFORE))
    end = tuple(stock[2 * k + 1][0] for k in (NOW, BEFORE, YEAR_BEFORE))
    retained_end = tuple(stock[2 * k + 1][1] for k in (NOW, BEFORE, YEAR_BEFORE))
    changes = found["changes"]
    inc = tuple(sum(changes[k].get(kind, 0) for kind in rf.INCREASES) for k in (NOW, BEFORE, YEAR_BEFORE))
    dec = tuple(sum(changes[k].get(kind, 0) for kind in rf.DECREASES) for k in (NOW, BEFORE, YEAR_BEFORE))
    lines = [("期初会员数", start, False), ("本期增加", inc, False),
             *[(label, per_period(changes, kind), True) for kind, label in rf.INCREASES.items()],
             ("本期减少", dec, False),
             *[(label, per_period(changes, kind), True) for kind, label in rf.DECREASES.items()],
             ("期末会员数", end, False), ("其中：保留会籍", retained_end, True),
             ("本期办理保留会籍", per_period(changes, rf.RETAINED), False)]
    rows, indent = rows_of(lines)
    sections: list[Table | Chart] = [Table("会员增减情况", COLUMNS, rows, indent=indent,
                                           note="期初为本期第一天之前一日的会员数；会员含保留会籍。")]
    sections += _composition(found["detail"], end)
    month_counts = stock_from(found["stock"], len(count_days) - len(months))
    sections.append(Chart("会员人数（近12个月，月末）", "line", tuple(label for label, _ in months),
                          (Series("会员人数", tuple(month_counts)),)))
    return Report(kind="members", title=REPORT_KINDS["members"], union_name=scope.union_name, period=period,
                  sections=tuple(sections), coverage=scope.coverage, printed_on=ctx.today(), clerk=ctx.clerk.name,
                  reconciliation=reconciliation_text(start[0], inc[0], dec[0], end[0]),
                  township=scope.township_name)


def stock_from(stock: dict[int, tuple[int, int]], first: int) -> list[int]:
    return [stock[k][0] for k in sorted(stock) if k >= first]


_COMPOSITION = (
    ("gender", "期末会员构成：按性别", rf.GENDERS, True, (), None),
    ("age", "期末会员构成：按年龄段（按期末年龄）", tuple(label for _, _, label in rf.AGE_BANDS), True,
     (rf.UNKNOWN_AGE,), None),
    ("occupation", "期末会员构成：按职业", vocab.OCCUPATIONS, True, ("",), rf.NOT_GIVEN),
    ("platform", "期末会员构成：按平台", vocab.PLATFORMS, False, ("",), rf.NO_PLATFORM),
    ("channel", "期末会员构成：按入会方式", tuple(vocab.JOIN_CHANNELS), True, ("",), rf.NOT_GIVEN),
    ("union", "期末会员构成：按所属工会", (), False, ("",), rf.NOT_GIVEN),
)


def _composition(detail, end: tuple[int, ...]) -> list[Table]:
    tables = []
    for dim, title, known, keep_known, last, blank_label in _COMPOSITION:
        counts = {k: detail[k][dim] for k in (NOW, BEFORE, YEAR_BEFORE)}
        found = {v for k in counts for v, n in counts[k].items() if n}
        order = rf.ordered(found, known, keep_known=keep_known, last=last)

        def label(value: str, dim=dim, blank_label=blank_label) -> str:
            if value == "" and blank_label:
                return blank_label
            return vocab.JOIN_CHANNELS.get(value, value) if dim == "channel" else value

        lines = [("期末会员数", end, False), *breakdown_lines(counts, order, label)]
        rows, indent = rows_of(lines)
        tables.append(Table(title, COLUMNS, rows, indent=indent))
    return tables
