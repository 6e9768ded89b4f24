"""``clerk-app hardship ...`` in process, as district IT would script it."""

from __future__ import annotations

import json

from clerk_app.cli import main
from clerk_app.domain.member import MemberInput
from clerk_app.services import cards, members
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, TEST_KDF, make_id
from tests.hardship.conftest import child_id
from tests.printing.pdfcheck import pdf_text


def _run(capsys, data_dir, *args):
    code = main(["--data-dir", str(data_dir), "hardship", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _folder(data_dir) -> str:
    """A set-up laptop (closed again, so the command can open it) with one member."""
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    try:
        ctx = ws.set_up(SETUP)
        cards.set_card_prefix(ctx, "DX07")
        form = MemberInput(name="赵困难", id_number=make_id(), phone="13812345678", occupation="外卖配送员",
                           platform="美团", union_id=ctx.home_union_id)
        return members.register_member(ctx, form).member_id
    finally:
        ws.close()


def test_file_pay_reverse_visit_due_totals_and_print(data_dir, tmp_path, capsys, today):
    form = tmp_path / "form.json"
    form.write_text(json.dumps({
        "category": "低保户", "health": "尿毒症", "own_monthly_income": "2500.50", "other_yearly_income": "12000",
        "household_size": 2, "bank_account": "6222020200112345678", "sensitive_consent": "书面",
        "household": [{"name": "赵小", "relation": "子女", "id_number": child_id(today), "guardian_consent": True}],
    }, ensure_ascii=False), encoding="utf-8")
    member = _folder(data_dir)
    code, out, err = _run(capsys, data_dir, "file", "--member", member, "--form", str(form), "--json")
    assert code == 0, err
    saved = json.loads(out)
    no = saved["worker_no"]
    assert no == "DX07K00001" and "1,750.25 元" in saved["per_head_how"]  # (2500.50×12+12000)/12/2

    code, out, err = _run(capsys, data_dir, "pay", no, "--kind", "临时应急救助", "--amount", "4999.99",
                          "--fund", "工会经费", "--approver", "张主席")
    assert code == 2 and "5,000.00 至 50,000.00" in err
    code, out, err = _run(capsys, data_dir, "pay", no, "--kind", "临时应急救助", "--amount", "4999.99",
                          "--fund", "工会经费", "--approver", "张主席", "--override", "特批", "--json")
    assert code == 0, err
    entry = json.loads(out)
    assert entry["amount"] == "4999.99" and entry["override"] == "特批"
    code, out, err = _run(capsys, data_dir, "reverse", entry["id"], "--reason", "录错", "--json")
    assert code == 0 and json.loads(out)["amount"] == "-4999.99"
    code, out, err = _run(capsys, data_dir, "pay", no, "--kind", "金秋助学", "--amount", "2000",
                          "--fund", "专项资金", "--approver", "张主席", "--recipient", "赵小")
    assert code == 0, err
    code, out, err = _run(capsys, data_dir, "visit", no, "--visitors", "张主席", "--found", "漏雨")
    assert code == 0, err
    code, out, err = _run(capsys, data_dir, "totals", "--json")
    assert json.loads(out)["total"] == "2000.00"
    code, out, err = _run(capsys, data_dir, "recheck", "--json")
    assert code == 0 and json.loads(out) == []  # the override is kept: not flagged again
    code, out, err = _run(capsys, data_dir, "due", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, err = _run(capsys, data_dir, "show", no)
    assert "6222020200112345678" not in out and "**** 5678" in out and "110105****" in out
    code, out, err = _run(capsys, data_dir, "status", no, "--to", "撤档")
    assert code == 2 and "原因" in err
    for what in ("file", "history", "payments"):
        pdf = tmp_path / f"{what}.pdf"
        code, out, err = _run(capsys, data_dir, "print", what, no, "--out", str(pdf))
        assert code == 0, err
        text = pdf_text(pdf.read_bytes())
        assert "6222020200112345678" not in text and "尿毒症" not in text
