from __future__ import annotations

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.printing.cards import (CARD_TITLE, MARK_GAP, MARK_LEN, PER_SHEET, SHEET_BOTTOM, SHEET_LEFT,
                                      card_pdf, card_sheet_pdf)
from clerk_app.printing.result import Cancelled
from tests.printing.pdfcheck import MM, page_sizes_mm, pdf_text, qr_codes, qr_texts, render, squeeze


def test_card_page_is_id1_size(face):
    (w, h), = page_sizes_mm(card_pdf(face()).pdf)
    assert w == pytest.approx(85.6, abs=0.01)
    assert h == pytest.approx(54.0, abs=0.01)


def test_card_qr_decodes_to_exactly_the_card_number(face):
    card = face(7, name="欧阳娜娜")
    page, = render(card_pdf(card).pdf, dpi=300)
    assert qr_texts(page) == ["DX07-000007-K"]


def test_card_qr_is_big_enough_for_a_usb_scanner(face):
    dpi = 300
    page, = render(card_pdf(face()).pdf, dpi=dpi)
    code, = qr_codes(page)
    pos = code.position
    side_px = max(abs(pos.top_right.x - pos.top_left.x), abs(pos.bottom_left.y - pos.top_left.y))
    assert side_px / dpi * 25.4 >= 20.0


def test_card_text_carries_union_title_holder_number_and_date(face):
    text = squeeze(pdf_text(card_pdf(face(3, name="李䶮", union="顺义区仁和镇总工会")).pdf))
    for expected in ("顺义区仁和镇总工会", CARD_TITLE, "李䶮", "DX07-000003-K", "2026-11-21"):
        assert expected in text


def test_card_metadata_records_who_printed(face, imprint):
    from pypdf import PdfReader
    import io

    meta = PdfReader(io.BytesIO(card_pdf(face(), imprint).pdf)).metadata
    assert meta.author == "李经办"
    assert "2026-11-21 09:30" in meta.subject


def test_sheet_of_ten_decodes_every_card(face):
    faces = [face(i, name=n) for i, n in enumerate("赵钱孙李周吴郑王冯陈", start=1)]
    result = card_sheet_pdf(faces)
    assert (result.pages, result.items) == (1, 10)
    (w, h), = page_sizes_mm(result.pdf)
    assert (round(w), round(h)) == (210, 297)
    page, = render(result.pdf, dpi=200)
    assert qr_texts(page) == sorted(f.card_no for f in faces)


def test_sheets_paginate_for_any_count(face, imprint):
    faces = [face(i) for i in range(23)]
    result = card_sheet_pdf(faces, imprint)
    assert result.pages == 3
    pages = render(result.pdf, dpi=150)
    found = [qr_texts(p) for p in pages]
    assert [len(f) for f in found] == [10, 10, 3]
    assert sorted(sum(found, [])) == sorted(f.card_no for f in faces)
    last = squeeze(pdf_text(result.pdf, first=3, last=3))
    assert "第3页/共3页" in last and "本页3张" in last
    assert "打印：李经办2026-11-2109:30" in last


def test_sheet_has_cut_marks_in_the_margins(face):
    dpi = 300
    page, = render(card_sheet_pdf([face()]).pdf, dpi=dpi)
    px = dpi / 72

    def darkest(x_pt: float, y_pt: float) -> int:
        cx, cy = int(x_pt * px), int(page.height - y_pt * px)
        return min(page.getpixel((x, y)) for x in range(cx - 3, cx + 4) for y in range(cy - 3, cy + 4))

    # Below the bottom-left corner of the grid: a vertical mark; in the blank margin beside it: nothing.
    assert darkest(SHEET_LEFT, SHEET_BOTTOM - MARK_GAP - MARK_LEN / 2) < 100
    assert darkest(SHEET_LEFT + 8 * MM, SHEET_BOTTOM - MARK_GAP - MARK_LEN / 2) > 240


def test_empty_batch_is_refused():
    with pytest.raises(UserError) as err:
        card_sheet_pdf([])
    assert err.value.code == "print.nothing"


def test_batch_reports_progress_and_can_be_cancelled(face):
    seen = []
    card_sheet_pdf([face(i) for i in range(25)], progress=lambda done, total: seen.append((done, total)))
    assert seen == [(10, 25), (20, 25), (25, 25)]
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        card_sheet_pdf([face(i) for i in range(3 * PER_SHEET)], cancel=cancel)


def test_qr_refuses_a_non_ascii_payload(face):
    with pytest.raises(ValueError):
        card_pdf(face().__class__("工会", "王", "卡号一", face().issue_date))
