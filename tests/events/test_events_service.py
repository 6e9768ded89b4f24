"""Events and their figures over a real SQLite file: the form's rules in Chinese, edit, list
and find, tallies with undo, the report figures of a realistic small event."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.domain import event as ev
from clerk_app.domain.errors import UserError, ValidationFailed
from clerk_app.services import events, signin
from clerk_app.storage.audit import recent
from clerk_app.storage.changes import changes_since
from tests.conftest import make_id
from tests.events.conftest import DAY


def _codes(excinfo) -> dict[str, str]:
    return {i.field: i.code for i in excinfo.value.issues}


def test_a_bad_form_reports_every_problem_in_chinese(laptop, event_input):
    bad = event_input(type="联欢会", title="", event_date=None, start_time="25:00", end_time="", venue=" ",
                      union_id="", sub_venues=["主会场"], services=["很" * 21])
    with pytest.raises(ValidationFailed) as e:
        events.create_event(laptop, bad, today=DAY)
    assert _codes(e) == {"type": "event.bad_type", "title": "event.required", "event_date": "event.required",
                         "start_time": "event.bad_time", "venue": "event.required", "union_id": "event.required",
                         "sub_venues": "event.main_venue_reserved", "services": "event.item_too_long"}
    assert "活动类型只能是：职工沟通会" in e.value.message and "“25:00”格式不对" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        events.create_event(laptop, event_input(start_time="14:00", end_time="13:30"), today=DAY)
    assert _codes(e) == {"end_time": "event.end_before_start"}
    with pytest.raises(ValidationFailed) as e:
        events.create_event(laptop, event_input(union_id="no-such-union"), today=DAY)
    assert _codes(e) == {"union_id": "event.union_missing"}
    with pytest.raises(ValidationFailed) as e:
        events.create_event(laptop, event_input(event_date=dt.date(2035, 1, 1)), today=DAY)
    assert _codes(e) == {"event_date": "event.date_out_of_range"}
    assert events.list_events(laptop) == [] and changes_since(laptop.db, tbl="events") == []


def test_create_cleans_the_form_and_records_it(laptop, event_input):
    e = events.create_event(laptop, event_input(
        title=" 黄村镇  职工沟通会 ", start_time="9：30", end_time="11.30",
        sub_venues=["京东物流站点", "", "京东物流站点", "美团黄村站"], services=["入会咨询", "理发", "入会咨询", "自定义服务"]),
        today=DAY)
    assert (e.title, e.start_time, e.end_time) == ("黄村镇 职工沟通会", "09:30", "11:30")
    assert e.sub_venues == ("京东物流站点", "美团黄村站") and e.services == ("入会咨询", "理发", "自定义服务")
    assert e.venue_choices == (ev.MAIN_VENUE, "京东物流站点", "美团黄村站")
    assert e.union_name == "大兴区黄村镇总工会" and e.when_label == "2026年11月21日 09:30—11:30"
    (change,) = changes_since(laptop.db, tbl="events")
    assert change.row_id == e.id and change.op == "create" and change.data["title"] == "黄村镇 职工沟通会"
    assert [(a.action, a.entity) for a in recent(laptop.db, 1)] == [("create", "event")]
    assert events.get_event(laptop, e.id) == e


def test_update_records_only_what_changed(laptop, event):
    inp = event.to_input()
    inp.venue, inp.sub_venues = "黄村镇职工之家", ["京东物流站点", "美团黄村站"]
    updated = events.update_event(laptop, event.id, inp, today=DAY)
    assert updated.venue == "黄村镇职工之家" and updated.sub_venues == ("京东物流站点", "美团黄村站")
    last = changes_since(laptop.db, tbl="events")[-1]
    assert last.op == "update" and set(last.data) == {"venue", "sub_venues", "updated_at"}
    assert recent(laptop.db, 1)[0].detail == {"fields": ["sub_venues", "venue"]}
    count = len(changes_since(laptop.db, tbl="events"))
    events.update_event(laptop, event.id, updated.to_input(), today=DAY)  # nothing changed
    assert len(changes_since(laptop.db, tbl="events")) == count
    with pytest.raises(UserError) as e:
        events.update_event(laptop, "00000000-0000-4000-8000-000000000000", inp, today=DAY)
    assert e.value.code == "event.not_found"


def test_list_filters_and_find_by_title_fragment(laptop, event_input):
    a = events.create_event(laptop, event_input(title="黄村镇职工沟通会", event_date=dt.date(2026, 11, 7)), today=DAY)
    b = events.create_event(laptop, event_input(title="黄村镇春风行动招聘会", type="招聘会",
                                                event_date=dt.date(2026, 3, 5)), today=DAY)
    c = events.create_event(laptop, event_input(title="黄村镇职工沟通会（第二场）", event_date=dt.date(2026, 11, 14)),
                            today=DAY)
    assert [e.id for e in events.list_events(laptop)] == [c.id, a.id, b.id]  # newest first
    assert [e.id for e in events.list_events(laptop, date_from=dt.date(2026, 11, 1))] == [c.id, a.id]
    assert [e.id for e in events.list_events(laptop, date_to=dt.date(2026, 11, 10))] == [a.id, b.id]
    assert [e.id for e in events.list_events(laptop, event_type="招聘会")] == [b.id]
    with pytest.raises(UserError):
        events.list_events(laptop, event_type="联欢会")
    assert events.find_event(laptop, "招聘").id == b.id
    assert events.find_event(laptop, "黄村镇职工沟通会").id == a.id  # the exact title wins
    assert events.find_event(laptop, c.id.upper()).id == c.id
    with pytest.raises(UserError) as e:
        events.find_event(laptop, "沟通会")
    assert e.value.code == "event.ref_ambiguous" and "2026-11-14" in e.value.message
    with pytest.raises(UserError) as e:
        events.find_event(laptop, "义诊")
    assert e.value.code == "event.ref_unknown"


def test_tallies_add_undo_and_never_go_below_zero(laptop, event):
    assert events.add_tally(laptop, event.id, ev.CONSULTATION, "法律咨询").total == 1
    assert events.add_tally(laptop, event.id, ev.CONSULTATION, "法律咨询", 2).total == 3
    assert events.add_tally(laptop, event.id, ev.CONSULTATION, "法律咨询", -1).total == 2  # a mis-tap undone
    assert events.add_tally(laptop, event.id, ev.CONSULTATION, "法律咨询", -5).total == 0  # cut at zero
    rows_before = len(changes_since(laptop.db, tbl="event_tallies"))
    assert events.add_tally(laptop, event.id, ev.CONSULTATION, "法律咨询", -1).total == 0  # nothing to undo
    assert len(changes_since(laptop.db, tbl="event_tallies")) == rows_before
    assert [c.data["delta"] for c in changes_since(laptop.db, tbl="event_tallies")] == [1, 2, -1, -2]
    assert events.add_tally(laptop, event.id, ev.MATERIAL, "入会宣传页", 200).total == 200
    assert events.add_tally(laptop, event.id, ev.SERVICE, "理发").total == 1
    assert events.add_tally(laptop, event.id, ev.SERVICE, "修自行车").total == 1  # free text
    counts = events.tallies(laptop, event.id)
    assert [t.label for t in counts[ev.CONSULTATION]] == list(ev.CONSULTATION_TOPICS)  # all topics, 0 included
    # the event's own services (入会咨询、法律咨询、理发), 0 included, first; then the clerk's own
    assert [(t.label, t.total) for t in counts[ev.SERVICE]] == [("入会咨询", 0), ("法律咨询", 0), ("理发", 1), ("修自行车", 1)]
    for kind, label, delta, code in [(ev.CONSULTATION, "问路", 1, "event.bad_topic"), ("gift", "x", 1, "event.bad_tally_kind"),
                                     (ev.MATERIAL, " ", 1, "event.tally_label_required"),
                                     (ev.MATERIAL, "入会宣传页", 0, "event.bad_delta"),
                                     (ev.MATERIAL, "入会宣传页", 10_001, "event.bad_delta")]:
        with pytest.raises(ValidationFailed) as e:
            events.add_tally(laptop, event.id, kind, label, delta)
        assert e.value.code == code, (kind, label, delta)
    audit = [a for a in recent(laptop.db, 50) if a.entity == "event_tally"]
    assert len(audit) == 7 and all(a.detail["event_id"] == event.id for a in audit)


def test_summary_of_a_realistic_small_event(laptop, event, card_for, add_member):
    """12 members scan in (3 at the sub-venue, one twice), 2 more found by name, one lost card
    turned away then found; 4 walk-ins, 2 join, 1 of them takes a card; one old member also
    gets a card at the desk; consultations, leaflets and services tapped with an undo."""
    issued = [card_for(f"会员{chr(0x4e00 + i)}") for i in range(12)]
    for i, card in enumerate(issued):
        signin.sign_in_scan(laptop, event.id, card.card_no, "京东物流站点" if i < 3 else None)
    signin.sign_in_scan(laptop, event.id, issued[0].card_no)
    for name in ("李娜", "张伟"):
        signin.sign_in_member(laptop, event.id, add_member(name))
    lost = card_for("刘洋")
    from clerk_app.services import cards
    cards.report_lost(laptop, lost.card_no, "", DAY, today=DAY)
    assert signin.sign_in_scan(laptop, event.id, lost.card_no).outcome == signin.LOST
    signin.sign_in_member(laptop, event.id, lost.member_id)
    walk = [signin.sign_in_walk_in(laptop, event.id, n, f"1391234{i:04d}", "外卖配送员", "美团",
                                   "京东物流站点" if i == 3 else None).attendee
            for i, n in enumerate(["孙强", "马丽", "朱军", "胡平"])]
    for i, w in enumerate(walk[:2]):
        inp = signin.walk_in_member_input(laptop, w.id)
        inp.id_number = make_id(seq=f"{600 + i}")
        signin.join_walk_in(laptop, w.id, inp, issue_card=(i == 0), today=DAY)
    no_card = add_member("陈静")
    signin.sign_in_member(laptop, event.id, no_card)
    signin.issue_card_at_event(laptop, event.id, no_card, today=DAY)
    for topic, n in [("入会咨询", 10), ("法律咨询", 4), ("权益维护", 2), ("互助保障", 3)]:
        events.add_tally(laptop, event.id, ev.CONSULTATION, topic, n)
    events.add_tally(laptop, event.id, ev.CONSULTATION, "入会咨询", -1)
    events.add_tally(laptop, event.id, ev.MATERIAL, "入会宣传页", 120)
    events.add_tally(laptop, event.id, ev.MATERIAL, "反诈宣传页", 26)
    events.add_tally(laptop, event.id, ev.SERVICE, "理发", 9)

    s = events.event_summary(laptop, event.id)
    assert (s.members, s.walk_ins, s.attendance) == (16, 4, 20)
    assert (s.joined, s.cards_issued, s.cards_to_joined) == (2, 2, 1)
    assert [(v.venue, v.members, v.walk_ins) for v in s.by_venue] == [(ev.MAIN_VENUE, 13, 3), ("京东物流站点", 3, 1)]
    assert s.by_method == {"scan": 12, "lookup": 4, "walk_in": 4}
    assert {t.label: t.total for t in s.consultations} == {"入会咨询": 9, "法律咨询": 4, "权益维护": 2, "互助保障": 3,
                                                           "心理咨询": 0, "其他": 0}
    assert (s.consultations_total, s.materials_total, s.services_total) == (18, 146, 9)
    # the figures are the records: count them another way
    conn = laptop.db.conn
    assert conn.execute("SELECT count(*) FROM attendance WHERE event_id = ?", [event.id]).fetchone()[0] == s.attendance
    assert conn.execute("SELECT count(*) FROM cards WHERE event_id = ?", [event.id]).fetchone()[0] == s.cards_issued
