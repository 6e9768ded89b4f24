"""PIPL art. 45: a member's own data, exported for them as one PDF — complete (record, history,
consent, cards, sign-ins, what was done with their data), unmasked, audited before the file
exists, and no file when the audit cannot be written."""

from __future__ import annotations

import json
from clerk_app.storage import cipher as sqlite3  # the app's SQLCipher errors

import pytest

from clerk_app.domain import vocab
from clerk_app.services import members as ms
from clerk_app.services import cards, signin, subject_access
from tests.conftest import make_id
from tests.printing.pdfcheck import pdf_text, render, squeeze

from .conftest import DAY

NAME, PHONE, ID_NUMBER = "褚怀瑾", "13911117777", make_id("110108", "19880412", "777")


@pytest.fixture
def person(laptop, event, member_input):
    mid = ms.register_member(laptop, member_input(name=NAME, id_number=ID_NUMBER, phone=PHONE, employer="北京褚氏修车铺",
                                                  remarks="夜班为主"), today=DAY).member_id
    card = cards.issue_card(laptop, mid, DAY, today=DAY)
    signin.sign_in_scan(laptop, event.id, card.card_no)
    ms.change_status(laptop, card.member_id, vocab.RETAINED, effective=DAY, reason="失业保留会籍")
    return card


def test_copy_holds_everything_unmasked(laptop, event, person, tmp_path):
    out = tmp_path / "本人副本.pdf"
    result = subject_access.export_member_data(laptop, person.member_id, out)
    assert out.is_file() and not (tmp_path / "本人副本.pdf.part").exists()
    assert result.revealed and out.read_bytes() == result.pdf
    text = squeeze(pdf_text(result.pdf))
    for expected in (NAME, ID_NUMBER, PHONE, "北京褚氏修车铺", "夜班为主", person.card_no, event.title,
                     "失业保留会籍", "屏幕确认", "个人信息保护法", "本机处理您个人信息的记录", "登记", "发卡"):
        assert squeeze(expected) in text, expected
    assert result.pages >= 1 and render(result.pdf, dpi=40, first=0, last=0)[0].size[0] > 100


def test_export_is_audited_without_values(laptop, person, tmp_path):
    subject_access.export_member_data(laptop, person.member_id, tmp_path / "copy.pdf")
    action, entity_id, detail = laptop.db.conn.execute(
        "SELECT action, entity_id, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert (action, entity_id) == ("access_copy", person.member_id)
    assert json.loads(detail)["reveal"] is True
    assert ID_NUMBER not in detail and NAME not in detail and PHONE not in detail


def test_no_file_when_the_audit_cannot_be_written(laptop, person, tmp_path):
    laptop.db.conn.execute("CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit full'); END")
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(sqlite3.IntegrityError):
        subject_access.export_member_data(laptop, person.member_id, folder / "copy.pdf")
    assert list(folder.iterdir()) == []
