"""The merge of change records from several laptops (clerk_app.sync.merge): same result in any
order, any number of times, nothing lost; conflicts and duplicates kept for a person."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from clerk_app.domain import card as lifecycle
from clerk_app.domain import vocab
from clerk_app.domain.errors import UserError
from clerk_app.services import cards, members, signin
from clerk_app.storage import events_repo
from clerk_app.storage import sync_store as store
from clerk_app.storage.changes import CLOCK_SKEW_WARN_MS, HLC_KEY, clock_skew_ms
from clerk_app.storage.hlc import format_stamp, parse_stamp
from clerk_app.storage.meta import get_meta
from clerk_app.sync.merge import DAY_MS, apply_changes
from clerk_app.sync.records import export_records
from clerk_app.sync.state import state_hash, status_disagreements
from clerk_app.sync.policy import LOCAL_TABLES, SYNC_POLICY
from tests.conftest import make_id
from tests.merge.conftest import DAY, _on_day  # noqa: F401 - the app works on DAY


def _with(records, **changes):
    return [{**r, **changes} for r in records]


# ---------------------------------------------------------------- the records themselves

def test_records_carry_origin_transaction_and_base(sites):
    a = sites.laptop("a")
    first = sites.member(a, "张三")
    second = sites.member(a, "李四")
    recs = [r for r in export_records(a.db) if r["tbl"] != "unions"]
    by_row = {}
    for r in recs:
        by_row.setdefault(r["row_id"], []).append(r)
    assert {r["origin"] for r in recs} == {a.site_id} and {r["epoch"] for r in recs} == {0}
    seqs = [r["seq"] for r in export_records(a.db)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # one registration = one business action: member, history line and consent share a txn
    txns = [{r["txn"] for r in recs if r["row_id"] == mid or r["data"].get("member_id") == mid}
            for mid in (first, second)]
    assert all(len(t) == 1 for t in txns) and txns[0] != txns[1]
    # an edit names the version its editor saw for each field it changed
    create = by_row[first][0]
    members.update_member(a, first, members.get_member(a, first).to_input().__class__(
        **{**members.get_member(a, first).to_input().__dict__, "phone": "13900001111"}))
    [edit] = [r for r in export_records(a.db) if r["row_id"] == first and r["op"] == "update"]
    assert edit["base"]["phone"] == f"{create['hlc']}@{a.site_id}"
    assert set(edit["base"]) == set(edit["data"])


def test_every_table_with_a_uuid_id_has_a_merge_rule(db):
    text_ids = [name for (name,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if any(col[1] == "id" and col[2].upper() == "TEXT" and col[5]
                       for col in db.conn.execute(f"PRAGMA table_info({name})"))]
    assert "members" in text_ids and "cards" in text_ids
    missing = [t for t in text_ids if t not in SYNC_POLICY and t not in LOCAL_TABLES]
    assert missing == [], f"tables with UUID ids but no SYNC_POLICY entry: {missing}"
    assert "clerks" in SYNC_POLICY


def test_the_checker_would_notice_a_new_table(db):
    db.conn.execute("CREATE TABLE future_records (id TEXT PRIMARY KEY, member_id TEXT)")
    cols = db.conn.execute("PRAGMA table_info(future_records)").fetchall()
    assert any(c[1] == "id" and c[2] == "TEXT" and c[5] for c in cols) and "future_records" not in SYNC_POLICY


# ---------------------------------------------------------------- order and replay

def _two_laptops_working(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    m1 = sites.member(a, "张三")
    m2 = sites.member(a, "李四")
    members.change_status(a, m2, vocab.RETAINED, effective=DAY, today=DAY)
    card = cards.issue_card(a, m1, DAY, today=DAY)
    cards.report_lost(a, card.card_no, date=DAY, today=DAY)
    event = sites.event(a)
    signin.sign_in_member(a, event.id, m2)
    same = make_id(seq="777")
    sites.member(a, "王五", id_number=same)
    sites.member(b, "王五", id_number=same)  # one person registered on two laptops
    mb = sites.member(b, "赵六")
    cards.issue_card(b, mb, DAY, today=DAY)
    return a, b


def test_a_then_b_equals_b_then_a_and_replaying_changes_nothing(sites):
    a, b = _two_laptops_working(sites)
    x, y = sites.district("x"), sites.district("y")
    sites.send(a.db, x)
    sites.send(b.db, x)
    sites.send(b.db, y)
    sites.send(a.db, y)
    assert state_hash(x) == state_hash(y)
    assert x.conn.execute("SELECT count(*) FROM members").fetchone()[0] == 5
    assert store.duplicate_pairs(x) == store.duplicate_pairs(y) and len(store.duplicate_pairs(x)) == 1
    assert store.parked_counts(x) == {} and store.alarms(x) == []
    before = state_hash(x)
    log_rows = x.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    report = sites.send(a.db, x)
    assert report.applied == 0 and report.already == len(export_records(a.db))
    assert state_hash(x) == before and x.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == log_rows
    # a district forwards what it merged: its own export rebuilds the same state elsewhere
    z = sites.district("z")
    apply_changes(z, list(reversed(export_records(x))), wall_ms=sites.clock.wall_ms())
    assert state_hash(z) == before
    assert status_disagreements(x) == [] and status_disagreements(a.db) == []


def test_the_merged_database_finds_members_by_search(sites):
    a = sites.laptop("a")
    sites.member(a, "张三")
    x = sites.district()
    sites.send(a.db, x)
    assert x.conn.execute("SELECT count(*) FROM member_keys").fetchone()[0] > 0


def test_same_key_with_other_content_is_an_alarm_and_not_applied(sites):
    a = sites.laptop("a")
    mid = sites.member(a, "张三")
    x = sites.district()
    sites.send(a.db, x)
    before = state_hash(x)
    forged = [r for r in export_records(a.db) if r["row_id"] == mid and r["tbl"] == "members"][0]
    forged = {**forged, "data": {**forged["data"], "name": "李四"}}
    report = apply_changes(x, [forged], wall_ms=sites.clock.wall_ms())
    assert report.alarms == 1 and report.applied == 0 and state_hash(x) == before
    [(kind, origin, _epoch, seq, _detail)] = store.alarms(x)
    assert kind == "same_key_other_content" and origin == a.site_id and seq == forged["seq"]


# ---------------------------------------------------------------- per-field last writer

def _edit(ctx, member_id, **fields):
    inp = members.get_member(ctx, member_id).to_input()
    for k, v in fields.items():
        setattr(inp, k, v)
    members.update_member(ctx, member_id, inp)


def test_concurrent_edits_of_one_field_keep_both_values_in_the_inbox(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    mid = sites.member(a, "张三")
    sites.send(a.db, b.db)  # b now has the member
    start_a = export_records(a.db)[-1]["seq"]
    _edit(a, mid, phone="13900000001", employer="美团北京")  # a: phone + employer
    _edit(b, mid, phone="13900000002", occupation="快递员")  # b: phone (concurrent) + occupation
    x, y = sites.district("x"), sites.district("y")
    for first, second, target in ((a, b, x), (b, a, y)):
        sites.send(first.db, target)
        sites.send(second.db, target)
    assert state_hash(x) == state_hash(y)
    row = store.get_row(x, "members", mid)
    assert row["employer"] == "美团北京" and row["occupation"] == "快递员"  # different fields: both kept
    [conflict] = [c for c in store.conflicts(x, "same_field") if c["field"] == "phone"]
    assert conflict == [c for c in store.conflicts(y, "same_field") if c["field"] == "phone"][0]
    values = {conflict["detail"]["winner"]["value"], conflict["detail"]["loser"]["value"]}
    assert values == {"13900000001", "13900000002"}
    assert row["phone"] == conflict["detail"]["winner"]["value"]
    assert not [c for c in store.conflicts(x) if c["field"] in ("employer", "occupation")]
    # a sequential edit (b saw a's) is no conflict
    sites.send(a.db, b.db, start_a)
    _edit(b, mid, phone="13900000003")
    sites.send(b.db, x)
    assert store.get_row(x, "members", mid)["phone"] == "13900000003"
    assert len([c for c in store.conflicts(x, "same_field") if c["field"] == "phone"]) == 1


def test_join_date_is_write_once(sites):
    # the laptop's form never edits a join date; a package that does (an older app, another
    # tool) keeps the first value and the other goes to the inbox, whatever the order
    a, b = sites.laptop("a"), sites.laptop("b")
    mid = sites.member(a, "张三")
    records = export_records(a.db)
    create = next(r for r in records if r["row_id"] == mid)
    joined = create["data"]["join_date"]
    later = format_stamp(parse_stamp(create["hlc"])[0] + 1000, 0)
    edit = {"origin": b.site_id, "epoch": 0, "seq": 1_000, "txn": "t-join", "hlc": later, "tbl": "members",
            "row_id": mid, "op": "update", "data": {"join_date": "2020-01-01"},
            "base": {"join_date": f"{create['hlc']}@{a.site_id}"}}
    x, y = sites.district("x"), sites.district("y")
    apply_changes(x, records + [edit], wall_ms=sites.clock.wall_ms())
    apply_changes(y, [edit], wall_ms=sites.clock.wall_ms())
    apply_changes(y, records, wall_ms=sites.clock.wall_ms())
    for db in (x, y):
        assert store.get_row(db, "members", mid)["join_date"] == joined
        assert [c["field"] for c in store.conflicts(db, "write_once")] == ["join_date"]
    assert state_hash(x) == state_hash(y)


# ---------------------------------------------------------------- derived status

def test_a_lost_card_never_comes_back_whatever_the_clocks_say(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    mid = sites.member(a, "张三")
    card = cards.issue_card(a, mid, DAY, today=DAY)
    sites.send(a.db, b.db)
    cards.report_lost(a, card.card_no, date=DAY, today=DAY)
    x = sites.district()
    sites.send(a.db, x)
    # a stale laptop whose clock is ahead says the card is active (a field edit of the cache)
    late = format_stamp(sites.clock.wall_ms() + 3_600_000, 0)
    stale = {"origin": b.site_id, "epoch": 0, "seq": 10_000, "txn": "t-stale", "hlc": late, "tbl": "cards",
             "row_id": card.id, "op": "update", "data": {"status": lifecycle.ACTIVE, "status_date": None},
             "base": {}}
    apply_changes(x, [stale], wall_ms=sites.clock.wall_ms())
    assert store.get_row(x, "cards", card.id)["status"] == lifecycle.LOST
    assert status_disagreements(x) == []


def test_status_follows_history_from_two_laptops(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    mid = sites.member(a, "张三")
    sites.send(a.db, b.db)
    members.change_status(b, mid, vocab.RETAINED, effective=DAY - dt.timedelta(days=2), today=DAY)
    members.change_status(a, mid, vocab.WITHDRAWN, effective=DAY - dt.timedelta(days=1), today=DAY)
    x, y = sites.district("x"), sites.district("y")
    sites.send(a.db, x)
    sites.send(b.db, x)
    sites.send(b.db, y)
    sites.send(a.db, y)
    assert store.get_row(x, "members", mid)["status"] == vocab.WITHDRAWN  # the latest effective date
    assert state_hash(x) == state_hash(y) and status_disagreements(x) == []


def test_the_status_cache_never_disagrees_with_history_on_a_working_laptop(sites):
    a = sites.laptop("a")
    ids = [sites.member(a, n) for n in ("甲", "乙", "丙")]
    members.change_status(a, ids[0], vocab.RETAINED, today=DAY)
    members.change_status(a, ids[0], vocab.ACTIVE, today=DAY)
    members.change_status(a, ids[1], vocab.WITHDRAWN, today=DAY)
    card = cards.issue_card(a, ids[2], DAY, today=DAY)
    cards.report_lost(a, card.card_no, date=DAY, today=DAY)
    cards.reissue_card(a, card.card_no, date=DAY, today=DAY)
    assert status_disagreements(a.db) == []
    a.db.conn.execute("UPDATE members SET status = ? WHERE id = ?", [vocab.EXPELLED, ids[2]])
    assert status_disagreements(a.db) == [("members", ids[2], vocab.EXPELLED, vocab.ACTIVE)]  # it can fail


# ---------------------------------------------------------------- unique rules as merge rules

def test_one_person_signed_in_on_two_laptops_counts_once_earliest_first(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    mid = sites.member(a, "张三")
    event = sites.event(a)
    sites.send(a.db, b.db)
    first = signin.sign_in_member(a, event.id, mid).attendee.id
    later = signin.sign_in_member(b, event.id, mid).attendee.id
    assert signin.sign_in_member(b, event.id, mid).outcome == signin.ALREADY  # the desk still refuses
    x, y = sites.district("x"), sites.district("y")
    sites.send(b.db, x)
    sites.send(a.db, x)
    sites.send(a.db, y)
    sites.send(b.db, y)
    for db in (x, y):
        assert events_repo.attendance_count(db, event.id) == 1
        assert store.get_row(db, "attendance", first)["duplicate_of"] is None
        assert store.get_row(db, "attendance", later)["duplicate_of"] == first
    assert state_hash(x) == state_hash(y)


def test_the_laptop_still_refuses_a_second_registration_of_one_id_number(sites):
    a = sites.laptop("a")
    number = make_id(seq="555")
    sites.member(a, "张三", id_number=number)
    with pytest.raises(members.DuplicateIdNumber):
        sites.member(a, "张三", id_number=number)


# ---------------------------------------------------------------- parents, deletes

def test_a_change_before_its_parent_is_parked_until_the_parent_arrives(sites):
    a = sites.laptop("a")
    mid = sites.member(a, "张三")
    records = export_records(a.db)
    children = [r for r in records if r["tbl"] != "members" and r["tbl"] != "unions"]
    x = sites.district()
    report = apply_changes(x, children, wall_ms=sites.clock.wall_ms())
    assert report.parked == len(children) and store.parked_counts(x) == {"waiting": len(children)}
    assert x.conn.execute("SELECT count(*) FROM consents").fetchone()[0] == 0
    apply_changes(x, [r for r in records if r["tbl"] == "members"], wall_ms=sites.clock.wall_ms())
    assert store.parked_counts(x) == {"waiting": 3}  # the member waits for its union, they for it
    apply_changes(x, records, wall_ms=sites.clock.wall_ms())
    assert store.parked_counts(x) == {}
    y = sites.district("y")
    sites.send(a.db, y)
    assert state_hash(x) == state_hash(y) and store.get_row(x, "members", mid)["name"] == "张三"


def test_a_delete_never_cascades_into_another_laptops_rows(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    mid = sites.member(a, "张三")
    sites.send(a.db, b.db)
    members.change_status(b, mid, vocab.RETAINED, today=DAY)  # b adds a history line
    [b_line] = [r["row_id"] for r in export_records(b.db)
                if r["tbl"] == "member_status_history" and r["origin"] == b.site_id]
    members.delete_member(a, mid)  # a, meanwhile, deletes the record entered by mistake
    x, y = sites.district("x"), sites.district("y")
    sites.send(a.db, x)
    sites.send(b.db, x)
    sites.send(b.db, y)
    sites.send(a.db, y)
    for db in (x, y):
        assert store.get_row(db, "members", mid) is None
        assert store.get_row(db, "member_status_history", b_line) is None
        assert store.parked_counts(db) == {"parent_deleted": 1}  # kept, not deleted
        [conflict] = store.conflicts(db, "parent_deleted")
        assert conflict["row_id"] == b_line and conflict["key"] == f"members:{mid}"
    assert state_hash(x) == state_hash(y)


# ---------------------------------------------------------------- the clock

def test_the_clock_observes_imported_stamps(sites):
    a = sites.laptop("a")
    sites.member(a, "张三")
    x = sites.district()
    sites.send(a.db, x)
    top = max((r["hlc"] for r in export_records(a.db)), key=parse_stamp)
    assert parse_stamp(get_meta(x, HLC_KEY)) >= parse_stamp(top)


def test_an_action_stamped_far_ahead_is_held_back_whole_and_its_laptop_named(sites):
    a = sites.laptop("a")
    mid = sites.member(a, "张三")
    records = export_records(a.db)
    now = sites.clock.wall_ms()
    ahead = format_stamp(now + 2 * DAY_MS, 0)
    txn = next(r["txn"] for r in records if r["row_id"] == mid)
    moved = [{**r, "hlc": ahead} if r["txn"] == txn else r for r in records]
    x = sites.district()
    report = apply_changes(x, moved, wall_ms=now)
    assert report.held_back == 3 and report.held_sites == {a.site_id}
    assert store.get_row(x, "members", mid) is None and store.parked_counts(x) == {"clock_ahead": 3}
    assert [a_[0] for a_ in store.alarms(x)] == ["clock_ahead"] and store.alarms(x)[0][1] == a.site_id
    assert parse_stamp(get_meta(x, HLC_KEY))[0] <= now + DAY_MS  # the clock was not dragged there
    # three days on, the action is due: it comes in whole at the next merge
    apply_changes(x, [], wall_ms=now + 3 * DAY_MS)
    assert store.get_row(x, "members", mid)["name"] == "张三" and store.parked_counts(x) == {}


def test_a_bad_record_is_refused_before_anything_is_written(sites):
    a = sites.laptop("a")
    sites.member(a, "张三")
    x = sites.district()
    records = export_records(a.db)
    for bad in (_with(records[:1], tbl="sqlite_master"), _with(records[:1], op="drop"),
                [{**records[0], "data": {"name; DROP TABLE members": 1}}], [{"origin": "x"}]):
        with pytest.raises(ValueError):
            apply_changes(x, records + bad, wall_ms=sites.clock.wall_ms())
        assert x.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == 0


def test_the_merge_is_one_transaction(sites, monkeypatch):
    a = sites.laptop("a")
    sites.member(a, "张三")
    x = sites.district()
    before = state_hash(x)
    from clerk_app.sync import merge

    def boom(self):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(merge._Merge, "finish", boom)
    with pytest.raises(sqlite3.OperationalError):
        sites.send(a.db, x)
    assert state_hash(x) == before and x.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == 0


def test_conflict_detail_is_json(sites):
    # the inbox keeps both values as they were (a person decides), ID numbers included: the
    # inbox lives in the (encrypted) database, and screens mask it like any record
    a, b = sites.laptop("a"), sites.laptop("b")
    mid = sites.member(a, "张三")
    sites.send(a.db, b.db)
    _edit(a, mid, employer="甲公司")
    _edit(b, mid, employer="乙公司")
    x = sites.district()
    sites.send(a.db, x)
    sites.send(b.db, x)
    detail = x.conn.execute("SELECT detail FROM sync_conflicts").fetchone()[0]
    assert json.loads(detail)["winner"]["value"] in ("甲公司", "乙公司")


def test_user_errors_stay_user_errors(sites):
    a = sites.laptop("a")
    with pytest.raises(UserError):
        members.change_status(a, "no-such-member", vocab.RETAINED, today=DAY)


def test_a_laptop_whose_last_stamp_is_a_day_ahead_of_its_clock_is_told(sites):
    a = sites.laptop("a")
    sites.member(a, "张三")
    now = sites.clock.wall_ms()
    assert clock_skew_ms(a.db, now) < CLOCK_SKEW_WARN_MS
    # the clock ran to 2035 once: its stamps stay there, and the skew says so
    assert clock_skew_ms(a.db, now - 2 * DAY_MS) > CLOCK_SKEW_WARN_MS


# ---------------------------------------------------------------- erasure travels

def _dump(db) -> str:
    """Every value of every table, as text (what a person's values must be absent from)."""
    tables = [r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "\n".join(repr(row) for t in tables for row in db.conn.execute(f'SELECT * FROM "{t}"'))


def test_an_erasure_travels_and_a_replay_of_the_old_records_is_no_alarm(sites):
    from clerk_app.services.erasure import erase_member

    a = sites.laptop("a")
    mid = sites.member(a, "张三", id_number=make_id(seq="919"))
    event = sites.event(a)
    att = signin.sign_in_member(a, event.id, mid).attendee.id
    x = sites.district()
    old = export_records(a.db)  # what a package sent before the erasure still carries
    sites.send(a.db, x)
    erase_member(a, mid)
    report = sites.send(a.db, x)
    assert report.alarms == 0 and store.alarms(x) == []
    assert store.get_row(x, "members", mid) is None
    assert store.get_row(x, "attendance", att)["member_id"] is None
    number = make_id(seq="919")
    dump = _dump(x)
    assert number not in dump and "张三" not in dump  # not in the tables, not in the change log
    # the old package replayed later (a USB stick found in a drawer) brings nothing back
    again = apply_changes(x, old, wall_ms=sites.clock.wall_ms())
    assert again.alarms == 0 and again.applied == 0
    assert number not in _dump(x)
    y = sites.district("y")
    sites.send(a.db, y)
    assert state_hash(x) == state_hash(y)


def test_exported_records_pass_the_package_shape_check_and_forgeries_do_not(sites):
    from clerk_app.sync import shape
    from clerk_app.sync.records import record_rules

    a = sites.laptop("a")
    mid = sites.member(a, "张三")
    cards.issue_card(a, mid, DAY, today=DAY)
    rules = record_rules(a.db)
    for rec in export_records(a.db):
        shape.check_record(rec, rules)
    bad = {**export_records(a.db)[0], "data": {"name; DROP TABLE members": 1}}
    with pytest.raises(shape.BadRecord):
        shape.check_record(bad, rules)
    with pytest.raises(shape.BadRecord):
        shape.check_record({**export_records(a.db)[0], "extra": 1}, rules)


def test_the_audit_log_travels_append_only_and_its_chain_is_checked_per_laptop(sites):
    from clerk_app.sync.state import apply_audit, export_audit

    a, b = sites.laptop("a"), sites.laptop("b")
    for name in ("张三", "王五", "赵六"):
        sites.member(a, name)
    sites.member(b, "李四")
    assert len(export_audit(a.db)) >= 4
    x = sites.district()
    now = sites.clock.wall_ms()
    for laptop in (a, b):
        assert apply_audit(x, export_audit(laptop.db), wall_ms=now) == 0
    count = x.conn.execute("SELECT count(*) FROM audit_remote").fetchone()[0]
    assert count == len(export_audit(a.db)) + len(export_audit(b.db)) and store.audit_breaks(x) == []
    assert apply_audit(x, export_audit(a.db), wall_ms=now) == 0  # a replay adds nothing
    assert x.conn.execute("SELECT count(*) FROM audit_remote").fetchone()[0] == count
    forged = [{**e, "detail": "{}", "hash": "0" * 64} for e in export_audit(a.db)[-1:]]
    assert apply_audit(x, forged, wall_ms=now) == 1 and store.alarms(x)[0][0] == "audit_other_content"
    # an entry edited after it arrived (or sent edited) breaks that laptop's chain, and only it
    last = export_audit(b.db)[-1]
    x.conn.execute("UPDATE audit_remote SET detail = '{}' WHERE site_id = ? AND id = ?", [last["site_id"], last["id"]])
    assert store.audit_breaks(x) == [(b.site_id, last["id"])]
    # a gap (an entry never received) is named too
    y = sites.district("y")
    apply_audit(y, export_audit(a.db)[:2] + export_audit(a.db)[3:], wall_ms=now)
    assert store.audit_breaks(y) == [(a.site_id, export_audit(a.db)[3]["id"])]


def test_invariants_broken_by_two_laptops_go_to_the_inbox_not_fixed(sites):
    a, b = sites.laptop("a"), sites.laptop("b")
    both = sites.member(a, "张三")
    left = sites.member(a, "李四")
    sites.send(a.db, b.db)
    first = cards.issue_card(a, both, DAY, today=DAY)  # each laptop, offline, issues a card
    second = cards.issue_card(b, both, DAY, today=DAY)
    kept = cards.issue_card(a, left, DAY, today=DAY)  # a issues a card ...
    members.change_status(b, left, vocab.WITHDRAWN, today=DAY)  # ... while b records that they left
    x = sites.district()
    sites.send(a.db, x)
    sites.send(b.db, x)
    [two] = store.conflicts(x, "two_active_cards")
    assert two["row_id"] == both and set(two["detail"]["cards"]) == {first.id, second.id}
    [gone] = store.conflicts(x, "active_card_left_union")
    assert gone["row_id"] == left and gone["detail"]["cards"] == [kept.id]
    # nothing was "fixed": both cards are still active, the member still withdrawn
    assert {store.get_row(x, "cards", c)["status"] for c in (first.id, second.id, kept.id)} == {lifecycle.ACTIVE}
    assert store.get_row(x, "members", left)["status"] == vocab.WITHDRAWN
