"""Member lists to .xlsx, with masking and audit.

The file itself is written by :func:`clerk_app.sheets.xlsx_writer.export_rows`, the one
writer (member lists, import error files, the card register and event attendance use it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..domain import card as lifecycle
from ..domain import vocab
from ..domain.cardno import grouped
from ..domain.idnumber import mask, masked_birth
from ..domain.phone import mask_phone
from ..domain.records import MemberWithCard
from ..sheets.xlsx_writer import export_rows
from ..storage import members_repo as repo
from . import access
from .context import Context
from .members import matching_ids
from .reveal import audit_or_refuse


@dataclass(frozen=True)
class ExportResult:
    path: Path
    count: int
    full: bool


# Member list columns: (header, record key). Headers are ones the importer recognises, so
# an exported full list can be imported elsewhere unchanged.
MEMBER_COLUMNS = (
    ("姓名", "name"), ("性别", "gender"), ("出生日期", "birth_date"), ("民族", "ethnicity"),
    ("身份证号码", "id_number"), ("手机号码", "phone"), ("工作单位", "employer"), ("平台", "platform"),
    ("工作区域/站点", "work_area"), ("职业", "occupation"), ("户口类型", "household_type"),
    ("学历", "education"), ("政治面貌", "political_status"), ("籍贯", "native_place"),
    ("职务", "job_title"), ("职称", "professional_title"), ("会员证号码", "member_card_no"),
    ("所属工会", "union_name"), ("入会日期", "join_date"), ("入会方式", "join_channel"),
    ("会籍状态", "status"), ("备注", "remarks"),
)
# The member's service card: number and status in two columns, so a spreadsheet can filter on
# the status (有效 / 已挂失) and the number stays a clean number. Not importable fields: the
# importer leaves them aside.
CARD_COLUMNS = ("服务卡号", "服务卡状态")
MEMBER_TEXT_COLUMNS = ("身份证号码", "手机号码", "会员证号码", "出生日期", "入会日期", "服务卡号")
EXPORT_HEADERS = tuple(h for h, _ in MEMBER_COLUMNS) + CARD_COLUMNS


def member_records(ctx: Context, query: str = "", *, status: str | None = None,
                   union_id: str | None = None) -> Iterable[MemberWithCard]:
    """Members matching the member page's search box (empty: everyone, newest first), each with
    its open service card (``card_no``, ``card_status``): one query, not a look-up per member."""
    return repo.with_open_card(ctx.db, matching_ids(ctx, query), status=status, union_id=union_id)


def card_cells(rec: MemberWithCard) -> tuple[str, str]:
    """(服务卡号, 服务卡状态) of a member record from :func:`member_records`: the active card, or
    a lost card awaiting its replacement; empty when the member holds neither."""
    if not rec.card_no:
        return "", ""
    return grouped(rec.card_no), lifecycle.STATUSES.get(rec.card_status or "", rec.card_status or "")


def _member_row(rec: MemberWithCard, full: bool) -> list[object]:
    out: list[object] = []
    member = rec.member
    for _header, key in MEMBER_COLUMNS:
        value = getattr(member, key) or ""
        if key == "id_number" and not full:
            value = mask(value)
        elif key == "phone" and not full:
            value = mask_phone(value)
        elif key == "birth_date" and not full:  # the part of the ID number the mask hides
            value = masked_birth(value)
        elif key == "join_channel":
            value = vocab.JOIN_CHANNELS.get(value, value)
        elif key == "status":
            value = vocab.STATUSES.get(value, value)
        out.append(value)
    return out + list(card_cells(rec))


def export_members(ctx: Context, path: str | Path, *, query: str = "", status: str | None = None,
                   union_id: str | None = None, full: bool = False,
                   progress: Callable[[int], None] | None = None) -> ExportResult:
    """A member list to .xlsx. ID and phone are masked unless ``full``; every export is
    audited (count and whether full values left the app — never the values themselves), and
    the entry is written before the file: when it cannot be, no file is written."""
    if full:
        access.require(ctx, access.REVEAL)
    records = list(member_records(ctx, query, status=status, union_id=union_id))
    audit_or_refuse(ctx, "导出", "export", "members", "", count=len(records), full=full,
                    filtered=bool(query.strip() or status or union_id))

    def rows() -> Iterable[list[object]]:
        for n, rec in enumerate(records, 1):
            if progress is not None and n % 500 == 0:
                progress(n)
            yield _member_row(rec, full)

    count = export_rows(path, list(EXPORT_HEADERS), rows(), text_columns=MEMBER_TEXT_COLUMNS,
                        sheet_title="会员名单")
    return ExportResult(Path(path), count, full)
