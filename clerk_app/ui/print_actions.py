"""From a button to the preview: make the document (masked), then open the print preview, which
prints or saves it and writes the audit entry. A batch of cards is laid out on a worker thread
behind a cancellable progress dialog (it touches no database, only the faces read before)."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtWidgets import QMessageBox, QWidget

from ..domain.errors import UserError
from ..domain.messages import message
from ..services import cards as card_service
from ..services import members as member_service
from ..services.context import Context
from ..services.printouts import card_face, imprint
from . import crash
from .print_preview import PrintPreviewDialog, show_preview
from .tasks import Task, run_with_progress


def file_safe(text: str, fallback: str = "会员") -> str:
    """A name usable in a file name on Windows (no \\ / : * ? " < > |)."""
    return "".join(ch for ch in text if ch not in '\\/:*?"<>|').strip() or fallback


def refuse_print(parent: QWidget | None, exc: UserError) -> None:
    QMessageBox.warning(parent, "不能打印", exc.message)


# The printing modules (and reportlab with them) are imported inside each function: importing
# them with this module put 0.4 s of reportlab into the window's start-up.


def preview_card(parent: QWidget | None, ctx: Context, card: card_service.Card) -> PrintPreviewDialog | None:
    """打印此卡: one card at ID-1 size."""
    if not card.is_active:
        QMessageBox.warning(parent, "不能打印", message("print.card_not_active", card_no=card.grouped_no,
                                                       status=card.status_label))
        return None
    try:
        from ..printing.cards import card_pdf

        result = card_pdf(card_face(card), imprint(ctx))
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, result, entity="card", entity_id=card.id, title=f"打印服务卡 {card.grouped_no}",
                        file_name=f"服务卡-{card.card_no}.pdf")


def preview_registration_form(parent: QWidget | None, ctx: Context,
                              member_id: str | None) -> PrintPreviewDialog | None:
    """打印入会登记表 of a member (numbers masked; 显示完整号码 after confirming), or blank."""
    from ..printing.forms import registration_form_pdf

    stamp = imprint(ctx)
    try:
        if member_id is None:
            return show_preview(parent, ctx, registration_form_pdf(None, stamp), entity="form",
                                title="打印空白入会登记表", file_name="入会登记表-空白.pdf")
        member = member_service.get_member(ctx, member_id)
        result = registration_form_pdf(member, stamp)
    except UserError as exc:
        refuse_print(parent, exc)
        return None
    return show_preview(parent, ctx, result, entity="member", entity_id=member_id,
                        title=f"打印入会登记表：{member['name']}", file_name=f"入会登记表-{file_safe(member['name'])}.pdf",
                        reveal=lambda: registration_form_pdf(member, stamp, reveal=True))


def preview_card_sheets(parent: QWidget | None, ctx: Context, cards: list[card_service.Card], *,
                        since: _dt.date | None = None, on_preview=None) -> Task | None:
    """批量打印: A4 sheets of ten, laid out in the background; the preview opens when done
    (``on_preview(dialog)`` is then called, e.g. to keep a reference)."""
    if not cards:
        QMessageBox.warning(parent, "不能打印", message("print.nothing"))
        return None
    cards = sorted(cards, key=lambda c: (c.issue_date, c.issued_at, c.card_no))  # the order handed out
    faces = [card_face(c) for c in cards]
    stamp = imprint(ctx)
    extra = {"since": since.isoformat()} if since else {"selected": len(cards)}

    from ..printing.cards import card_sheet_pdf
    from ..printing.result import Cancelled

    def work(progress, cancel):
        return card_sheet_pdf(faces, stamp, progress=progress, cancel=cancel)

    def done(result) -> None:
        dialog = show_preview(parent, ctx, result, entity="cards", title=f"批量打印服务卡（{len(cards)} 张）",
                              file_name=f"服务卡-{len(cards)}张.pdf", audit_extra=extra)
        if on_preview is not None:
            on_preview(dialog)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, UserError):
            refuse_print(parent, exc)
        else:
            crash.report_bug(exc, parent)

    return run_with_progress(parent, f"正在排版 {len(cards)} 张服务卡……", work, on_success=done, on_error=failed)
