"""The sign-in desk over a real SQLite file: every card state a scanner can meet, repeats,
bursts, look-up, walk-ins, joining on the spot with a card, taking a sign-in back."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.domain import event as ev
from clerk_app.domain import records
from clerk_app.domain.errors import DuplicateIdNumber, UserError, ValidationFailed
from clerk_app.domain.idnumber import mask
from clerk_app.domain.phone import mask_phone
from clerk_app.services import cards, events, members, signin
from clerk_app.services.members import change_status, get_member
from clerk_app.storage import members_repo
from clerk_app.storage.audit import recent, verify_chain
from clerk_app.storage.changes import changes_since
from tests.conftest import make_id
from tests.events.conftest import DAY


def _rows(ctx, event_id) -> list[tuple]:
    return ctx.db.conn.execute("SELECT member_id, is_walk_in, method, sub_venue FROM attendance WHERE event_id = ?"
                               " ORDER BY rowid", [event_id]).fetchall()


# ---------------------------------------------------------------- scans

def test_a_valid_card_signs_its_holder_in_with_a_masked_id(laptop, event, card_for):
    card = card_for("王小明")
    result = signin.sign_in_scan(laptop, event.id, card.grouped_no)
    assert result.outcome == signin.SIGNED_IN and result.ok and result.level == signin.LEVEL_OK
    a = result.attendee
    assert (a.member_id, a.name, a.method, a.is_walk_in) == (card.member_id, "王小明", ev.SCAN, False)
    assert a.id_number_masked == card.holder.id_number_masked and "*" in a.id_number_masked
    assert result.message == f"签到成功：王小明（{card.holder.id_number_masked}）"
    assert result.count == 1 and _rows(laptop, event.id) == [(card.member_id, 0, "scan", None)]


def test_a_repeated_scan_says_already_with_the_first_time_and_counts_once(laptop, event, card_for):
    card = card_for()
    first = signin.sign_in_scan(laptop, event.id, card.card_no)
    for text in (card.card_no, card.grouped_no, card.card_no.lower()):
        again = signin.sign_in_scan(laptop, event.id, text)
        assert again.outcome == signin.ALREADY and again.level == signin.LEVEL_REPEAT and not again.needs_lookup
        assert again.attendee.id == first.attendee.id
        assert again.attendee.signed_in_at == first.attendee.signed_in_at
    hhmm = dt.datetime.fromisoformat(first.attendee.signed_in_at).strftime("%H:%M")
    assert again.message == f"王小明已于 {hhmm} 签到，不重复计数"
    assert signin.count(laptop, event.id) == 1 and len(_rows(laptop, event.id)) == 1
    # looked up by name afterwards: still the same one row
    assert signin.sign_in_member(laptop, event.id, card.member_id).outcome == signin.ALREADY
    assert signin.count(laptop, event.id) == 1


def test_time_label_names_the_day_when_it_is_not_today():
    assert records.time_label("2026-11-21T14:05:09+08:00", dt.date(2026, 11, 21)) == "14:05"
    assert records.time_label("2026-11-20T09:30:00+08:00", dt.date(2026, 11, 21)) == "11月20日 09:30"


@pytest.mark.parametrize("state", ["lost", "cancelled", "replaced", "not_in_union", "unknown", "invalid"])
def test_a_dead_or_strange_card_signs_nobody_in_and_points_to_lookup(laptop, event, card_for, state):
    card = card_for("李娜")
    text = card.card_no
    if state == "lost":
        cards.report_lost(laptop, card.card_no, "丢失", DAY, today=DAY)
    elif state == "cancelled":
        cards.cancel_card(laptop, card.card_no, "", DAY, today=DAY)
    elif state == "replaced":
        new = cards.reissue_card(laptop, card.card_no, "损坏", DAY, today=DAY).new
    elif state == "not_in_union":
        # a card still active but its holder left (the hook cancels cards; simulate a synced row)
        laptop.db.conn.execute("UPDATE members SET status = 'withdrawn' WHERE id = ?", [card.member_id])
    elif state == "unknown":
        from clerk_app.domain.cardno import make_card_no
        text = make_card_no("DX07", 999)
    else:
        text = card.card_no[:-1] + ("A" if card.card_no[-1] != "A" else "B")
    result = signin.sign_in_scan(laptop, event.id, text)
    assert result.outcome == state and not result.ok and result.needs_lookup
    assert result.level == signin.LEVEL_WARNING and result.attendee is None
    assert result.lookup is not None and result.lookup.outcome == state
    assert result.message.startswith(result.lookup.message) and "请用“查找”核实身份后签到" in result.message
    if state == "replaced":
        assert new.grouped_no in result.message
    assert signin.count(laptop, event.id) == 0 and changes_since(laptop.db, tbl="attendance") == []


def _scan_signs_nobody_in(laptop, event, text: str, outcome: str) -> str:
    result = signin.sign_in_scan(laptop, event.id, text)
    assert result.outcome == outcome and result.needs_lookup and result.attendee is None
    assert result.message.startswith(result.lookup.message) and "请用“查找”核实身份后签到" in result.message
    assert signin.count(laptop, event.id) == 0
    return result.message


def test_an_unknown_number_under_this_laptops_own_code_says_it_was_never_issued_here(laptop, event, card_for):
    from clerk_app.domain.cardno import make_card_no
    card_for()  # DX07 000001: the laptop has issued under its code
    for seq in (2, 999):  # the very next number, and one far beyond the last issued
        text = make_card_no("DX07", seq)
        msg = _scan_signs_nobody_in(laptop, event, text, signin.UNKNOWN)
        assert f"DX07 {seq:06d}" in msg
        assert "本机的发卡代码 DX07" in msg and "从未发出" in msg
        assert "同步" not in msg and "其他笔记本" not in msg


def test_a_code_this_laptop_used_before_is_still_its_own(laptop, event, card_for):
    from clerk_app.domain.cardno import make_card_no
    card_for()  # issued under DX07, so DX07 is used
    cards.set_card_prefix(laptop, "DX08")  # the district gave a new code
    msg = _scan_signs_nobody_in(laptop, event, make_card_no("DX07", 500), signin.UNKNOWN)
    assert "本机的发卡代码 DX07" in msg and "同步" not in msg


def test_an_unknown_number_under_another_laptops_code_may_not_be_synced_yet(laptop, event, card_for):
    from clerk_app.domain.cardno import make_card_no
    card_for()
    for other in ("DX08", "SY12A"):
        msg = _scan_signs_nobody_in(laptop, event, make_card_no(other, 1), signin.UNKNOWN)
        assert "其他笔记本" in msg and "尚未同步" in msg
        assert "本机的发卡代码" not in msg and "从未发出" not in msg


@pytest.mark.parametrize("text", [
    "110105199003071239",          # an ID card's barcode
    "https://u.wechat.com/abc",    # a WeChat QR code
    "DX07",                        # the code alone
    "13812345678",                 # a phone number, 11 digits like a card number
])
def test_text_that_is_no_card_number_says_so_and_not_that_a_laptop_issued_it(laptop, event, card_for, text):
    card_for()
    msg = _scan_signs_nobody_in(laptop, event, text, signin.INVALID)
    assert "同步" not in msg and "笔记本" not in msg and "本机" not in msg
    assert "卡号" in msg


def test_lost_card_holder_can_still_be_signed_in_by_lookup(laptop, event, card_for):
    card = card_for("张伟")
    cards.report_lost(laptop, card.card_no, "", DAY, today=DAY)
    assert signin.sign_in_scan(laptop, event.id, card.card_no).outcome == signin.LOST
    result = signin.sign_in_member(laptop, event.id, card.member_id)
    assert result.outcome == signin.SIGNED_IN and result.attendee.method == ev.LOOKUP


def test_a_burst_of_30_scans_with_repeats_makes_exactly_30_rows(laptop, event, card_for):
    issued = [card_for(f"会员{chr(0x4e00 + i)}") for i in range(30)]
    sequence = []
    for i, card in enumerate(issued):
        sequence.append(card.card_no)
        if i % 4 == 0:
            sequence.append(card.grouped_no)  # the same person scanning twice in the queue
    sequence += [issued[5].card_no, issued[17].card_no]
    outcomes = [signin.sign_in_scan(laptop, event.id, text).outcome for text in sequence]
    assert outcomes.count(signin.SIGNED_IN) == 30
    assert outcomes.count(signin.ALREADY) == len(sequence) - 30
    rows = _rows(laptop, event.id)
    assert len(rows) == 30 and {r[0] for r in rows} == {c.member_id for c in issued}
    assert [a.member_id for a in signin.attendance(laptop, event.id)] == [c.member_id for c in issued]
    assert len(changes_since(laptop.db, tbl="attendance")) == 30


def test_the_desk_refuses_a_second_sign_in_though_the_schema_no_longer_does(laptop, event, card_for):
    # One sign-in per person per event is a merge rule since two offline laptops can both sign
    # a person in (tests/sync: the earliest counts, the other is kept as a duplicate); on one
    # laptop the desk itself refuses the second, and writes nothing.
    card = card_for()
    assert signin.sign_in_scan(laptop, event.id, card.card_no).outcome == signin.SIGNED_IN
    before = len(changes_since(laptop.db, tbl="attendance"))
    assert signin.sign_in_scan(laptop, event.id, card.card_no).outcome == signin.ALREADY
    assert len(changes_since(laptop.db, tbl="attendance")) == before and signin.count(laptop, event.id) == 1


def test_sub_venue_is_recorded_and_checked(laptop, event, card_for):
    a, b = card_for("甲"), card_for("乙")
    assert signin.sign_in_scan(laptop, event.id, a.card_no, "京东物流站点").attendee.venue_label == "京东物流站点"
    assert signin.sign_in_scan(laptop, event.id, b.card_no, ev.MAIN_VENUE).attendee.sub_venue is None
    with pytest.raises(UserError) as e:
        signin.sign_in_scan(laptop, event.id, card_for("丙").card_no, "美团站")
    assert e.value.code == "event.bad_sub_venue" and "京东物流站点" in e.value.message
    assert signin.count(laptop, event.id) == 2


def test_unknown_event_is_a_clear_error(laptop, card_for):
    with pytest.raises(UserError) as e:
        signin.sign_in_scan(laptop, "00000000-0000-4000-8000-000000000000", card_for().card_no)
    assert e.value.code == "event.not_found"


# ---------------------------------------------------------------- look-up

def test_a_member_who_left_is_not_signed_in_as_a_member(laptop, event, add_member):
    member = add_member("赵磊")
    change_status(laptop, member, "withdrawn", effective=DAY)
    result = signin.sign_in_member(laptop, event.id, member)
    assert result.outcome == signin.NOT_IN_UNION and result.needs_lookup
    assert "退会" in result.message and "按非会员登记" in result.message
    assert signin.count(laptop, event.id) == 0


# ---------------------------------------------------------------- walk-ins

def test_walk_in_is_validated_and_counted_once_per_phone(laptop, event):
    with pytest.raises(ValidationFailed) as e:
        signin.sign_in_walk_in(laptop, event.id, "", "12345", "快递员")
    assert {i.code for i in e.value.issues} == {"signin.name_required", "phone.invalid"}
    first = signin.sign_in_walk_in(laptop, event.id, "孙强", "139 1234 0001", "外卖配送员", "饿了么")
    assert first.outcome == signin.SIGNED_IN
    a = first.attendee
    assert (a.member_id, a.is_walk_in, a.phone, a.method, a.membership_label) == (None, True, "13912340001", "walk_in", "否")
    assert first.message == f"已登记签到（非会员）：孙强（{mask_phone('13912340001')}）"
    again = signin.sign_in_walk_in(laptop, event.id, "孙强", "13912340001", "外卖配送员")
    assert again.outcome == signin.ALREADY and again.attendee.id == a.id and "不重复计数" in again.message
    assert signin.count(laptop, event.id) == 1


def test_a_walk_in_with_a_members_phone_is_sent_to_lookup(laptop, event, add_member):
    member = add_member("王小明", phone="13800001111")
    result = signin.sign_in_walk_in(laptop, event.id, "王晓明", "13800001111", "快递员")
    assert result.outcome == signin.PHONE_IS_MEMBER and result.needs_lookup
    assert [c.member_id for c in result.candidates] == [member]
    assert "138****1111" in result.message and "王小明" in result.message and "13800001111" not in result.message
    assert signin.count(laptop, event.id) == 0
    # the clerk checked: really someone else sharing the phone
    forced = signin.sign_in_walk_in(laptop, event.id, "王晓明", "13800001111", "快递员", confirm_not_member=True)
    assert forced.outcome == signin.SIGNED_IN and forced.attendee.member_id is None


def test_walk_in_joins_takes_a_card_and_is_counted(laptop, event):
    walk = signin.sign_in_walk_in(laptop, event.id, "马丽", "13912340002", "快递员", "顺丰", "京东物流站点").attendee
    inp = signin.walk_in_member_input(laptop, walk.id)
    assert (inp.name, inp.phone, inp.occupation, inp.platform, inp.employer) == ("马丽", "13912340002", "快递员", "顺丰", "")
    assert inp.union_id == event.union_id and inp.join_date == event.date and inp.join_channel == "onsite"
    inp.id_number = make_id(seq="555")
    inp.join_channel, inp.join_date = "qr", dt.date(2026, 1, 1)  # the desk's join is on site, on the day
    joined = signin.join_walk_in(laptop, walk.id, inp, issue_card=True, today=DAY)
    member = get_member(laptop, joined.member_id)
    assert (member.join_channel, member.join_date, member.name) == ("onsite", DAY.isoformat(), "马丽")
    assert joined.card is not None and joined.card.event_id == event.id and joined.card.issue_date == DAY.isoformat()
    assert joined.card_problem is None and joined.card.grouped_no in joined.message
    a = joined.attendee
    assert (a.id, a.member_id, a.is_walk_in, a.joined, a.membership_label) == (walk.id, joined.member_id, True, True, "现场入会")
    assert a.id_number_masked == mask(inp.id_number)
    summary = events.event_summary(laptop, event.id)
    assert (summary.joined, summary.cards_issued, summary.cards_to_joined) == (1, 1, 1)
    assert (summary.members, summary.walk_ins, summary.attendance) == (0, 1, 1)
    # their new card scanned later: already signed in, once
    again = signin.sign_in_scan(laptop, event.id, joined.card.card_no)
    assert again.outcome == signin.ALREADY and signin.count(laptop, event.id) == 1
    with pytest.raises(UserError) as e:
        signin.join_walk_in(laptop, walk.id, inp, today=DAY)
    assert e.value.code == "signin.already_joined"
    with pytest.raises(UserError) as e:
        signin.remove_attendance(laptop, walk.id)
    assert e.value.code == "signin.remove_joined"


def test_join_without_card_code_keeps_the_membership_and_says_why(ctx, member_input):
    event = events.create_event(ctx, ev.EventInput(title="送清凉", type="送清凉", event_date=DAY, venue="物流园",
                                                   union_id=ctx.home_union_id), today=DAY)
    walk = signin.sign_in_walk_in(ctx, event.id, "朱军", "13912340003", "货车司机").attendee
    inp = signin.walk_in_member_input(ctx, walk.id)
    inp.id_number = make_id(seq="556")
    joined = signin.join_walk_in(ctx, walk.id, inp, issue_card=True, today=DAY)
    assert joined.card is None and joined.card_problem.code == "card.prefix_required"
    assert "未能发卡" in joined.message and get_member(ctx, joined.member_id).name == "朱军"
    assert events.event_summary(ctx, event.id).joined == 1


def test_a_failed_join_changes_nothing(laptop, event, add_member):
    existing = add_member("周杰")
    id_number = get_member(laptop, existing).id_number
    walk = signin.sign_in_walk_in(laptop, event.id, "周杰", "13912340004", "快递员").attendee
    before = laptop.db.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    inp = signin.walk_in_member_input(laptop, walk.id)
    inp.id_number = id_number
    with pytest.raises(DuplicateIdNumber):
        signin.join_walk_in(laptop, walk.id, inp, issue_card=True, today=DAY)
    assert laptop.db.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    assert signin.attendance(laptop, event.id)[0].member_id is None


def test_remove_a_mistaken_sign_in(laptop, event, card_for):
    result = signin.sign_in_scan(laptop, event.id, card_for().card_no)
    signin.remove_attendance(laptop, result.attendee.id)
    assert signin.count(laptop, event.id) == 0
    assert laptop.db.conn.execute("SELECT 1 FROM tombstones WHERE tbl = 'attendance' AND row_id = ?",
                                  [result.attendee.id]).fetchone()
    with pytest.raises(UserError) as e:
        signin.remove_attendance(laptop, result.attendee.id)
    assert e.value.code == "signin.attendance_not_found"


def test_sign_ins_write_change_records_and_audit_without_personal_values(laptop, event, card_for):
    card = card_for("王小明", phone="13812349999")
    signed = signin.sign_in_scan(laptop, event.id, card.card_no).attendee
    walk = signin.sign_in_walk_in(laptop, event.id, "孙强", "13912340001", "外卖配送员").attendee
    logged = {c.row_id: c for c in changes_since(laptop.db, tbl="attendance")}
    assert set(logged) == {signed.id, walk.id}
    assert logged[signed.id].data["member_id"] == card.member_id and logged[signed.id].data["method"] == "scan"
    assert logged[walk.id].data["walk_in_phone"] == "13912340001"
    entries = [e for e in recent(laptop.db, 50) if e.entity == "attendance"]
    assert {e.entity_id for e in entries} == {signed.id, walk.id} and all(e.action == "create" for e in entries)
    text = repr([e.detail for e in recent(laptop.db, 200)])
    assert "13912340001" not in text and "孙强" not in text and "13812349999" not in text
    assert verify_chain(laptop.db) is None


def test_a_member_with_sign_ins_is_not_deletable(laptop, event, add_member):
    signed, other = add_member("王小明"), add_member("李娜")
    signin.sign_in_member(laptop, event.id, signed)
    with pytest.raises(UserError) as e:
        members.delete_member(laptop, signed)
    assert e.value.code == "signin.member_has_attendance" and "不能删除" in e.value.message
    assert members_repo.get(laptop.db, signed) is not None
    members.delete_member(laptop, other)  # no sign-ins: fine
    assert members_repo.get(laptop.db, other) is None
    # no foreign key behind the check any more (synced tables have none: a delete must never
    # cascade into another laptop's rows), so delete_member's own check is the defence
    assert laptop.db.conn.execute("PRAGMA foreign_key_list(attendance)").fetchall() == []


def test_a_member_who_signed_in_cannot_be_deleted_and_nothing_is_lost(laptop, event, add_member):
    from clerk_app.services.members import delete_member

    member_id = add_member("赵晓东")
    signin.sign_in_member(laptop, event.id, member_id)
    with pytest.raises(UserError) as caught:
        delete_member(laptop, member_id)
    assert caught.value.code == "signin.member_has_attendance"
    assert get_member(laptop, member_id).name == "赵晓东"
    assert signin.count(laptop, event.id) == 1
