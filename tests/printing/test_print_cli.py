"""``clerk-app print ...`` end to end: a real data folder, real PDFs read back, audit entries."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest


from clerk_app.cli import main
from clerk_app.domain.idnumber import mask
from clerk_app.domain.member import MemberInput
from clerk_app.services import cards, members as ms
from clerk_app.storage.audit import recent
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, make_id
from tests.printing.pdfcheck import page_sizes_mm, pdf_text, qr_texts, render, squeeze

ID = make_id("110105", "19900307", "123")


@contextlib.contextmanager
def opened(folder):
    """The data folder opened for a moment (the CLI needs it unlocked while it runs)."""
    ws = open_workspace(folder)
    try:
        yield ws.context()
    finally:
        ws.close()


@pytest.fixture
def folder(data_dir):
    ws = open_workspace(data_dir)
    ws.set_up(SETUP)
    ws.close()
    return data_dir


def _register(folder, name: str, id_number: str) -> str:
    with opened(folder) as ctx:
        inp = MemberInput(name=name, id_number=id_number, phone="13812345678", union_id=ctx.home_union_id,
                          occupation="外卖配送员", platform="美团", join_date=dt.date(2026, 10, 1))
        return ms.register_member(ctx, inp).member_id


@pytest.fixture
def member_id(folder):
    return _register(folder, "欧阳娜娜", ID)


def _prints(folder) -> list:
    with opened(folder) as ctx:
        return [e for e in recent(ctx.db, 50) if e.action == "print"]


def test_registration_form_masked_and_audited(folder, member_id, tmp_path, capsys):
    out = tmp_path / "form.pdf"
    assert main(["--data-dir", str(folder), "print", "registration-form", "--member", ID, "--out", str(out)]) == 0
    text = squeeze(pdf_text(out.read_bytes()))
    assert "欧阳娜娜" in text and ID not in text and mask(ID) in text
    entry, = _prints(folder)
    assert (entry.entity, entry.entity_id) == ("member", member_id)
    assert entry.detail["document"] == "registration_form" and entry.detail["reveal"] is False
    assert ID not in str(entry.detail)  # the audit log never holds the number itself
    assert "已生成" in capsys.readouterr().out


def test_reveal_prints_the_full_number_and_the_audit_says_so(folder, member_id, tmp_path):
    out = tmp_path / "form.pdf"
    assert main(["--data-dir", str(folder), "print", "registration-form", "--member", member_id,
                 "--out", str(out), "--reveal"]) == 0
    assert ID in squeeze(pdf_text(out.read_bytes()))
    entry, = _prints(folder)
    assert entry.detail["reveal"] is True


def test_blank_form(folder, tmp_path):
    out = tmp_path / "blank.pdf"
    assert main(["--data-dir", str(folder), "print", "registration-form", "--blank", "--out", str(out)]) == 0
    assert "工会会员登记表" in squeeze(pdf_text(out.read_bytes()))
    entry, = _prints(folder)
    assert entry.detail["document"] == "registration_form_blank"


def test_unknown_member_is_a_clear_error_without_the_full_number(folder, tmp_path, capsys):
    other = make_id("110105", "19850101", "456")
    out = tmp_path / "x.pdf"
    assert main(["--data-dir", str(folder), "print", "registration-form", "--member", other, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "找不到会员" in err and other not in err
    assert not out.exists()


@pytest.fixture
def issued(folder):
    ids = [_register(folder, "赵钱孙李周吴郑王冯陈褚卫"[i] + "小明", make_id(seq=f"{200 + i}")) for i in range(12)]
    with opened(folder) as ctx:
        cards.set_card_prefix(ctx, "DX07")
        return [cards.issue_card(ctx, mid, dt.date(2026, 11, 1 + i)) for i, mid in enumerate(ids)]


def test_print_one_card(folder, issued, tmp_path):
    out = tmp_path / "card.pdf"
    card = issued[0]
    assert main(["--data-dir", str(folder), "print", "card", card.grouped_no, "--out", str(out)]) == 0
    pdf = out.read_bytes()
    (w, h), = page_sizes_mm(pdf)
    assert (round(w, 1), round(h, 1)) == (85.6, 54.0)
    page, = render(pdf, dpi=300)
    assert qr_texts(page) == [card.card_no]
    entry, = _prints(folder)
    assert (entry.entity, entry.entity_id, entry.detail["document"]) == ("card", card.id, "card")


def test_a_dead_card_is_not_printed(folder, issued, tmp_path, capsys):
    with opened(folder) as ctx:
        cards.report_lost(ctx, issued[1].card_no, "丢失")
    out = tmp_path / "card.pdf"
    assert main(["--data-dir", str(folder), "print", "card", issued[1].card_no, "--out", str(out)]) == 2
    assert "不能打印" in capsys.readouterr().err and not out.exists()


def test_print_cards_since_a_date(folder, issued, tmp_path):
    with opened(folder) as ctx:
        cards.cancel_card(ctx, issued[11].card_no, "注销")
    out = tmp_path / "cards.pdf"
    assert main(["--data-dir", str(folder), "print", "cards", "--since", "2026-11-02", "--out", str(out)]) == 0
    pages = render(out.read_bytes(), dpi=150)
    found = sorted(sum((qr_texts(p) for p in pages), []))
    assert found == sorted(c.card_no for c in issued[1:11])  # from the 2nd; the cancelled one left out
    entry, = _prints(folder)
    assert entry.detail["items"] == 10 and entry.detail["since"] == "2026-11-02"


def test_an_output_that_cannot_be_written_is_a_clear_error(folder, tmp_path, capsys):
    """--out naming a folder (or a place without permission): a Chinese message, exit 2, no
    traceback, no half-written ``.part`` file left beside it, nothing audited."""
    taken = tmp_path / "a-folder.pdf"
    taken.mkdir()
    assert main(["--data-dir", str(folder), "print", "registration-form", "--blank", "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：无法保存文件") and str(taken) in err
    assert not (tmp_path / "a-folder.pdf.part").exists()
    assert _prints(folder) == []


def test_print_roster_of_a_search_masked_with_progress_and_audit(folder, issued, tmp_path, capsys):
    _register(folder, "陈静", make_id("110105", "19800101", "456"))
    out = tmp_path / "roster.pdf"
    assert main(["--data-dir", str(folder), "print", "roster", "--query", "赵", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "已生成" in captured.out and "排版花名册" in captured.err  # result on stdout, progress on stderr
    pdf = out.read_bytes()
    (w, h), = page_sizes_mm(pdf)
    assert (round(w), round(h)) == (297, 210)
    text = squeeze(pdf_text(pdf))
    assert "会员花名册" in text and "赵小明" in text and "陈静" not in text and "钱小明" not in text
    assert make_id(seq="200") not in text and issued[0].holder.id_number_masked in text
    assert "13812345678" not in text and squeeze(issued[0].grouped_no) in text
    entry, = _prints(folder)
    assert entry.entity == "members" and entry.detail["document"] == "member_roster"
    assert entry.detail["reveal"] is False and entry.detail["filtered"] is True and entry.detail["items"] == 1
    assert main(["--data-dir", str(folder), "print", "roster", "--out", str(tmp_path / "all.pdf")]) == 0
    assert "陈静" in pdf_text((tmp_path / "all.pdf").read_bytes())
