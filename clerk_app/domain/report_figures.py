"""What the supervisor reports count, as pure rules: age bands, the kinds of membership change a
status-history line is, and the order category lines print in. The SQL that counts them is in
``storage.report_queries``; ``services.reports`` builds the tables.

A status-history line (effective date, status, channel; the line before it for the same person)
is one of these changes in a period:

* 新入会 — the person's first line, in the union, not by transfer;
* 重新入会 — back to 在会 after 转出 / 退会 / 开除 (not by transfer);
* 转入 — into the union with the channel ``transfer_in`` (first line or back);
* 转出, 退会, 开除会籍 — a leaving line, whatever came before;
* 保留会籍 — a line moving to 保留会籍 (still a member: not a decrease);
* 恢复在会 after 保留会籍, or a second 在会 after 在会 (a person registered on two laptops and
  merged at the district) — no change in the count.

The members in the union on a day are those whose last line on or before that day is 在会 or
保留会籍 (a line with no date — a roster that did not say when — counts as before every day).
So start + increases − decreases = end holds for a sound history; a second 退会 of someone
already out, or 保留会籍 straight after leaving, breaks it, and the report says by how much."""

from __future__ import annotations

import calendar
import datetime as _dt

from . import vocab
from .reports import Period

JOINED, REJOINED, TRANSFER_IN = "joined", "rejoined", "transfer_in"
TRANSFERRED_OUT, WITHDRAWN, EXPELLED = vocab.TRANSFERRED_OUT, vocab.WITHDRAWN, vocab.EXPELLED
RETAINED = vocab.RETAINED
INCREASES = {JOINED: "新入会", REJOINED: "重新入会", TRANSFER_IN: "转入"}
DECREASES = {TRANSFERRED_OUT: "转出", WITHDRAWN: "退会", EXPELLED: "开除会籍"}
LEAVING = tuple(DECREASES)
IN_UNION = (vocab.ACTIVE, vocab.RETAINED)
TRANSFER_CHANNEL = "transfer_in"

# (lowest age, highest age or None, label): age on the day counted, from the birth date.
AGE_BANDS = ((0, 24, "24岁及以下"), (25, 34, "25—34岁"), (35, 44, "35—44岁"), (45, 54, "45—54岁"),
             (55, None, "55岁及以上"))
UNKNOWN_AGE = "出生日期不详"
NOT_GIVEN = "未填写"
NO_PLATFORM = "无平台/未填写"
GENDERS = ("男", "女")

# Card lifecycle lines of the work report (card_events; a reissue also writes an issue line for
# the new card, which is not counted again as a new card).
CARD_NEW, CARD_LOST, CARD_REISSUE, CARD_CANCEL = "issue", "lost", "reissue", "cancel"
CARD_LINES = {CARD_NEW: "新发服务卡", CARD_LOST: "挂失", CARD_REISSUE: "补换", CARD_CANCEL: "注销"}

# Hardship file lines (hardship_history events) of the work report.
FILES_OPENED, FILES_RESOLVED, FILES_WITHDRAWN = "filed", "resolved", "withdrawn"


def day_before(day: _dt.date) -> _dt.date:
    return day - _dt.timedelta(days=1)


def month_ends(end: _dt.date, months: int = 12) -> list[tuple[str, _dt.date]]:
    """(label, day) of the ``months`` months ending with the month of ``end``: each month's last
    day, the last one ``end`` itself (a period may end mid-month). Oldest first."""
    out: list[tuple[str, _dt.date]] = []
    year, month = end.year, end.month
    for _ in range(months):
        nxt = _dt.date(year + (month == 12), 1 if month == 12 else month + 1, 1)
        last = min(nxt - _dt.timedelta(days=1), end)
        out.append((f"{year}-{month:02d}", last))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def ordered(found: set[str], known: tuple[str, ...], *, keep_known: bool, last: tuple[str, ...] = ()) -> list[str]:
    """Category lines in print order: the vocabulary's order (every line when ``keep_known``,
    else only those found), then other values found (text a clerk typed) in code-point order,
    then ``last`` (e.g. 未填写) when found."""
    head = [k for k in known if keep_known or k in found]
    rest = sorted(v for v in found if v not in known and v not in last)
    return head + rest + [v for v in last if v in found]


def period_between(start: _dt.date, end: _dt.date) -> Period:
    """The period ``start``..``end``, recognised as a month, quarter or year when it is exactly
    one (so 上期 is the month, quarter or year before), else a custom range."""
    if start.day == 1 and end.year == start.year:
        last = calendar.monthrange(end.year, end.month)[1]
        if end.day == last:
            if end.month == start.month:
                return Period.month(start.year, start.month)
            if start.month % 3 == 1 and end.month == start.month + 2:
                return Period.quarter(start.year, (start.month + 2) // 3)
            if start.month == 1 and end.month == 12:
                return Period.year(start.year)
    return Period(start, end, "custom")
