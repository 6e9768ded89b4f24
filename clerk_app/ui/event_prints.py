"""The papers of an event (sign-in sheet filled or blank, event report) through the
print-preview dialog (the services make them; the preview records every print). The card
handed out at the desk goes through ``print_actions.preview_card`` like every other card."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..domain.errors import UserError
from ..services import documents
from ..services.context import Context
from .print_actions import refuse_print
from .print_preview import PrintPreviewDialog, show_preview


def preview_signin_sheet(parent: QWidget | None, ctx: Context, event_id: str, *,
                         blank: bool) -> PrintPreviewDialog | None:
    """The sign-in sheet (phones masked; 显示完整号码 after confirming) or a blank one; None
    when it cannot be made (the clerk has been told why)."""
    try:
        printout = documents.signin_sheet(ctx, event_id, blank=blank)
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, printout)


def preview_event_report(parent: QWidget | None, ctx: Context, event_id: str) -> PrintPreviewDialog | None:
    try:
        printout = documents.event_report(ctx, event_id)
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, printout)
