"""Matrix row 36: an audit log changed outside the app (sqlite3 CLI) is found, with the entry
named in Chinese — an edited row, a removed row, the newest rows deleted, a row moved to another
laptop's site id, and the whole chain rewritten with fresh hashes (only the anchor shows that)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clerk_app.services import audit_trail
from clerk_app.services import members as ms
from clerk_app.storage import migrations as mig
from clerk_app.storage.audit import (
    BROKEN_BEFORE_KEY, chain_anchor, check_chain, digest_v1, digest_v2, verify_chain, write_audit,
)
from clerk_app.storage.db import open_db, transaction
from clerk_app.storage.meta import get_meta
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, make_id

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def used(ctx, member_input):
    for n in range(4):
        ms.register_member(ctx, member_input(id_number=make_id(birth=f"1990030{n + 1}"), name="王小明"))
    ids = [r[0] for r in ctx.db.conn.execute("SELECT id FROM audit_log ORDER BY id")]
    assert len(ids) >= 5 and check_chain(ctx.db).ok
    return ids


def _rows(db):
    return db.conn.execute("SELECT id, at, site_id, clerk_id, action, entity, entity_id, detail"
                           " FROM audit_log ORDER BY id").fetchall()


def test_normal_use_keeps_chain_and_anchor_together(ctx, used):
    check = audit_trail.verify(ctx.db)
    anchor = audit_trail.anchor(ctx.db)
    assert check.ok and check.count == len(used) == anchor.count
    assert anchor.site_id == ctx.site_id
    last = ctx.db.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert anchor.last_hash == last
    assert "逐条校验一致" in check.message and str(len(used)) in check.message
    assert str(anchor.count) in audit_trail.anchor_text(anchor)


def test_edited_entry_is_named(ctx, used):
    ctx.db.conn.execute("UPDATE audit_log SET action = 'view' WHERE id = ?", [used[2]])
    check = check_chain(ctx.db)
    assert (check.problem, check.entry_id) == ("audit.entry_changed", used[2])
    assert f"第 {used[2]} 条" in check.message and "改动" in check.message


def test_entry_moved_to_another_site_is_found(ctx, used):
    """The site id is inside the hash: entries cannot be passed off as another laptop's."""
    ctx.db.conn.execute("UPDATE audit_log SET site_id = 'another-laptop' WHERE id = ?", [used[1]])
    assert check_chain(ctx.db).entry_id == used[1]


def test_removed_entry_is_named_by_the_one_after_it(ctx, used):
    ctx.db.conn.execute("DELETE FROM audit_log WHERE id = ?", [used[1]])
    check = check_chain(ctx.db)
    assert (check.problem, check.entry_id) == ("audit.entry_missing", used[2])
    assert "被删除" in check.message


def test_deleting_the_newest_entries_is_found(ctx, used):
    ctx.db.conn.execute("DELETE FROM audit_log WHERE id >= ?", [used[-2]])
    assert verify_chain(ctx.db) is None  # the chain alone still links up...
    check = check_chain(ctx.db)
    assert check.problem == "audit.tail_missing"  # ...the anchor does not
    assert "最新的 2 条" in check.message


def test_rewriting_the_whole_chain_is_found(ctx, used):
    """Every hash recomputed after changing one entry: each link holds, the anchor does not."""
    prev = ""
    for rid, at, site, clerk, action, entity, eid, detail in _rows(ctx.db):
        if rid == used[0]:
            action = "view"
        digest = digest_v2(prev, site, at, clerk, action, entity, eid, detail)
        ctx.db.conn.execute("UPDATE audit_log SET action = ?, prev_hash = ?, hash = ? WHERE id = ?",
                            [action, prev, digest, rid])
        prev = digest
    assert verify_chain(ctx.db) is None
    check = check_chain(ctx.db)
    assert check.problem == "audit.anchor_mismatch" and "整体改写" in check.message


def test_an_entry_appended_behind_the_apps_back_is_found(ctx, used):
    row = ctx.db.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    at, site = "2026-12-01T08:00:00+08:00", ctx.site_id
    digest = digest_v2(row[0], site, at, ctx.clerk.id, "delete", "member", "x", "{}")
    ctx.db.conn.execute("INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail,"
                        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
                        [at, site, ctx.clerk.id, "delete", "member", "x", "{}", row[0], digest])
    assert check_chain(ctx.db).problem == "audit.anchor_mismatch"


def test_anchor_moves_only_with_a_committed_entry(ctx, used):
    before = chain_anchor(ctx.db)
    with pytest.raises(RuntimeError):
        with transaction(ctx.db):
            ctx.audit("view", "member", "x")
            raise RuntimeError("the business action failed")
    assert chain_anchor(ctx.db) == before and check_chain(ctx.db).ok


def test_migration_rehashes_an_old_chain_and_anchors_it(tmp_path):
    db = _old_database(tmp_path, tamper=False)
    mig.migrate(db)
    assert get_meta(db, BROKEN_BEFORE_KEY) is None
    check = check_chain(db)
    assert check.ok and check.count == 3 and chain_anchor(db).count == 3
    db.close()


def test_migration_does_not_bless_a_chain_broken_before_it(tmp_path):
    db = _old_database(tmp_path, tamper=True)
    mig.migrate(db)
    check = check_chain(db)
    assert check.problem == "audit.broken_before_upgrade" and check.entry_id == 2
    assert "升级之前" in check.message
    db.close()


def _old_database(tmp_path, tamper: bool):
    """A database as the version before 0008 left it: v1 hashes (no site id), no anchor."""
    db = open_db(tmp_path / "old.db", key=None, migrate=False)  # the chain's logic, on a plain file
    mig.migrations.apply(db, stop_before="0008_audit_anchor")
    prev = ""
    for n in range(1, 4):
        at, detail = f"2026-11-0{n}T09:00:00+08:00", "{}"
        digest = digest_v1(prev, at, "clerk", "create", "member", f"m{n}", detail)
        db.conn.execute("INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail,"
                        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
                        [at, "site", "clerk", "create", "member", f"m{n}", detail, prev, digest])
        prev = digest
    if tamper:
        db.conn.execute("UPDATE audit_log SET action = 'view' WHERE id = 2")
    return db


def test_write_audit_outside_a_transaction_is_still_one_unit(db):
    write_audit(db, clerk_id="c", site_id="s", action="view", entity="x", at="2026-12-01T08:00:00+08:00")
    assert not db.conn.in_transaction and check_chain(db).ok and chain_anchor(db).count == 1


def _cli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "clerk_app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_cli_audit_verify(data_dir):
    ws = open_workspace(data_dir)
    ws.set_up(SETUP)
    key = ws.key
    ws.close()
    ok = _cli("audit", "verify", "--data-dir", str(data_dir))
    assert ok.returncode == 0, ok.stderr
    assert "审计记录完整" in ok.stdout and "审计锚点" in ok.stdout
    with open_db(data_dir / "clerk.db", key=key, migrate=False) as db:  # someone with the key, outside the app
        db.conn.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    bad = _cli("audit", "verify", "--data-dir", str(data_dir))
    assert bad.returncode == 1
    assert "审计记录校验未通过" in bad.stderr and "被删除" in bad.stderr
