"""The demo generator: synthetic members that pass the real rules, deterministic per seed."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from pypinyin import lazy_pinyin

from clerk_app.domain import vocab
from clerk_app.domain.idnumber import age_on, check_id
from clerk_app.domain.phone import normalise_phone
from clerk_app.services import members as ms
from clerk_app.services.demo import demo_inputs, generate_members
from clerk_app.services.demo_data import BRANCHES, POLYPHONIC_SURNAMES, RARE_CHARS
from clerk_app.services.unions import list_unions
from clerk_app.storage.audit import verify_chain
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, run_on

TODAY = dt.date(2026, 11, 21)
_on_day = run_on(TODAY)  # the app works on this module's day
# The surname reading and the everyday reading pypinyin gives first.
READINGS = {"单": ("shan", "dan"), "曾": ("zeng", "ceng"), "解": ("xie", "jie"), "仇": ("qiu", "chou"),
            "区": ("ou", "qu"), "朴": ("piao", "pu"), "查": ("zha", "cha")}


def _rows(db, sql="SELECT * FROM members"):
    cur = db.conn.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur]


@pytest.fixture
def demo300(ctx):
    result = generate_members(ctx, 300, seed=11, chunk=120, today=TODAY)
    return ctx, result


def test_every_generated_member_passes_the_rules(demo300):
    ctx, result = demo300
    assert result.rejected == []
    assert len(result.saved) == 300 == ms.count(ctx)
    rows = _rows(ctx.db)
    for row in rows:
        idc = check_id(row["id_number"], TODAY)
        assert idc.error is None, row["id_number"]
        assert idc.warnings == (), (row["id_number"], idc.message)
        assert 18 <= age_on(idc.birth_date, TODAY) <= 60
        assert idc.gender == row["gender"]
        assert normalise_phone(row["phone"]) == (row["phone"], None)
        assert len(row["phone"]) == 11 and row["phone"].startswith("1")
        join = dt.date.fromisoformat(row["join_date"])
        assert TODAY - dt.timedelta(days=3 * 365) <= join <= TODAY
        assert row["join_channel"] in vocab.JOIN_CHANNELS
    assert len({r["id_number"] for r in rows}) == 300
    assert len({r["phone"] for r in rows}) == 300
    assert len({(r["name"], r["birth_date"]) for r in rows}) == 300


def test_roster_looks_like_a_gig_worker_township(demo300):
    ctx, _ = demo300
    rows = _rows(ctx.db)
    gig = {"外卖配送员", "快递员", "网约车司机", "出租车司机", "货车司机", "环卫工人"}
    assert sum(r["occupation"] in gig for r in rows) > 0.6 * len(rows)
    for r in rows:
        if r["occupation"] == "外卖配送员":
            assert r["platform"] in {"美团", "饿了么", "闪送", "达达快送"}
        if r["occupation"] == "快递员":
            assert r["platform"] in {"顺丰", "京东物流", "中通快递", "圆通速递", "韵达快递", "申通快递",
                                     "极兔速递", "中国邮政"}
        if r["occupation"] == "网约车司机":
            assert r["platform"] in {"滴滴出行", "曹操出行", "T3出行", "首汽约车"}
        if r["occupation"] == "出租车司机":
            assert r["employer"].endswith("出租汽车有限公司")
    regions = {r["id_number"][:2] for r in rows}
    assert {"11", "41", "13", "37", "34", "51"} <= regions  # Beijing and the migrants' provinces
    born_in_daxing_2001_on = [r for r in rows if r["native_place"] == "北京市大兴区" and r["birth_date"] >= "2001"]
    assert all(r["id_number"].startswith("110115") for r in born_in_daxing_2001_on)
    assert sum(r["ethnicity"] == "汉族" for r in rows) > 0.85 * len(rows)
    channels = [r["join_channel"] for r in rows]
    assert channels.count("onsite") + channels.count("qr") > 0.8 * len(rows)
    assert any(r["employer"] for r in rows) and any(not r["employer"] for r in rows)


def test_branch_unions_are_created_once_under_the_home_union(demo300):
    ctx, _ = demo300
    generate_members(ctx, 10, seed=12, today=TODAY)
    unions = list_unions(ctx)
    branches = [u for u in unions if u.parent_id == ctx.home_union_id]
    assert sorted(u.name for u in branches) == sorted(name for name, _, _ in BRANCHES)
    used = {r["union_id"] for r in _rows(ctx.db)}
    assert {u.id for u in branches} <= used


def test_polyphonic_surnames_are_found_by_both_readings(demo300):
    ctx, _ = demo300
    rows = _rows(ctx.db)
    seen = set()
    for r in rows:
        surname, given = r["name"][0], r["name"][1:]
        if surname not in READINGS:
            continue
        seen.add(surname)
        given_full = "".join(lazy_pinyin(given))
        given_initials = "".join(p[0] for p in lazy_pinyin(given))
        for reading in READINGS[surname]:
            for query in (reading + given_full, reading[0] + given_initials):
                found = [m.id for m in ms.search(ctx, query)]
                assert r["id"] in found, (r["name"], query)
    assert seen == set(POLYPHONIC_SURNAMES)


def test_rare_characters_and_dot_names_are_present_and_searchable(demo300):
    ctx, _ = demo300
    rows = _rows(ctx.db)
    rare = [r for r in rows if any(ch in RARE_CHARS for ch in r["name"])]
    assert rare
    for r in rare:
        assert r["id"] in [m.id for m in ms.search(ctx, r["name"])]
    dotted = [r for r in rows if "·" in r["name"]]
    assert dotted
    for r in dotted:
        assert r["ethnicity"] in {"维吾尔族", "哈萨克族"}
        assert r["id_number"].startswith("65")
        assert r["id"] in [m.id for m in ms.search(ctx, r["name"].split("·")[0])]


def test_cancel_keeps_committed_chunks_only_and_the_database_consistent(ctx):
    reported = []

    def progress(done, total):
        reported.append(done)

    def cancel():  # the clerk presses cancel once the progress bar passes 250 of 600
        return bool(reported) and reported[-1] >= 250

    result = generate_members(ctx, 600, seed=3, chunk=200, progress=progress, cancel=cancel, today=TODAY)
    assert len(result.saved) == 200  # chunk 1 committed; chunk 2 was under way and rolled back
    db = ctx.db.conn
    assert ms.count(ctx) == 200
    assert {r[0] for r in db.execute("SELECT id FROM members")} == set(result.saved)
    for tbl in ("member_status_history", "consents"):
        assert db.execute(f"SELECT count(*) FROM {tbl}").fetchone()[0] == 200
    assert db.execute("SELECT count(DISTINCT member_id) FROM member_keys").fetchone()[0] == 200
    assert db.execute("SELECT count(*) FROM member_keys WHERE member_id NOT IN"
                      " (SELECT id FROM members)").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM change_log WHERE tbl = 'members'").fetchone()[0] == 200
    assert db.execute("SELECT count(*) FROM audit_log WHERE entity = 'member'").fetchone()[0] == 200
    assert verify_chain(ctx.db) is None
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_same_seed_gives_the_same_members(ctx, tmp_path):
    other = open_workspace(tmp_path / "other")
    try:
        ctx2 = other.set_up(SETUP)
        generate_members(ctx, 120, seed=7, chunk=50, today=TODAY)
        generate_members(ctx2, 120, seed=7, chunk=50, today=TODAY)
        sql = "SELECT name, id_number, phone, occupation, join_date FROM members ORDER BY id_number"
        first = ctx.db.conn.execute(sql).fetchall()
        assert first == ctx2.db.conn.execute(sql).fetchall()
        assert len(first) == 120
        different = [(f.name, f.id_number) for f in demo_inputs(ctx2, 20, seed=8, today=TODAY)]
        assert different != [(f.name, f.id_number) for f in demo_inputs(ctx2, 20, seed=7, today=TODAY)]
    finally:
        other.close()


def test_generating_again_adds_new_people_without_duplicates(ctx):
    generate_members(ctx, 150, seed=5, today=TODAY)
    again = generate_members(ctx, 150, seed=5, today=TODAY)
    assert again.rejected == [] and len(again.saved) == 150
    assert ms.count(ctx) == 300


def _shape(db, member_ids: list[str]):
    """Every row a registration wrote for ``member_ids``, without what differs by design
    (record ids, clock stamps, hashes, sequence numbers, the site)."""
    volatile = {"id", "member_id", "created_at", "updated_at", "recorded_at", "consented_at", "clerk_id",
                "row_id", "seq", "origin_seq", "hlc", "site_id", "txn_id", "at", "entity_id", "hash", "prev_hash"}

    def rows(sql):
        return [{k: v for k, v in r.items() if k not in volatile} for r in _rows(db, sql)]

    keys = [r["key"] for r in _rows(db, "SELECT key FROM member_keys ORDER BY key")]
    return {"members": rows("SELECT * FROM members ORDER BY id_number"),
            "history": rows("SELECT * FROM member_status_history"), "consents": rows("SELECT * FROM consents"),
            "keys": keys, "changes": rows("SELECT * FROM change_log WHERE tbl NOT IN ('unions') ORDER BY seq"),
            "audit": rows("SELECT * FROM audit_log WHERE entity = 'member' ORDER BY id")}


def test_demo_members_are_saved_with_exactly_the_rows_a_registration_writes(ctx, tmp_path):
    """The bulk save (one executemany per table) writes what register_member writes, row for
    row: the same member, keys, history, consent, change records and audit entries."""
    other = open_workspace(tmp_path / "other")
    try:
        ctx2 = other.set_up(SETUP)
        made = generate_members(ctx, 3, seed=4, today=TODAY).saved
        for form in demo_inputs(ctx2, 3, seed=4, today=TODAY):
            ms.register_member(ctx2, form, today=TODAY)
        ids2 = [r[0] for r in ctx2.db.conn.execute("SELECT id FROM members")]
        bulk, one_by_one = _shape(ctx.db, made), _shape(ctx2.db, ids2)
        for part in bulk:  # the union ids differ per laptop: compare everything else
            assert len(bulk[part]) == len(one_by_one[part]), part
        strip = ("union_id",)
        assert [{k: v for k, v in r.items() if k not in strip} for r in bulk["members"]] == \
            [{k: v for k, v in r.items() if k not in strip} for r in one_by_one["members"]]
        assert bulk["keys"] == one_by_one["keys"]
        assert bulk["history"] == one_by_one["history"] and bulk["consents"] == one_by_one["consents"]
        assert [(c["tbl"], c["op"], sorted(json.loads(c["data"]))) for c in bulk["changes"]] == \
            [(c["tbl"], c["op"], sorted(json.loads(c["data"]))) for c in one_by_one["changes"]]
        assert bulk["audit"] == one_by_one["audit"]
        stamps = [r[0] for r in ctx.db.conn.execute("SELECT hlc FROM change_log ORDER BY seq")]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        assert ctx.db.conn.execute("SELECT count(*) FROM change_log WHERE origin_seq != seq").fetchone()[0] == 0
        assert verify_chain(ctx.db) is None
        for member_id in made:
            assert uuid.UUID(member_id).version == 7
    finally:
        other.close()
