"""The print preview shows, saves and prints the very PDF the print engine made; every print
or save (never the mere preview) writes an audit entry; 显示完整号码 only after confirming."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog

from clerk_app.printing.cards import CardFace, card_pdf, card_sheet_pdf
from clerk_app.printing.forms import registration_form_pdf
from clerk_app.services import cards as card_service
from clerk_app.services import members as member_service
from clerk_app.services.printouts import Printout, card_face, imprint
from clerk_app.ui.print_preview import PrintPreviewDialog
from tests.conftest import run_on
from tests.printing.pdfcheck import page_sizes_mm, pdf_text, qr_texts, render, squeeze

_on_day = run_on(dt.date(2026, 1, 20))  # the cards are issued on 2026-01-10


def audit_prints(ctx) -> list[tuple[str, str, dict]]:
    rows = ctx.db.conn.execute(
        "SELECT entity, entity_id, detail FROM audit_log WHERE action = 'print' ORDER BY id").fetchall()
    return [(e, i, json.loads(d)) for e, i, d in rows]


@pytest.fixture
def issued(ctx, add_members):
    """Three members with active cards (real numbers from a real card code)."""
    card_service.set_card_prefix(ctx, "DX07")
    ids = add_members(3)
    return [card_service.issue_card(ctx, m, dt.date(2026, 1, 10)) for m in ids]


def open_dialog(qtbot, ctx, result, *, entity="card", entity_id="", reveal=None, use_pdf_view=True) -> PrintPreviewDialog:
    printout = Printout(result, entity, entity_id,
                        remake=None if reveal is None else (lambda full: reveal() if full else result))
    dialog = PrintPreviewDialog(ctx, printout, use_pdf_view=use_pdf_view)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_preview_shows_a_real_card_and_saves_the_identical_bytes(qtbot, ctx, issued, tmp_path, monkeypatch):
    card = issued[0]
    result = card_pdf(card_face(card), imprint(ctx))
    dialog = open_dialog(qtbot, ctx, result, entity_id=card.id)
    assert dialog.page_count() == 1 and dialog.pages_label.text() == "共 1 页"
    assert not dialog.banner.isVisible()
    assert audit_prints(ctx) == []  # looking is not printing

    target = tmp_path / "out" / "服务卡"  # no suffix typed: .pdf is added
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)"))
    with qtbot.waitSignal(dialog.saved, timeout=3000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    written = target.with_name("服务卡.pdf")
    assert saved.args == [str(written)]
    assert written.read_bytes() == result.pdf
    assert not list(tmp_path.glob("out/*.part"))
    ((entity, entity_id, detail),) = audit_prints(ctx)
    assert (entity, entity_id) == ("card", card.id)
    assert detail["output"] == "file" and detail["document"] == "card" and detail["reveal"] is False
    assert card.holder.name not in json.dumps(detail, ensure_ascii=False)


def test_a_cancelled_save_dialog_writes_nothing(qtbot, ctx, issued, monkeypatch):
    dialog = open_dialog(qtbot, ctx, card_pdf(card_face(issued[0])))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert dialog.save_pdf() is None
    assert audit_prints(ctx) == []


def test_an_unwritable_folder_gets_a_chinese_message_and_no_audit(qtbot, ctx, issued, tmp_path, monkeypatch, boxes):
    dialog = open_dialog(qtbot, ctx, card_pdf(card_face(issued[0])))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "no-such-folder" / "卡.pdf"), ""))
    boxes.answer("确定")
    assert dialog.save_pdf() is None
    assert boxes.texts and "无法保存文件" in boxes.texts[0]
    assert audit_prints(ctx) == []


def test_printing_draws_every_page_at_real_size_and_the_qr_codes_still_decode(qtbot, ctx, issued, tmp_path):
    faces = [card_face(c) for c in issued] * 4  # 12 cards: two A4 sheets
    result = card_sheet_pdf(faces, imprint(ctx))
    dialog = open_dialog(qtbot, ctx, result, entity="cards")
    assert dialog.page_count() == 2
    printer = dialog.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "paper.pdf"
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(dialog.printed, timeout=20000) as printed:
        assert dialog.print_to(printer) == 2
    assert printed.args == [2]
    paper = out.read_bytes()
    assert len(PdfReader(io.BytesIO(paper)).pages) == 2
    for w, h in page_sizes_mm(paper):
        assert abs(w - 210) < 1 and abs(h - 297) < 1
    codes = qr_texts(render(paper, dpi=200, first=1, last=1)[0])
    assert sorted(set(codes)) == sorted(c.card_no for c in issued) and len(codes) == 10
    ((entity, _id, detail),) = audit_prints(ctx)
    assert entity == "cards" and detail["output"] == "printer" and detail["pages"] == 2 and detail["items"] == 12


def test_a_single_card_prints_on_card_sized_paper_in_landscape(qtbot, ctx, issued, tmp_path):
    dialog = open_dialog(qtbot, ctx, card_pdf(card_face(issued[1])))
    printer = dialog.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "card.pdf"))
    assert dialog.print_to(printer) == 1
    ((w, h),) = page_sizes_mm((tmp_path / "card.pdf").read_bytes())
    assert abs(w - 85.6) < 0.6 and abs(h - 54) < 0.6
    assert qr_texts(render((tmp_path / "card.pdf").read_bytes(), dpi=300)[0]) == [issued[1].card_no]


def test_missing_glyph_warning_is_shown_in_a_banner_before_printing(qtbot, ctx):
    face = CardFace("大兴区黄村镇总工会", "王\ue000明", "DX07000001X", dt.date(2026, 1, 1))
    result = card_pdf(face)
    assert result.warnings
    dialog = open_dialog(qtbot, ctx, result)
    assert dialog.banner.isVisible()
    assert "U+E000" in dialog.banner.text() and "打印出来会是空白" in dialog.banner.text()


def test_full_numbers_only_after_the_clerk_confirms_and_the_print_says_so(qtbot, ctx, add_members, boxes,
                                                                           tmp_path, monkeypatch):
    (member_id,) = add_members(1)
    member = member_service.get_member(ctx, member_id)
    made = []

    def reveal():
        made.append(True)
        return registration_form_pdf(member, imprint(ctx), reveal=True)

    masked = registration_form_pdf(member, imprint(ctx))
    dialog = open_dialog(qtbot, ctx, masked, entity="member", entity_id=member_id, reveal=reveal)
    assert dialog.reveal_box.isVisible()
    assert member.id_number not in squeeze(pdf_text(dialog.result.pdf))

    boxes.answer("取消")
    dialog.reveal_box.setChecked(True)  # the clerk ticks it, then thinks better of it
    assert not dialog.reveal_box.isChecked() and made == [] and dialog.result is masked

    boxes.answer("显示完整号码")
    dialog.reveal_box.setChecked(True)
    assert dialog.reveal_box.isChecked() and made == [True]
    assert dialog.result.revealed and "含完整号码" in dialog.pages_label.text()
    assert member.id_number in squeeze(pdf_text(dialog.result.pdf))
    assert audit_prints(ctx) == []  # showing on screen is not yet printing ...
    ((action, entity, entity_id, shown),) = ctx.db.conn.execute(  # ... but it is revealing, recorded now
        "SELECT action, entity, entity_id, detail FROM audit_log WHERE action = 'reveal'").fetchall()
    assert (entity, entity_id) == ("member", member_id) and member.id_number not in shown

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "form.pdf"), ""))
    assert dialog.save_pdf() == tmp_path / "form.pdf"
    assert (tmp_path / "form.pdf").read_bytes() == dialog.result.pdf
    ((entity, entity_id, detail),) = audit_prints(ctx)
    assert (entity, entity_id, detail["reveal"]) == ("member", member_id, True)
    assert member.id_number not in json.dumps(detail)

    dialog.reveal_box.setChecked(False)  # back to masked, without asking
    assert dialog.result is masked


def test_without_the_pdf_widget_pages_are_shown_as_images(qtbot, ctx, issued):
    result = card_sheet_pdf([card_face(c) for c in issued] * 4)
    dialog = open_dialog(qtbot, ctx, result, entity="cards", use_pdf_view=False)
    assert dialog.page_count() == 2 and len(dialog.view.labels) == 2
    pixmap = dialog.view.labels[0].pixmap()
    assert pixmap.height() > pixmap.width() > 100  # an A4 page, portrait
    dialog.zoom_box.setCurrentIndex(dialog.zoom_box.findData(2.0))
    assert dialog.view.labels[0].pixmap().width() > pixmap.width()
