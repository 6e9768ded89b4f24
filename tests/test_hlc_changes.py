"""Hybrid logical clock and change records: what a series of edits leaves in change_log."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clerk_app.domain import vocab
from clerk_app.domain.member import MemberInput
from clerk_app.services import members as ms
from clerk_app.services.setup import load_context
from clerk_app.storage.changes import HLC_KEY, ChangeRecorder, changes_since, field_versions
from clerk_app.storage.hlc import HybridClock, format_stamp, parse_stamp, wall_ms
from clerk_app.storage.meta import get_meta
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, make_id

DAY_MS = 24 * 3600 * 1000


class FakeWall:
    """A wall clock the test sets by hand (milliseconds)."""

    def __init__(self, ms: int):
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


# -- the clock on its own ---------------------------------------------------------------------

def test_stamp_format_sorts_as_time():
    assert format_stamp(1_700_000_000_000, 7) == "1700000000000-000007"
    assert parse_stamp("1700000000000-000007") == (1_700_000_000_000, 7)
    pairs = [(5, 999_999), (10, 0), (10, 1), (9_999_999_999_999, 0)]
    assert sorted(format_stamp(*p) for p in pairs) == [format_stamp(*p) for p in sorted(pairs)]


def test_wall_clock_forward_resets_counter():
    wall = FakeWall(1000)
    clock = HybridClock(wall=wall)
    assert clock.now() == format_stamp(1000, 0)
    assert clock.now() == format_stamp(1000, 1)
    wall.ms = 1005
    assert clock.now() == format_stamp(1005, 0)


def test_monotonic_when_wall_clock_goes_backwards():
    wall = FakeWall(10_000)
    clock = HybridClock(wall=wall)
    stamps = [clock.now()]
    for step in (9_000, 5_000, 10_000, 1, 10_000):
        wall.ms = step
        stamps.append(clock.now())
    assert stamps == sorted(set(stamps)), stamps  # strictly increasing
    assert all(parse_stamp(s)[0] == 10_000 for s in stamps)
    assert parse_stamp(stamps[-1])[1] == 5
    wall.ms = 10_001
    assert clock.now() == format_stamp(10_001, 0)


def test_counter_overflow_moves_physical_part_on():
    clock = HybridClock(format_stamp(1000, 999_998), wall=FakeWall(900))
    assert clock.now() == format_stamp(1000, 999_999)
    assert clock.now() == format_stamp(1001, 0)
    assert clock.now() == format_stamp(1001, 1)


def test_observe_moves_past_remote_stamps_only_forwards():
    wall = FakeWall(1000)
    clock = HybridClock(wall=wall)
    clock.now()
    remote = format_stamp(50_000, 3)
    clock.observe(remote)
    assert clock.last == remote
    after = clock.now()
    assert after > remote and after == format_stamp(50_000, 4)
    clock.observe(format_stamp(2_000, 0))  # an older remote stamp changes nothing
    assert clock.last == after


def test_starts_from_last_stamp():
    clock = HybridClock(format_stamp(5_000, 2), wall=FakeWall(10))
    assert clock.now() == format_stamp(5_000, 3)


# -- change records through the services -------------------------------------------------------

def _log_after(db, seq):
    return [(c.tbl, c.row_id, c.op, c.data) for c in changes_since(db, seq)]


def _last_seq(db) -> int:
    return db.conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]


def _row(db, tbl, row_id) -> dict:
    cur = db.conn.execute(f"SELECT * FROM {tbl} WHERE id = ?", [row_id])
    values = cur.fetchone()
    return {d[0]: v for d, v in zip(cur.description, values)}


def _ids(db, tbl, member_id) -> list[str]:
    return [r[0] for r in db.conn.execute(
        f"SELECT id FROM {tbl} WHERE member_id = ? ORDER BY rowid", [member_id])]


def test_setup_records_the_home_union(ctx):
    log = _log_after(ctx.db, 0)
    assert [(t, r, o) for t, r, o, _ in log] == [("unions", ctx.home_union_id, "create")]
    assert log[0][3]["name"] == SETUP.union_name


def test_a_member_life_yields_exactly_these_change_records(ctx, member_input):
    db = ctx.db
    start = _last_seq(db)

    # 1. register: member, join history, consent - each a create with every stored field.
    mid = ms.register_member(ctx, member_input(name="曾小凡", id_number=make_id(seq="211"))).member_id
    [hist1] = _ids(db, "member_status_history", mid)
    [consent] = _ids(db, "consents", mid)
    log = _log_after(db, start)
    assert [(t, r, o) for t, r, o, _ in log] == [
        ("members", mid, "create"), ("member_status_history", hist1, "create"), ("consents", consent, "create")]
    for (tbl, row_id, _, data) in log:
        stored = _row(db, tbl, row_id)
        del stored["id"]
        assert data == stored, tbl
    assert log[0][3]["name"] == "曾小凡" and log[0][3]["status"] == vocab.ACTIVE
    assert log[1][3]["status"] == vocab.ACTIVE and log[1][3]["member_id"] == mid
    assert log[2][3]["member_id"] == mid and log[2][3]["notice_version"] == vocab.NOTICE_VERSION

    # 2. edit two fields: one update record naming only those two (plus the updated_at touch).
    seq = _last_seq(db)
    res = ms.update_member(ctx, mid, member_input(name="曾小凡", id_number=make_id(seq="211"),
                                                  phone="13900001111", employer="美团北京"))
    assert res.changed == ("employer", "phone")
    [(tbl, row_id, op, data)] = _log_after(db, seq)
    assert (tbl, row_id, op) == ("members", mid, "update")
    assert set(data) == {"phone", "employer", "updated_at"}
    assert data["phone"] == "13900001111" and data["employer"] == "美团北京"
    assert data["updated_at"] == _row(db, "members", mid)["updated_at"]

    # 3. the same form saved again: nothing changes, nothing is recorded.
    seq = _last_seq(db)
    res = ms.update_member(ctx, mid, member_input(name="曾小凡", id_number=make_id(seq="211"),
                                                  phone="139 0000 1111", employer="美团北京"))
    assert res.changed == ()
    assert _log_after(db, seq) == []

    # 4. status change: the member's status, and a new history row.
    seq = _last_seq(db)
    retired = ctx.today() - dt.timedelta(days=10)  # after joining (20 days ago), before today
    ms.change_status(ctx, mid, vocab.RETAINED, effective=retired, reason="退休")
    hist2 = _ids(db, "member_status_history", mid)[1]
    log = _log_after(db, seq)
    assert [(t, r, o) for t, r, o, _ in log] == [
        ("members", mid, "update"), ("member_status_history", hist2, "create")]
    assert set(log[0][3]) == {"status", "updated_at"} and log[0][3]["status"] == vocab.RETAINED
    assert log[1][3]["status"] == vocab.RETAINED and log[1][3]["effective_date"] == retired.isoformat()
    assert log[1][3]["reason"] == "退休"

    # field versions: each field's stamp is the latest record naming it.
    stamps = {c.seq: c.hlc for c in changes_since(db, start)}
    by_seq = sorted(stamps)
    create_stamp, edit_stamp, status_stamp = stamps[by_seq[0]], stamps[by_seq[3]], stamps[by_seq[4]]
    versions = field_versions(db, "members", mid)
    assert versions["name"] == (create_stamp, ctx.site_id)
    assert versions["id_number"] == (create_stamp, ctx.site_id)
    assert versions["phone"] == (edit_stamp, ctx.site_id)
    assert versions["employer"] == (edit_stamp, ctx.site_id)
    assert versions["status"] == (status_stamp, ctx.site_id)
    assert versions["updated_at"] == (status_stamp, ctx.site_id)
    assert "_deleted" not in versions

    # 5. delete: history rows, the consent, then the member; a tombstone for each.
    seq = _last_seq(db)
    ms.delete_member(ctx, mid)
    log = _log_after(db, seq)
    assert log == [("member_status_history", hist1, "delete", {}), ("member_status_history", hist2, "delete", {}),
                   ("consents", consent, "delete", {}), ("members", mid, "delete", {})]
    tombs = db.conn.execute("SELECT tbl, row_id, hlc, site_id FROM tombstones ORDER BY hlc").fetchall()
    delete_stamps = [c.hlc for c in changes_since(db, seq)]
    assert tombs == [(t, r, h, ctx.site_id) for (t, r, _, _), h in zip(log, delete_stamps)]
    assert field_versions(db, "members", mid)["_deleted"] == (delete_stamps[-1], ctx.site_id)
    assert db.conn.execute("SELECT count(*) FROM member_keys WHERE member_id = ?", [mid]).fetchone()[0] == 0

    # every stamp ever written is strictly increasing, and the last one is saved in meta.
    all_stamps = [r[0] for r in db.conn.execute("SELECT hlc FROM change_log ORDER BY seq")]
    assert all(a < b for a, b in zip(all_stamps, all_stamps[1:])), all_stamps
    assert get_meta(db, HLC_KEY) == all_stamps[-1]


def test_change_data_is_json_with_chinese_kept(ctx, member_input):
    mid = ms.register_member(ctx, member_input(name="单田芳")).member_id
    raw = ctx.db.conn.execute("SELECT data FROM change_log WHERE row_id = ? AND op = 'create'", [mid]).fetchone()[0]
    assert "单田芳" in raw
    assert json.loads(raw)["name"] == "单田芳"


def _form(ctx, **overrides) -> MemberInput:
    base = dict(name="王小明", id_number=make_id(), phone="13812345678", union_id=ctx.home_union_id,
                occupation="快递员", join_date=ctx.today() - dt.timedelta(days=20))
    return MemberInput(**{**base, **overrides})


def test_stamps_never_go_back_across_reopen_with_clock_set_back_a_day(data_dir):
    ws = open_workspace(data_dir)
    try:
        ctx = ws.set_up(SETUP)
        ms.register_member(ctx, _form(ctx))
        saved = get_meta(ws.db, HLC_KEY)
        seq = _last_seq(ws.db)
    finally:
        ws.close()

    ws = open_workspace(data_dir)
    try:
        ctx = ws.context()
        assert ctx.changes.clock.last == saved  # loaded from meta on opening
        # A clock set back a day, knowing nothing of the past: stamps still come after `saved`.
        ctx.changes.clock = HybridClock(wall=FakeWall(wall_ms() - DAY_MS))
        ms.register_member(ctx, _form(ctx, name="李四", id_number=make_id(seq="777")))
        new = [c.hlc for c in changes_since(ws.db, seq)]
    finally:
        ws.close()
    assert len(new) == 3
    assert saved < new[0] < new[1] < new[2]


def test_two_contexts_on_one_database_never_reuse_a_stamp(ctx, member_input):
    other = load_context(ctx.db)
    frozen = wall_ms() - DAY_MS
    ctx.changes.clock = HybridClock(ctx.changes.clock.last, wall=FakeWall(frozen))
    other.changes.clock = HybridClock(other.changes.clock.last, wall=FakeWall(frozen))
    for i, c in enumerate([ctx, other, ctx, other]):
        ms.register_member(c, member_input(name=f"测试{'甲乙丙丁'[i]}", id_number=make_id(seq=f"30{i}")))
    stamps = [r[0] for r in ctx.db.conn.execute("SELECT hlc FROM change_log ORDER BY seq")]
    assert all(a < b for a, b in zip(stamps, stamps[1:])), stamps


def test_recorder_rejects_odd_table_names(ctx):
    rec = ChangeRecorder(ctx.db, ctx.site_id)
    with pytest.raises(ValueError):
        rec.update('members"; DROP TABLE members; --', "x", {"name": "a"})
