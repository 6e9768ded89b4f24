"""The member registration form as a value object, and its validation (pure, no I/O)."""

from __future__ import annotations

import datetime as _dt
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from . import vocab
from .errors import Issue
from .idnumber import IdCheck, age_on, check_id
from .phone import normalise_phone
from .text import multi_line, single_line

MIN_AGE = 16
NAME_MAX = 30

# (field, label, max length) of the free-text fields, in form order.
TEXT_FIELDS = (
    ("ethnicity", "民族", 20), ("employer", "工作单位", 100), ("platform", "平台", 40),
    ("work_area", "工作区域/站点", 60), ("occupation", "职业", 30),
    ("household_type", "户口类型", 20), ("education", "学历", 20),
    ("political_status", "政治面貌", 20), ("native_place", "籍贯", 40),
    ("job_title", "职务", 40), ("professional_title", "职称", 40),
    ("family_info", "家庭主要成员及其工作单位", 500), ("resume", "个人工作简历", 1000),
    ("member_card_no", "会员证号码", 30), ("remarks", "备注", 500),
)
LABELS = {"name": "姓名", "id_number": "身份证号码", "phone": "手机号码", "union_id": "所属工会",
          "join_date": "入会日期", "join_channel": "入会方式", "salary": "工资",
          **{f: label for f, label, _ in TEXT_FIELDS}}
CLOSED_CHOICES = {
    "ethnicity": vocab.ETHNICITIES, "household_type": vocab.HOUSEHOLD_TYPES,
    "education": vocab.EDUCATION, "political_status": vocab.POLITICAL_STATUS,
}
REQUIRED_TEXT = ("ethnicity", "occupation")
# What the registration form requires beyond the roster minimum (name, a valid ID number,
# the union and a lawful basis): a roster member without them is 资料待补全.
COMPLETABLE = ("phone", "join_date", *REQUIRED_TEXT)


def missing_fields(values: dict) -> list[str]:
    """The form's required fields that ``values`` (a stored or validated member) leaves empty."""
    return [f for f in COMPLETABLE if not values.get(f)]


def encode_missing(fields_: list[str]) -> str:
    return ",".join(fields_)


def decode_missing(text: str | None) -> list[str]:
    return [f for f in (text or "").split(",") if f]


def missing_labels(text: str | None) -> list[str]:
    """The Chinese labels of a stored ``missing_fields`` value, in form order."""
    return [LABELS.get(f, f) for f in decode_missing(text)]


@dataclass
class MemberInput:
    """What the registration form holds, as typed."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    union_id: str = ""
    join_date: _dt.date | None = None
    join_channel: str = "onsite"
    salary: str = ""
    ethnicity: str = "汉族"
    employer: str = ""
    platform: str = ""
    work_area: str = ""
    occupation: str = ""
    household_type: str = ""
    education: str = ""
    political_status: str = ""
    native_place: str = ""
    job_title: str = ""
    professional_title: str = ""
    family_info: str = ""
    resume: str = ""
    member_card_no: str = ""
    remarks: str = ""
    consent_method: str = "screen"

    def copy(self, **changes) -> "MemberInput":
        return replace(self, **changes)


@dataclass
class CleanMember:
    """A validated form: the values to store, plus what was derived from the ID number."""

    values: dict
    id_check: IdCheck
    warnings: list[Issue] = field(default_factory=list)


MULTILINE_FIELDS = ("family_info", "resume", "remarks")


def _clean_text(value: str) -> str:
    return single_line(value)


def bad_name_chars(name: str) -> str:
    """The distinct characters of a name that are neither letters (any script) nor the
    middle dots, full stop and space of transliterated names."""
    bad = [ch for ch in name if not (ch in "·•. " or unicodedata.category(ch).startswith("L"))]
    return "".join(dict.fromkeys(bad))


def parse_salary(text: str) -> tuple[int | None, Issue | None]:
    text = unicodedata.normalize("NFKC", text or "").replace(",", "").replace("元", "").strip()
    if not text:
        return None, None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, Issue("salary", "member.salary_invalid")
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount > Decimal("10000000"):
        return None, Issue("salary", "member.salary_invalid")
    return int(amount * 100), None


def validate_member(inp: MemberInput, today: _dt.date, *, roster: bool = False
                    ) -> tuple[CleanMember | None, list[Issue]]:
    """Check every field; return the clean values or every problem found (never just the first).

    ``roster=True`` (a union's roster): only the minimum is required — a name, a valid ID
    number, the union and a lawful basis (``consent_method`` may be ``vocab.ROSTER_CONSENT``).
    An empty phone, 民族, 职业 or an unknown join date (None: kept unknown, never today) is not
    a problem; ``values["missing_fields"]`` names them. What is given is still checked."""
    issues: list[Issue] = []
    values: dict = {}

    name = _clean_text(inp.name)
    if not name:
        issues.append(Issue("name", "member.name_required"))
    elif len(name) > NAME_MAX:
        issues.append(Issue("name", "member.name_too_long", {"max": NAME_MAX}))
    elif bad_name_chars(name):
        issues.append(Issue("name", "member.name_bad_chars", {"chars": bad_name_chars(name)}))
    values["name"] = name

    idc = check_id(inp.id_number, today)
    if idc.error:
        issues.append(Issue("id_number", idc.error.code, idc.error.params))
    else:
        age = age_on(idc.birth_date, today)
        if age < MIN_AGE:
            issues.append(Issue("id_number", "member.too_young", {"age": age}))
        values.update(id_number=idc.number, id_kind=idc.kind, gender=idc.gender,
                      birth_date=idc.birth_date.isoformat())

    phone, problem = normalise_phone(inp.phone)
    if problem:
        issues.append(problem)
    elif not phone and not roster:
        issues.append(Issue("phone", "phone.empty"))
    values["phone"] = phone

    if not inp.union_id:
        issues.append(Issue("union_id", "member.union_required"))
    values["union_id"] = inp.union_id

    join = inp.join_date or (None if roster else today)
    if join is not None and join > today:
        issues.append(Issue("join_date", "member.join_in_future"))
    elif join is not None and idc.birth_date and join < idc.birth_date:
        issues.append(Issue("join_date", "member.join_before_birth"))
    values["join_date"] = join.isoformat() if join is not None else None

    if inp.join_channel not in vocab.JOIN_CHANNELS:
        issues.append(Issue("join_channel", "member.bad_choice", {"label": LABELS["join_channel"]}))
    values["join_channel"] = inp.join_channel

    salary, problem = parse_salary(inp.salary)
    if problem:
        issues.append(problem)
    values["salary_fen"] = salary

    for fname, label, max_len in TEXT_FIELDS:
        text = _clean_text(getattr(inp, fname)) if fname not in MULTILINE_FIELDS \
            else multi_line(getattr(inp, fname))
        if len(text) > max_len:
            issues.append(Issue(fname, "member.too_long", {"label": label, "max": max_len}))
        elif text and fname in CLOSED_CHOICES and text not in CLOSED_CHOICES[fname]:
            issues.append(Issue(fname, "member.bad_choice", {"label": label}))
        elif not text and fname in REQUIRED_TEXT and not roster:
            issues.append(Issue(fname, "member.required", {"label": label}))
        values[fname] = text

    methods = vocab.CONSENT_LABELS if roster else vocab.CONSENT_METHODS
    if inp.consent_method not in methods:
        issues.append(Issue("consent_method", "member.consent_required"))
    values["missing_fields"] = encode_missing(missing_fields(values))

    if issues:
        return None, issues
    return CleanMember(values=values, id_check=idc, warnings=[Issue("id_number", w.code, w.params) for w in idc.warnings]), []

