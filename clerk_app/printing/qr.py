"""QR codes on paper: the matrix from the ``qrcode`` package, drawn as one filled vector path.

Payloads are plain ASCII (a USB scanner types them as keystrokes; shared/LIBRARIES.md §2).
Level M survives a scuffed card; the quiet zone of 4 modules is part of the drawn square.

The matrix is computed once per code; each horizontal run of dark modules becomes one integer
rectangle of a single path, drawn in module units (one module = one unit after
``canvas.transform``). One path is also what keeps a viewer from showing hairline seams between
neighbouring modules, and it is several times cheaper to build than reportlab's
``QrCodeWidget``, which makes a shape object per module run (1,000 cards: see
benchmarks/bench_print.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

QR_LEVEL = "M"
QUIET_MODULES = 4
_DARK_RUN = re.compile(b"\x01+")


@dataclass(frozen=True)
class QrMatrix:
    """A QR code as dark runs: ``(column, row from the bottom, length)`` in modules, the quiet
    zone included, so the square is ``modules`` × ``modules`` units with (0, 0) at its bottom left."""

    payload: str
    modules: int
    runs: tuple[tuple[int, int, int], ...]


def qr_matrix(payload: str) -> QrMatrix:
    """Encode ``payload`` at level M with a 4-module quiet zone (the version fits the payload)."""
    if not payload or not payload.isascii():
        raise ValueError(f"QR payload must be non-empty ASCII, got {payload!r}")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_MODULES)
    code.add_data(payload)
    code.make(fit=True)
    rows = code.get_matrix()
    top = len(rows) - 1
    runs = tuple((m.start(), top - y, m.end() - m.start())
                 for y, row in enumerate(rows) for m in _DARK_RUN.finditer(bytes(row)))
    return QrMatrix(payload, len(rows), runs)


def draw_matrix(canvas: Canvas, matrix: QrMatrix, x: float, y: float, size: float) -> None:
    """Draw ``matrix`` in black as a ``size`` × ``size`` square (quiet zone included) with its
    bottom-left corner at x, y."""
    unit = size / matrix.modules
    canvas.saveState()
    canvas.transform(unit, 0, 0, unit, x, y)
    canvas.setFillGray(0)
    path = canvas.beginPath()
    rect = path.rect
    for col, row, length in matrix.runs:
        rect(col, row, length, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the code with its bottom-left corner (outer edge of the quiet zone) at x, y."""
    draw_matrix(canvas, qr_matrix(payload), x, y, size)
