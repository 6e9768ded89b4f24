"""Filing, per-head income, consents, lifecycle and the re-survey list."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.domain import hardship as hs
from clerk_app.domain.errors import UserError, ValidationFailed
from clerk_app.domain.hardship import FileInput, HouseholdInput, per_head_income
from clerk_app.services import hardship
from clerk_app.services.changes import Changes
from clerk_app.services.context import Clerk, Context
from clerk_app.storage.changes import changes_since
from tests.hardship.conftest import child_id


def test_per_head_income_is_exact_and_rounded_half_up_to_the_fen():
    # (3000 × 12 + 24000) ÷ 12 ÷ 3 = 1666.666… → 1666.67
    ph = per_head_income(300_000, 2_400_000, 3)
    assert ph.fen == 166_667 and ph.yearly_total_fen == 6_000_000
    assert "÷ 12 ÷ 家庭人口 3 人 = 1,666.67 元" in ph.how
    assert per_head_income(1, 5, 1).fen == 1  # 17/12 = 1.4166 fen → 1
    assert per_head_income(0, 18, 1).fen == 2  # 18/12 = 1.5 fen → 2 (half up)
    assert per_head_income(0, 30, 2).fen == 1  # 30/24 = 1.25 → 1
    assert per_head_income(0, 36, 2).fen == 2  # 36/24 = 1.5 → 2


def test_filing_numbers_the_file_and_records_history_consents_and_audit(ctx, worker, filed):
    assert filed.worker_no == "DX07K00001"
    detail = hardship.get_detail(ctx, filed.worker_no)
    assert detail.file.status == hs.FILED and [h.event for h in detail.history] == [hs.FILED]
    assert detail.file.per_head.fen == 166_667
    assert detail.file.resurvey_due == hs.resurvey_due(ctx.today()).isoformat()
    assert detail.household[0].birth_date and detail.household[0].gender
    kinds = {r[0] for r in ctx.db.conn.execute("SELECT kind FROM consents WHERE member_id = ?", [worker])}
    assert kinds == {"general", "hardship_sensitive", "guardian"}
    audit = ctx.db.conn.execute("SELECT detail FROM audit_log WHERE entity = 'hardship_file'").fetchone()[0]
    assert "bank_account" in audit and "6222020200112345678" not in audit and "糖尿病" not in audit
    tables = {c.tbl for c in changes_since(ctx.db)}
    assert {"hardship_files", "hardship_household", "hardship_history"} <= tables
    assert ctx.take_changes().hardship


def test_second_laptop_numbers_never_collide(ctx, worker, file_input, member_input):
    from clerk_app.services import cards, members

    cards.set_card_prefix(ctx, "DX08")  # the same database standing in for another laptop's code
    other = members.register_member(ctx, member_input(name="钱困难", id_number=child_id(ctx.today(), 40))).member_id
    saved = hardship.file_member(ctx, other, file_input())
    assert saved.worker_no == "DX08K00001"


def test_sensitive_data_without_its_own_consent_is_refused(ctx, worker, file_input):
    with pytest.raises(UserError) as err:
        hardship.file_member(ctx, worker, file_input(sensitive_consent=""))
    assert err.value.code == "hardship.consent_sensitive" and "单独同意" in err.value.message
    assert ctx.db.conn.execute("SELECT count(*) FROM hardship_files").fetchone()[0] == 0


def test_a_minor_needs_a_guardian_consent(ctx, worker, file_input, today):
    kid = HouseholdInput(name="赵小", relation="子女", id_number=child_id(today, 17))
    with pytest.raises(UserError) as err:
        hardship.file_member(ctx, worker, file_input(household=[kid]))
    assert err.value.code == "hardship.consent_guardian" and "赵小" in err.value.message
    adult = HouseholdInput(name="赵大", relation="子女", id_number=child_id(today, 19))
    assert hardship.file_member(ctx, worker, file_input(household=[adult])).worker_no


def test_every_bad_field_is_reported_at_once(today):
    with pytest.raises(ValidationFailed) as err:
        hs.validate_file(FileInput(category="", health="感冒", own_monthly_income="12.345",
                                   household_size=0, bank_account="12ab"), today)
    codes = {i.code for i in err.value.issues}
    assert {"member.required", "member.bad_choice", "money.too_precise", "hardship.bad_household_size",
            "hardship.bad_account"} <= codes


def test_lifecycle_and_refusals_in_chinese(ctx, filed):
    with pytest.raises(UserError) as err:
        hardship.change_status(ctx, filed.file_id, hs.RESOLVED)
    assert "不能变更为“解困脱困”" in err.value.message and "审核通过" in err.value.message
    with pytest.raises(UserError) as err:
        hardship.change_status(ctx, filed.file_id, hs.WITHDRAWN)
    assert err.value.code == "hardship.reason_required"
    hardship.change_status(ctx, filed.file_id, hs.APPROVED)
    hardship.change_status(ctx, filed.file_id, hs.ASSISTING)
    f = hardship.change_status(ctx, filed.file_id, hs.RESOLVED)
    assert f.status_label == "解困脱困"
    with pytest.raises(UserError) as err:
        hardship.change_status(ctx, filed.file_id, hs.WITHDRAWN, reason="重复")
    assert err.value.code == "hardship.bad_transition"
    events = [h.event for h in hardship.get_detail(ctx, filed.file_id).history]
    assert events == [hs.FILED, hs.APPROVED, hs.ASSISTING, hs.RESOLVED]
    with pytest.raises(Exception):  # the history is append-only in storage itself
        ctx.db.conn.execute("DELETE FROM hardship_history")


def test_withdrawal_keeps_its_reason(ctx, filed):
    hardship.change_status(ctx, filed.file_id, hs.WITHDRAWN, reason="已调离本单位")
    assert hardship.get_detail(ctx, filed.file_id).history[-1].reason == "已调离本单位"


def test_overdue_resurvey_list(ctx, worker, file_input):
    past = ctx.today() - dt.timedelta(days=400)
    saved = hardship.file_member(ctx, worker, file_input(), filed=past)
    assert [r.id for r in hardship.due_for_resurvey(ctx)] == [saved.file_id]
    assert [r.id for r in hardship.list_files(ctx, overdue=True)] == [saved.file_id]
    hardship.record_resurvey(ctx, saved.file_id)
    assert hardship.due_for_resurvey(ctx) == []
    assert hardship.list_files(ctx, "赵")[0].worker_no == saved.worker_no


def test_a_clerk_without_the_role_cannot_file(ctx, worker, file_input):
    clerk_ctx = Context(ctx.db, Clerk("x", "王经办", "经办人"), ctx.site_id, ctx.clock)
    with pytest.raises(UserError) as err:
        hardship.file_member(clerk_ctx, worker, file_input())
    assert err.value.code == "auth.forbidden"


def test_edit_diffs_the_household_and_audits_field_names(ctx, filed):
    d = hardship.get_detail(ctx, filed.file_id)
    inp = hardship.input_of(d.file, d.household)
    inp.own_monthly_income = "3100.50"
    inp.household.append(HouseholdInput(name="赵妻", relation="配偶"))
    hardship.update_file(ctx, filed.file_id, inp)
    d2 = hardship.get_detail(ctx, filed.file_id)
    assert d2.file.own_monthly_fen == 310_050 and [h.name for h in d2.household] == ["赵小", "赵妻"]
    assert d2.household[0].id == d.household[0].id
    assert Changes(hardship=True).touches(ctx.take_changes())


def test_a_member_with_a_file_cannot_be_deleted(ctx, worker, filed):
    from clerk_app.services import members

    with pytest.raises(UserError) as err:
        members.delete_member(ctx, worker)
    assert err.value.code == "hardship.member_has_file"
    from clerk_app.services.erasure import erase_member

    with pytest.raises(UserError) as err:
        erase_member(ctx, worker)
    assert err.value.code == "hardship.erase_has_file"
    assert hardship.find_file(ctx, filed.worker_no).member_id == worker
