"""Roster columns: which header means which member field, and the typed import error.

Pure: no file or database access. A header is recognised by its usual names and synonyms
after normalising away what clerks and templates add around it (spaces, full-width forms,
required-field asterisks, bracketed notes such as "（必填）"). The result is a *proposal*;
the clerk confirms or changes it, and the confirmed mapping is remembered per header row
(see :mod:`clerk_app.services.roster_import`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from .errors import UserError
from .member import LABELS

# Fields a roster column can fill. Besides MemberInput's own fields: 'gender' and
# 'birth_date' are derived from the ID number and only checked for consistency; 'ignore'
# columns (序号, 所属工会, 会籍状态 ...) are read and dropped.
CHECK_ONLY = ("gender", "birth_date")
IGNORE = ""

FIELD_LABELS: dict[str, str] = {
    "name": "姓名", "id_number": "身份证号码", "phone": "手机号码", "gender": "性别",
    "birth_date": "出生日期", **{k: v for k, v in LABELS.items() if k not in ("name", "id_number", "phone", "union_id")},
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "会员姓名", "职工姓名", "名字"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "身份证",
                  "居民身份证号码", "身份证件号码", "身份号码"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "移动电话"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日"),
    "ethnicity": ("民族",),
    "employer": ("工作单位", "单位", "单位名称", "所在单位", "用人单位", "就职单位"),
    "platform": ("平台", "所属平台", "平台名称", "服务平台"),
    "work_area": ("工作区域", "站点", "工作区域/站点", "所在站点", "服务站点", "工作地点"),
    "occupation": ("职业", "工种", "从事职业", "职业类别"),
    "household_type": ("户口类型", "户籍类型", "户口性质", "户籍性质"),
    "education": ("学历", "文化程度", "最高学历"),
    "political_status": ("政治面貌",),
    "native_place": ("籍贯",),
    "job_title": ("职务",),
    "professional_title": ("职称", "技术职称"),
    "join_date": ("入会日期", "入会时间"),
    "join_channel": ("入会方式", "入会渠道", "入会途径"),
    "salary": ("工资", "月工资", "月收入", "工资收入"),
    "member_card_no": ("会员证号码", "会员证号", "会员卡号"),
    "family_info": ("家庭主要成员及其工作单位", "家庭主要成员", "家庭成员"),
    "resume": ("个人工作简历", "工作简历", "简历"),
    "remarks": ("备注", "说明"),
    IGNORE: ("序号", "编号", "所属工会", "工会名称", "会籍状态", "状态", "年龄"),
}

_BRACKETED = re.compile(r"[(\[【（{<《].*?[)\]】）}>》]")
_NOISE = re.compile(r"[\s*＊※★☆:：.。、\-_/\\|]+")


def normalise_header(text: object) -> str:
    """What is left of a header cell once decoration is removed (NFKC, no spaces, marks, notes)."""
    s = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    s = s.replace("\u200b", "").replace("\ufeff", "")
    s = _BRACKETED.sub("", s)
    return _NOISE.sub("", s).lower()


_LOOKUP: dict[str, str] = {}
for _field, _names in SYNONYMS.items():
    for _name in _names:
        _LOOKUP.setdefault(normalise_header(_name), _field)
for _field, _label in FIELD_LABELS.items():
    _LOOKUP.setdefault(normalise_header(_label), _field)
_LOOKUP.update({normalise_header(f): f for f in FIELD_LABELS})  # English names too (CLI, tests)


def field_for_header(text: object) -> str | None:
    """The field a header means, ``IGNORE`` for known columns we drop, or None if unknown."""
    key = normalise_header(text)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    # "身份证号码（18位）" is handled by the bracket rule; "联系人手机" and the like by a
    # containment rule over the longer synonyms (two characters or more).
    best: tuple[int, str] | None = None
    for syn, fname in _LOOKUP.items():
        if len(syn) >= 2 and syn in key and (best is None or len(syn) > best[0]):
            best = (len(syn), fname)
    return best[1] if best else None


@dataclass(frozen=True)
class ColumnMapping:
    """field -> 0-based column index. A field is filled from at most one column."""

    columns: dict[str, int] = field(default_factory=dict)

    def column_of(self, fname: str) -> int | None:
        return self.columns.get(fname)

    def with_column(self, fname: str, index: int | None) -> "ColumnMapping":
        """A copy where ``fname`` comes from ``index`` (None: not imported). A column
        feeds one field, so a column moved to a new field leaves its old one."""
        cols = {f: i for f, i in self.columns.items() if f != fname and i != index}
        if index is not None:
            cols[fname] = index
        return ColumnMapping(cols)

    def to_json(self) -> dict[str, int]:
        return dict(sorted(self.columns.items()))

    @classmethod
    def from_json(cls, data: object, width: int) -> "ColumnMapping | None":
        if not isinstance(data, dict):
            return None
        cols = {f: i for f, i in data.items()
                if f in FIELD_LABELS and isinstance(i, int) and 0 <= i < width}
        return cls(cols)


def propose_mapping(headers: list[object]) -> ColumnMapping:
    """The first column recognised for each field; exact names win over partial ones
    (a 手机 column beats an earlier 紧急联系人电话 column)."""
    cols: dict[str, int] = {}
    partial: list[tuple[int, str]] = []
    for index, header in enumerate(headers):
        fname = field_for_header(header)
        if not fname:
            continue
        if normalise_header(header) in _LOOKUP:
            cols.setdefault(fname, index)
        else:
            partial.append((index, fname))
    used = set(cols.values())
    for index, fname in partial:
        if fname not in cols and index not in used:
            cols[fname] = index
            used.add(index)
    return ColumnMapping(cols)


def header_score(cells: list[object]) -> int:
    """How much a row looks like a header row (recognised fields; name and ID count double)."""
    found = {field_for_header(c) for c in cells if isinstance(c, str)} - {None}
    return len(found) + len(found & {"name", "id_number"})


def header_signature(headers: list[object]) -> str:
    """A stable key of a header row, to remember the clerk's mapping for the same template."""
    joined = "\x1f".join(normalise_header(h) for h in headers).rstrip("\x1f")
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def missing_required(mapping: ColumnMapping) -> list[str]:
    """Labels of the columns without which no row can be imported."""
    return [FIELD_LABELS[f] for f in ("name", "id_number") if f not in mapping.columns]


class ImportRejected(UserError):
    """The whole file cannot be read or used (not one row's problem): a code and a Chinese message."""
