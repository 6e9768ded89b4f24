"""A member with a hardship file, on a laptop with its card code set."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.domain import assistance, hardship as hs
from clerk_app.domain.hardship import FileInput, HouseholdInput
from clerk_app.services import cards, hardship, hardship_ledger, members
from clerk_app.services.hardship_ledger import PaymentInput
from tests.conftest import make_id


def child_id(today: dt.date, age: int = 10) -> str:
    return make_id(region="110115", birth=f"{today.year - age}0101", seq="456")


@pytest.fixture
def worker(ctx, member_input):
    cards.set_card_prefix(ctx, "DX07")
    return members.register_member(ctx, member_input(name="赵困难")).member_id


@pytest.fixture
def file_input(today):
    def make(**overrides) -> FileInput:
        base = dict(category="低保户", health="糖尿病", work_status="在岗", own_monthly_income="3000",
                    other_yearly_income="24000", household_size=3, primary_cause="重大疾病",
                    bank="工商银行", bank_branch="黄村支行", bank_account="6222020200112345678",
                    sensitive_consent="书面",
                    household=[HouseholdInput(name="赵小", relation="子女", id_number=child_id(today),
                                              guardian_consent=True, education="小学")])
        base.update(overrides)
        return FileInput(**base)

    return make


@pytest.fixture
def filed(ctx, worker, file_input):
    return hardship.file_member(ctx, worker, file_input())


def pay(ctx, file_id, kind=assistance.EMERGENCY, amount="10000", day=None, **kw):
    """A payment with the usual fund and approver (a rule breach raises, as in the window)."""
    return hardship_ledger.pay(ctx, file_id, PaymentInput(kind=kind, amount=amount, paid_date=day or ctx.today(),
                                                          fund="工会经费", approver="张主席", **kw))


@pytest.fixture
def fid(ctx, filed):
    """The filed worker's file, approved (payments need an approved file)."""
    hardship.change_status(ctx, filed.file_id, hs.APPROVED)
    return filed.file_id
