"""A generic ruled table report: title, optional subtitle, a table that paginates with its
header row on every page, notes. The sign-in sheet, rosters and statistics reuse it.

Columns that hold ID numbers or phones say so (``Column.mask``) and are masked unless the
caller passes ``reveal=True`` — then the result says ``revealed`` and the caller audits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from reportlab.lib.pagesizes import A4, landscape as _landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..domain.errors import UserError
from ..domain.idnumber import mask
from ..domain.phone import mask_phone
from .fonts import PrintWarning, check_fields
from .layout import GREY, Column, Imprint, PageDecor, Title, build_story, data_table, frame_width, para, styles
from .result import TABLE_REPORT, PrintResult

MASK_ID, MASK_PHONE = "id", "phone"
_MASKERS = {MASK_ID: mask, MASK_PHONE: mask_phone}


@dataclass(frozen=True)
class ReportColumn(Column):
    mask: str | None = None  # MASK_ID / MASK_PHONE: masked on paper unless reveal=True


def _cell(value) -> str:
    return "" if value is None else str(value)


def table_report_pdf(title: str, columns: Sequence[Column], rows: Sequence[Sequence[object]],
                     imprint: Imprint | None = None, *, subtitle: str = "", notes: Sequence[str] = (),
                     landscape: bool = False, reveal: bool = False, allow_empty: bool = True) -> PrintResult:
    """A4 (portrait or landscape) report; ``columns`` are :class:`Column` or :class:`ReportColumn`."""
    if not rows and not allow_empty:
        raise UserError("print.nothing")
    maskers = [None if reveal else _MASKERS.get(getattr(c, "mask", None)) for c in columns]
    shown = [[m(_cell(v)) if m else _cell(v) for v, m in zip(row, maskers)] for row in rows]
    pagesize = _landscape(A4) if landscape else A4
    st = styles()
    story: list = [Title(title, 18, 2 * mm if subtitle else 5 * mm)]
    if subtitle:
        story.append(para(subtitle, st.subtitle))
    story.append(data_table(columns, shown, frame_width(pagesize)))
    if notes:
        story.append(Spacer(1, 3 * mm))
        note_style = st.small.clone("report_note", textColor=GREY)
        story += [para(text, note_style) for text in notes]
    decor = PageDecor(imprint, header=title, header_right=subtitle)
    pdf, pages = build_story(story, pagesize=pagesize, decor=decor, title=title)
    warnings: list[PrintWarning] = check_fields(
        [(c.label, value) for row in shown for c, value in zip(columns, row)])
    has_sensitive = any(getattr(c, "mask", None) for c in columns) and bool(rows)
    return PrintResult(pdf, TABLE_REPORT, pages=pages, items=len(rows), warnings=tuple(warnings),
                       revealed=reveal and has_sensitive)
