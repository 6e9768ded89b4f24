"""Encryption at rest (matrix rows 34 and 39): a stolen data folder shows no member's value,
passwords unlock through the keyring, guessing is slowed across restarts, an old plaintext
database becomes an encrypted one, and a plaintext copy is a 管理员's audited act."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from clerk_app.clock import Clock
from clerk_app.cli import main
from clerk_app.domain.errors import UserError
from clerk_app.services import clerks, members
from clerk_app.services.setup import set_up
from clerk_app.storage import login_guard
from clerk_app.storage.audit import recent
from clerk_app.storage.backup import backup_to
from clerk_app.storage.cipher import connect
from clerk_app.storage.db import DB_FILENAME, another_connection, checkpoint, open_db
from clerk_app.storage.keyring import DEFAULT_KDF, KEYRING_FILENAME, Keyring
from clerk_app.workspace import Login, open_workspace
from tests.conftest import LOGIN, SETUP, TEST_KDF, TEST_PASSWORD, make_id, reopen

NAME = "欧阳明月"
ID_NUMBER = make_id(region="110105", birth="19870412", seq="517")


def _leaks(folder: Path) -> list[str]:
    """Files under ``folder`` whose raw bytes hold the known ID number or name."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            if ID_NUMBER.encode("ascii") in raw or NAME.encode("utf-8") in raw:
                found.append(path.name)
    return found


def _register(ctx, member_input) -> str:
    return members.register_member(ctx, member_input(name=NAME, id_number=ID_NUMBER)).member_id


def test_no_file_of_the_data_folder_shows_a_members_values(ctx, member_input, workspace):
    member_id = _register(ctx, member_input)
    backup_to(ctx.db, workspace.folder / "backups" / "daily.db")
    assert (workspace.folder / (DB_FILENAME + "-wal")).stat().st_size > 0  # the write is in the WAL
    assert _leaks(workspace.folder) == []  # database, WAL, shm, backup, keys.json, lock
    assert ctx.db.conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY: sorts never spill
    workspace.close()
    assert _leaks(workspace.folder) == []
    for path in (workspace.folder / DB_FILENAME, workspace.folder / "backups" / "daily.db"):
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            sqlite3.connect(str(path)).execute("SELECT * FROM sqlite_master").fetchall()
    again = reopen(workspace.folder)  # while the right password opens it all
    try:
        assert members.get_member(again.context(), member_id).name == NAME
    finally:
        again.close()


def test_the_key_is_wrapped_never_stored_once_set_up(ctx, workspace):
    ring = Keyring.load(workspace.folder)
    text = (workspace.folder / KEYRING_FILENAME).read_text("utf-8")
    assert ring.claimed and "setup_key" not in text and workspace.key.hex() not in text
    assert list(ring.clerks) == [ctx.clerk.id] and ring.recovery is not None
    assert ctx.clerk.role == "管理员"
    assert DEFAULT_KDF.memory_kib == 65536 and DEFAULT_KDF.time_cost == 3 and DEFAULT_KDF.parallelism == 4


def test_a_wrong_password_opens_nothing_and_guessing_waits_across_restarts(ctx, workspace, app_clock):
    workspace.close()
    folder = workspace.folder
    for _ in range(login_guard.FREE_TRIES):
        with pytest.raises(UserError) as info:
            open_workspace(folder, login=Login("李经办", "not-the-password"))
        assert info.value.code == "auth.bad_login" and info.value.message == "姓名或密码不对"
    with pytest.raises(UserError) as info:  # a new process (the file counts): even the right one waits
        open_workspace(folder, login=LOGIN)
    assert info.value.code == "auth.wait" and "30 秒" in info.value.message
    later = Clock(app_clock.shift + dt.timedelta(minutes=5))  # the app's day (--today moves it), 5 min on
    ws = open_workspace(folder, login=LOGIN, clock=later)
    ws.close()
    assert login_guard._load(folder) == {}  # a good login clears the count
    with pytest.raises(UserError) as info:
        open_workspace(folder, login=Login("没有这个人", TEST_PASSWORD))
    assert info.value.code == "auth.bad_login"


def test_a_new_clerk_and_a_new_password_never_re_encrypt_the_database(ctx, workspace):
    checkpoint(workspace.db)
    db_file = workspace.folder / DB_FILENAME
    before = hashlib.sha256(db_file.read_bytes()).hexdigest()
    helper = clerks.add_clerk(ctx, "王负责", "负责人")
    checkpoint(workspace.db)
    before = hashlib.sha256(db_file.read_bytes()).hexdigest()
    workspace.add_login(helper, "王负责", "wang-pass-1")
    workspace.add_login(ctx.clerk.id, "李经办", "new-pass-for-li")
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == before
    workspace.close()
    ws = open_workspace(workspace.folder, login=Login("王负责", "wang-pass-1"), kdf=TEST_KDF)
    try:
        assert ws.context().clerk.role == "负责人"
    finally:
        ws.close()
    with pytest.raises(UserError):
        open_workspace(workspace.folder, login=LOGIN)  # the old password no longer unlocks
    ws = open_workspace(workspace.folder, login=Login("李经办", "new-pass-for-li"))
    ws.close()


def test_several_clerks_need_a_name_and_switching_is_one_step(ctx, workspace):
    helper = clerks.add_clerk(ctx, "赵经办", "经办人")
    workspace.add_login(helper, "赵经办", "zhao-pass-1")
    workspace.close()
    with pytest.raises(UserError) as info:
        open_workspace(workspace.folder, login=Login(None, TEST_PASSWORD))
    assert info.value.code == "auth.clerk_required"
    ws = open_workspace(workspace.folder, login=LOGIN, kdf=TEST_KDF)
    try:
        zhao = ws.switch(Login("赵经办", "zhao-pass-1"))
        assert (zhao.clerk.name, zhao.clerk.role) == ("赵经办", "经办人")
        members_audit = recent(ws.db, 5)
        assert members_audit[0].clerk_id == ctx.clerk.id  # the 管理员 added 赵
        with pytest.raises(UserError) as info:
            ws.switch(Login("赵经办", "wrong-pass-1"))
        assert info.value.code == "auth.bad_login"
    finally:
        ws.close()


def test_the_recovery_key_unlocks_when_every_password_is_forgotten(ctx, workspace):
    code = workspace.recovery_code
    assert code and len(code.split("-")) == 8
    workspace.close()
    with pytest.raises(UserError) as info:
        open_workspace(workspace.folder, recovery_code=code.replace("A", "B", 1) if "A" in code else "X" * 40)
    assert info.value.code == "keyring.bad_recovery_code"
    ws = open_workspace(workspace.folder, recovery_code=code.lower(), kdf=TEST_KDF)
    try:
        ws.add_login(ctx.clerk.id, "李经办", "after-recovery")
        assert ws.context().clerk.id == ctx.clerk.id
    finally:
        ws.close()
    open_workspace(workspace.folder, login=Login("李经办", "after-recovery")).close()


def test_a_worker_opens_its_own_connection_with_the_same_key(ctx, member_input):
    _register(ctx, member_input)
    other = another_connection(ctx.db)
    try:
        assert other.conn is not ctx.db.conn
        assert other.conn.execute("SELECT count(*) FROM members").fetchone()[0] == 1
    finally:
        other.close()


def test_sqlite_utils_full_text_search_works_on_the_encrypted_connection(db):
    table = db["notes"]
    table.insert_all([{"id": 1, "body": "困难职工帮扶申请：家庭收入较低"}, {"id": 2, "body": "送清凉活动"}], pk="id")
    table.enable_fts(["body"], tokenize="trigram")
    assert [r["id"] for r in table.search("帮扶申请")] == [1]


# -- an old plaintext database --------------------------------------------------------------

def _plaintext_laptop(folder: Path, member_input_values: dict) -> None:
    folder.mkdir()
    db = open_db(folder / DB_FILENAME, key=None)
    ctx = set_up(db, SETUP)
    from clerk_app.domain.member import MemberInput

    members.register_member(ctx, MemberInput(**{**member_input_values, "union_id": ctx.home_union_id}))
    backup_to(db, folder / "backups" / "before-0006_clerk_roles-20261101-120000.db")  # as migrations left it
    db.close()  # no checkpoint: the WAL of a plaintext database is encrypted away too


def test_an_old_plaintext_database_is_encrypted_on_first_start(tmp_path, member_input):
    folder = tmp_path / "old"
    values = {k: v for k, v in vars(member_input(name=NAME, id_number=ID_NUMBER)).items() if k != "union_id"}
    _plaintext_laptop(folder, values)
    assert _leaks(folder)  # the test can fail: the values are there in the clear
    with pytest.raises(UserError) as info:
        open_workspace(folder, login=Login(None, "short"))
    assert info.value.code == "auth.password_short" or "密码至少" in info.value.message
    ws = open_workspace(folder, login=Login(None, "new-password-1"), kdf=TEST_KDF)
    try:
        assert ws.recovery_code and ws.ready
        ctx = ws.context()
        assert ctx.clerk.name == "李经办" and ctx.clerk.role == "管理员"
        assert members.count(ctx) == 1
    finally:
        ws.close()
    assert _leaks(folder) == []
    assert sorted(p.name for p in folder.iterdir() if "plaintext" in p.name or "encrypted-new" in p.name) == []
    backup = next((folder / "backups").glob("before-*.db"))
    assert connect(backup, Keyring.load(folder).unlock(ctx.clerk.id, "new-password-1")).execute(
        "SELECT count(*) FROM members").fetchone()[0] == 1


# -- db decrypt ------------------------------------------------------------------------------

def test_db_decrypt_is_for_a_manager_and_audited_first(ctx, member_input, workspace, tmp_path, capsys):
    _register(ctx, member_input)
    helper = clerks.add_clerk(ctx, "赵经办", "经办人")
    workspace.add_login(helper, "赵经办", "zhao-pass-1")
    workspace.close()
    out = tmp_path / "plain.db"
    folder = str(workspace.folder)
    import os

    os.environ["CLERK_APP_CLERK"] = "赵经办"
    os.environ["CLERK_APP_PASSWORD"] = "zhao-pass-1"
    try:
        assert main(["db", "decrypt", "--out", str(out), "--data-dir", folder]) == 2
        assert "无权导出未加密的数据库" in capsys.readouterr().err and not out.exists()
        os.environ["CLERK_APP_CLERK"] = "李经办"
        os.environ["CLERK_APP_PASSWORD"] = TEST_PASSWORD
        assert main(["db", "decrypt", "--out", str(out), "--data-dir", folder]) == 0
    finally:
        os.environ.pop("CLERK_APP_CLERK", None)
        os.environ["CLERK_APP_PASSWORD"] = TEST_PASSWORD
    plain = sqlite3.connect(str(out))
    try:
        assert plain.execute("SELECT name FROM members").fetchall() == [(NAME,)]
        assert plain.execute("SELECT clerk_id FROM audit_log WHERE action = 'decrypt'").fetchall() == [(ctx.clerk.id,)]
    finally:
        plain.close()


# -- roles -------------------------------------------------------------------------------------

def test_a_plain_clerk_may_register_but_not_reveal_or_export_full(ctx, member_input, workspace, tmp_path):
    from clerk_app.services.reveal import reveal_member
    from clerk_app.services.roster_export import export_members

    member_id = _register(ctx, member_input)
    helper = clerks.add_clerk(ctx, "赵经办", "经办人")
    workspace.add_login(helper, "赵经办", "zhao-pass-1")
    zhao = workspace.switch(Login("赵经办", "zhao-pass-1"))
    with pytest.raises(UserError) as info:
        reveal_member(zhao, member_id)
    assert info.value.message == "当前经办人（经办人）无权查看完整号码，需要负责人"
    with pytest.raises(UserError):
        export_members(zhao, tmp_path / "full.xlsx", full=True)
    assert not (tmp_path / "full.xlsx").exists()
    export_members(zhao, tmp_path / "masked.xlsx")  # the masked list is every clerk's
    with pytest.raises(UserError):
        clerks.add_clerk(zhao, "钱经办", "管理员")
    assert reveal_member(ctx, member_id).id_number == ID_NUMBER  # the 管理员 may
    with pytest.raises(UserError) as info:
        clerks.set_role(ctx, ctx.clerk.id, "经办人")
    assert info.value.code == "auth.last_admin"


# -- command line --------------------------------------------------------------------------------

def test_commands_without_a_password_say_how_to_give_one(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CLERK_APP_PASSWORD", raising=False)
    folder = str(tmp_path / "laptop")
    setup = ["setup", "--laptop", "一号机", "--union", "黄村镇总工会", "--clerk", "李经办", "--data-dir", folder]
    assert main(setup) == 2  # no terminal to ask on, no variable: refused before anything is set up
    assert "CLERK_APP_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("CLERK_APP_PASSWORD", "cli-pass-123")
    assert main(setup) == 0
    out = capsys.readouterr().out
    assert "恢复密钥" in out and Keyring.load(Path(folder)).recovery is not None
    monkeypatch.delenv("CLERK_APP_PASSWORD")
    assert main(["cards", "list", "--data-dir", folder]) == 2
    assert "请输入密码" in capsys.readouterr().err
    monkeypatch.setenv("CLERK_APP_PASSWORD", "cli-pass-123")
    assert main(["cards", "list", "--data-dir", folder]) == 0


def test_clerks_are_managed_from_the_command_line(ctx, workspace, monkeypatch, capsys):
    old_code = workspace.recovery_code
    workspace.close()
    folder = str(workspace.folder)
    cli = lambda *a: main([*a, "--data-dir", folder])  # noqa: E731
    monkeypatch.setenv("CLERK_APP_NEW_PASSWORD", "wang-pass-1")
    assert cli("clerks", "add", "王负责", "--role", "负责人") == 0
    assert cli("clerks", "list") == 2  # two clerks now: say which
    assert "CLERK_APP_CLERK" in capsys.readouterr().err
    monkeypatch.setenv("CLERK_APP_CLERK", "李经办")
    assert cli("clerks", "list") == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["李经办\t管理员", "王负责\t负责人"]
    monkeypatch.setenv("CLERK_APP_CLERK", "王负责")
    monkeypatch.setenv("CLERK_APP_PASSWORD", "wang-pass-1")
    assert cli("clerks", "add", "钱经办", "--role", "经办人") == 2  # not a 管理员
    assert "无权管理经办人" in capsys.readouterr().err
    monkeypatch.setenv("CLERK_APP_NEW_PASSWORD", "wang-pass-2")
    assert cli("clerks", "passwd") == 0  # their own
    monkeypatch.setenv("CLERK_APP_PASSWORD", "wang-pass-2")
    assert cli("clerks", "list") == 0
    monkeypatch.setenv("CLERK_APP_CLERK", "李经办")
    monkeypatch.setenv("CLERK_APP_PASSWORD", TEST_PASSWORD)
    assert cli("clerks", "disable", "王负责") == 0
    assert cli("clerks", "recovery-key") == 0
    import re

    new_code = re.search(r"\b[A-Z2-7]{5}(?:-[A-Z2-7]{5}){7}\b", capsys.readouterr().out).group(0)
    monkeypatch.setenv("CLERK_APP_CLERK", "王负责")
    monkeypatch.setenv("CLERK_APP_PASSWORD", "wang-pass-2")
    assert cli("clerks", "list") == 2 and "姓名或密码不对" in capsys.readouterr().err
    with pytest.raises(UserError):
        open_workspace(folder, recovery_code=old_code)
    open_workspace(folder, recovery_code=new_code).close()


def test_another_programs_plaintext_file_is_neither_encrypted_nor_changed(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    conn = sqlite3.connect(str(folder / DB_FILENAME))
    conn.execute("CREATE TABLE meta (k TEXT, v TEXT)")
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)")
    conn.commit()
    conn.close()
    before = (folder / DB_FILENAME).read_bytes()
    with pytest.raises(UserError) as info:
        open_workspace(folder, login=Login(None, "some-password"))
    assert info.value.code == "db.not_a_database"
    assert (folder / DB_FILENAME).read_bytes() == before and not (folder / KEYRING_FILENAME).exists()


def test_backups_restores_and_set_aside_files_show_no_members_values(ctx, member_input, workspace, tmp_path):
    """The files the backup work writes are as unreadable as the database: the daily and import
    backups, their copies in the second folder, the copy kept before a restore, the raw files of
    a database too damaged to copy (``damaged-…``) and a WAL set aside at start-up."""
    from clerk_app.services import backups
    from clerk_app.storage import dbfiles
    from clerk_app.workspace import restore_into

    folder = workspace.folder
    stick = tmp_path / "usb"
    stick.mkdir()
    backups.set_second_folder(ctx, stick)
    workspace.db.conn.execute("PRAGMA wal_autocheckpoint=0")
    _register(ctx, member_input)
    wal = (folder / (DB_FILENAME + "-wal")).read_bytes()  # holds the registration (encrypted)
    daily = backups.backup_if_due(ctx).path
    backups.auto_backup(ctx, "before-import")
    backups.auto_backup(ctx, "after-import")
    workspace.close()
    dbfiles.wal_path(folder / DB_FILENAME).write_bytes(wal)  # a log beside a cleanly closed database
    ws = reopen(folder)
    assert ws.health.stray_wal is not None
    ws.close()
    kept = restore_into(folder, backups.find_backup(folder, daily.name), login=LOGIN).kept  # a verified copy
    raw = bytearray((folder / DB_FILENAME).read_bytes())
    raw[:4096] = bytes(4096)  # page 1 gone: too damaged to copy, its files are kept as they are
    (folder / DB_FILENAME).write_bytes(bytes(raw))
    damaged = restore_into(folder, backups.find_backup(folder, daily.name), login=LOGIN).kept
    names = [p.name for p in folder.rglob("*")]
    assert kept.name.endswith("-before-restore.db") and damaged.name.startswith("damaged-")
    assert any("-wal.set-aside-" in n for n in names)
    assert {"daily", "before-import", "after-import"} <= {b.kind for b in backups.list_backups(folder)}
    assert len(list(stick.glob("clerk-*.db"))) == 3
    assert _leaks(folder) == [] and _leaks(stick) == []
    again = reopen(folder)  # while the password opens the restored database
    try:
        assert again.db.conn.execute("SELECT count(*) FROM members WHERE name = ?", [NAME]).fetchone()[0] == 1
    finally:
        again.close()
