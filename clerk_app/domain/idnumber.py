"""Resident ID numbers (公民身份号码, GB 11643) behind one small adapter.

python-stdnum's ``cn.ric`` does the checksum, the birth date and the region table. This
adapter adds what stdnum leaves out (see shared/LIBRARIES.md §3):

* normalisation: full-width digits, spaces, hyphens and a lowercase ``x``;
* a birth date in the future, or before 1900, is refused;
* the region code is looked up in stdnum's division table (``cn/loc``) *whatever the birth
  year*: a number keeps the code of the county where it was assigned, which may have been
  created after the birth (大兴区 110115 since 2001 for someone born in 1990) or abolished
  since (密云县 110228).  Every code that was ever in the table is named (its most recent
  name; an abolished one marked （已撤销）); only a code never in the table is a *warning*
  (the table lags new districts such as Xiong'an 1331xx), never a rejection;
* a number whose first two digits are no province, autonomous region or municipality
  (nor 81/82/83 below) is refused: no such number can have been issued;
* Hong Kong / Macau / Taiwan residence-permit numbers (prefix 81, 82, 83) are accepted on
  checksum and birth date alone, with a note;
* 15-digit first-generation numbers are **refused**: those cards stopped being valid on
  2013-01-01, so every living holder has an 18-digit number.  The message shows the
  number converted by the GB 11643 rule so the clerk can compare it with the card.

Birth date and gender are derived here, never typed.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .messages import message


# python-stdnum is imported on first use, not when the window starts (tests/ui/test_startup_imports.py)
def _ric():
    from stdnum.cn import ric

    return ric


def _numdb():
    from stdnum import numdb

    return numdb


_PERMIT_PREFIXES = {"81": "香港居民居住证", "82": "澳门居民居住证", "83": "台湾居民居住证"}
_STRIP = re.compile(r"[\s\-\u200b\u200c\u200d\ufeff]")
_OLDEST_BIRTH_YEAR = 1900
# One period of a division-table name: ``[1983-1989]南头区办事处`` (either year may be empty).
_PERIOD = re.compile(r"\[(\d*)-(\d*)\](.*)")
_NAME_LEVELS = ("province", "prefecture", "county")
ABOLISHED_MARK = "（已撤销）"

KIND_RESIDENT = "resident"
KIND_PERMIT = "hmt_permit"


@dataclass(frozen=True)
class IdIssue:
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return message(self.code, **self.params)


@dataclass(frozen=True)
class IdCheck:
    """Outcome of checking one ID number. ``error`` is None when the number is usable."""

    raw: str
    number: str
    error: IdIssue | None
    warnings: tuple[IdIssue, ...] = ()
    kind: str | None = None
    birth_date: _dt.date | None = None
    gender: str | None = None  # "男" / "女"
    region: str | None = None

    @property
    def valid(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        """The Chinese sentence a clerk sees: the error, else the warnings, else empty."""
        if self.error:
            return self.error.message
        return "；".join(w.message for w in self.warnings)

    def as_json(self) -> dict:
        return {
            "input": self.raw,
            "valid": self.valid,
            "code": self.error.code if self.error else "ok",
            "message": self.error.message if self.error else "有效",
            "number": self.number,
            "kind": self.kind,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "gender": self.gender,
            "region": self.region,
            "warnings": [{"code": w.code, "message": w.message} for w in self.warnings],
        }


def normalise(raw: str) -> str:
    """NFKC (full-width -> ASCII), drop spaces, hyphens and zero-width marks, upper-case X."""
    text = unicodedata.normalize("NFKC", raw or "")
    return _STRIP.sub("", text).upper()


def convert_15_to_18(number15: str) -> str:
    """The GB 11643 rule: insert the century ``19`` and append the check character."""
    body = number15[:6] + "19" + number15[6:]
    return body + _ric().calc_check_digit(body + "0")


def mask(number: str) -> str:
    """``110105************``: the region code kept; birth date, sequence number and check
    character hidden.

    The usual "first six and last four" hides only the eight birth-date digits: beside a birth
    year or an age — which lists, forms and the sign-in desk show to tell namesakes apart —
    about 33 numbers remain (365 days, one check character in 11), so such a "masked" list
    rebuilt to the real numbers. Hiding the sequence number too leaves some 16,000 candidates
    per person even with the year and gender known (tests/test_masking_leaks.py)."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 6)


def masked_birth(iso: str | None) -> str:
    """A birth date where the ID number is masked: the year only (``1990年``), since month and
    day are the part of the number the mask hides."""
    year = (iso or "")[:4]
    return f"{year}年" if year.isdigit() else ""


def _fail(raw: str, number: str, code: str, **params) -> IdCheck:
    return IdCheck(raw=raw, number=number, error=IdIssue(code, params))


def check_id(raw: str, today: _dt.date) -> IdCheck:
    """Check one ID number as typed, scanned or imported."""
    number = normalise(raw)
    if not number:
        return _fail(raw, number, "id.empty")
    if not re.fullmatch(r"[0-9X]+", number):
        return _fail(raw, number, "id.bad_chars")
    if len(number) == 15:
        if not number.isdigit():
            return _fail(raw, number, "id.bad_chars")
        return _fail(raw, number, "id.legacy_15", converted=convert_15_to_18(number))
    if len(number) != 18:
        return _fail(raw, number, "id.bad_length", length=len(number))
    if not number[:17].isdigit():
        return _fail(raw, number, "id.x_position")
    expected = _ric().calc_check_digit(number)
    if number[17] != expected:
        return _fail(raw, number, "id.bad_checksum")
    prefix = number[:2]
    if prefix not in _PERMIT_PREFIXES and not _is_province(prefix):
        return _fail(raw, number, "id.bad_province", prefix=prefix)
    try:
        birth = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _fail(raw, number, "id.bad_date", date=number[6:14])
    if birth > today:
        return _fail(raw, number, "id.future_date", date=birth.isoformat())
    if birth.year < _OLDEST_BIRTH_YEAR:
        return _fail(raw, number, "id.too_old", date=birth.isoformat())

    gender = "男" if int(number[16]) % 2 else "女"
    warnings: list[IdIssue] = []
    if prefix in _PERMIT_PREFIXES:
        kind, region = KIND_PERMIT, _PERMIT_PREFIXES[prefix]
        warnings.append(IdIssue("id.permit_note", {"kind": region}))
    else:
        kind, region = KIND_RESIDENT, region_name(number[:6])
        if region is None:
            warnings.append(IdIssue("id.region_unknown", {"code": number[:6]}))
    return IdCheck(raw=raw, number=number, error=None, warnings=tuple(warnings),
                   kind=kind, birth_date=birth, gender=gender, region=region)


@functools.lru_cache(maxsize=128)
def _is_province(prefix: str) -> bool:
    """True when ``prefix`` (two digits) is a province-level code in the division table."""
    return any(part == prefix and props.get("province") for part, props in _numdb().get("cn/loc").info(prefix))


def _latest_name(value: str) -> tuple[str, bool]:
    """The most recent name of a table entry (``[-1991]东郊区,[1992-]东丽区`` -> 东丽区) and
    whether that name's period has ended (the code is abolished)."""
    best: tuple[tuple, str, bool] | None = None
    for period in value.split(","):
        m = _PERIOD.fullmatch(period.strip())
        if m is None:
            name, start, end = period.strip(), 0, None
        else:
            name, start, end = m[3], int(m[1] or 0), int(m[2]) if m[2] else None
        key = (end is None, end or 0, start)  # still in use first, then the latest end, then start
        if best is None or key > best[0]:
            best = (key, name, end is not None)
    assert best is not None
    return best[1], best[2]


@functools.lru_cache(maxsize=8192)
def region_name(code: str) -> str | None:
    """Province (+ prefecture) + county for a six-digit region code, or None when the code was
    never in the division table. The birth year plays no part: a number keeps the code of
    where it was assigned, whenever that county was created or abolished. A code used under
    several names gets its most recent one; an abolished code is marked （已撤销）. Cached on
    the code (the table look-up was a seventh of a bulk registration's time)."""
    try:
        found = _numdb().get("cn/loc").info(code)
    except Exception:  # noqa: BLE001 - a broken table only means "region unknown"
        return None
    if not found or sum(len(part) for part, _ in found) != len(code) or not found[-1][1]:
        return None  # the county level (the whole code) is not in the table
    info = {k: v for _, props in found for k, v in props.items()}
    names: list[str] = []
    abolished = False
    for level in _NAME_LEVELS:
        if not info.get(level):
            continue
        name, ended = _latest_name(info[level])
        abolished |= ended
        if name and name not in names:
            names.append(name)
    if not names:
        return None
    return "".join(names) + (ABOLISHED_MARK if abolished else "")


def age_on(birth: _dt.date, day: _dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
