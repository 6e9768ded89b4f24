"""Hardship printouts as services (the :mod:`.documents` pattern): the 困难职工档案表 (masked
unless revealed by a 负责人, the reveal audited before the document is made; or blank), the
worker's assistance history, and the 发放签收表 of chosen payments."""

from __future__ import annotations

import datetime as _dt
from typing import Sequence

from ..domain.errors import UserError
from ..storage import hardship_repo as repo
from . import access
from .context import Context
from .hardship import SENSITIVE_NAMES, find_file
from .printouts import Printout, file_safe, home_union_name, imprint
from .reveal import audit_reveal

REVEALABLE = f"id_number,phone,{SENSITIVE_NAMES}"


def file_form(ctx: Context, ref: str | None, *, reveal: bool = False) -> Printout:
    """The filled 困难职工档案表 of a file (``ref``: 职工编号 or id), or the blank one (None)."""
    from ..printing.hardship_forms import hardship_file_pdf

    stamp = imprint(ctx)
    if ref is None:
        return Printout(hardship_file_pdf(None, None, stamp), "hardship_form", title="打印空白困难职工档案表",
                        file_name="困难职工档案表-空白.pdf")
    f = find_file(ctx, ref)
    household = tuple(repo.household(ctx.db, f.id))
    attachments = tuple(repo.attachments(ctx.db, f.id))
    if reveal:
        access.require(ctx, "hardship")
        audit_reveal(ctx, "hardship_file", f.id, "打印完整的困难职工档案", fields=REVEALABLE,
                     document="hardship_file")

    def make(full: bool):
        return hardship_file_pdf(f, household, stamp, reveal=full, attachments=attachments)

    return Printout(make(reveal), "hardship_file", f.id, title=f"打印困难职工档案表：{f.name}",
                    file_name=f"困难职工档案表-{file_safe(f.name)}.pdf", remake=make, revealable_fields=REVEALABLE)


def history(ctx: Context, ref: str) -> Printout:
    from ..printing.hardship_forms import assistance_history_pdf

    f = find_file(ctx, ref)
    result = assistance_history_pdf(f, repo.ledger(ctx.db, f.id), repo.visits(ctx.db, f.id),
                                    repo.history(ctx.db, f.id), imprint(ctx))
    return Printout(result, "hardship_file", f.id, title=f"打印帮扶记录：{f.name}",
                    file_name=f"帮扶记录-{file_safe(f.name)}.pdf")


def payment_list(ctx: Context, *, entry_ids: Sequence[str] = (), kind: str = "", fund: str = "",
                 date_from: _dt.date | None = None, date_to: _dt.date | None = None, approver: str = "",
                 title: str = "") -> Printout:
    """发放签收表 of the chosen payments (by id, or by type / fund / dates); only payments that
    stand (reversed ones and reversals are not signed for)."""
    from ..printing.hardship_forms import payment_list_pdf

    rows = repo.ledger(ctx.db, entry_ids=list(entry_ids), date_from=date_from.isoformat() if date_from else None,
                       date_to=date_to.isoformat() if date_to else None)
    rows = [e for e in rows if e.stands and (not kind or e.kind == kind) and (not fund or e.fund == fund)]
    if not rows:
        raise UserError("print.nothing")
    funds = sorted({e.fund for e in rows})
    approvers = sorted({e.approver for e in rows})
    period = ""
    if date_from or date_to:
        period = f"{(date_from or _dt.date.fromisoformat(rows[0].paid_date)).isoformat()} 至 " \
                 f"{(date_to or _dt.date.fromisoformat(rows[-1].paid_date)).isoformat()}"
    result = payment_list_pdf(rows, title=title or f"{kind or '困难职工帮扶'}资金发放签收表", fund=fund or "、".join(funds),
                              approver=approver or "、".join(approvers), union_name=home_union_name(ctx),
                              imprint=imprint(ctx), period=period)
    return Printout(result, "hardship_ledger", title="打印发放签收表", file_name="发放签收表.pdf",
                    audit_extra={"entries": len(rows)})
