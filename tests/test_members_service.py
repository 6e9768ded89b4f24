"""Member use cases on a real database: duplicates, age, lifecycle, one transaction per write."""

from __future__ import annotations

import datetime as dt
from clerk_app.storage import cipher as sqlite3  # the app's SQLCipher errors

import pytest

from clerk_app.domain import vocab
from clerk_app.domain.errors import DuplicateIdNumber, PossibleDuplicate, UserError, ValidationFailed
from clerk_app.services import members as ms
from clerk_app.services.members import Cancelled
from clerk_app.storage.changes import HLC_KEY
from clerk_app.storage.meta import get_meta
from tests.conftest import make_id, run_on

TODAY = dt.date(2026, 11, 21)
_on_day = run_on(TODAY)  # the app works on this module's day
TABLES = ("members", "member_status_history", "consents", "member_keys", "change_log", "audit_log", "tombstones")


def _counts(db) -> dict[str, int]:
    return {t: db.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _status(db, mid) -> str:
    return db.conn.execute("SELECT status FROM members WHERE id = ?", [mid]).fetchone()[0]


# -- registration -------------------------------------------------------------------------------

def test_register_stores_normalised_and_derived_values(ctx, member_input):
    number = make_id("110105", "19900307", "124")
    typed = "１１０１０５ 1990 0307 " + number[14:].lower()
    res = ms.register_member(ctx, member_input(id_number=typed, phone="138-1234-5678", salary="6,500.50元"),
                             today=TODAY)
    rec = ms.get_member(ctx, res.member_id)
    assert rec.id_number == number
    assert rec.phone == "13812345678"
    assert rec.birth_date == "1990-03-07" and rec.gender == "女"
    assert rec.salary_fen == 650050
    assert rec.status == vocab.ACTIVE and rec.union_name == "大兴区黄村镇总工会"
    assert res.warnings == []


def test_register_returns_id_warnings(ctx, member_input):
    res = ms.register_member(ctx, member_input(id_number=make_id("133100")), today=TODAY)
    assert [w.code for w in res.warnings] == ["id.region_unknown"]
    assert "133100" in res.warnings[0].message


def test_every_bad_field_reported_at_once_and_nothing_saved(ctx, member_input):
    before = _counts(ctx.db)
    with pytest.raises(ValidationFailed) as info:
        ms.register_member(ctx, member_input(name="", id_number="123", phone="12345", occupation="",
                                             salary="-5"), today=TODAY)
    fields = {i.field for i in info.value.issues}
    assert fields == {"name", "id_number", "phone", "occupation", "salary"}
    assert all(i.message for i in info.value.issues)
    assert "请填写姓名" in info.value.message
    assert _counts(ctx.db) == before


def test_duplicate_id_number_names_the_existing_member(ctx, member_input):
    first = ms.register_member(ctx, member_input(name="单田芳"), today=TODAY).member_id
    before = _counts(ctx.db)
    again = member_input(name="单天方", id_number=make_id().lower().replace("", " ").strip())
    with pytest.raises(DuplicateIdNumber) as info:
        ms.register_member(ctx, again, today=TODAY)
    assert info.value.existing_id == first
    assert info.value.code == "member.duplicate_id"
    assert "单田芳" in info.value.message and "大兴区黄村镇总工会" in info.value.message
    with pytest.raises(DuplicateIdNumber):  # confirming a possible duplicate does not bypass this
        ms.register_member(ctx, again, confirm_possible_duplicate=True, today=TODAY)
    assert _counts(ctx.db) == before


def test_same_name_and_birth_date_needs_confirmation(ctx, member_input):
    first = ms.register_member(ctx, member_input(name="王小明", id_number=make_id(seq="101")), today=TODAY)
    other = member_input(name="王小明", id_number=make_id(seq="103"))  # same birth date, other person
    before = _counts(ctx.db)
    with pytest.raises(PossibleDuplicate) as info:
        ms.register_member(ctx, other, today=TODAY)
    assert info.value.candidates == [(first.member_id, "王小明")]
    assert "王小明" in info.value.message
    assert _counts(ctx.db) == before
    second = ms.register_member(ctx, other, confirm_possible_duplicate=True, today=TODAY)
    assert second.member_id != first.member_id
    assert ms.count(ctx) == 2


def test_same_name_other_birth_date_is_not_a_duplicate(ctx, member_input):
    ms.register_member(ctx, member_input(name="王小明", id_number=make_id(seq="101")), today=TODAY)
    ms.register_member(ctx, member_input(name="王小明", id_number=make_id(birth="19900308", seq="101")),
                       today=TODAY)
    assert ms.count(ctx) == 2


def test_under_16_refused_16_accepted(ctx, member_input):
    young = member_input(id_number=make_id(birth="20101122"))  # 16 tomorrow
    with pytest.raises(ValidationFailed) as info:
        ms.register_member(ctx, young, today=TODAY)
    assert [i.code for i in info.value.issues] == ["member.too_young"]
    assert "15" in info.value.message and "16" in info.value.message
    ok = member_input(id_number=make_id(birth="20101121"))  # 16 today
    assert ms.register_member(ctx, ok, today=TODAY).member_id


def test_unknown_union_refused_and_nothing_saved(ctx, member_input):
    before = _counts(ctx.db)
    with pytest.raises(ValidationFailed) as info:
        ms.register_member(ctx, member_input(union_id="no-such-union"), today=TODAY)
    assert info.value.issues[0].code == "member.union_required"
    assert _counts(ctx.db) == before


# -- one write, one transaction -----------------------------------------------------------------

def test_failure_half_way_through_registration_leaves_nothing(ctx, member_input):
    ms.register_member(ctx, member_input(name="已有会员", id_number=make_id(seq="900")), today=TODAY)
    before, clock_before = _counts(ctx.db), get_meta(ctx.db, HLC_KEY)
    # The consent is the last row a registration writes: make it fail after the member,
    # its search keys, its history and two change records are already written.
    ctx.db.conn.execute("CREATE TRIGGER fail_consent BEFORE INSERT ON consents "
                        "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk trouble"):
        ms.register_member(ctx, member_input(name="半条记录"), today=TODAY)
    assert _counts(ctx.db) == before
    assert get_meta(ctx.db, HLC_KEY) == clock_before
    assert not ctx.db.conn.in_transaction
    assert ms.search(ctx, "半条记录") == []

    ctx.db.conn.execute("DROP TRIGGER fail_consent")
    ms.register_member(ctx, member_input(name="半条记录"), today=TODAY)
    after = _counts(ctx.db)
    assert after["members"] == before["members"] + 1 and after["change_log"] == before["change_log"] + 3


def test_failure_in_the_audit_write_rolls_back_an_edit(ctx, member_input):
    mid = ms.register_member(ctx, member_input(), today=TODAY).member_id
    before = _counts(ctx.db)
    ctx.db.conn.execute("CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
                        "BEGIN SELECT RAISE(ABORT, 'audit full'); END")
    with pytest.raises(sqlite3.IntegrityError):
        ms.update_member(ctx, mid, member_input(phone="13900001111"), today=TODAY)
    with pytest.raises(sqlite3.IntegrityError):
        ms.change_status(ctx, mid, vocab.WITHDRAWN, today=TODAY)
    with pytest.raises(sqlite3.IntegrityError):
        ms.delete_member(ctx, mid)
    assert _counts(ctx.db) == before
    rec = ms.get_member(ctx, mid)
    assert rec.phone == "13812345678" and rec.status == vocab.ACTIVE


def _name(i: int) -> str:
    """批量 + the number in Chinese digits (names may not contain 0-9)."""
    return "批量" + "".join("零一二三四五六七八九"[int(d)] for d in f"{i:03d}")


def _bulk_forms(member_input, n: int) -> list:
    start = dt.date(1980, 1, 1)
    return [member_input(name=_name(i), id_number=make_id(birth=(start + dt.timedelta(days=i)).strftime("%Y%m%d"),
                                                                   seq=f"{i % 1000:03d}"))
            for i in range(n)]


class CancelOnCall:
    """A cancel button pressed at the n-th time the job looks at it."""

    def __init__(self, n: int):
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls >= self.n


def test_register_many_all_or_nothing_cancel_saves_nothing(ctx, member_input):
    before = _counts(ctx.db)
    cancel = CancelOnCall(3)  # looked at before rows 0, 50, 100
    with pytest.raises(Cancelled):
        ms.register_many(ctx, _bulk_forms(member_input, 120), today=TODAY, cancel=cancel)
    assert cancel.calls == 3
    assert _counts(ctx.db) == before


def test_register_many_in_chunks_keeps_only_whole_chunks(ctx, member_input):
    before = _counts(ctx.db)
    cancel = CancelOnCall(2)  # pressed when row 50 is reached: in the middle of chunk 30..59
    result = ms.register_many(ctx, _bulk_forms(member_input, 120), chunk=30, today=TODAY, cancel=cancel)
    assert len(result.saved) == 30
    saved_names = [r[0] for r in ctx.db.conn.execute("SELECT name FROM members ORDER BY name")]
    assert saved_names == sorted(_name(i) for i in range(30))
    assert set(result.saved) == {r[0] for r in ctx.db.conn.execute("SELECT id FROM members")}
    after = _counts(ctx.db)
    assert after["members"] - before["members"] == 30
    assert after["change_log"] - before["change_log"] == 90
    assert after["audit_log"] - before["audit_log"] == 30


def test_register_many_reports_bad_rows_and_saves_the_rest(ctx, member_input):
    forms = _bulk_forms(member_input, 5)
    forms[1] = forms[1].copy(phone="12345")
    forms[3] = forms[3].copy(id_number=forms[0].id_number)  # the same person twice in one file
    seen = []
    result = ms.register_many(ctx, forms, today=TODAY, progress=lambda d, t: seen.append((d, t)))
    assert len(result.saved) == 3
    assert [(i, [p.code for p in problems]) for i, problems in result.rejected] == [
        (1, ["phone.invalid"]), (3, ["member.duplicate_id"])]
    assert seen[-1] == (5, 5)
    assert ms.count(ctx) == 3


# -- editing ------------------------------------------------------------------------------------

def test_update_to_another_members_id_number_refused(ctx, member_input):
    a = ms.register_member(ctx, member_input(name="甲", id_number=make_id(seq="111")), today=TODAY).member_id
    b = ms.register_member(ctx, member_input(name="乙", id_number=make_id(seq="113")), today=TODAY).member_id
    before = _counts(ctx.db)
    with pytest.raises(DuplicateIdNumber) as info:
        ms.update_member(ctx, b, member_input(name="乙", id_number=make_id(seq="111")), today=TODAY)
    assert info.value.existing_id == a
    assert _counts(ctx.db) == before
    assert ms.get_member(ctx, b).id_number == make_id(seq="113")


def test_update_keeping_name_and_birth_needs_no_reconfirmation(ctx, member_input):
    ms.register_member(ctx, member_input(name="王小明", id_number=make_id(seq="101")), today=TODAY)
    b = ms.register_member(ctx, member_input(name="王小明", id_number=make_id(seq="103")),
                           confirm_possible_duplicate=True, today=TODAY).member_id
    res = ms.update_member(ctx, b, member_input(name="王小明", id_number=make_id(seq="103"), employer="顺丰"),
                           today=TODAY)
    assert res.changed == ("employer",)


def test_update_renaming_into_a_possible_duplicate_asks(ctx, member_input):
    ms.register_member(ctx, member_input(name="王小明", id_number=make_id(seq="101")), today=TODAY)
    b = ms.register_member(ctx, member_input(name="王晓明", id_number=make_id(seq="103")), today=TODAY).member_id
    with pytest.raises(PossibleDuplicate):
        ms.update_member(ctx, b, member_input(name="王小明", id_number=make_id(seq="103")), today=TODAY)
    res = ms.update_member(ctx, b, member_input(name="王小明", id_number=make_id(seq="103")),
                           confirm_possible_duplicate=True, today=TODAY)
    assert res.changed == ("name",)
    assert len(ms.search(ctx, "wxm")) == 2


def test_update_rebuilds_search_keys(ctx, member_input):
    mid = ms.register_member(ctx, member_input(name="王小明"), today=TODAY).member_id
    ms.update_member(ctx, mid, member_input(name="曾国藩", phone="13900005555"), today=TODAY)
    assert [m.id for m in ms.search(ctx, "zgf")] == [mid]
    assert ms.search(ctx, "wxm") == []
    assert [m.id for m in ms.search(ctx, "5555")] == [mid]
    assert ms.search(ctx, "5678") == []


@pytest.mark.parametrize("call", [
    lambda ctx, inp: ms.update_member(ctx, "nope", inp, today=TODAY),
    lambda ctx, inp: ms.change_status(ctx, "nope", vocab.WITHDRAWN),
    lambda ctx, inp: ms.delete_member(ctx, "nope"),
    lambda ctx, inp: ms.get_member(ctx, "nope"),
])
def test_missing_member(ctx, member_input, call):
    with pytest.raises(UserError) as info:
        call(ctx, member_input())
    assert info.value.code == "member.not_found" and "找不到" in info.value.message


# -- lifecycle ----------------------------------------------------------------------------------

_REACH = {  # how a freshly registered (active) member gets to each status
    vocab.ACTIVE: [], vocab.RETAINED: [vocab.RETAINED], vocab.TRANSFERRED_OUT: [vocab.TRANSFERRED_OUT],
    vocab.WITHDRAWN: [vocab.WITHDRAWN], vocab.EXPELLED: [vocab.EXPELLED],
}


@pytest.mark.parametrize("current", list(vocab.STATUSES))
def test_transitions_follow_the_table(ctx, member_input, current):
    for k, target in enumerate(vocab.STATUSES):
        mid = ms.register_member(ctx, member_input(name="会员" + "甲乙丙丁戊"[k], id_number=make_id(seq=f"4{k}1")),
                                 today=TODAY).member_id
        for step in _REACH[current]:
            ms.change_status(ctx, mid, step, today=TODAY)
        assert _status(ctx.db, mid) == current
        before = _counts(ctx.db)
        if target in vocab.TRANSITIONS[current]:
            ms.change_status(ctx, mid, target, effective=TODAY, today=TODAY)
            assert _status(ctx.db, mid) == target
            assert ms.get_member_file(ctx, mid).history[-1].status == target
        else:
            with pytest.raises(UserError) as info:
                ms.change_status(ctx, mid, target, today=TODAY)
            assert info.value.code == "member.bad_transition"
            assert vocab.STATUSES[current] in info.value.message
            assert vocab.STATUSES[target] in info.value.message
            assert _counts(ctx.db) == before
            assert _status(ctx.db, mid) == current


def test_history_in_order_and_rejoin_after_withdrawal(ctx, member_input):
    mid = ms.register_member(ctx, member_input(join_date=dt.date(2025, 3, 1), join_channel="qr"),
                             today=TODAY).member_id
    ms.change_status(ctx, mid, vocab.WITHDRAWN, effective=dt.date(2025, 9, 1), reason="本人书面申请", today=TODAY)
    ms.change_status(ctx, mid, vocab.ACTIVE, effective=dt.date(2026, 2, 1), reason="重新入会", channel="onsite", today=TODAY)
    ms.change_status(ctx, mid, vocab.RETAINED, effective=dt.date(2026, 10, 1), reason="退休", today=TODAY)
    rec = ms.get_member_file(ctx, mid)
    assert [(h.status, h.effective_date, h.reason, h.channel) for h in rec.history] == [
        (vocab.ACTIVE, "2025-03-01", "入会", "qr"),
        (vocab.WITHDRAWN, "2025-09-01", "本人书面申请", ""),
        (vocab.ACTIVE, "2026-02-01", "重新入会", "onsite"),
        (vocab.RETAINED, "2026-10-01", "退休", ""),
    ]
    assert rec.member.status == vocab.RETAINED


def test_a_change_dated_before_the_latest_change_is_refused(ctx, member_input):
    mid = ms.register_member(ctx, member_input(join_date=dt.date(2025, 3, 1)), today=TODAY).member_id
    ms.change_status(ctx, mid, vocab.RETAINED, effective=dt.date(2026, 10, 1), today=TODAY)
    before = _counts(ctx.db)
    with pytest.raises(UserError) as info:
        ms.change_status(ctx, mid, vocab.ACTIVE, effective=dt.date(2026, 9, 30), today=TODAY)
    assert info.value.code == "member.status_date_before_last"
    assert "2026-10-01" in info.value.message and vocab.STATUSES[vocab.RETAINED] in info.value.message
    assert _counts(ctx.db) == before and _status(ctx.db, mid) == vocab.RETAINED
    ms.change_status(ctx, mid, vocab.ACTIVE, effective=dt.date(2026, 10, 1), today=TODAY)  # same day: fine
    history = ms.get_member_file(ctx, mid).history
    assert [h.status for h in history][-1] == _status(ctx.db, mid) == vocab.ACTIVE


def test_same_day_changes_keep_the_order_they_were_made(ctx, member_input):
    mid = ms.register_member(ctx, member_input(join_date=TODAY), today=TODAY).member_id
    sequence = [vocab.WITHDRAWN, vocab.ACTIVE, vocab.TRANSFERRED_OUT, vocab.ACTIVE, vocab.RETAINED]
    for status in sequence:
        ms.change_status(ctx, mid, status, effective=TODAY, today=TODAY)
    history = [h.status for h in ms.get_member_file(ctx, mid).history]
    assert history == [vocab.ACTIVE, *sequence]


def test_member_file_has_history_and_consent(ctx, member_input):
    mid = ms.register_member(ctx, member_input(consent_method="paper"), today=TODAY).member_id
    rec = ms.get_member_file(ctx, mid)
    assert rec.member == ms.get_member(ctx, mid) and rec.member.name == "王小明"
    assert [h.status for h in rec.history] == [vocab.ACTIVE]
    assert rec.history[0].effective_date == "2026-11-01" and rec.history[0].member_id == mid
    [consent] = rec.consents
    assert consent.method == "paper" and consent.notice_version == vocab.NOTICE_VERSION
    assert consent.clerk_id == ctx.clerk.id


def test_delete_removes_everything_of_the_member(ctx, member_input):
    keep = ms.register_member(ctx, member_input(name="留下", id_number=make_id(seq="501")), today=TODAY).member_id
    gone = ms.register_member(ctx, member_input(name="删除", id_number=make_id(seq="503")), today=TODAY).member_id
    ms.change_status(ctx, gone, vocab.RETAINED, today=TODAY)
    ms.delete_member(ctx, gone)
    for tbl, col in (("members", "id"), ("member_status_history", "member_id"), ("consents", "member_id"),
                     ("member_keys", "member_id")):
        assert ctx.db.conn.execute(f"SELECT count(*) FROM {tbl} WHERE {col} = ?", [gone]).fetchone()[0] == 0
        assert ctx.db.conn.execute(f"SELECT count(*) FROM {tbl} WHERE {col} = ?", [keep]).fetchone()[0] > 0
    assert ms.count(ctx) == 1
    # the same person may be registered again (the ID number is free)
    ms.register_member(ctx, member_input(name="删除", id_number=make_id(seq="503")), today=TODAY)


def test_page_is_newest_first_and_keyset_paged(ctx, member_input):
    ids = [ms.register_member(ctx, f, today=TODAY).member_id for f in _bulk_forms(member_input, 7)]
    first = ms.page(ctx, limit=3)
    assert [r.id for r in first] == ids[::-1][:3]
    second = ms.page(ctx, before_rowid=first[-1].rowid, limit=3)
    assert [r.id for r in second] == ids[::-1][3:6]
    assert ms.count(ctx) == 7


def test_update_to_an_unknown_union_is_a_user_error(ctx, member_input):
    mid = ms.register_member(ctx, member_input(), today=TODAY).member_id
    before = _counts(ctx.db)
    with pytest.raises(ValidationFailed) as info:
        ms.update_member(ctx, mid, member_input(union_id="no-such-union"), today=TODAY)
    assert info.value.issues[0].code == "member.union_required"
    assert _counts(ctx.db) == before
    assert ms.get_member(ctx, mid).union_id == ctx.home_union_id


def test_a_status_change_cannot_be_dated_in_the_future_or_before_joining(ctx, member_input):
    import datetime as dt

    from clerk_app.domain import vocab
    from clerk_app.domain.errors import UserError
    from clerk_app.services import members as ms

    member_id = ms.register_member(ctx, member_input(join_date=dt.date(2026, 3, 1))).member_id
    today = dt.date(2026, 11, 21)
    for day, code in ((dt.date(2026, 11, 22), "member.status_date_future"),
                      (dt.date(2026, 2, 28), "member.status_date_before_join")):
        with pytest.raises(UserError) as caught:
            ms.change_status(ctx, member_id, vocab.RETAINED, effective=day, today=today)
        assert caught.value.code == code and caught.value.message
    assert ms.get_member(ctx, member_id).status == vocab.ACTIVE
    ms.change_status(ctx, member_id, vocab.RETAINED, effective=dt.date(2026, 3, 1), today=today)
    assert ms.get_member_file(ctx, member_id).history[-1].effective_date == "2026-03-01"


def test_member_by_id_number_is_a_read_for_the_live_check(ctx, member_input):
    saved = ms.register_member(ctx, member_input(name="赵大伟", id_number=make_id(seq="101")))
    before = _counts(ctx.db)
    typed = " " + make_id(seq="101").lower() + " "  # as typed: spaces, a small x
    found = ms.member_by_id_number(ctx, typed)
    assert found is not None and (found.id, found.name, found.union_name) == (saved.member_id, "赵大伟", "大兴区黄村镇总工会")
    assert found.join_date == (TODAY - dt.timedelta(days=20)).isoformat()
    assert ms.member_by_id_number(ctx, typed, exclude_id=saved.member_id) is None  # an edit of that member
    assert ms.member_by_id_number(ctx, make_id(seq="102")) is None
    assert _counts(ctx.db) == before  # nothing written, not even an audit entry


def test_reveal_member_audits_the_fields_never_the_values(ctx, member_input):
    from clerk_app.services.reveal import reveal_member

    saved = ms.register_member(ctx, member_input())
    shown = reveal_member(ctx, saved.member_id)
    assert (shown.id_number, shown.phone, shown.birth_date) == (make_id(), "13812345678", "1990-03-07")
    action, entity_id, detail = ctx.db.conn.execute(
        "SELECT action, entity_id, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert (action, entity_id) == ("reveal", saved.member_id)
    assert make_id() not in detail and "13812345678" not in detail
    with pytest.raises(UserError):
        reveal_member(ctx, "no-such-member")
