"""QR codes drawn as vectors with reportlab's own ``QrCodeWidget`` (sharp at any size).

Payloads are plain ASCII (a USB scanner types them as keystrokes; shared/LIBRARIES.md §2).
Level M survives a scuffed card; the quiet zone of 4 modules is part of the drawn square.
"""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfgen.canvas import Canvas

QR_LEVEL = "M"
QUIET_MODULES = 4


def qr_drawing(payload: str, size: float) -> Drawing:
    """A ``size`` × ``size`` drawing (quiet zone included) of a QR code for ``payload``."""
    if not payload or not payload.isascii():
        raise ValueError(f"QR payload must be non-empty ASCII, got {payload!r}")
    widget = QrCodeWidget(payload, barLevel=QR_LEVEL, barBorder=QUIET_MODULES,
                          barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the code with its bottom-left corner (outer edge of the quiet zone) at x, y."""
    renderPDF.draw(qr_drawing(payload, size), canvas, x, y)
