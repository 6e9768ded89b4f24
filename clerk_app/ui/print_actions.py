"""From a button to the preview: ask the service for the document (masked), then open the
print preview, which prints or saves it through the service (audited there). A batch of cards
is laid out on a worker thread behind a cancellable progress dialog (it touches no database,
only the cards read before)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from ..domain.errors import Cancelled, UserError
from ..services import cards as card_service
from ..services import documents
from ..services.context import Context
from ..services.printouts import file_safe  # noqa: F401 - the window's modules import it from here
from . import crash
from .tasks import Task, context_job, run_with_progress

if TYPE_CHECKING:  # the preview (QtPdf and its widgets) loads when something is first previewed
    from .print_preview import PrintPreviewDialog


def show_preview(parent, ctx: Context, printout) -> "PrintPreviewDialog | None":
    from .print_preview import show_preview as show

    return show(parent, ctx, printout)


def refuse_print(parent: QWidget | None, exc: UserError) -> None:
    QMessageBox.warning(parent, "不能打印", exc.message)


# The printing modules (and reportlab with them) are imported by the services when a document
# is made: importing them with this module put 0.4 s of reportlab into the window's start-up.


def preview_card(parent: QWidget | None, ctx: Context, card: card_service.Card) -> PrintPreviewDialog | None:
    """打印此卡: one card at ID-1 size (only an active card prints)."""
    try:
        printout = documents.card(ctx, card)
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, printout)


def preview_registration_form(parent: QWidget | None, ctx: Context,
                              member_id: str | None) -> PrintPreviewDialog | None:
    """打印入会登记表 of a member (numbers masked; 显示完整号码 after confirming), or blank."""
    try:
        printout = documents.registration_form(ctx, member_id)
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, printout)


def preview_card_sheets(parent: QWidget | None, ctx: Context, cards: list[card_service.Card], *,
                        since: _dt.date | None = None, on_preview=None) -> Task | None:
    """批量打印: A4 sheets of ten, laid out in the background; the preview opens when done
    (``on_preview(dialog)`` is then called, e.g. to keep a reference)."""
    if not cards:
        refuse_print(parent, UserError("print.nothing"))
        return None
    count = len(cards)  # which of them may print is the service's rule (only active ones)

    def work(worker_ctx, progress, cancel):  # on the worker's own connection
        return documents.card_sheets(worker_ctx, cards, since=since, progress=progress, cancel=cancel)

    def done(printout) -> None:
        dialog = show_preview(parent, ctx, printout)
        if on_preview is not None:
            on_preview(dialog)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, UserError):
            refuse_print(parent, exc)
        else:
            crash.report_bug(exc, parent)

    return run_with_progress(parent, f"正在排版 {count} 张服务卡……", context_job(ctx, work), on_success=done,
                             on_error=failed)
