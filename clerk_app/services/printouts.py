"""What the window and the CLI share around printing: the imprint, the face of a service card,
the active cards of a date range, the 会员花名册, and the audit entry every print or saved PDF writes.

Opening a preview is not printing: only a document sent to a printer or saved to a file is
recorded (action ``print``), with the document kind, its size, whether full ID numbers or
phones were on it (``reveal``), and where it went — never a personal value."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from ..domain import card as lifecycle
from ..domain import vocab
from ..domain.cardno import grouped
from ..domain.idnumber import age_on, mask
from ..domain.phone import mask_phone
from ..storage.db import transaction
from . import cards
from .context import Context

if TYPE_CHECKING:  # reportlab is imported only when something is printed
    from ..printing.cards import CardFace
    from ..printing.layout import Imprint
    from ..printing.result import PrintResult
    from ..printing.roster import RosterLine

PAGE_SIZE = 500  # cards fetched per query when collecting a batch


def imprint(ctx: Context) -> Imprint:
    """"打印：<经办人> <时间>" for the page footer."""
    from ..printing.layout import Imprint

    return Imprint(ctx.clerk.name, ctx.clock.now().replace(microsecond=0))


def record_print(ctx: Context, result: PrintResult, entity: str, entity_id: str = "", **extra) -> None:
    """The audit entry of one print or saved PDF (``extra``: counts, dates, destination)."""
    with transaction(ctx.db):
        ctx.audit("print", entity, entity_id, **result.audit_detail(), **extra)


def card_face(card: cards.Card) -> CardFace:
    """What is printed on ``card``: union, holder, number (QR compact, text grouped), date."""
    from ..printing.cards import CardFace

    return CardFace(union_name=card.holder.union_name, holder_name=card.holder.name, card_no=card.card_no,
                    issue_date=_dt.date.fromisoformat(card.issue_date[:10]), display_no=card.grouped_no)


def active_cards(ctx: Context, since: _dt.date | None = None, until: _dt.date | None = None) -> list[cards.Card]:
    """Every active card issued in the date range, oldest first (the order they were handed out)."""
    found: list[cards.Card] = []
    offset = 0
    while True:
        page = cards.list_cards(ctx, status=lifecycle.ACTIVE, date_from=since, date_to=until,
                                limit=PAGE_SIZE, offset=offset)
        found += page.rows
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            break
    return sorted(found, key=lambda c: (c.issue_date, c.issued_at, c.card_no))


def roster_lines(ctx: Context, query: str = "") -> list[RosterLine]:
    """The members page's list for ``query`` (everyone when empty) as the 花名册 prints it:
    ID number and phone masked, age (on the clerk's today) instead of the birth date, the
    open service card. Read in one query with the cards (see ``roster_export.member_records``)."""
    from ..printing.roster import RosterLine
    from .roster_export import member_records

    today = ctx.today()
    out = []
    for rec in member_records(ctx, query):
        birth = rec.get("birth_date") or ""
        age = str(age_on(_dt.date.fromisoformat(birth[:10]), today)) if len(birth) >= 10 else ""
        card = grouped(rec["card_no"]) if rec.get("card_no") else ""
        if card and rec.get("card_status") == lifecycle.LOST:
            card += "（已挂失）"
        workplace = "／".join(v for v in (rec.get("employer") or "", rec.get("platform") or "") if v)
        out.append(RosterLine(rec["name"], rec["gender"], age, mask(rec["id_number"] or ""),
                              mask_phone(rec["phone"] or ""), rec.get("occupation") or "", workplace,
                              rec.get("union_name") or "", rec.get("join_date") or "",
                              vocab.STATUSES.get(rec["status"], rec["status"]), card))
    return out


def home_union_name(ctx: Context) -> str:
    from .unions import list_unions

    return next((u.name for u in list_unions(ctx) if u.id == ctx.home_union_id), "")


def member_roster(ctx: Context, query: str = "", progress=None, cancel=None) -> PrintResult:
    """会员花名册 of the members page's list for ``query`` (masked; see ``printing.roster``).
    Long: call it in the background with ``progress(done, total)`` and ``cancel()``."""
    from ..printing.roster import member_roster_pdf

    q = (query or "").strip()
    scope = f"搜索“{q}”找到的会员" if q else "全部会员"
    return member_roster_pdf(home_union_name(ctx), roster_lines(ctx, q), imprint(ctx), scope=scope,
                             progress=progress, cancel=cancel)
