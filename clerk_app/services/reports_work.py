"""工作情况报表 of a period (month, quarter, year or any dates): members recruited by channel
(新入会, as the members report counts them) and by occupation, service cards issued / lost /
reissued / cancelled, events held by type with their sign-ins, the consultations, materials and
services tallied at them, and — where hardship files exist — files opened and closed and the
assistance paid by type and fund (yuan, exact)."""

from __future__ import annotations

from decimal import Decimal

from ..domain import event as ev
from ..domain import report_figures as rf
from ..domain import vocab
from ..domain.assistance import FUNDS, KINDS
from ..domain.money import to_yuan
from ..domain.reports import REPORT_KINDS, Chart, Period, Report, Series, Table
from ..domain.hardship import STATUSES as FILE_STATUSES
from ..storage import report_queries as rq
from .context import Context
from .report_tables import (BEFORE, COLUMNS, NOW, YEAR_BEFORE, iso_periods, per_period, rows_of, scope_of)

K3 = (NOW, BEFORE, YEAR_BEFORE)
SERIES_NAMES = ("本期", "上期", "去年同期")


def work_report(ctx: Context, period: Period, *, township: str | None = None) -> Report:
    """The 工作情况报表 of ``period`` for the whole database or one township."""
    scope = scope_of(ctx, township)
    periods = iso_periods(period)
    recruits = rq.recruit_figures(ctx.db, periods, township)
    cards = rq.card_figures(ctx.db, periods, township)
    events = rq.event_figures(ctx.db, periods, township)
    hardship = rq.hardship_figures(ctx.db, periods, township)
    sections: list[Table | Chart] = [_recruits(recruits, events["events"]), _cards(cards)]
    sections += _events(events["events"])
    sections.append(_tallies(events["tallies"]))
    notes: tuple[str, ...] = ()
    if hardship["exists"]:
        sections += _hardship(hardship)
    else:
        notes = ("本范围内尚无困难职工档案，帮扶情况从略。",)
    sections += _charts(recruits, events["events"])
    return Report(kind="work", title=REPORT_KINDS["work"], union_name=scope.union_name, period=period,
                  sections=tuple(sections), coverage=scope.coverage, printed_on=ctx.today(), clerk=ctx.clerk.name,
                  township=scope.township_name, notes=notes)


def _recruit_channels() -> list[str]:
    return [c for c in vocab.JOIN_CHANNELS if c != rf.TRANSFER_CHANNEL]


def _recruits(recruits, events) -> Table:
    by_channel = {k: recruits[k]["channel"] for k in K3}
    total = tuple(sum(by_channel[k].values()) for k in K3)
    joined_at_events = tuple(sum(v[3] for v in events[k].values()) for k in K3)
    lines = [("新发展会员", total, False),
             *[(vocab.JOIN_CHANNELS[c], per_period(by_channel, c), True) for c in _recruit_channels()],
             ("其中：活动现场登记入会", joined_at_events, True)]
    rows, indent = rows_of(lines)
    return Table("发展会员情况（按入会方式）", COLUMNS, rows, indent=indent, note="转入的会员不计入新发展会员。")


def _cards(cards) -> Table:
    lines = [(label, per_period(cards, kind), False) for kind, label in rf.CARD_LINES.items()]
    lines.append(("期末有效服务卡", per_period(cards, "active_at_end"), False))
    rows, indent = rows_of(lines)
    return Table("服务卡发放情况", COLUMNS, rows, indent=indent, note="补换时换发的新卡计入“补换”，不计入新发。")


def _event_types(events) -> list[str]:
    found = {t for k in K3 for t, v in events[k].items() if v[0]}
    return rf.ordered(found, ev.EVENT_TYPES, keep_known=False)


def _events(events) -> list[Table]:
    types = _event_types(events)

    def column(i: int, t: str | None = None) -> tuple[int, ...]:
        return tuple(sum(v[i] for typ, v in events[k].items() if t is None or typ == t) for k in K3)

    held = [("活动场次", column(0), False), *[(t, column(0, t), True) for t in types]]
    attendance = column(1)
    walk_ins = column(2)
    people = [("参加人次", attendance, False), *[(t, column(1, t), True) for t in types],
              ("其中：会员", tuple(a - w for a, w in zip(attendance, walk_ins)), True),
              ("其中：非会员（现场登记）", walk_ins, True)]
    rows, indent = rows_of(held + people)
    return [Table("活动开展情况（按活动类型）", COLUMNS, rows, indent=indent,
                  note="跨零点的活动按开始当天计一场；同一人在同一活动多次签到只计一次。")]


def _tallies(tallies) -> Table:
    lines: list[tuple[str, tuple[int, ...], bool]] = []
    for kind in ev.TALLY_KINDS:
        counts = {k: tallies[k].get(kind, {}) for k in K3}
        found = {lab for k in K3 for lab, n in counts[k].items() if n}
        order = rf.ordered(found, ev.TALLY_SUGGESTIONS.get(kind, ()), keep_known=False)
        total = tuple(sum(counts[k].values()) for k in K3)
        lines.append((_TALLY_TOTALS[kind], total, False))
        lines += [(lab, per_period(counts, lab), True) for lab in order]
    rows, indent = rows_of(lines)
    return Table("咨询、宣传和服务", COLUMNS, rows, indent=indent)


_TALLY_TOTALS = {ev.CONSULTATION: "咨询人次", ev.MATERIAL: "发放宣传资料（份）", ev.SERVICE: "提供服务（人次）"}


def _hardship(h) -> list[Table]:
    events = h["events"]
    paid = h["paid"]

    def money(select) -> tuple[Decimal, ...]:
        return tuple(to_yuan(sum(fen for key, fen in paid[k].items() if select(key))) for k in K3)

    kinds = rf.ordered({kind for k in K3 for (kind, _f) in paid[k]}, KINDS, keep_known=False)
    funds = rf.ordered({fund for k in K3 for (_k, fund) in paid[k]}, FUNDS, keep_known=False)
    lines = [("新建档", per_period(events, rf.FILES_OPENED), False),
             (FILE_STATUSES[rf.FILES_RESOLVED], per_period(events, rf.FILES_RESOLVED), False),
             (FILE_STATUSES[rf.FILES_WITHDRAWN], per_period(events, rf.FILES_WITHDRAWN), False),
             ("期末在档", tuple(h["open"][k] for k in K3), False),
             ("受助职工（人）", tuple(h["helped"][k] for k in K3), False)]
    rows, indent = rows_of(lines)
    money_lines = [("帮扶金额合计（元）", money(lambda key: True), False),
                   *[(kind, money(lambda key, kind=kind: key[0] == kind), True) for kind in kinds]]
    fund_lines = [("帮扶金额合计（元）", money(lambda key: True), False),
                  *[(fund, money(lambda key, fund=fund: key[1] == fund), True) for fund in funds]]
    m_rows, m_indent = rows_of(money_lines)
    f_rows, f_indent = rows_of(fund_lines)
    return [Table("困难职工帮扶情况", COLUMNS, rows, indent=indent),
            Table("帮扶金额（按帮扶类型）", COLUMNS, m_rows, indent=m_indent, note="冲销按冲销日期计入，金额为负。"),
            Table("帮扶金额（按资金来源）", COLUMNS, f_rows, indent=f_indent)]


def _charts(recruits, events) -> list[Chart]:
    charts = []
    by_occ = {k: recruits[k]["occupation"] for k in K3}
    found = {o for k in K3 for o, n in by_occ[k].items() if n}
    occupations = rf.ordered(found, vocab.OCCUPATIONS, keep_known=False, last=("",))
    if occupations:
        charts.append(Chart("新发展会员（按职业）", "bar",
                            tuple(o or rf.NOT_GIVEN for o in occupations),
                            tuple(Series(name, tuple(by_occ[k].get(o, 0) for o in occupations))
                                  for name, k in zip(SERIES_NAMES, K3))))
    types = _event_types(events)
    if types:
        charts.append(Chart("参加人次（按活动类型）", "bar", tuple(types),
                            tuple(Series(name, tuple(events[k].get(t, (0, 0, 0, 0))[1] for t in types))
                                  for name, k in zip(SERIES_NAMES, K3))))
    return charts
