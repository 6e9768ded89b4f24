"""Rebuilding ID numbers from masked output, the way someone holding the paper or the file
would: take the digits the mask leaves, every other hint about the same person in the same row
or page (birth date, birth year, age, gender), and enumerate the numbers consistent with them
and with the GB 11643 check character.

A person is *rebuilt* when at most ``LEAKY`` candidates remain and the real number is among
them — a list short enough to try at a bank counter or against a leaked database. The hints
are looked for about the real person (we know who each row is), so the attacker is assumed to
link every hint to the right row: a conservative attack. Gender is always assumed known."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from stdnum.cn import ric

LEAKY = 1000
OLDEST = dt.date(1900, 1, 1)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def dates_for(*, exact: dt.date | None = None, year: int | None = None, age: int | None = None,
              today: dt.date) -> list[dt.date]:
    """Birth dates consistent with the hints (all of them at once)."""
    first, last = OLDEST, today
    if exact is not None:
        first, last = exact, exact
    if year is not None:
        first, last = max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
    if age is not None:  # age on ``today``: born after today - (age+1) years, on or before today - age years
        first = max(first, _years_before(today, age + 1) + dt.timedelta(days=1))
        last = min(last, _years_before(today, age))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _fits(pattern: str, text: str) -> bool:
    return all(p == "*" or p == t for p, t in zip(pattern, text))


def candidates(masked: str, dates: Iterable[dt.date], gender: str | None = None,
               limit: int = LEAKY + 1) -> list[str]:
    """Full 18-character numbers that show as ``masked`` (``*`` hidden) and fit ``dates`` and
    ``gender``; stops after ``limit`` (more than LEAKY means: not rebuilt)."""
    assert len(masked) == 18, masked
    found: list[str] = []
    regions = _fill(masked[:6])
    seqs = [s for s in _fill(masked[14:17]) if gender is None or (int(s[-1]) % 2 == 1) == (gender == "男")]
    for day in dates:
        birth = day.strftime("%Y%m%d")
        if not _fits(masked[6:14], birth):
            continue
        for region in regions:
            for seq in seqs:
                body = region + birth + seq
                check = ric.calc_check_digit(body + "0")
                if masked[17] in ("*", check):
                    found.append(body + check)
                    if len(found) >= limit:
                        return found
    return found


def _fill(pattern: str) -> list[str]:
    """Every digit string matching ``pattern`` (``*``: any digit)."""
    out = [""]
    for ch in pattern:
        out = [o + d for o in out for d in ("0123456789" if ch == "*" else ch)]
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def birth_hints(text: str, birth: dt.date, today: dt.date) -> dict:
    """Which hints about ``birth`` the ``text`` carries: the date written any usual way, the
    year, the age on ``today`` (numbers are told apart by the spaces between cells)."""
    b = birth
    forms = {b.isoformat(), b.strftime("%Y%m%d"), f"{b.year}年{b.month}月{b.day}日", b.strftime("%Y/%m/%d"),
             f"{b.year}/{b.month}/{b.day}", b.strftime("%Y.%m.%d"), f"{b.year}.{b.month}.{b.day}",
             f"{b.year}-{b.month}-{b.day}", f"{b.year}年{b.month:02d}月{b.day:02d}日"}
    hints: dict = {}
    if any(f in squeeze(text) for f in forms):
        hints["exact"] = b
    if re.search(rf"(?<!\d){b.year}(?!\d)", text):
        hints["year"] = b.year
    age = today.year - b.year - ((today.month, today.day) < (b.month, b.day))
    if re.search(rf"(?<!\d){age}(?!\d)", text):
        hints["age"] = age
    return hints


def rebuilt(text: str, id_number: str, birth: dt.date, gender: str, today: dt.date,
            shown_as: str | None = None) -> list[str] | None:
    """The short candidate list that contains ``id_number``, when ``text`` (one row or page
    about this person) gives it away; None when it does not (or when the number is not on it).
    ``shown_as``: the masked form to look for (default: the app's ``mask``)."""
    from clerk_app.domain.idnumber import mask

    t = squeeze(text)
    if id_number in t:
        return [id_number]  # shown in full: nothing to rebuild
    masked = shown_as or mask(id_number)
    if masked not in t:
        return None
    found = candidates(masked, dates_for(today=today, **birth_hints(text, birth, today)), gender)
    return found if len(found) <= LEAKY and id_number in found else None


def rows_rebuilt(rows: Iterator[tuple[str, str, dt.date, str]], today: dt.date) -> list[str]:
    """The names of the people whose row (text, id, birth, gender) gives their number away."""
    return [id_number for text, id_number, birth, gender in rows if rebuilt(text, id_number, birth, gender, today)]
