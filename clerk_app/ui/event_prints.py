"""The papers of an event (sign-in sheet filled or blank, event report) and the service card
handed out at the desk, through the print-preview dialog (which records every print)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..services import events as event_service
from ..services import signin
from ..services.cards import Card
from ..services.context import Context
from ..services.printouts import card_face, imprint
from .print_preview import PrintPreviewDialog, show_preview


def _safe(text: str) -> str:
    return "".join(ch for ch in text if ch not in '\\/:*?"<>|').strip() or "活动"


def preview_signin_sheet(parent: QWidget | None, ctx: Context, event_id: str, *, blank: bool) -> PrintPreviewDialog:
    from ..printing.signin_sheet import signin_sheet_pdf

    event = event_service.get_event(ctx, event_id)
    if blank:
        result = signin_sheet_pdf(event, None, imprint(ctx))
        return show_preview(parent, ctx, result, entity="event", entity_id=event.id, title="空白签到表",
                            file_name=f"{_safe(event.title)}-空白签到表.pdf", audit_extra={"blank": True})

    def make(reveal: bool):
        return signin_sheet_pdf(event, signin.attendance(ctx, event.id), imprint(ctx), reveal=reveal)

    return show_preview(parent, ctx, make(False), entity="event", entity_id=event.id, title="签到表",
                        file_name=f"{_safe(event.title)}-签到表.pdf", reveal=lambda: make(True))


def preview_event_report(parent: QWidget | None, ctx: Context, event_id: str) -> PrintPreviewDialog:
    from ..printing.event_report import event_report_pdf

    summary = event_service.event_summary(ctx, event_id)
    result = event_report_pdf(summary, imprint(ctx))
    return show_preview(parent, ctx, result, entity="event", entity_id=event_id, title="活动情况报告",
                        file_name=f"{_safe(summary.event.title)}-活动报告.pdf")


def preview_card(parent: QWidget | None, ctx: Context, card: Card) -> PrintPreviewDialog:
    from ..printing.cards import card_pdf

    result = card_pdf(card_face(card), imprint(ctx))
    return show_preview(parent, ctx, result, entity="card", entity_id=card.id, title="打印服务卡",
                        file_name=f"服务卡-{card.card_no}.pdf")
