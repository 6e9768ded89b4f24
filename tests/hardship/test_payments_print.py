"""``hardship print payments --from --to --type --fund``: the 发放签收表 of one period, type and
fund, read back from the PDF (the period on the page, only the chosen payments, their total in
capitals); the old spellings --since/--until/--kind still work."""

from __future__ import annotations

import datetime as dt

from clerk_app.cli import main
from clerk_app.domain import assistance as rules_mod
from clerk_app.domain import hardship as hs
from clerk_app.services import hardship, hardship_ledger as ledger
from clerk_app.services.hardship_ledger import PaymentInput
from clerk_app.workspace import open_workspace
from tests.conftest import TEST_KDF
from tests.hardship.test_hardship_cli import _folder
from tests.printing.pdfcheck import pdf_text


def test_print_payments_for_a_period_type_and_fund(data_dir, tmp_path, capsys, today):
    member = _folder(data_dir)
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    try:
        ctx = ws.context()
        saved = hardship.file_member(ctx, member, hs.FileInput(category="低保户", own_monthly_income="1000",
                                                               sensitive_consent="书面"))
        hardship.change_status(ctx, saved.file_id, hs.APPROVED)
        early = dt.date(today.year - 1, 3, 1)
        for kind, amount, day, fund in ((rules_mod.MEDICAL, "6007.14", early, "工会经费"),
                                        (rules_mod.MEDICAL, "50000", today, "工会经费"),
                                        (rules_mod.MEDICAL, "888", today, "社会捐赠"),
                                        (rules_mod.SUMMER, "300", today, "工会经费")):
            ledger.pay(ctx, saved.file_id, PaymentInput(kind=kind, amount=amount, paid_date=day, fund=fund,
                                                        approver="张主席"))
    finally:
        ws.close()
    out = tmp_path / "list.pdf"
    base = ["--data-dir", str(data_dir), "hardship", "print", "payments", "--out", str(out)]
    assert main([*base, "--from", today.replace(month=1, day=1).isoformat(), "--to", today.isoformat(),
                 "--type", "医疗救助", "--fund", "工会经费"]) == 0, capsys.readouterr().err
    text = pdf_text(out.read_bytes()).replace(" ", "")
    assert f"发放期间：{today.year}-01-01至{today.isoformat()}" in text and "资金来源：工会经费" in text
    assert "医疗救助资金发放签收表" in text
    assert "50,000.00" in text and "伍万元整" in text
    assert "6,007.14" not in text and "888.00" not in text and "300.00" not in text
    assert main([*base, "--since", early.isoformat(), "--kind", "医疗救助", "--fund", "工会经费"]) == 0
    text = pdf_text(out.read_bytes()).replace(" ", "")
    assert "陆仟零柒元壹角肆分" in text and "伍万陆仟零柒元壹角肆分" in text  # the row and the 合计
    capsys.readouterr()
    assert main([*base, "--from", today.isoformat(), "--type", "金秋助学"]) == 2  # nothing in that period
    assert capsys.readouterr().err.strip()
