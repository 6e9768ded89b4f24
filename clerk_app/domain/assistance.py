"""The assistance ledger's vocabulary and rules (帮扶台账).

Rules (defaults from the seeds, editable by a 负责人 and versioned; every entry keeps the version
it was checked against):

* 临时应急救助: 5,000–50,000 yuan per payment (Daxing 2022: 35 workers, 5,000 to 50,000 each);
* 两节送温暖: once per 两节 season per worker. The season of year Y runs from ``days_before``
  days before 元旦 (1 January Y) to ``days_after`` days after 春节 (the lunar new year of Y, from
  ``lunardate``, which moves between 21 January and 20 February);
* 金秋助学: once per school year per child, paid to a child of the household. The school year
  starts on a configured day (default 1 September) and ends the day before it a year later.

:func:`check` is pure: it takes the payment and the worker's earlier (not reversed) payments and
returns what it breaks; the service decides (refuse, or keep a 负责人's override reason)."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass
from typing import Iterable

from lunardate import LunarDate

from .money import fmt_yuan

EMERGENCY, FESTIVAL, EDUCATION, MEDICAL, EMPLOYMENT, SUMMER, OTHER = (
    "临时应急救助", "两节送温暖", "金秋助学", "医疗救助", "就业帮扶", "夏送清凉", "其他")
KINDS = (EMERGENCY, FESTIVAL, EDUCATION, MEDICAL, EMPLOYMENT, SUMMER, OTHER)
METHODS = ("银行转账", "现金", "实物", "其他")
FUNDS = ("工会经费", "上级补助", "社会捐赠", "专项资金", "其他")
NOTES_MAX = 500


@dataclass(frozen=True)
class Rules:
    emergency_min_fen: int = 500_000
    emergency_max_fen: int = 5_000_000
    festival_days_before: int = 30  # before 元旦
    festival_days_after: int = 15  # after 春节
    school_year_month: int = 9  # the school year starts on this month and day (金秋助学)
    school_year_day: int = 1

    def problem(self) -> str | None:
        """Why these rules cannot be used (one Chinese sentence), or None."""
        if not 0 < self.emergency_min_fen <= self.emergency_max_fen:
            return "临时应急救助的下限应大于 0 且不高于上限"
        if self.emergency_max_fen > 100_000_000:
            return "临时应急救助的上限不能超过 1,000,000.00 元"
        if not (0 <= self.festival_days_before <= 60 and 0 <= self.festival_days_after <= 60):
            return "两节发放期在元旦前、春节后的天数应为 0 至 60 天"
        try:
            _dt.date(2001, self.school_year_month, self.school_year_day)  # not 29 February: every year has it
        except ValueError:
            return "学年起始日不是有效的日期"
        return None

    @property
    def school_year_text(self) -> str:
        return f"{self.school_year_month} 月 {self.school_year_day} 日"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Rules":
        data = json.loads(text)
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__dataclass_fields__})


DEFAULT = Rules()
DEFAULT_VERSION = 0  # the built-in rules, before any 负责人 edited them


def spring_festival(year: int) -> _dt.date:
    return LunarDate(year, 1, 1).to_solar_date()


def festival_season(day: _dt.date, rules: Rules) -> tuple[_dt.date, _dt.date] | None:
    """The 两节 season (first day, last day) that ``day`` falls in, or None outside every season."""
    for year in (day.year, day.year + 1):
        start = _dt.date(year, 1, 1) - _dt.timedelta(days=rules.festival_days_before)
        end = spring_festival(year) + _dt.timedelta(days=rules.festival_days_after)
        if start <= day <= end:
            return start, end
    return None


def school_year(day: _dt.date, rules: Rules = DEFAULT) -> tuple[_dt.date, _dt.date]:
    """The school year (first day, last day) ``day`` falls in."""
    start = _dt.date(day.year, rules.school_year_month, rules.school_year_day)
    first = start if day >= start else start.replace(year=day.year - 1)
    return first, first.replace(year=first.year + 1) - _dt.timedelta(days=1)


@dataclass(frozen=True)
class Payment:
    kind: str
    amount_fen: int
    paid_date: _dt.date
    recipient_id: str = ""  # a household member (金秋助学), or '' for the worker


@dataclass(frozen=True)
class Breach:
    rule: str  # emergency_range, festival_twice, festival_outside, education_twice, education_recipient
    detail: str  # one Chinese sentence


def check(payment: Payment, earlier: Iterable[Payment], rules: Rules) -> list[Breach]:
    """The rules ``payment`` breaks, given the same worker's earlier payments that still stand."""
    out: list[Breach] = []
    if payment.kind == EMERGENCY and not rules.emergency_min_fen <= payment.amount_fen <= rules.emergency_max_fen:
        out.append(Breach("emergency_range", f"临时应急救助每次应在 {fmt_yuan(rules.emergency_min_fen)} 至 "
                                             f"{fmt_yuan(rules.emergency_max_fen)} 元之间，本次 {fmt_yuan(payment.amount_fen)} 元"))
    if payment.kind == FESTIVAL:
        season = festival_season(payment.paid_date, rules)
        if season is None:
            out.append(Breach("festival_outside", f"{payment.paid_date.isoformat()} 不在两节（元旦、春节）发放期内"))
        else:
            start, end = season
            same = [p for p in earlier if p.kind == FESTIVAL and start <= p.paid_date <= end]
            if same:
                out.append(Breach("festival_twice", f"本季两节（{start.isoformat()} 至 {end.isoformat()}）已于 "
                                                    f"{same[0].paid_date.isoformat()} 发放过两节送温暖"))
    if payment.kind == EDUCATION:
        if not payment.recipient_id:
            out.append(Breach("education_recipient", "金秋助学应发给家庭成员中的在读子女"))
        else:
            start, end = school_year(payment.paid_date, rules)
            same = [p for p in earlier if p.kind == EDUCATION and p.recipient_id == payment.recipient_id
                    and start <= p.paid_date <= end]
            if same:
                out.append(Breach("education_twice", f"该子女本学年（{start.isoformat()} 至 {end.isoformat()}）"
                                                     f"已于 {same[0].paid_date.isoformat()} 领取过金秋助学"))
    return out
