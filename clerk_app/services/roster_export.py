"""Writing lists to .xlsx: any rows generically, and member lists with masking and audit.

``export_rows`` is the one writer (member lists, import error files, and later the card
register and event attendance use it): bold frozen header row, widths from the content,
chosen columns stored as TEXT (``number_format '@'``, so Excel never turns an ID number
into 1.10105E+17), and any text that Excel would read as a formula (= + - @ tab CR at the
start) escaped with a leading apostrophe. The file is written beside the target and moved
into place, so a failed export never leaves half a file under the real name.
"""

from __future__ import annotations

import datetime as _dt
import os
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..domain import card as lifecycle
from ..domain import vocab
from ..domain.cardno import grouped
from ..domain.errors import UserError
from ..domain.idnumber import mask, masked_birth
from ..domain.phone import mask_phone
from ..domain.roster_cells import FORMULA_START
from ..storage import members_repo as repo
from ..storage.db import transaction
from .context import Context
from .members import matching_ids

WIDTH_SAMPLE = 500
MAX_WIDTH = 60


@dataclass(frozen=True)
class ExportResult:
    path: Path
    count: int
    full: bool


def safe_text(value: str) -> str:
    """Text that spreadsheet programs must not run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: object, as_text: bool) -> object:
    if value is None:
        return ""
    if as_text:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return safe_text(str(value))
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def export_rows(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[object]], *,
                text_columns: Iterable[int | str] = (), sheet_title: str = "Sheet1") -> int:
    """Write ``rows`` under ``columns`` to an .xlsx at ``path``; returns the number of rows.
    ``text_columns`` are indexes or header names of columns to store as text."""
    path = Path(path)
    text_idx = {columns.index(c) if isinstance(c, str) else int(c) for c in text_columns}
    it = iter(rows)
    head: list[list[object]] = []
    for row in it:
        head.append([_cell_value(v, i in text_idx) for i, v in enumerate(row)])
        if len(head) >= WIDTH_SAMPLE:
            break
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    for i, header in enumerate(columns):
        sample = [_display_width(str(r[i])) for r in head if i < len(r)]
        width = max([_display_width(header) + 2, *[w + 2 for w in sample]])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width, 6), MAX_WIDTH)
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=safe_text(text))
        cell.font, cell.alignment = bold, centre
        return cell

    def data_row(values: list[object]) -> list[object]:
        out: list[object] = []
        for i, v in enumerate(values):
            if i in text_idx:
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "@"
                cell.data_type = "s"
                out.append(cell)
            elif isinstance(v, (_dt.date, _dt.datetime)):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd" if not isinstance(v, _dt.datetime) else "yyyy-mm-dd hh:mm"
                out.append(cell)
            else:
                out.append(v)
        return out

    count = 0
    tmp = path.with_name(path.name + ".part")
    try:
        ws.append([header_cell(c) for c in columns])
        for values in head:
            ws.append(data_row(values))
            count += 1
        for row in it:
            ws.append(data_row([_cell_value(v, i in text_idx) for i, v in enumerate(row)]))
            count += 1
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        _discard(ws, tmp)
        if isinstance(exc, OSError):
            raise UserError("roster.write_failed", path=str(path), detail=exc.strerror or str(exc)) from None
        raise
    return count


def _discard(ws, tmp: Path) -> None:
    """After a failed write: finish the write-only sheet's stream (it holds a temp file)
    and remove the partial output."""
    try:
        if not ws.closed:
            ws.close()
    except Exception:  # noqa: BLE001 - cleanup after an error already being raised
        pass
    tmp.unlink(missing_ok=True)


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
                   union_id: str | None = None) -> Iterable[dict]:
    """Members matching the member page's search box (empty: everyone, newest first), each with
    its open service card (``card_no``, ``card_status``): one query, not a look-up per member."""
    return repo.with_open_card(ctx.db, matching_ids(ctx, query), status=status, union_id=union_id)


def card_cells(rec: dict) -> tuple[str, str]:
    """(服务卡号, 服务卡状态) of a member record from :func:`member_records`: the active card, or
    a lost card awaiting its replacement; empty when the member holds neither."""
    if not rec.get("card_no"):
        return "", ""
    return grouped(rec["card_no"]), lifecycle.STATUSES.get(rec["card_status"], rec["card_status"])


def _member_row(rec: dict, full: bool) -> list[object]:
    out: list[object] = []
    for _header, key in MEMBER_COLUMNS:
        value = rec.get(key) or ""
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
    audited (count and whether full values left the app — never the values themselves)."""
    def rows() -> Iterable[list[object]]:
        for n, rec in enumerate(member_records(ctx, query, status=status, union_id=union_id), 1):
            if progress is not None and n % 500 == 0:
                progress(n)
            yield _member_row(rec, full)

    count = export_rows(path, list(EXPORT_HEADERS), rows(), text_columns=MEMBER_TEXT_COLUMNS,
                        sheet_title="会员名单")
    with transaction(ctx.db):
        ctx.audit("export", "members", "", count=count, full=full,
                  filtered=bool(query.strip() or status or union_id))
    return ExportResult(Path(path), count, full)
