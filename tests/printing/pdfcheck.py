"""Reading printouts back the way a person or a scanner would: PDF -> image (PDFium, through the
pip-installed pypdfium2) -> QR codes (zxing-cpp); PDF -> text (PDFium); page sizes (pypdf).

No system tools: the README's test command runs on a machine with nothing but Python."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import zxingcpp
from PIL import Image
from pypdf import PdfReader

MM = 72 / 25.4


@contextmanager
def _pages(pdf: bytes, first: int | None, last: int | None) -> Iterator[list[pdfium.PdfPage]]:
    """Pages first..last (1-based, inclusive, like pdftoppm's -f/-l), closed afterwards."""
    doc = pdfium.PdfDocument(pdf)
    try:
        start = (first or 1) - 1
        stop = min(last or len(doc), len(doc))
        pages = [doc[i] for i in range(start, stop)]
        try:
            yield pages
        finally:
            for page in pages:
                page.close()
    finally:
        doc.close()


def render(pdf: bytes, dpi: int = 200, first: int | None = None, last: int | None = None) -> list[Image.Image]:
    """Each page as a greyscale image at `dpi`. Paths are not anti-aliased, so a hairline rule
    is at least one fully dark pixel wide, as on paper (and as poppler draws it), rather than two
    grey half-pixels."""
    with _pages(pdf, first, last) as pages:
        images = []
        for page in pages:
            bitmap = page.render(scale=dpi / 72, grayscale=True, no_smoothpath=True)
            try:
                images.append(bitmap.to_pil().convert("L"))
            finally:
                bitmap.close()
        return images


def qr_codes(image: Image.Image) -> list[zxingcpp.Barcode]:
    return [b for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


def qr_texts(image: Image.Image) -> list[str]:
    return sorted(b.text for b in qr_codes(image))


def pdf_text(pdf: bytes, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    """The text of pages first..last, each page ended by a form feed.

    Without `layout`: in the order it is drawn, a line break wherever PDFium sees a new line.
    With `layout`: as it stands on the page - one output line for all the text that shares a
    printed line, left to right, with spaces for the gaps between (so a table's header row is one
    line, and a row number alone on its row is a line of its own)."""
    out = []
    with _pages(pdf, first, last) as pages:
        for page in pages:
            textpage = page.get_textpage()
            try:
                text = _laid_out(textpage) if layout else textpage.get_text_range()
            finally:
                textpage.close()
            out.append(text.replace("\r\n", "\n").replace("\r", "\n") + "\n\f")
    return "".join(out)


def _laid_out(textpage: pdfium.PdfTextPage) -> str:
    chars = []  # (left, bottom, right, top, char): the page's own glyphs, not PDFium's inserted breaks
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
        if not char.strip():
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append((left, bottom, right, top, char))
    lines: list[list] = []  # [bottom, top, chars]; chars on one line overlap it by half their height
    for c in sorted(chars, key=lambda c: -(c[1] + c[3])):
        left, bottom, right, top, _ = c
        for line in lines:
            overlap = min(top, line[1]) - max(bottom, line[0])
            if overlap >= 0.5 * min(top - bottom, line[1] - line[0]):
                line[0], line[1] = min(bottom, line[0]), max(top, line[1])
                line[2].append(c)
                break
        else:
            lines.append([bottom, top, [c]])
    lines.sort(key=lambda line: -(line[0] + line[1]))
    text = []
    for _, _, row in lines:
        row.sort(key=lambda c: c[0])
        em = max(c[3] - c[1] for c in row) or 1.0
        parts, x = [], None
        for left, _, right, _, char in row:
            if x is not None and left - x > 0.25 * em:
                parts.append(" " * max(1, round((left - x) / (0.5 * em))))
            parts.append(char)
            x = right
        text.append("".join(parts))
    return "\n".join(text)


def squeeze(text: str) -> str:
    """Text without any whitespace (lines wrapped anywhere compare equal)."""
    return re.sub(r"\s+", "", text)


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader.pages]


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
