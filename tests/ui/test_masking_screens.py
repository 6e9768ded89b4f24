"""The screens keep the masking honest too: the member list (age beside the masked number),
the member's detail before 显示完整号码, and the sign-in desk's look-up rows (birth year beside
it) give no number back (``tests/id_rebuild.py``). A reveal the audit cannot record shows
nothing: not on the detail, not in the print preview."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from clerk_app.domain.idnumber import mask
from clerk_app.services import documents
from clerk_app.services import members as member_service
from tests.db_lock import locked
from clerk_app.ui.members_page import MembersPage
from clerk_app.ui.print_preview import PrintPreviewDialog
from clerk_app.ui.signin_widgets import lookup_line
from tests.id_rebuild import rebuilt

N = 60


@pytest.fixture
def page(qtbot, ctx, add_members):
    add_members(N)
    widget = MembersPage(ctx, page_size=N)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _person(ctx, row):
    full = member_service.get_member(ctx, row.id)
    return full.id_number, dt.date.fromisoformat(full.birth_date), full.gender


def test_the_member_list_gives_no_number_back(ctx, page):
    model = page.model
    assert model.rowCount() == N
    for r in range(N):
        row = model.row_at(r)
        text = "  ".join(str(model.index(r, c).data(Qt.ItemDataRole.DisplayRole) or "")
                         for c in range(model.columnCount()))
        number, birth, gender = _person(ctx, row)
        assert mask(number) in text  # the number is on the row, masked: the check below means something
        assert not rebuilt(text, number, birth, gender, ctx.today()), text


def test_the_member_detail_gives_no_number_back_until_revealed(ctx, page):
    for r in range(0, N, 6):
        page.table.selectRow(r)
        row = page.model.row_at(r)
        text = "  ".join(label.text() for label in page.detail.values.values())
        number, birth, gender = _person(ctx, row)
        assert mask(number) in text and not rebuilt(text, number, birth, gender, ctx.today()), text


def test_the_sign_in_look_up_rows_give_no_number_back(ctx, page):
    for row in member_service.search(ctx, "王", limit=N):
        text = lookup_line(row)
        number, birth, gender = _person(ctx, row)
        assert mask(number) in text and str(birth.year) in text  # the birth year is shown, and is not enough
        assert not rebuilt(text, number, birth, gender, ctx.today()), text


def reveals(ctx) -> int:
    return ctx.db.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'reveal'").fetchone()[0]


def test_a_detail_reveal_the_audit_cannot_record_shows_nothing(qtbot, ctx, page, boxes):
    page.table.selectRow(0)
    number, _birth, _gender = _person(ctx, page.model.row_at(0))
    boxes.answer("确定")
    with locked(ctx):
        qtbot.mouseClick(page.detail.reveal_button, Qt.MouseButton.LeftButton)
    assert boxes.texts and "审计日志" in boxes.texts[0]
    assert page.detail.values["id_number"].text() == mask(number) and not page.detail.revealed
    assert reveals(ctx) == 0
    qtbot.mouseClick(page.detail.reveal_button, Qt.MouseButton.LeftButton)  # unlocked: shown, recorded
    assert page.detail.values["id_number"].text() == number and reveals(ctx) == 1


def test_a_preview_reveal_the_audit_cannot_record_stays_masked(qtbot, ctx, page, boxes):
    member_id = page.model.row_at(0).id
    dialog = PrintPreviewDialog(ctx, documents.registration_form(ctx, member_id))
    qtbot.addWidget(dialog)
    dialog.show()
    boxes.answer("显示完整号码")
    boxes.answer("确定")
    with locked(ctx):
        dialog.reveal_box.setChecked(True)
    assert any("审计日志" in t for t in boxes.texts)
    assert not dialog.reveal_box.isChecked() and not dialog.result.revealed and reveals(ctx) == 0
