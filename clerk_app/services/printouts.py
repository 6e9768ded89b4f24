"""What the window and the CLI share around printing: the imprint, the face of a service card,
the active cards of a date range, and the audit entry every print or saved PDF writes.

Opening a preview is not printing: only a document sent to a printer or saved to a file is
recorded (action ``print``), with the document kind, its size, whether full ID numbers or
phones were on it (``reveal``), and where it went — never a personal value."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from ..domain import card as lifecycle
from ..storage.db import transaction
from . import cards
from .context import Context

if TYPE_CHECKING:  # reportlab is imported only when something is printed
    from ..printing.cards import CardFace
    from ..printing.layout import Imprint
    from ..printing.result import PrintResult

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
