"""会员花名册: a member list on A4 landscape, one ruled line per member, the union's name as
title, the column heads on every page, page numbers and the imprint in the footer.

The lines arrive already masked (ID number, phone) and without a birth date (the age is
shown instead): this module prints what it is given. It draws straight onto the canvas with
a fixed line height, so the page count is known before the first page and 20,000 members
cost a few seconds, not the minutes a paginating flowable table takes; a text too long for
its column is set smaller, then on two lines, then cut with "…".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable, Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..domain.errors import UserError
from .fonts import FONT, check_fields
from .layout import GREY, HEAD_FILL, INK, Imprint, PageDecor, draw_bold, draw_furniture, new_canvas
from .result import MEMBER_ROSTER, Cancelled, PrintResult

PAGE = landscape(A4)
SIDE = 15 * mm
ROW_H = 6.6 * mm
HEAD_H = 8 * mm
TOP_FIRST = PAGE[1] - 36 * mm  # the table's top edge under the title and the scope line
TOP_OTHER = PAGE[1] - 15 * mm  # under the running header
BOTTOM = 14 * mm  # above the footer rule
SIZE, MIN_SIZE, PAD = 8.5, 6.5, 1.2 * mm
TITLE = "会员花名册"
NOTE = "身份证号码、手机号码已隐去部分数字，不印出生日期（年龄按打印日计算）。"


@dataclass(frozen=True)
class RosterLine:
    """One member as the roster prints them (numbers already masked)."""

    name: str
    gender: str
    age: str
    id_masked: str
    phone_masked: str
    occupation: str
    workplace: str  # 工作单位 / 平台
    union_name: str
    join_date: str
    status: str
    card_no: str  # the open service card, grouped, with （已挂失） when lost


# (label, share of the width, alignment, RosterLine field or "" for the line number)
COLUMNS = (
    ("序号", 11, "center", ""), ("姓名", 22, "left", "name"), ("性别", 9, "center", "gender"),
    ("年龄", 9, "center", "age"), ("身份证号码", 37, "center", "id_masked"),
    ("手机号码", 24, "center", "phone_masked"), ("职业", 22, "left", "occupation"),
    ("工作单位/平台", 40, "left", "workplace"), ("所属工会", 34, "left", "union_name"),
    ("入会日期", 19, "center", "join_date"), ("会籍", 12, "center", "status"),
    ("服务卡号", 28, "center", "card_no"),
)


def rows_per_page(first: bool) -> int:
    top = TOP_FIRST if first else TOP_OTHER
    return int((top - HEAD_H - BOTTOM) // ROW_H)


def page_total(count: int) -> int:
    first = rows_per_page(True)
    if count <= first:
        return 1
    other = rows_per_page(False)
    return 1 + (count - first + other - 1) // other


def _widths() -> list[float]:
    usable = PAGE[0] - 2 * SIDE
    total = sum(c[1] for c in COLUMNS)
    return [usable * c[1] / total for c in COLUMNS]


def _cut(text: str, width: float, size: float) -> str:
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def _split(text: str, width: float, size: float) -> tuple[str, str]:
    """The longest first line that fits, and the rest."""
    for i in range(len(text), 0, -1):
        if stringWidth(text[:i], FONT, size) <= width:
            return text[:i], text[i:]
    return text[:1], text[1:]


def _cell(canvas: Canvas, text: str, x: float, y: float, width: float, align: str) -> None:
    """``text`` in the cell whose bottom-left is (x, y): one line, as large as fits between
    SIZE and MIN_SIZE; longer text on two lines at MIN_SIZE (the second cut if need be)."""
    if not text:
        return
    inner = width - 2 * PAD
    natural = stringWidth(text, FONT, SIZE)
    lines: list[str]
    if natural <= inner:
        size, lines = SIZE, [text]
    elif natural * MIN_SIZE / SIZE <= inner:
        size, lines = SIZE * inner / natural, [text]
    else:
        size = MIN_SIZE
        first, rest = _split(text, inner, size)
        lines = [first, _cut(rest, inner, size)]
    canvas.setFont(FONT, size)
    leading = size * 1.15
    base = y + ROW_H / 2 - size * 0.35 + (len(lines) - 1) * leading / 2
    for n, line in enumerate(lines):
        ly = base - n * leading
        if align == "center":
            canvas.drawCentredString(x + width / 2, ly, line)
        else:
            canvas.drawString(x + PAD, ly, line)


def _table(canvas: Canvas, lines: Sequence[RosterLine], first_no: int, top: float) -> None:
    widths = _widths()
    left, right = SIDE, PAGE[0] - SIDE
    bottom = top - HEAD_H - len(lines) * ROW_H
    canvas.setFillColor(HEAD_FILL)
    canvas.rect(left, top - HEAD_H, right - left, HEAD_H, stroke=0, fill=1)
    canvas.setFillColor(INK)
    x = left
    for (label, _share, _align, _field), w in zip(COLUMNS, widths):
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(x + w / 2, top - HEAD_H / 2 - 9 * 0.35, label)
        x += w
    for i, line in enumerate(lines):
        y = top - HEAD_H - (i + 1) * ROW_H
        x = left
        for (_label, _share, align, field), w in zip(COLUMNS, widths):
            _cell(canvas, str(first_no + i) if not field else getattr(line, field), x, y, w, align)
            x += w
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.4)
    for i in range(len(lines) + 1):
        y = top - HEAD_H - i * ROW_H
        canvas.line(left, y, right, y)
    x = left
    for w in widths[:-1]:
        x += w
        canvas.line(x, top, x, bottom)
    canvas.setLineWidth(0.9)
    canvas.rect(left, bottom, right - left, top - bottom, stroke=1, fill=0)


def member_roster_pdf(union_name: str, lines: Sequence[RosterLine], imprint: Imprint | None = None, *,
                      scope: str = "", progress: Callable[[int, int], None] | None = None,
                      cancel: Callable[[], bool] | None = None) -> PrintResult:
    """The 花名册 of ``lines`` (in the order given). ``scope``: which members, e.g.
    "全部会员" or "搜索“王”", printed under the title with the count."""
    if not lines:
        raise UserError("print.nothing")
    title = f"{union_name}{TITLE}"
    total_pages = page_total(len(lines))
    buf = io.BytesIO()
    canvas = new_canvas(buf, PAGE, title, imprint)
    decor = PageDecor(imprint, header=title, header_right=f"共 {len(lines)} 名")
    done = 0
    for page in range(1, total_pages + 1):
        if cancel is not None and cancel():
            raise Cancelled()
        first = page == 1
        chunk = lines[done:done + rows_per_page(first)]
        if first:
            draw_bold(canvas, PAGE[0] / 2, PAGE[1] - 24 * mm, title, 18, align="center")
            canvas.setFillColor(GREY)
            canvas.setFont(FONT, 9)
            said = f"{scope}　" if scope else ""
            canvas.drawCentredString(PAGE[0] / 2, PAGE[1] - 31 * mm, f"{said}共 {len(lines)} 名　{NOTE}")
            canvas.setFillColor(INK)
        _table(canvas, chunk, done + 1, TOP_FIRST if first else TOP_OTHER)
        done += len(chunk)
        draw_furniture(canvas, decor if not first else PageDecor(imprint), page, total_pages, PAGE)
        canvas.showPage()
        if progress is not None:
            progress(done, len(lines))
    canvas.save()
    warnings = check_fields([("工会名称", union_name)] + [
        (label, value) for line in lines
        for label, value in (("姓名", line.name), ("工作单位/平台", line.workplace), ("所属工会", line.union_name))])
    return PrintResult(buf.getvalue(), MEMBER_ROSTER, pages=total_pages, items=len(lines),
                       warnings=tuple(warnings))
