"""The card register and an event's attendance to .xlsx, through the one writer
(``sheets.xlsx_writer.export_rows``: text columns, formula escaping, atomic file).

Both lists carry masked numbers only: the card register holds holders' ID numbers masked at
the source, and attendance phones are masked unless ``full``. Every export is audited, the
entry written before the file (``reveal.audit_or_refuse``)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Iterable

from ..domain.cardno import grouped
from ..sheets.xlsx_writer import export_rows
from . import access, cards, signin
from .context import Context
from .events import require_event
from .reveal import audit_or_refuse
from .roster_export import ExportResult

CARD_COLUMNS = ("卡号", "持卡人", "身份证号码", "状态", "发卡日期", "状态日期", "补换后的新卡号", "持卡人所属工会")
CARD_TEXT_COLUMNS = ("卡号", "身份证号码", "发卡日期", "状态日期", "补换后的新卡号")
ATTENDANCE_COLUMNS = ("序号", "签到时间", "姓名", "身份证号码", "手机号码", "是否会员", "职业", "单位/平台",
                      "签到方式", "会场")
ATTENDANCE_TEXT_COLUMNS = ("签到时间", "身份证号码", "手机号码")
_PAGE = 1000


def _all_cards(ctx: Context, **filters) -> Iterable[cards.Card]:
    offset = 0
    while True:
        page = cards.list_cards(ctx, limit=_PAGE, offset=offset, **filters)
        yield from page.rows
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            return


def export_cards(ctx: Context, path: str | Path, *, status: str | None = None,
                 date_from: _dt.date | None = None, date_to: _dt.date | None = None,
                 query: str | None = None) -> ExportResult:
    """The card register as filtered on the cards page (same filters as ``list_cards``)."""
    rows = [[c.grouped_no, c.holder.name, c.holder.id_number_masked, c.status_label, c.issue_date,
             c.status_date or "", grouped(c.replaced_by_no), c.holder.union_name]
            for c in _all_cards(ctx, status=status, date_from=date_from, date_to=date_to, query=query)]
    audit_or_refuse(ctx, "导出", "export", "cards", "", count=len(rows), full=False,
                    filtered=bool(status or date_from or date_to or (query or "").strip()))
    count = export_rows(path, CARD_COLUMNS, rows, text_columns=CARD_TEXT_COLUMNS, sheet_title="服务卡登记簿")
    return ExportResult(Path(path), count, False)


def export_attendance(ctx: Context, path: str | Path, event_id: str, *, full: bool = False) -> ExportResult:
    """Everyone signed in at the event, in order of arrival; phones masked unless ``full``
    (the audit entry first: when it cannot be written, no file is)."""
    event = require_event(ctx, event_id)
    if full:
        access.require(ctx, access.REVEAL)
    rows = [[n, a.signed_in_at.replace("T", " ")[:16], a.name, a.id_number_masked,
             a.phone if full else a.phone_masked, a.membership_label, a.occupation, a.employer,
             a.method_label, a.venue_label]
            for n, a in enumerate(signin.attendance(ctx, event.id), 1)]
    audit_or_refuse(ctx, "导出", "export", "attendance", event.id, count=len(rows), full=full)
    count = export_rows(path, ATTENDANCE_COLUMNS, rows, text_columns=ATTENDANCE_TEXT_COLUMNS,
                        sheet_title="签到名单")
    return ExportResult(Path(path), count, full)
