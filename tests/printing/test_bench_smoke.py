"""The print benchmark still runs (tiny scale; timings are for benchmarks/, not tests), and its
floors draw what the app draws, so the ratio it prints compares like with like."""

from __future__ import annotations

import datetime as dt
from importlib.util import find_spec
import re
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from benchmarks.bench_print import floor_pdf, floors, make_faces, register_floor_font
from clerk_app.printing.cards import CARD_W, QR_SIZE, card_origin, card_sheet_pdf
from clerk_app.printing.layout import Imprint
from tests.printing.pdfcheck import MM, qr_texts, render

REPO = Path(__file__).resolve().parents[2]
FLOORS = ("qrcode path", "segno path", "zxing-cpp path", "page text alone")


def _bench(*prelude: str) -> str:
    code = "; ".join(["import runpy, sys", *prelude,
                      "sys.argv = ['bench_print', '--cards', '12', '--rounds', '2']",
                      "runpy.run_module('benchmarks.bench_print', run_name='__main__')"])
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_bench_print_prints_app_and_every_floor_with_spreads():
    out = _bench()
    assert "cards: 12 on 2 A4 pages; 2 interleaved rounds" in out
    spread = r"min\s+[\d.]+s\s+median\s+[\d.]+s\s+max\s+[\d.]+s"
    spread = rf"wall {spread}\s+cpu {spread}\s+PDF [\d,]+ KB"
    assert re.search(rf"^app \(card_sheet_pdf\)\s+{spread}", out, re.M), out
    installed = {"segno path": find_spec("segno"), "zxing-cpp path": find_spec("zxingcpp")}
    for floor in FLOORS:
        if installed.get(floor, True) is None:  # the bench extra is not installed: said so, not timed
            assert f"floor '{floor}' skipped" in out
            continue
        assert re.search(rf"^floor: {floor}\s+{spread}", out, re.M), out
        assert re.search(rf"^ratio app / {floor}: wall min\s+[\d.]+x\s+median\s+[\d.]+x\s+max\s+[\d.]+x\s+cpu min\s", out, re.M), out


def test_bench_print_skips_a_floor_whose_library_is_missing():
    out = _bench("sys.modules['segno'] = None", "sys.modules['zxingcpp'] = None")  # import fails
    assert "floor 'segno path' skipped: segno is not installed" in out
    assert "floor 'zxing-cpp path' skipped: zxing-cpp is not installed" in out
    assert "floor: qrcode path" in out and "floor: segno path" not in out and "ratio app / zxing" not in out


def _without_qr_squares(page: Image.Image, dpi: int, cards: int) -> Image.Image:
    """The page with each card's QR square (quiet zone included) painted white."""
    page = page.copy()
    draw, px = ImageDraw.Draw(page), dpi / 72
    for slot in range(cards):
        x, y = card_origin(slot)
        left, bottom = x + CARD_W - QR_SIZE - 1.5 * MM, y + (37.9 * MM - QR_SIZE) / 2
        draw.rectangle((left * px - 2, page.height - (bottom + QR_SIZE) * px - 2,
                        (left + QR_SIZE) * px + 2, page.height - bottom * px + 2), fill=255)
    return page


def test_floors_draw_the_apps_page():
    faces = make_faces(10)
    imprint = Imprint("基准测试", dt.datetime(2026, 12, 3, 9, 0))
    register_floor_font()
    dpi = 100
    app, = render(card_sheet_pdf(faces, imprint).pdf, dpi=dpi)
    app_rest = _without_qr_squares(app, dpi, len(faces))
    numbers = sorted(f.card_no for f in faces)
    for label, encode in floors():
        page, = render(floor_pdf(faces, imprint, encode), dpi=dpi)
        if label == "qrcode path":  # the same matrix drawn the same way: the same pixels
            assert ImageChops.difference(app, page).getbbox() is None
        else:  # another encoder may pick another mask, or no code at all: the QR squares differ
            assert ImageChops.difference(app, page).getbbox() is not None, label
        # everything else (texts, sizes, colours, rules, cut marks, footer) is the same
        assert ImageChops.difference(app_rest, _without_qr_squares(page, dpi, len(faces))).getbbox() is None, label
        assert qr_texts(page) == ([] if encode is None else numbers), label
