"""Hardship files and the ledger travel like every record; after a merge the rules are checked
again across laptops (a child paid 金秋助学 on two laptops in one school year is flagged, both
entries stay)."""

from __future__ import annotations

from clerk_app.domain import assistance as rules_mod
from clerk_app.domain import hardship as hs
from clerk_app.services import hardship, hardship_ledger as ledger
from clerk_app.sync.records import export_records
from tests.hardship.conftest import child_id
from tests.merge.conftest import DAY


def test_files_and_ledger_travel_and_cross_laptop_breaches_are_flagged(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    worker = sites.member(a, "赵困难")
    form = hs.FileInput(category="低保户", own_monthly_income="1000", sensitive_consent="书面",
                        household=[hs.HouseholdInput(name="赵小", relation="子女", id_number=child_id(DAY),
                                                     guardian_consent=True)])
    saved = hardship.file_member(a, worker, form)
    hardship.change_status(a, saved.file_id, hs.APPROVED)
    sites.send(a.db, b.db)  # b now holds the file (as a laptop that synced with the district)
    child = hardship.get_detail(b, saved.worker_no).household[0].id
    pay = ledger.PaymentInput(kind=rules_mod.EDUCATION, amount="2000", paid_date=DAY, fund="专项资金",
                              approver="张主席", recipient_id=child)
    ledger.pay(a, saved.file_id, pay)
    ledger.pay(b, saved.file_id, pay)  # offline, each laptop within the rule on its own
    district = sites.district()
    sites.send(a.db, district)
    sites.send(b.db, district)
    assert district.conn.execute("SELECT count(*) FROM hardship_ledger").fetchone()[0] == 2
    assert district.conn.execute("SELECT worker_no FROM hardship_files").fetchone()[0] == saved.worker_no
    flags = ledger.recheck(district)
    assert [f.breach.rule for f in flags] == ["education_twice"]
    assert ledger.recheck(a.db) == []
    tables = {r["tbl"] for r in export_records(a.db)}
    assert {"hardship_files", "hardship_household", "hardship_history", "hardship_ledger"} <= tables


def test_one_member_filed_on_two_laptops_is_flagged_at_the_district(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    worker = sites.member(a, "钱困难")
    sites.send(a.db, b.db)  # both laptops know the member, then each files offline
    form = hs.FileInput(category="低保户", own_monthly_income="1000", sensitive_consent="书面")
    first, second = hardship.file_member(a, worker, form), hardship.file_member(b, worker, form)
    district = sites.district()
    sites.send(a.db, district)
    sites.send(b.db, district)
    groups = hardship.double_files(district)
    assert [sorted(r.worker_no for r in g) for g in groups] == [sorted([first.worker_no, second.worker_no])]
    assert hardship.double_files(a.db) == []
