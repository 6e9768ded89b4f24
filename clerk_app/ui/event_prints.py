"""The papers of an event (sign-in sheet filled or blank, event report) through the
print-preview dialog (which records every print). The card handed out at the desk goes
through ``print_actions.preview_card`` like every other card."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..domain.errors import UserError
from ..services import events as event_service
from ..services import signin
from ..services.context import Context
from ..services.printouts import imprint
from .print_actions import file_safe, refuse_print
from .print_preview import PrintPreviewDialog, show_preview


def preview_signin_sheet(parent: QWidget | None, ctx: Context, event_id: str, *,
                         blank: bool) -> PrintPreviewDialog | None:
    """The sign-in sheet (phones masked; 显示完整号码 after confirming) or a blank one; None
    when it cannot be made (the clerk has been told why)."""
    from ..printing.signin_sheet import signin_sheet_pdf

    event = event_service.get_event(ctx, event_id)
    name = file_safe(event.title, "活动")

    def make(reveal: bool):
        return signin_sheet_pdf(event, signin.attendance(ctx, event.id), imprint(ctx), reveal=reveal)

    try:
        if blank:
            return show_preview(parent, ctx, signin_sheet_pdf(event, None, imprint(ctx)), entity="event",
                                entity_id=event.id, title="空白签到表", file_name=f"{name}-空白签到表.pdf",
                                audit_extra={"blank": True})
        result = make(False)
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, result, entity="event", entity_id=event.id, title="签到表",
                        file_name=f"{name}-签到表.pdf", reveal=lambda: make(True))


def preview_event_report(parent: QWidget | None, ctx: Context, event_id: str) -> PrintPreviewDialog | None:
    from ..printing.event_report import event_report_pdf

    summary = event_service.event_summary(ctx, event_id)
    try:
        result = event_report_pdf(summary, imprint(ctx))
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, result, entity="event", entity_id=event_id, title="活动情况报告",
                        file_name=f"{file_safe(summary.event.title, '活动')}-活动报告.pdf")
