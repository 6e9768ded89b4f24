"""Audit log: one entry per business action, no personal values, a hash chain that shows tampering."""

from __future__ import annotations

import datetime as dt

from clerk_app.domain import vocab
from clerk_app.domain.idnumber import mask
from clerk_app.domain.phone import mask_phone
from clerk_app.services import members as ms
from clerk_app.storage.audit import _digest, recent, verify_chain
from tests.conftest import make_id


def _entries(db, after_id=0):
    return db.conn.execute(
        "SELECT action, entity, entity_id FROM audit_log WHERE id > ? ORDER BY id", [after_id]).fetchall()


def _last_id(db) -> int:
    return db.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]


def _member_life(ctx, member_input):
    """Register two members, edit one, change its status, delete the other; return what was typed."""
    id1, id2 = make_id("110108", "19880412", "352"), make_id("310104", "19920101", "117")
    phone1, phone2 = "13911112222", "13633334444"
    m1 = ms.register_member(ctx, member_input(name="仇英", id_number=id1, phone=phone1)).member_id
    m2 = ms.register_member(ctx, member_input(name="解缙", id_number=id2, phone=phone2)).member_id
    ms.update_member(ctx, m1, member_input(name="仇英", id_number=id1, phone="15100001111"))
    ms.change_status(ctx, m1, vocab.WITHDRAWN, effective=ctx.today() - dt.timedelta(days=1), reason="本人申请")
    ms.delete_member(ctx, m2)
    return m1, m2, [id1, id2], [phone1, phone2, "15100001111"], ["仇英", "解缙"]


def test_one_entry_per_action(ctx, member_input):
    start = _last_id(ctx.db)
    m1, m2, *_ = _member_life(ctx, member_input)
    assert _entries(ctx.db, start) == [
        ("create", "member", m1), ("create", "member", m2), ("update", "member", m1),
        ("update", "member", m1), ("delete", "member", m2)]
    latest = recent(ctx.db, limit=5)
    assert [e.action for e in latest] == ["delete", "update", "update", "create", "create"]
    assert latest[2].detail == {"fields": ["phone"]}
    assert latest[1].detail == {"status": vocab.WITHDRAWN}
    assert latest[4].detail == {"channel": "onsite"}
    assert all(e.clerk_id == ctx.clerk.id for e in latest)
    assert [e.action for e in recent(ctx.db, entity_id=m2)] == ["delete", "create"]


def test_a_save_that_changes_nothing_is_not_audited(ctx, member_input):
    form = member_input()
    mid = ms.register_member(ctx, form).member_id
    start = _last_id(ctx.db)
    ms.update_member(ctx, mid, form)
    assert _entries(ctx.db, start) == []


def test_no_personal_values_anywhere_in_the_audit_log(ctx, member_input):
    _, _, ids, phones, names = _member_life(ctx, member_input)
    rows = ctx.db.conn.execute("SELECT * FROM audit_log").fetchall()
    text = "\n".join("|".join(str(v) for v in row) for row in rows)
    assert len(rows) >= 6
    for number in ids:
        assert number not in text and number[-8:] not in text and mask(number) not in text
    for phone in phones:
        assert phone not in text and mask_phone(phone) not in text
    for name in names:
        assert name not in text


def test_chain_holds_after_normal_use(ctx, member_input):
    _member_life(ctx, member_input)
    assert verify_chain(ctx.db) is None


def test_chain_names_an_edited_row(ctx, member_input):
    _member_life(ctx, member_input)
    ids = [r[0] for r in ctx.db.conn.execute("SELECT id FROM audit_log ORDER BY id")]
    target = ids[3]
    ctx.db.conn.execute("UPDATE audit_log SET action = 'create' WHERE id = ?", [target])
    assert verify_chain(ctx.db) == target


def test_chain_names_an_edited_detail_even_when_its_hash_is_recomputed(ctx, member_input):
    _member_life(ctx, member_input)
    ids = [r[0] for r in ctx.db.conn.execute("SELECT id FROM audit_log ORDER BY id")]
    # Rewriting the row and its own hash still breaks the link to the next row.
    rid, at, site, clerk, action, entity, eid, prev = ctx.db.conn.execute(
        "SELECT id, at, site_id, clerk_id, action, entity, entity_id, prev_hash FROM audit_log WHERE id = ?",
        [ids[2]]).fetchone()
    forged = '{"fields": []}'
    ctx.db.conn.execute("UPDATE audit_log SET detail = ?, hash = ? WHERE id = ?",
                        [forged, _digest(prev, site, at, clerk, action, entity, eid, forged), rid])
    assert verify_chain(ctx.db) == ids[3]


def test_chain_names_the_row_after_a_deleted_one(ctx, member_input):
    _member_life(ctx, member_input)
    ids = [r[0] for r in ctx.db.conn.execute("SELECT id FROM audit_log ORDER BY id")]
    ctx.db.conn.execute("DELETE FROM audit_log WHERE id = ?", [ids[2]])
    assert verify_chain(ctx.db) == ids[3]


def test_chain_names_the_first_row_when_it_is_deleted(ctx, member_input):
    _member_life(ctx, member_input)
    ids = [r[0] for r in ctx.db.conn.execute("SELECT id FROM audit_log ORDER BY id")]
    ctx.db.conn.execute("DELETE FROM audit_log WHERE id = ?", [ids[0]])
    assert verify_chain(ctx.db) == ids[1]
