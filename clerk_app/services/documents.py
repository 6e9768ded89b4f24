"""Each printout the app makes, as one service call returning a :class:`.printouts.Printout`
(PDF bytes, pages, warnings, what its audit entry names). The rules of what may print live
here once — only active cards, numbers masked unless revealed (and a reveal audited first) —
and the window and the CLI only show or save what these return (``printouts.save_printout``,
``record_print``, ``reveal_printout``).

Making a document is not printing, and writes nothing; a document made with full numbers
(``reveal=True``) is recorded before it is made."""

from __future__ import annotations

import datetime as _dt
from typing import Callable, Sequence

from . import cards as card_service
from . import events as event_service
from . import members as member_service
from . import signin
from .context import Context
from .printouts import (Printout, active_cards, card_face, file_safe, home_union_name, imprint, require_active,
                        roster_lines)
from .reveal import audit_reveal

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def registration_form(ctx: Context, member_id: str | None, *, reveal: bool = False) -> Printout:
    """入会申请书和工会会员登记表 of a member (numbers masked unless ``reveal``), or blank (None)."""
    from ..printing.forms import registration_form_pdf

    stamp = imprint(ctx)
    if member_id is None:
        return Printout(registration_form_pdf(None, stamp), "form", title="打印空白入会登记表",
                        file_name="入会登记表-空白.pdf")
    member = member_service.get_member(ctx, member_id)
    if reveal:
        audit_reveal(ctx, "member", member_id, "打印完整号码", document="registration_form")

    def make(full: bool):
        return registration_form_pdf(member, stamp, reveal=full)

    return Printout(make(reveal), "member", member_id, title=f"打印入会登记表：{member.name}",
                    file_name=f"入会登记表-{file_safe(member.name)}.pdf", remake=make)


def card(ctx: Context, which: card_service.Card | str) -> Printout:
    """One service card at ID-1 size (``which``: the card or its number); only an active one."""
    from ..printing.cards import card_pdf

    found = card_service.get_card(ctx, which) if isinstance(which, str) else which
    require_active(found)
    return Printout(card_pdf(card_face(found), imprint(ctx)), "card", found.id,
                    title=f"打印服务卡 {found.grouped_no}", file_name=f"服务卡-{found.card_no}.pdf")


def card_sheets(ctx: Context, chosen: Sequence[card_service.Card] | None = None, *, since: _dt.date | None = None,
                until: _dt.date | None = None, progress: Progress = None, cancel: Cancel = None) -> Printout:
    """A4 sheets of ten cards: ``chosen`` (its active ones; no database read, so a worker may
    lay them out; ``since``: what chose them, for the audit) or, when None, every active card
    issued ``since``..``until``. In the order they were handed out."""
    from ..domain.errors import UserError
    from ..printing.cards import card_sheet_pdf

    if chosen is None:
        batch = active_cards(ctx, since, until)
        extra = {"since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    else:
        batch = sorted((c for c in chosen if c.is_active), key=lambda c: (c.issue_date, c.issued_at, c.card_no))
        extra = {"since": since.isoformat()} if since else {"selected": len(batch)}
    if not batch:
        raise UserError("print.nothing")
    result = card_sheet_pdf([card_face(c) for c in batch], imprint(ctx), progress=progress, cancel=cancel)
    return Printout(result, "cards", title=f"批量打印服务卡（{len(batch)} 张）",
                    file_name=f"服务卡-{len(batch)}张.pdf", audit_extra=extra)


def signin_sheet(ctx: Context, event_id: str, *, blank: bool = False, rows: int | None = None,
                 reveal: bool = False) -> Printout:
    """The event's sign-in sheet (phones masked unless ``reveal``), or a blank one of ``rows``."""
    from ..printing.signin_sheet import BLANK_ROWS, signin_sheet_pdf

    event = event_service.get_event(ctx, event_id)
    name = file_safe(event.title, "活动")
    if blank:
        count = rows if rows and rows > 0 else BLANK_ROWS
        return Printout(signin_sheet_pdf(event, None, imprint(ctx), blank_rows=count), "event", event.id,
                        title="空白签到表", file_name=f"{name}-空白签到表.pdf", audit_extra={"blank": True})
    people = signin.attendance(ctx, event.id)
    stamp = imprint(ctx)
    if reveal:
        audit_reveal(ctx, "event", event.id, "打印完整号码", fields="phone", document="signin_sheet")

    def make(full: bool):
        return signin_sheet_pdf(event, people, stamp, reveal=full)

    return Printout(make(reveal), "event", event.id, title="签到表", file_name=f"{name}-签到表.pdf",
                    remake=make, revealable_fields="phone")


def event_report(ctx: Context, event_id: str) -> Printout:
    """活动情况报告: one A4 page of the event's figures (no personal values)."""
    from ..printing.event_report import event_report_pdf

    summary = event_service.event_summary(ctx, event_id)
    return Printout(event_report_pdf(summary, imprint(ctx)), "event", summary.event.id, title="活动情况报告",
                    file_name=f"{file_safe(summary.event.title, '活动')}-活动报告.pdf")


def supervisor_report(ctx: Context, reports) -> Printout:
    """统计报表 (one report, or a district's several one after another) as a printout. Counts
    only: there is nothing to mask and nothing to reveal. Reads no database (the reports are
    made already), so a worker may lay them out."""
    from ..printing.reports import report_document

    batch = list(reports) if isinstance(reports, (list, tuple)) else [reports]
    first = batch[0]
    result = report_document(batch)
    towns = f"-{len(batch)}个乡镇" if len(batch) > 1 else (f"-{first.township}" if first.township else "")
    name = file_safe(f"{first.title}-{first.period.label}{towns}.pdf", "统计报表.pdf")
    extra = {"report": first.kind, "from": first.period.start.isoformat(), "to": first.period.end.isoformat(),
             "parts": len(batch)}
    return Printout(result, "report", first.kind, title=f"{first.title}（{first.period.label}）", file_name=name,
                    audit_extra=extra)


def member_roster(ctx: Context, query: str = "", progress: Progress = None, cancel: Cancel = None) -> Printout:
    """会员花名册 of the members page's list for ``query`` (masked; see ``printing.roster``).
    Long: call it in the background with ``progress(done, total)`` and ``cancel()``."""
    from ..printing.roster import member_roster_pdf

    q = (query or "").strip()
    scope = f"搜索“{q}”找到的会员" if q else "全部会员"
    result = member_roster_pdf(home_union_name(ctx), roster_lines(ctx, q), imprint(ctx), scope=scope,
                               progress=progress, cancel=cancel)
    stamp = ctx.today().isoformat()
    name = file_safe(f"会员花名册-{q}-{stamp}.pdf" if q else f"会员花名册-{stamp}.pdf")
    listed = f"搜索“{q}”找到的 {result.items} 名会员" if q else f"全部 {result.items} 名会员"
    return Printout(result, "members", title=f"打印会员花名册（{listed}）", file_name=name,
                    audit_extra={"filtered": bool(q)})
