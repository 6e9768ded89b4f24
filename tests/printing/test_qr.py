"""The QR code of the printouts: qrcode's matrix as one filled path, read back from the rendered page."""

from __future__ import annotations

import io
import re

import pytest
import qrcode
from pypdf import PdfReader
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from clerk_app.printing.cards import CARD_W, QR_SIZE, card_pdf
from clerk_app.printing.qr import QUIET_MODULES, draw_qr, qr_matrix
from tests.printing.pdfcheck import qr_codes, qr_texts, render

PAYLOADS = ("DX07000123K", "DX07-000007-K", "A", "HT0199999990Z" * 3)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_runs_rebuild_qrcodes_own_matrix_and_merge_each_row(payload):
    matrix = qr_matrix(payload)
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_MODULES)
    code.add_data(payload)
    expected = code.get_matrix()
    n = matrix.modules
    assert n == len(expected)
    grid = [[False] * n for _ in range(n)]
    for col, row, length in matrix.runs:
        assert length >= 1
        for c in range(col, col + length):
            assert not grid[n - 1 - row][c]  # no module drawn twice
            grid[n - 1 - row][c] = True
    assert grid == expected
    ends = {(col + length, row) for col, row, length in matrix.runs}
    assert not any((col, row) in ends for col, row, _ in matrix.runs)  # touching runs would be one


def test_a_card_draws_its_code_as_one_filled_path_of_one_rect_per_run(face):
    card = face(5)
    page = PdfReader(io.BytesIO(card_pdf(card).pdf)).pages[0]
    ops = page.get_contents().get_data().decode("latin-1")
    assert len(re.findall(r"\bre\b", ops)) == len(qr_matrix(card.card_no).runs)
    assert len(re.findall(r"^f\*?$", ops, re.M)) == 1  # runs never overlap: even-odd = nonzero


def test_card_qr_is_level_m_with_a_four_module_quiet_zone_in_its_square(face):
    dpi = 300
    page, = render(card_pdf(face(42)).pdf, dpi=dpi)
    code, = qr_codes(page)
    assert code.text == "DX07-000042-K" and code.ec_level == "M"
    px = dpi / 25.4 / mm  # pixels per point
    left = (CARD_W - QR_SIZE - 1.5 * mm) * px
    top = page.height - ((37.9 * mm - QR_SIZE) / 2 + QR_SIZE) * px
    side = QR_SIZE * px
    square = page.crop((round(left), round(top), round(left + side), round(top + side)))
    dark = square.point(lambda v: 255 if v < 128 else 0).getbbox()
    quiet = side * QUIET_MODULES / qr_matrix("DX07-000042-K").modules
    assert dark is not None
    for edge in dark[:2]:
        assert edge == pytest.approx(quiet, abs=2)
    for edge in dark[2:]:
        assert edge == pytest.approx(side - quiet, abs=2)


def test_a_longer_payload_grows_the_version_inside_the_same_square(tmp_path):
    short, long = qr_matrix("DX07000001K"), qr_matrix("HT0199999990Z" * 3)
    assert long.modules > short.modules
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(60 * mm, 60 * mm))
    draw_qr(canvas, "HT0199999990Z" * 3, 10 * mm, 10 * mm, QR_SIZE)
    canvas.showPage()
    canvas.save()
    page, = render(buf.getvalue(), dpi=300)
    assert qr_texts(page) == ["HT0199999990Z" * 3]


@pytest.mark.parametrize("payload", ["", "卡号一", "DX07 000001 K\n".replace("DX", "东")])
def test_qr_refuses_an_empty_or_non_ascii_payload(payload):
    with pytest.raises(ValueError):
        qr_matrix(payload)
