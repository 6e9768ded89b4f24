"""Reading printouts back the way a person or a scanner would: PDF -> PNG (poppler's
pdftoppm) -> QR codes (zxing-cpp); PDF -> text (poppler's pdftotext); page sizes (pypdf)."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader

MM = 72 / 25.4


def render(pdf: bytes, dpi: int = 200, first: int | None = None, last: int | None = None) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        cmd = ["pdftoppm", "-png", "-r", str(dpi)]
        if first:
            cmd += ["-f", str(first)]
        if last:
            cmd += ["-l", str(last)]
        subprocess.run(cmd + [str(src), str(Path(tmp) / "page")], check=True)
        pages = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))
        return [Image.open(io.BytesIO(p.read_bytes())).convert("L") for p in pages]


def qr_codes(image: Image.Image) -> list[zxingcpp.Barcode]:
    return [b for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


def qr_texts(image: Image.Image) -> list[str]:
    return sorted(b.text for b in qr_codes(image))


def pdf_text(pdf: bytes, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    out = subprocess.run(cmd + ["-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def squeeze(text: str) -> str:
    """Text without any whitespace (lines wrapped anywhere compare equal)."""
    return re.sub(r"\s+", "", text)


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader.pages]


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
