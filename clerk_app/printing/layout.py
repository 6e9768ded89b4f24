"""The layout toolkit every document shares: paragraph styles that break Chinese lines,
tables that paginate with their header row repeated, page header and footer with page
numbers and the imprint "打印：<经办人> <时间>" (every print says who printed it and when).
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from .fonts import FONT, register_fonts

INK = colors.black
GREY = colors.Color(0.35, 0.35, 0.35)
RULE = colors.Color(0.55, 0.55, 0.55)
HEAD_FILL = colors.Color(0.91, 0.91, 0.91)
CREATOR = "clerk-app"


def new_canvas(buf: io.BytesIO, pagesize, title: str, imprint: "Imprint | None") -> Canvas:
    """A compressed canvas with the bundled fonts registered, titled, and signed by the imprint."""
    register_fonts()
    canvas = Canvas(buf, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator(CREATOR)
    if imprint is not None:
        canvas.setAuthor(imprint.clerk)
        canvas.setSubject(imprint.text())
    return canvas


@dataclass(frozen=True)
class Imprint:
    """Who printed a document and when; printed in every page footer."""

    clerk: str
    at: _dt.datetime  # the acting context's clock (ctx.clock.now()), never the machine's

    def text(self) -> str:
        return f"打印：{self.clerk} {self.at:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    """The house styles. All use wordWrap='CJK' so Chinese breaks between any two characters
    (and keeps closing punctuation off the start of a line)."""
    register_fonts()

    def make(name: str, size: float, leading: float, align=TA_LEFT, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading, alignment=align,
                              wordWrap="CJK", textColor=INK, **kw)

    return Styles(
        title=make("title", 20, 28, TA_CENTER, spaceAfter=4 * mm),
        subtitle=make("subtitle", 10.5, 15, TA_CENTER, spaceAfter=3 * mm),
        body=make("body", 12, 24, firstLineIndent=24),
        cell=make("cell", 10, 14),
        cell_center=make("cell_center", 10, 14, TA_CENTER),
        cell_right=make("cell_right", 10, 14, TA_RIGHT),
        head=make("head", 10, 14, TA_CENTER),
        label=make("label", 10.5, 14, TA_CENTER),
        small=make("small", 8.5, 12),
    )


# Paragraphs collapse runs of whitespace, U+3000 included; forms use ideographic spaces to
# leave room for handwriting ("年　　月　　日"), so each becomes no-break spaces of its width.
_IDEO_SPACE = "\xa0" * 4


def para_text(text: str) -> str:
    """Plain text as paragraph markup: escape <, >, &, keep line breaks and wide spaces."""
    out = escape(text or "").replace("\r\n", "\n").replace("\n", "<br/>")
    return out.replace("\u3000", _IDEO_SPACE)


def para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(para_text(text), style)


def fit_size(text: str, width: float, size: float, min_size: float, font: str = FONT) -> float:
    """The largest font size from ``size`` down to ``min_size`` at which ``text`` fits ``width``."""
    natural = stringWidth(text, font, size)
    if natural <= width:
        return size
    return max(min_size, size * width / natural)


def split_to_width(text: str, width: float, size: float, font: str = FONT) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (between any two characters, as
    Chinese is set), for canvas drawing where a Paragraph would be overkill."""
    lines, current = [], ""
    for ch in text:
        if current and stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def draw_bold(canvas: Canvas, x: float, y: float, text: str, size: float, color=INK,
              align: str = "left") -> None:
    """Text with a thin outline in its own colour: the font has one weight, titles want two."""
    canvas.saveState()
    canvas.setFillColor(color)
    canvas.setStrokeColor(color)
    canvas.setLineWidth(size * 0.035)
    if align == "center":
        x -= stringWidth(text, FONT, size) / 2
    elif align == "right":
        x -= stringWidth(text, FONT, size)
    t = canvas.beginText()
    t.setFont(FONT, size)
    t.setTextRenderMode(2)
    t.setTextOrigin(x, y)
    t.textOut(text)
    canvas.drawText(t)
    canvas.restoreState()


class Title(Flowable):
    """A centred bold title line for documents built from flowables."""

    def __init__(self, text: str, size: float = 20, space_after: float = 5 * mm):
        super().__init__()
        self.text, self.size, self.space_after = text, size, space_after

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.size * 1.3 + self.space_after

    def draw(self):
        draw_bold(self.canv, self.width / 2, self.space_after + self.size * 0.3, self.text, self.size,
                  align="center")


# --- tables ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    label: str
    width: float = 1.0  # share of the table width, relative to the other columns
    align: str = "left"  # left | center | right


def _cell_style(align: str) -> ParagraphStyle:
    st = styles()
    return {"center": st.cell_center, "right": st.cell_right}.get(align, st.cell)


def grid_style(header_rows: int = 1) -> list[tuple]:
    return [
        ("FONT", (0, 0), (-1, -1), FONT, 10),
        ("GRID", (0, 0), (-1, -1), 0.6, INK),
        ("BOX", (0, 0), (-1, -1), 1.0, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        *([("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_FILL)] if header_rows else []),
    ]


def data_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: float) -> Table:
    """A ruled table that splits across pages between rows and repeats its header row.
    Every cell is a Paragraph, so long Chinese text wraps inside its column."""
    total = sum(c.width for c in columns) or 1.0
    widths = [width * c.width / total for c in columns]
    head_style = styles().head
    cell_styles = [_cell_style(c.align) for c in columns]
    data = [[para(c.label, head_style) for c in columns]]
    for row in rows:
        data.append([para(str(value) if value is not None else "", cell_styles[i])
                     for i, value in enumerate(row)])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle(grid_style(1)))
    return table


# --- pages ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageDecor:
    """What every page carries besides the content."""

    imprint: Imprint | None
    header: str = ""        # small text at the top left (a running title)
    header_right: str = ""  # small text at the top right (e.g. the union's name)


def draw_furniture(canvas: Canvas, decor: PageDecor, page_no: int, total: int,
                   pagesize: tuple[float, float], side: float = 15 * mm) -> None:
    """Header rule and texts, footer rule with the imprint at the left and the page number."""
    w, h = pagesize
    canvas.saveState()
    canvas.setFillColor(GREY)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    if decor.header or decor.header_right:
        canvas.setFont(FONT, 8)
        canvas.drawString(side, h - 10 * mm, decor.header)
        canvas.drawRightString(w - side, h - 10 * mm, decor.header_right)
        canvas.line(side, h - 11.5 * mm, w - side, h - 11.5 * mm)
    canvas.line(side, 11.5 * mm, w - side, 11.5 * mm)
    canvas.setFont(FONT, 8)
    if decor.imprint is not None:
        canvas.drawString(side, 8 * mm, decor.imprint.text())
    canvas.drawRightString(w - side, 8 * mm, f"第 {page_no} 页 / 共 {total} 页")
    canvas.restoreState()


def _numbered_canvas(decor: PageDecor, pagesize, counter: list[int]):
    """A canvas that holds its pages back until the end, so each can say "共 N 页"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            counter.append(total)
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                draw_furniture(self, decor, number, total, pagesize)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


@dataclass(frozen=True)
class Margins:
    top: float = 18 * mm
    right: float = 15 * mm
    bottom: float = 17 * mm
    left: float = 15 * mm


def build_story(story: list, *, pagesize: tuple[float, float], decor: PageDecor, title: str,
                margins: Margins = Margins()) -> tuple[bytes, int]:
    """Lay out ``story`` on pages; return the PDF bytes and the number of pages."""
    register_fonts()
    buf = io.BytesIO()
    author = decor.imprint.clerk if decor.imprint else ""
    doc = SimpleDocTemplate(buf, pagesize=pagesize, title=title, author=author, creator=CREATOR,
                            subject=decor.imprint.text() if decor.imprint else "",
                            leftMargin=margins.left, rightMargin=margins.right,
                            topMargin=margins.top, bottomMargin=margins.bottom)
    counter: list[int] = []
    doc.build(story, canvasmaker=_numbered_canvas(decor, pagesize, counter))
    return buf.getvalue(), counter[-1]


def frame_width(pagesize: tuple[float, float], margins: Margins = Margins()) -> float:
    return pagesize[0] - margins.left - margins.right
