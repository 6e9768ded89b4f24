"""Backups: the retention rule, the one verified copy, the second folder, the daily and the
import backups, and restore starting a new epoch (no card number or change-record sequence
number given out twice)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.services import backups, cards
from clerk_app.services.members import register_member
from clerk_app.storage import backup as files
from clerk_app.storage.changes import changes_since, last_seq, site_epoch
from clerk_app.storage.cipher import connect, is_plaintext_file
from clerk_app.storage.db import DB_FILENAME, open_db
from clerk_app.storage.dbfiles import header_journal
from clerk_app.storage.meta import get_meta
from clerk_app.workspace import restore_into
from tests.conftest import LOGIN, make_id, reopen


# ---------------------------------------------------------------- retention (pure)

def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def test_retention_keeps_seven_daily_four_weekly_twelve_monthly():
    today = dt.date(2026, 12, 3)
    # one backup a day for two years, taken at noon
    taken = [_at(today - dt.timedelta(days=n)) for n in range(730)]
    keep = backups.retained(taken, today)
    days = sorted({t.date() for t in keep}, reverse=True)
    assert days[:7] == [today - dt.timedelta(days=n) for n in range(7)]  # the last 7 days
    weeks = {t.isocalendar()[:2] for t in keep}
    recent_weeks = sorted({t.isocalendar()[:2] for t in taken}, reverse=True)[:4]
    assert set(recent_weeks) <= weeks
    months = {(t.year, t.month) for t in keep}
    assert len(months) == 12 and (2026, 1) in months and (2025, 12) not in months  # Dec 2026 counts
    # the newest of each kept month is the one kept (Oct 2026 -> Oct 31)
    assert _at(dt.date(2026, 10, 31)) in keep and _at(dt.date(2026, 10, 30)) not in keep
    assert len(keep) <= 7 + 4 + 12


def test_retention_keeps_all_of_today_and_never_judges_the_future():
    today = dt.date(2026, 12, 3)
    todays = [_at(today, h) for h in (8, 9, 15)]
    older = [_at(today - dt.timedelta(days=1), h) for h in (9, 10)]
    ahead = [_at(today + dt.timedelta(days=400))]  # a clock that was ahead
    keep = backups.retained(todays + older + ahead, today)
    assert set(todays) <= keep and set(ahead) <= keep
    assert _at(today - dt.timedelta(days=1), 10) in keep  # newest of yesterday
    assert _at(today - dt.timedelta(days=1), 9) not in keep


def test_retention_keeps_the_newest_even_if_very_old():
    old = _at(dt.date(2020, 1, 1))
    assert backups.retained([old], dt.date(2026, 12, 3)) == {old}
    assert backups.retained([], dt.date(2026, 12, 3)) == set()


def test_backup_names_round_trip():
    taken = dt.datetime(2026, 12, 3, 9, 5, 7)
    for kind in backups.KINDS:
        for n in (1, 2):
            assert backups.parse_name(backups.backup_name(taken, kind, n)) == (taken, kind)
    assert backups.parse_name("before-0005_roster_minimum-20261203-090507.db") is None  # a migration's copy


# ---------------------------------------------------------------- the copy

def _add(ctx, n: int) -> str:
    form = dict(name="王小明", id_number=make_id(seq=f"{n:03d}"), phone="13812345678", union_id=ctx.home_union_id,
                occupation="快递员", join_date=ctx.today() - dt.timedelta(days=20))
    from clerk_app.domain.member import MemberInput

    return register_member(ctx, MemberInput(**form), confirm_possible_duplicate=True).member_id


def test_backup_is_verified_standalone_and_leaves_no_part(ctx, workspace):
    for n in range(3):
        _add(ctx, n)
    folder = workspace.folder
    (folder / "backups").mkdir(exist_ok=True)
    leftover = folder / "backups" / "clerk-20261201-100000-daily.db.part"
    leftover.write_bytes(b"\0" * 4096)  # a killed backup's remains
    run = backups.create_backup(ctx, "manual")
    assert run.path.is_file() and not leftover.exists()
    assert not list((folder / "backups").glob("*.part"))
    key = workspace.key
    assert files.check_file(run.path, key) == []
    # encrypted with the database's key: no plain header to read, no plaintext copy
    assert not is_plaintext_file(run.path) and header_journal(run.path) is None
    conn = files.open_file_readonly(run.path, key)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # no -wal belongs to a backup
    finally:
        conn.close()
    assert files.check_file(run.path, None) != []  # without the key it is not readable
    facts = files.read_facts(run.path, key)
    assert (facts.members, facts.cards, facts.events) == (3, 0, 0)
    assert facts.site_id == ctx.site_id


def test_start_up_removes_leftover_parts(data_dir):
    (data_dir / "backups").mkdir()
    part = data_dir / "backups" / "clerk-20261201-100000-daily.db.part"
    part.write_bytes(b"x" * 150_000)
    ws = reopen(data_dir)
    try:
        assert not part.exists() and ws.health.parts_removed == 150_000
    finally:
        ws.close()


def test_a_failed_verification_leaves_no_file(ctx, workspace, monkeypatch):
    monkeypatch.setattr(files, "check_file", lambda path, key, full=True: ["*** in database main ***"])
    target = workspace.folder / "backups" / "x.db"
    with pytest.raises(UserError) as info:
        files.backup_to(ctx.db, target)
    assert info.value.code == "db.integrity_failed"
    assert not target.exists() and not target.with_name("x.db.part").exists()


def test_second_folder_missing_is_a_warning_present_gets_a_copy(ctx, workspace, tmp_path):
    stick = tmp_path / "usb" / "clerk-backups"
    backups.set_second_folder(ctx, stick)
    run = backups.create_backup(ctx, "manual")
    assert run.path.is_file() and run.second is None
    assert len(run.warnings) == 1 and str(stick) in run.warnings[0] and "U 盘" in run.warnings[0]
    stick.mkdir(parents=True)
    run = backups.create_backup(ctx, "manual")
    assert run.second == stick / run.path.name and run.warnings == []
    assert run.second.read_bytes() == run.path.read_bytes()
    listed = backups.list_backups(workspace.folder)
    assert any(b.second for b in listed) and any(not b.second for b in listed)


def test_retention_is_applied_to_the_folder(ctx, workspace):
    place = workspace.folder / "backups"
    place.mkdir(exist_ok=True)
    today = ctx.today()
    for n in range(1, 40):  # 39 old daily backups
        (place / backups.backup_name(_at(today - dt.timedelta(days=n)), "daily")).write_bytes(b"old")
    (place / "before-0005_roster_minimum-20200101-000000.db").write_bytes(b"migration copy")
    (place / "notes.txt").write_text("the clerk's own file")
    run = backups.create_backup(ctx, "manual")
    assert run.removed > 0
    left = [p.name for p in place.iterdir()]
    assert "notes.txt" in left and "before-0005_roster_minimum-20200101-000000.db" in left
    ours = [backups.parse_name(n) for n in left if backups.parse_name(n)]
    assert len(ours) == len(backups.retained([t for t, _k in ours], today))


def test_daily_backup_once_a_day(ctx, workspace):
    first = backups.backup_if_due(ctx)
    assert first is not None and first.path.name.endswith("-daily.db")
    assert backups.backup_if_due(ctx) is None
    assert not backups.backup_due(workspace.folder, ctx.today())
    assert backups.backup_due(workspace.folder, ctx.today() + dt.timedelta(days=1))


def test_roster_import_is_backed_up_before_and_after(ctx, workspace, tmp_path):
    from clerk_app.services import roster_import as ri
    from tests.roster.conftest import person, write_csv

    path = write_csv(tmp_path / "名单.csv", [person(n) for n in range(1, 4)])
    table = ri.read_roster(path)
    proposal = ri.suggest_mapping(ctx.db, table.headers)
    preview = ri.build_preview(ctx, table, proposal.mapping, ri.ImportOptions(join_date_mode=ri.JOIN_UNKNOWN))
    result = ri.commit_import(ctx, preview)
    assert len(result.saved) == 3
    kinds = {b.kind: b for b in backups.list_backups(workspace.folder)}
    assert set(kinds) == {"before-import", "after-import"}
    assert files.read_facts(kinds["before-import"].path, workspace.key).members == 0
    assert files.read_facts(kinds["after-import"].path, workspace.key).members == 3


# ---------------------------------------------------------------- restore: a new epoch

@pytest.fixture
def issued(ctx, workspace):
    """A laptop that issued 3 cards, was backed up, then issued 2 more and wrote more changes."""
    cards.set_card_prefix(ctx, "DX07")
    members = [_add(ctx, n) for n in range(5)]
    for m in members[:3]:
        cards.issue_card(ctx, m)
    backup = backups.create_backup(ctx, "manual").path
    for m in members[3:]:
        cards.issue_card(ctx, m)
    return backup, members


def _restore(workspace, backup_path):
    folder = workspace.folder
    workspace.close()
    result = restore_into(folder, backups.find_backup(folder, backup_path.name), login=LOGIN)
    return result, reopen(folder)


def test_restore_starts_a_new_epoch(ctx, workspace, issued):
    backup, members = issued
    old_site, seq_before = ctx.site_id, last_seq(ctx.db)
    given = {c.card_no for c in cards.list_cards(ctx, limit=50).rows}
    result, ws = _restore(workspace, backup)
    try:
        new = ws.context()
        assert new.site_id == result.site_id != old_site
        assert result.facts.cards == 3 and result.facts.members == 5
        history = [h["site_id"] for h in __import__("json").loads(get_meta(ws.db, "site_history"))]
        assert old_site in history
        assert site_epoch(ws.db) == 1  # the sync's epoch of this laptop rises with the restore
        # change-record numbers continue above everything the replaced database gave out
        assert last_seq(ws.db) >= seq_before
        # issuing is paused with a clear message until a NEW card code is set
        with pytest.raises(UserError) as info:
            cards.issue_card(new, members[3])
        assert info.value.code == "card.paused_after_restore" and "新的发卡代码" in info.value.message
        assert cards.numbering(new).paused
        with pytest.raises(UserError) as info:
            cards.set_card_prefix(new, "DX07")
        assert info.value.code == "card.prefix_used"
        cards.set_card_prefix(new, "DX08")
        assert not cards.numbering(new).paused
        again = {cards.issue_card(new, m).card_no for m in members[3:]}
        assert not again & given
        first = [c for c in changes_since(ws.db, seq_before)]
        assert first and all(c.site_id == new.site_id for c in first) and min(c.seq for c in first) > seq_before
        # the replaced database was kept as a verified backup
        assert result.kept is not None and files.check_file(result.kept, ws.key) == []
        assert not is_plaintext_file(result.kept)  # the pre-restore copy is encrypted too
        assert files.read_facts(result.kept, ws.key).cards == 5
    finally:
        ws.close()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(ctx, workspace, issued):
    backup, _members = issued
    data = bytearray(backup.read_bytes())
    for off in range(4096 + 100, len(data), 997):
        data[off] ^= 0x5A
    backup.write_bytes(bytes(data))
    workspace.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256((workspace.folder / DB_FILENAME).read_bytes()).hexdigest()
    folder = workspace.folder
    workspace.close()
    with pytest.raises(UserError) as info:
        restore_into(folder, backups.find_backup(folder, backup.name), login=LOGIN)
    assert info.value.code in ("backup.damaged", "backup.unreadable")
    assert hashlib.sha256((folder / DB_FILENAME).read_bytes()).hexdigest() == before


def test_restore_over_a_damaged_database_keeps_its_raw_files(ctx, workspace, issued):
    backup, _members = issued
    folder = workspace.folder
    workspace.close()
    db_file = folder / DB_FILENAME
    db_file.write_bytes(b"\xff" * 8192)  # beyond reading (with the key or without)
    result = restore_into(folder, backups.find_backup(folder, backup.name), login=LOGIN)
    assert result.kept.is_dir() and (result.kept / DB_FILENAME).read_bytes().endswith(b"\xff" * 100)
    ws = reopen(folder)
    try:
        assert ws.health.ok and ws.context().site_id == result.site_id
        assert cards.issuing_paused(ws.context())
        # the replaced database could not be read: sequence numbers jump well clear
        from clerk_app.services.restore import SEQ_GAP

        assert last_seq(ws.db) >= SEQ_GAP
    finally:
        ws.close()


def test_backup_file_opened_with_plain_sqlite_is_a_vacuum_copy(ctx, workspace):
    """Matrix row 7: the app's backups never need a -wal (VACUUM INTO, not a file copy); a
    bare copy of the live file without its WAL opens consistent but older."""
    _add(ctx, 1)
    workspace.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    workspace.db.conn.execute("PRAGMA wal_autocheckpoint=0")
    _add(ctx, 2)  # committed, only in the WAL
    run = backups.create_backup(ctx, "manual")
    assert files.read_facts(run.path, workspace.key).members == 2  # the backup has the WAL's commit
    bare = workspace.folder / "bare.db"
    bare.write_bytes((workspace.folder / DB_FILENAME).read_bytes())  # the file alone
    conn = connect(bare, workspace.key)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 1  # consistent, older
    finally:
        conn.close()


def test_open_db_read_only_refuses_writes_with_a_message(workspace):
    path = workspace.folder / DB_FILENAME
    db = open_db(path, key=workspace.key, read_only=True)
    try:
        from clerk_app.storage.db import transaction

        with pytest.raises(UserError) as info:
            with transaction(db):
                db.conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
        assert info.value.code == "db.read_only" and "只读" in info.value.message
    finally:
        db.close()


def test_an_encrypted_laptop_restores_from_the_command_line_after_a_password_change(ctx, workspace, monkeypatch,
                                                                                     capsys):
    """A backup is under the laptop's data key, which keys.json keeps wrapped by each clerk's
    password: a password changed after the backup still opens it, and the command line lists
    and restores it when clerk.db itself is gone (nothing but keys.json and the backups)."""
    from clerk_app.cli import main

    for n in range(2):
        _add(ctx, n)
    backup = backups.create_backup(ctx, "manual").path
    old_site = ctx.site_id
    workspace.add_login(ctx.clerk.id, ctx.clerk.name, "changed-pass-9")  # the same data key, re-wrapped
    folder = workspace.folder
    workspace.close()
    (folder / DB_FILENAME).unlink()
    cli = lambda *a: main([*a, "--data-dir", str(folder)])  # noqa: E731
    monkeypatch.setenv("CLERK_APP_PASSWORD", "wrong-pass-1")
    assert cli("backup", "list") == 2 and "姓名或密码不对" in capsys.readouterr().err
    monkeypatch.setenv("CLERK_APP_PASSWORD", "changed-pass-9")
    assert cli("backup", "list") == 0
    assert f"{backup.name}" in (out := capsys.readouterr().out) and "会员 2 名" in out
    assert cli("backup", "restore", backup.name, "--yes") == 0
    assert "已从备份" in capsys.readouterr().out
    assert not is_plaintext_file(folder / DB_FILENAME)
    from clerk_app.workspace import Login, open_workspace

    ws = open_workspace(folder, login=Login(None, "changed-pass-9"))
    try:
        assert ws.db.conn.execute("SELECT count(*) FROM members").fetchone()[0] == 2
        assert ws.context().site_id != old_site  # a new epoch
    finally:
        ws.close()
