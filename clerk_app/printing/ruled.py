"""A ruled table of one-line texts drawn in one pass (the 发放签收表's page of payments).

Platypus's ``Table`` resolves a style per cell and draws every cell with its own text object:
for the 2,000-payment list that was most of the time. :class:`RuledTable` knows every row is
one line of the same height, so it fills the header once, strokes the whole grid as one path,
and writes every cell into one text object (right and centred texts measured with the font's
widths). It never splits: the caller puts one page's rows in it."""

from __future__ import annotations

from typing import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .fonts import FONT
from .layout import HEAD_FILL, INK, Column

GRID_WIDTH, BOX_WIDTH, PAD = 0.6, 1.0, 4  # as layout.grid_style: the lines and the cell padding


class RuledTable(Flowable):
    def __init__(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], width: float, *,
                 header_height: float, row_height: float, size: float = 10):
        super().__init__()
        total = sum(c.width for c in columns)
        self.widths = [width * c.width / total for c in columns]
        self.aligns = [c.align for c in columns]
        self.labels = [c.label for c in columns]
        self.rows = rows
        self.header_height, self.row_height, self.size = header_height, row_height, size
        self.width = width
        self.height = header_height + row_height * len(rows)
        self.hAlign = "CENTER"

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def _lines(self, canvas) -> None:
        edges = [0.0]
        for w in self.widths:
            edges.append(edges[-1] + w)
        path = canvas.beginPath()
        y = self.height - self.header_height
        for i in range(len(self.rows) + 1):
            path.moveTo(0, y - i * self.row_height)
            path.lineTo(self.width, y - i * self.row_height)
        for x in edges[1:-1]:
            path.moveTo(x, 0)
            path.lineTo(x, self.height)
        canvas.setLineWidth(GRID_WIDTH)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.setLineWidth(BOX_WIDTH)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(HEAD_FILL)
        canvas.rect(0, self.height - self.header_height, self.width, self.header_height, stroke=0, fill=1)
        canvas.setFillColor(INK)
        canvas.setStrokeColor(INK)
        self._lines(canvas)
        size = self.size
        lift = size * 0.35  # baseline below the middle of the row: the text's centre on it
        text = canvas.beginText()
        text.setFont(FONT, size)
        lefts = [sum(self.widths[:i]) for i in range(len(self.widths))]
        header_y = self.height - self.header_height / 2 - lift
        for x, w, label in zip(lefts, self.widths, self.labels):
            text.setTextOrigin(x + (w - stringWidth(label, FONT, size)) / 2, header_y)
            text.textOut(label)
        y = self.height - self.header_height - self.row_height / 2 - lift
        for row in self.rows:
            for x, w, align, value in zip(lefts, self.widths, self.aligns, row):
                if not value:
                    continue
                if align == "left":
                    at = x + PAD
                elif align == "right":
                    at = x + w - PAD - stringWidth(value, FONT, size)
                else:
                    at = x + (w - stringWidth(value, FONT, size)) / 2
                text.setTextOrigin(at, y)
                text.textOut(value)
            y -= self.row_height
        canvas.drawText(text)
        canvas.restoreState()
