"""Service cards (工会会员互助服务卡): one card at ID-1 size, or A4 sheets of ten with cut marks.

The card carries the union's name, the holder's name, the card number, the issue date and a
QR code holding **the card number only** — no other personal data is printed on a card.
Both documents draw straight onto the canvas (no flowables), so a batch of a thousand cards
costs little more than the drawing itself.
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass
from typing import Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..domain.errors import UserError
from .fonts import FONT, PrintWarning, check_fields
from .layout import GREY, Imprint, draw_bold, fit_size, new_canvas, split_to_width
from .qr import draw_qr
from .result import CARD, CARD_SHEET, Cancelled, PrintResult

CARD_W, CARD_H = 85.6 * mm, 54 * mm  # ISO/IEC 7810 ID-1
CARD_TITLE = "工会会员互助服务卡"
CARD_NOTE = "凭卡享受会员服务　本卡仅限本人使用　遗失请及时挂失"
QR_SIZE = 31 * mm  # with the 4-module quiet zone; the code itself is ≥ 21 mm for any version
SHEET_COLS, SHEET_ROWS = 2, 5
PER_SHEET = SHEET_COLS * SHEET_ROWS
RED = colors.Color(0.76, 0.07, 0.12)
LABEL = colors.Color(0.42, 0.42, 0.42)
CUT = colors.Color(0.72, 0.72, 0.72)


@dataclass(frozen=True)
class CardFace:
    """What is printed on one card (and nothing else)."""

    union_name: str
    holder_name: str
    card_no: str  # what the QR code carries (plain ASCII, no spaces)
    issue_date: _dt.date
    display_no: str = ""  # the number as printed for reading, e.g. "DX07 000123 K"; default card_no


def face_warnings(faces: Sequence[CardFace]) -> list[PrintWarning]:
    pairs = []
    for face in faces:
        pairs += [("持卡人姓名", face.holder_name), ("工会名称", face.union_name)]
    return check_fields(pairs)


def draw_card(canvas: Canvas, face: CardFace, x: float, y: float) -> None:
    """Draw one card face with its bottom-left corner at (x, y)."""
    cx = x + CARD_W / 2
    # Head: union name, title, a red double rule.
    canvas.setFillColor(GREY)
    size = fit_size(face.union_name, CARD_W - 8 * mm, 8, 5.5)
    canvas.setFont(FONT, size)
    canvas.drawCentredString(cx, y + 47.5 * mm, face.union_name)
    draw_bold(canvas, cx, y + 40.8 * mm, CARD_TITLE, 13, RED, align="center")
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(0.9)
    canvas.line(x + 4 * mm, y + 38.6 * mm, x + CARD_W - 4 * mm, y + 38.6 * mm)
    canvas.setLineWidth(0.3)
    canvas.line(x + 4 * mm, y + 37.9 * mm, x + CARD_W - 4 * mm, y + 37.9 * mm)

    # Body, left column: holder, card number, issue date.
    left, col_w = x + 5 * mm, 48 * mm
    canvas.setFillColor(LABEL)
    canvas.setFont(FONT, 6.5)
    canvas.drawString(left, y + 33 * mm, "持卡人")
    canvas.drawString(left, y + 20.5 * mm, "卡号")
    canvas.setFillColor(colors.black)
    name_size = fit_size(face.holder_name, col_w, 15, 9)
    lines = [face.holder_name] if name_size > 9 or canvas.stringWidth(face.holder_name, FONT, 9) <= col_w \
        else split_to_width(face.holder_name, col_w, 9)[:2]
    if len(lines) == 1:
        draw_bold(canvas, left, y + 26.5 * mm, lines[0], name_size, colors.black)
    else:
        for i, line in enumerate(lines):
            draw_bold(canvas, left, y + (29 - 4 * i) * mm, line, 9, colors.black)
    shown_no = face.display_no or face.card_no
    no_size = fit_size(shown_no, col_w, 14, 8)
    draw_bold(canvas, left, y + 14.5 * mm, shown_no, no_size, colors.black)
    canvas.setFont(FONT, 7.5)
    canvas.drawString(left, y + 8.5 * mm, f"发卡日期：{face.issue_date:%Y-%m-%d}")
    canvas.setFillColor(LABEL)
    canvas.setFont(FONT, 5.2)
    canvas.drawString(left, y + 3.6 * mm, CARD_NOTE)

    # Body, right: the QR code (card number only), quiet zone inside QR_SIZE.
    draw_qr(canvas, face.card_no, x + CARD_W - QR_SIZE - 1.5 * mm, y + (37.9 * mm - QR_SIZE) / 2, QR_SIZE)


def card_pdf(face: CardFace, imprint: Imprint | None = None) -> PrintResult:
    """One card on a page of exactly ID-1 size (for a card printer or a cut sheet)."""
    buf = io.BytesIO()
    canvas = new_canvas(buf, (CARD_W, CARD_H), f"{CARD_TITLE} {face.card_no}", imprint)
    draw_card(canvas, face, 0, 0)
    canvas.showPage()
    canvas.save()
    return PrintResult(buf.getvalue(), CARD, pages=1, items=1, warnings=tuple(face_warnings([face])))


# --- A4 sheets ------------------------------------------------------------------------------

SHEET_LEFT = (A4[0] - SHEET_COLS * CARD_W) / 2
SHEET_BOTTOM = (A4[1] - SHEET_ROWS * CARD_H) / 2
MARK_GAP, MARK_LEN = 1.5 * mm, 5 * mm


def card_origin(slot: int) -> tuple[float, float]:
    """Bottom-left corner of card ``slot`` (0..9, row by row from the top left) on a sheet."""
    row, col = divmod(slot, SHEET_COLS)
    return SHEET_LEFT + col * CARD_W, SHEET_BOTTOM + (SHEET_ROWS - 1 - row) * CARD_H


def _draw_cut_marks(canvas: Canvas) -> None:
    """Crop marks in the margins at every cutting line of the 2 × 5 grid."""
    right = SHEET_LEFT + SHEET_COLS * CARD_W
    top = SHEET_BOTTOM + SHEET_ROWS * CARD_H
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.35)
    for col in range(SHEET_COLS + 1):
        gx = SHEET_LEFT + col * CARD_W
        canvas.line(gx, SHEET_BOTTOM - MARK_GAP, gx, SHEET_BOTTOM - MARK_GAP - MARK_LEN)
        canvas.line(gx, top + MARK_GAP, gx, top + MARK_GAP + MARK_LEN)
    for row in range(SHEET_ROWS + 1):
        gy = SHEET_BOTTOM + row * CARD_H
        canvas.line(SHEET_LEFT - MARK_GAP, gy, SHEET_LEFT - MARK_GAP - MARK_LEN, gy)
        canvas.line(right + MARK_GAP, gy, right + MARK_GAP + MARK_LEN, gy)


def _draw_outlines(canvas: Canvas, used: int) -> None:
    """Light dashed outlines of the used slots, for cutting with scissors."""
    canvas.saveState()
    canvas.setStrokeColor(CUT)
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 2)
    for slot in range(used):
        x, y = card_origin(slot)
        canvas.rect(x, y, CARD_W, CARD_H, stroke=1, fill=0)
    canvas.restoreState()


def _draw_sheet_footer(canvas: Canvas, imprint: Imprint | None, page: int, total: int, count: int) -> None:
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 7)
    base = 5.5 * mm
    if imprint is not None:
        canvas.drawString(SHEET_LEFT + 3 * mm, base, imprint.text())
    canvas.drawRightString(SHEET_LEFT + SHEET_COLS * CARD_W - 3 * mm, base,
                           f"{CARD_TITLE}　本页 {count} 张　第 {page} 页 / 共 {total} 页")


def card_sheet_pdf(faces: Sequence[CardFace], imprint: Imprint | None = None, *,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: Callable[[], bool] | None = None) -> PrintResult:
    """A4 sheets of ten cards (2 × 5) with cut marks, as many pages as needed."""
    if not faces:
        raise UserError("print.nothing")
    total_pages = (len(faces) + PER_SHEET - 1) // PER_SHEET
    buf = io.BytesIO()
    canvas = new_canvas(buf, A4, f"{CARD_TITLE}（{len(faces)} 张）", imprint)
    for page in range(total_pages):
        if cancel is not None and cancel():
            raise Cancelled()
        batch = faces[page * PER_SHEET:(page + 1) * PER_SHEET]
        _draw_cut_marks(canvas)
        _draw_outlines(canvas, len(batch))
        for slot, face in enumerate(batch):
            x, y = card_origin(slot)
            draw_card(canvas, face, x, y)
        _draw_sheet_footer(canvas, imprint, page + 1, total_pages, len(batch))
        canvas.showPage()
        if progress is not None:
            progress(min((page + 1) * PER_SHEET, len(faces)), len(faces))
    canvas.save()
    return PrintResult(buf.getvalue(), CARD_SHEET, pages=total_pages, items=len(faces),
                       warnings=tuple(face_warnings(faces)))
