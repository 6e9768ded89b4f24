"""The sign-in desk keeps the event, the count, the clock and the audit chain's tail between
scans (storage.known). Whatever else writes to the database in between — another connection
(the window's worker thread, another process), another service on the same connection, a
rolled-back transaction — the next scan must still count right, stamp after everything, and
extend a valid audit chain."""

from __future__ import annotations

from clerk_app.services import events, signin
from clerk_app.services.setup import load_context
from clerk_app.storage import known
from clerk_app.storage.audit import check_chain
from clerk_app.storage.changes import HLC_KEY, changes_since
from clerk_app.storage.db import another_connection, transaction
from clerk_app.storage.meta import get_meta


def _stamps_increase_and_seq_is_origin(ctx) -> None:
    rows = ctx.db.conn.execute("SELECT seq, origin_seq, hlc FROM change_log ORDER BY seq").fetchall()
    assert all(seq == origin for seq, origin, _ in rows)
    own = [hlc for _seq, _o, hlc in rows]
    assert own == sorted(own) and len(set(own)) == len(own)
    assert get_meta(ctx.db, HLC_KEY) == own[-1]


def test_a_write_by_another_connection_is_seen_by_the_next_scan(laptop, event, card_for):
    a, b, c = card_for("甲"), card_for("乙"), card_for("丙")
    assert signin.sign_in_scan(laptop, event.id, a.card_no).count == 1
    other_db = another_connection(laptop.db)  # the worker thread's connection
    try:
        other = load_context(other_db, laptop.clock, laptop.clerk.id)
        assert signin.sign_in_scan(other, event.id, b.card_no).count == 2
    finally:
        other_db.close()
    third = signin.sign_in_scan(laptop, event.id, c.card_no)
    assert third.ok and third.count == 3  # not 2: the other connection's sign-in counts
    assert check_chain(laptop.db).ok, check_chain(laptop.db).message  # chained after the other's entry
    _stamps_increase_and_seq_is_origin(laptop)
    assert [ch.row_id for ch in changes_since(laptop.db, tbl="attendance")] == [
        r[0] for r in laptop.db.conn.execute("SELECT id FROM attendance ORDER BY rowid")]


def test_an_event_changed_by_another_connection_is_read_again(laptop, event, card_for, event_input):
    a, b = card_for("甲"), card_for("乙")
    signin.sign_in_scan(laptop, event.id, a.card_no, sub_venue="京东物流站点")
    other_db = another_connection(laptop.db)
    try:
        other = load_context(other_db, laptop.clock, laptop.clerk.id)
        events.update_event(other, event.id, event_input(sub_venues=["顺丰站点"]))
    finally:
        other_db.close()
    result = signin.sign_in_scan(laptop, event.id, b.card_no, sub_venue="顺丰站点")  # the new sub-venue
    assert result.ok and result.attendee.sub_venue == "顺丰站点"


def test_other_writes_on_the_same_connection_are_seen_too(laptop, event, card_for, add_member):
    a, b = card_for("甲"), card_for("乙")
    signin.sign_in_scan(laptop, event.id, a.card_no)
    walk = signin.sign_in_walk_in(laptop, event.id, "路人", "13900001111")  # not the scan path
    laptop.audit("export", "attendance", event.id, count=2)  # an audit entry of another service
    add_member("丁")  # a change record and clock stamp of another service
    result = signin.sign_in_scan(laptop, event.id, b.card_no)
    assert walk.ok and result.count == 3
    assert check_chain(laptop.db).ok
    _stamps_increase_and_seq_is_origin(laptop)
    signin.remove_attendance(laptop, walk.attendee.id)
    assert signin.sign_in_scan(laptop, event.id, b.card_no).count == 2


def test_a_rolled_back_sign_in_leaves_nothing_kept(laptop, event, card_for):
    a, b = card_for("甲"), card_for("乙")
    signin.sign_in_scan(laptop, event.id, a.card_no)
    dry = signin.enter_paper_rows(laptop, event.id, [signin.PaperRow("路人", "13900002222")], dry_run=True)
    assert dry.walk_ins  # it signed someone in, then rolled back
    try:
        with transaction(laptop.db):
            signin.sign_in_scan(laptop, event.id, b.card_no)
            raise RuntimeError("the outer action fails after the scan")
    except RuntimeError:
        pass
    result = signin.sign_in_scan(laptop, event.id, b.card_no)
    assert result.ok and result.count == 2
    assert check_chain(laptop.db).ok, check_chain(laptop.db).message
    _stamps_increase_and_seq_is_origin(laptop)


def test_the_result_built_from_the_written_values_equals_the_stored_row(laptop, event, card_for):
    from clerk_app.storage import events_repo

    card = card_for("王小明", occupation="快递员", employer="顺丰", platform="")
    result = signin.sign_in_scan(laptop, event.id, card.card_no, sub_venue="京东物流站点")
    assert result.attendee == events_repo.attendance_by_id(laptop.db, result.attendee.id)
    assert signin.sign_in_scan(laptop, event.id, card.card_no).attendee == result.attendee


def test_kept_values_go_with_a_rollback(laptop):
    db = laptop.db
    with transaction(db), known.writing(db):
        known.put(db, "k", 1)
    assert known.get(db, "k", lambda: "loaded") == 1  # nothing else wrote: still kept
    try:
        with transaction(db), known.writing(db):
            laptop.audit("export", "members", "", count=1)
            known.put(db, "k", 2)
            raise ValueError
    except ValueError:
        pass
    assert known.get(db, "k", lambda: "loaded") == "loaded"
    laptop.audit("export", "members", "", count=1)  # a write outside any block
    assert known.get(db, "k", lambda: "again") == "again"


def test_a_plain_sqlite_connection_keeps_nothing():
    import sqlite_utils

    db = sqlite_utils.Database(memory=True)
    db.conn.isolation_level = None
    with transaction(db), known.writing(db):
        known.put(db, "k", 1)
    assert known.get(db, "k", lambda: "loaded") == "loaded"
