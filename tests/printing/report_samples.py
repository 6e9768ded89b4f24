"""Reports made by hand, shaped like the ones ``services.reports`` builds: what the paper and the
window are tested with, figures chosen so every kind of cell (count, yuan, ratio, —) and every
section (tables, indented sub-lines, a bar and a line chart) appears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clerk_app.domain.reports import Chart, Period, Report, Series, SiteCoverage, Table, change_text

COMPARE = ("项目", "本期", "上期", "环比", "去年同期", "同比")
OCCUPATIONS = ("货车司机", "快递员", "外卖配送员", "网约车司机", "环卫工人", "家政服务员", "保安员")
MONTHS = tuple(f"{m}月" for m in range(1, 13))


def _row(label: str, now: int | Decimal, before: int | Decimal | None, last_year: int | Decimal | None):
    return (label, now, before, change_text(now, before), last_year, change_text(now, last_year))


def members_report(period: Period, *, printed_on: dt.date, union: str = "大兴区黄村镇总工会",
                   clerk: str = "李经办", township: str = "", scale: int = 1,
                   extra_rows: int = 0) -> Report:
    """A 会员报表 whose figures reconcile (1,200 + 48 − 13 = 1,235, times ``scale``);
    ``extra_rows`` more branch lines make the branch table run over pages."""
    s = scale
    movement = Table("一、会员增减情况", COMPARE, (
        _row("期初会员数", 1200 * s, 1188 * s, 1100 * s),
        _row("本期增加", 48 * s, 25 * s, 30 * s),
        _row("其中：新入会", 41 * s, 22 * s, 27 * s),
        _row("转入", 7 * s, 3 * s, 3 * s),
        _row("本期减少", 13 * s, 13 * s, 0),
        _row("其中：转出", 9 * s, 10 * s, 0),
        _row("退会", 3 * s, 3 * s, 0),
        _row("开除", 1 * s, 0, 0),
        _row("保留会籍", 4 * s, 4 * s, 2 * s),
        _row("期末会员数", 1235 * s, 1200 * s, 1130 * s),
    ), indent=frozenset({2, 3, 5, 6, 7}))
    gender = Table("二、按性别、年龄段", ("项目", "期末人数", "本期入会"), (
        ("男", 812 * s, 30 * s), ("女", 423 * s, 11 * s),
        ("35岁及以下", 511 * s, 25 * s), ("36—50岁", 560 * s, 14 * s), ("51岁及以上", 164 * s, 2 * s),
    ), note="年龄按报表期末日计算。")
    occupation_rows = tuple((name, 100 * s + 37 * i, 3 + i, None if i % 3 == 0 else Decimal(i) / 10)
                            for i, name in enumerate(OCCUPATIONS))
    occupations = Table("三、按职业（新就业形态劳动者）", ("职业", "期末人数", "本期入会", "占比"),
                        (("新就业形态劳动者合计", sum(r[1] for r in occupation_rows), 40, None),) + tuple(
                            (n, a, b, None if c is None else f"{c:.1f}%") for n, a, b, c in occupation_rows),
                        indent=frozenset(range(1, len(OCCUPATIONS) + 1)))
    branches = Table("四、按分会", ("分会", "期初", "增加", "减少", "期末"),
                     tuple((f"第{i + 1}分会", 100 + i, i % 5, i % 3, 100 + i + i % 5 - i % 3)
                           for i in range(12 + extra_rows)))
    recruits = Chart("本期入会人数（按职业）", "bar", OCCUPATIONS,
                     (Series("本期", tuple(3 + i for i in range(len(OCCUPATIONS)))),
                      Series("上期", tuple(2 + (i * 2) % 5 for i in range(len(OCCUPATIONS))))))
    by_month = Chart("会员人数（按月）", "line", MONTHS,
                     (Series("会员人数", tuple(1100 * s + 12 * m for m in range(12))),))
    coverage = (SiteCoverage("黄村镇笔记本1", union, "2026-11-30T17:05:00+08:00"),
                SiteCoverage("黄村镇笔记本2", union, "2026-11-28"))
    return Report("members", "基层工会会员报表", union, period,
                  (movement, gender, occupations, recruits, by_month, branches), coverage, printed_on, clerk,
                  reconciliation=f"期初 {1200 * s:,} + 增加 {48 * s:,} − 减少 {13 * s:,} = 期末 {1235 * s:,}，核对相符。",
                  township=township)


def work_report(period: Period, *, printed_on: dt.date, union: str = "大兴区黄村镇总工会",
                clerk: str = "李经办") -> Report:
    recruits = Table("一、发展会员", COMPARE, (
        _row("新入会合计", 165, 120, 98), _row("扫码入会", 101, 60, 40), _row("活动现场入会", 44, 50, 50),
        _row("名册导入", 20, 10, 8)), indent=frozenset({1, 2, 3}))
    cards = Table("二、服务卡", ("项目", "本期", "上期"), (("发放", 150, 111), ("挂失", 4, 2), ("补办", 3, 2)))
    events = Table("三、活动", ("活动类型", "场次", "签到人次", "其中会员"), (
        ("入会宣传", 6, 830, 512), ("普法讲座", 2, 120, 118), ("送清凉", 3, 1046, 733)))
    money = Table("四、帮扶资金", ("类型", "户次", "金额（元）"), (
        ("两节送温暖", 18, Decimal("18000.00")), ("金秋助学", 5, Decimal("7500.50")), ("合计", 23, Decimal("25500.50"))))
    attendance = Chart("签到人次（按活动类型）", "bar", ("入会宣传", "普法讲座", "送清凉"),
                       (Series("签到人次", (830, 120, 1046)),))
    return Report("work", "工作情况报表", union, period, (recruits, cards, events, attendance, money),
                  (SiteCoverage("黄村镇笔记本1", union, "2026-11-30"),), printed_on, clerk)
