"""Hardship paper: masked by default in the extracted text of every printout, 大写金额 by the
People's Bank rules, page totals and the grand total of the payment list."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from clerk_app.domain import assistance as rules_mod
from clerk_app.domain import hardship as hs
from clerk_app.domain.money import capital_rmb, fmt_yuan, parse_yuan
from clerk_app.services import hardship, hardship_documents as docs
from clerk_app.services import hardship_ledger as ledger
from clerk_app.services.context import Clerk, Context
from clerk_app.domain.errors import UserError
from tests.printing.pdfcheck import page_count, pdf_text


@pytest.mark.parametrize("yuan, text", [
    ("6007.14", "陆仟零柒元壹角肆分"), ("50000", "伍万元整"), ("1409.50", "壹仟肆佰零玖元伍角"),
    ("325.04", "叁佰贰拾伍元零肆分"), ("0.05", "伍分"), ("10.01", "壹拾元零壹分"), ("1005", "壹仟零伍元整"),
    ("100000.05", "壹拾万元零伍分"), ("54321.56", "伍万肆仟叁佰贰拾壹元伍角陆分"), ("1010", "壹仟零壹拾元整"),
    ("0", "零元整")])
def test_capital_amounts_follow_the_peoples_bank_rules(yuan, text):
    assert capital_rmb(parse_yuan(yuan, allow_zero=True)) == text
    assert capital_rmb(-parse_yuan(yuan, allow_zero=True) or 0).endswith(text)


def _secrets(ctx, file_id):
    f = hardship.find_file(ctx, file_id)
    kid = hardship.get_detail(ctx, file_id).household[0]
    return [f.id_number, f.id_number[6:14], f.birth_date, f.phone, f.bank_account, f.bank_account[:8],
            kid.id_number, kid.birth_date, "糖尿病", "3,000.00", "24,000.00", "1,666.67"]


def _text(printout) -> str:
    return re.sub(r"\s+", "", pdf_text(printout.pdf))


def test_filled_form_is_masked_and_blank_form_is_empty(ctx, filed):
    out = docs.file_form(ctx, filed.worker_no)
    text = _text(out)
    assert "困难职工档案表" in text and "赵困难" in text and filed.worker_no in text
    for secret in _secrets(ctx, filed.file_id):
        assert secret not in text, secret
    assert "****5678" in text and "已隐去" in text and not out.revealed
    blank = _text(docs.file_form(ctx, None))
    assert "困难职工档案表" in blank and "赵困难" not in blank and "系统工会意见" in blank


def test_revealed_form_is_for_a_lead_and_audited_by_field_name(ctx, filed):
    clerk_ctx = Context(ctx.db, Clerk("x", "王经办", "经办人"), ctx.site_id, ctx.clock)
    with pytest.raises(UserError):
        docs.file_form(clerk_ctx, filed.worker_no, reveal=True)
    out = docs.file_form(ctx, filed.worker_no, reveal=True)
    text = _text(out)
    assert "6222020200112345678" in text and "糖尿病" in text and "1,666.67" in text and out.revealed
    audit = ctx.db.conn.execute("SELECT detail FROM audit_log WHERE action = 'reveal'").fetchall()
    assert audit and "bank_account" in audit[-1][0] and "6222" not in audit[-1][0]


def _paid(ctx, filed, count=3):
    hardship.change_status(ctx, filed.file_id, hs.APPROVED)
    out = []
    for i in range(count):
        out.append(ledger.pay(ctx, filed.file_id, ledger.PaymentInput(
            kind=rules_mod.MEDICAL, amount=Decimal("6007.14") + i, paid_date=ctx.today(), fund="工会经费",
            approver="张主席")))
    return out


def test_history_and_payment_list_are_masked_and_total(ctx, filed):
    entries = _paid(ctx, filed, 20)
    ledger.reverse(ctx, entries[0].id, "录错")
    hist = _text(docs.history(ctx, filed.worker_no))
    for secret in _secrets(ctx, filed.file_id):
        assert secret not in hist, secret
    assert "已冲销" in hist and "合计" in hist
    out = docs.payment_list(ctx, kind=rules_mod.MEDICAL)
    text = _text(out)
    for secret in _secrets(ctx, filed.file_id):
        assert secret not in text, secret
    assert page_count(out.pdf) == 2 and out.items == 19  # the reversed payment is not signed for
    assert "陆仟零捌元壹角肆分" in text and "领取人签名" in text and "张主席" in text and "工会经费" in text
    first_page = sum(6007_14 + 100 * i for i in range(1, 13))
    grand = sum(6007_14 + 100 * i for i in range(1, 20))
    assert text.count("本页小计") == 2
    assert capital_rmb(first_page) in text and capital_rmb(grand) in text and fmt_yuan(grand) in text
