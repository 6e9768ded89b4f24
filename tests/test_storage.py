"""Opening the database: settings, refusing what is not ours, migrations with a copy first,
refusing a newer version, and one running program per data folder (an OS lock)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.storage import migrations as mig
from clerk_app.storage.cipher import IntegrityError, ProgrammingError, connect, key_of
from clerk_app.storage.db import DB_FILENAME, database_file, open_db, transaction
from clerk_app.storage.keyring import Keyring
from clerk_app.workspace import open_workspace

ROOT = Path(__file__).resolve().parent.parent
KEY = bytes(range(32))  # the data key of the databases these tests make themselves


def _tables(path: Path, key: bytes | None = KEY) -> set[str]:
    conn = connect(path, key)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = connect(path, KEY)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# -- connection settings ----------------------------------------------------------------------

def test_open_db_settings(tmp_path):
    db = open_db(tmp_path / DB_FILENAME, key=KEY)
    try:
        pragma = lambda name: db.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("secure_delete") == 1
        assert pragma("busy_timeout") == 5000
        assert db.conn.isolation_level is None  # explicit transactions only
    finally:
        db.close()


def test_foreign_keys_are_enforced_on_local_tables_only(db):
    # A local table (search keys) keeps its foreign key ...
    with pytest.raises(IntegrityError):
        with transaction(db):
            db.conn.execute("INSERT INTO member_keys (key, member_id) VALUES ('p:x', 'no-such-member')")
    # ... a synced table has none: a row may arrive before its parent (the merge parks it),
    # and no delete cascades into another laptop's rows.
    with transaction(db):
        db.conn.execute(
            "INSERT INTO consents (id, member_id, notice_version, consented_at, method, clerk_id)"
            " VALUES ('c1', 'no-such-member', 'v', 'now', 'screen', 'k')")
    from clerk_app.storage.migrations import SYNCED_TABLES
    for tbl in SYNCED_TABLES:
        assert db.conn.execute(f"PRAGMA foreign_key_list({tbl})").fetchall() == [], tbl


@pytest.mark.parametrize("content", [b"PK\x03\x04 this is a zip, not a database" * 20, b"hello"])
def test_not_a_database_is_refused_and_left_alone(tmp_path, content):
    path = tmp_path / DB_FILENAME
    path.write_bytes(content)
    with pytest.raises(UserError) as info:
        open_db(path, key=KEY)
    assert info.value.code == "db.wrong_key"  # to SQLCipher, junk and a wrong key look the same
    assert str(path) in info.value.message and "数据库" in info.value.message
    assert path.read_bytes() == content
    assert not (tmp_path / "backups").exists()


# -- transactions ------------------------------------------------------------------------------

def test_transaction_commits_or_rolls_back_whole(db):
    with transaction(db):
        db.conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    with pytest.raises(RuntimeError):
        with transaction(db):
            db.conn.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
            raise RuntimeError("bug half way")
    keys = {r[0] for r in db.conn.execute("SELECT key FROM meta WHERE key IN ('a', 'b')")}
    assert keys == {"a"}
    assert not db.conn.in_transaction


def test_nested_transaction_is_a_savepoint(db):
    with transaction(db):
        db.conn.execute("INSERT INTO meta (key, value) VALUES ('outer', '1')")
        with pytest.raises(ValueError):
            with transaction(db):
                db.conn.execute("INSERT INTO meta (key, value) VALUES ('inner', '2')")
                raise ValueError
    keys = {r[0] for r in db.conn.execute("SELECT key FROM meta WHERE key IN ('outer', 'inner')")}
    assert keys == {"outer"}


def test_a_failing_commit_leaves_no_open_transaction(db):
    """A COMMIT that really fails (a deferred foreign key still broken at commit time) is
    rolled back: the next save is its own transaction and survives closing the database."""
    db.conn.execute("CREATE TABLE t_parent (id TEXT PRIMARY KEY)")
    db.conn.execute("CREATE TABLE t_child (id TEXT PRIMARY KEY,"
                    " parent TEXT REFERENCES t_parent(id) DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(IntegrityError):
        with transaction(db):
            db.conn.execute("INSERT INTO t_child VALUES ('c1', 'nobody')")
    assert not db.conn.in_transaction
    assert db.conn.execute("SELECT count(*) FROM t_child").fetchone()[0] == 0
    with transaction(db):
        db.conn.execute("INSERT INTO meta (key, value) VALUES ('after', '1')")
    assert not db.conn.in_transaction  # committed, not a savepoint waiting for a COMMIT that never comes
    other = connect(database_file(db), key_of(db.conn))  # a second reader sees only what was committed
    try:
        assert other.execute("SELECT value FROM meta WHERE key = 'after'").fetchone() == ("1",)
    finally:
        other.close()


def test_two_writers_racing_on_one_counter_both_count(data_dir):
    """Two connections (a second program window, the CLI) do read-modify-write of one counter
    (like a card sequence) at the same moment: the write lock taken at BEGIN makes the second
    wait for the first, so neither fails with 'database is locked' nor loses the other's update."""
    from clerk_app.storage.meta import get_meta, set_meta

    path = data_dir / DB_FILENAME
    key = Keyring.load(data_dir).setup_key
    start, has_read = threading.Barrier(2, timeout=10), [threading.Event(), threading.Event()]
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        db = open_db(path, key=key, migrate=False)  # each thread its own connection (check_same_thread)
        try:
            start.wait()
            with transaction(db):
                seen = int(get_meta(db, "race_counter", "0"))
                has_read[i].set()
                has_read[1 - i].wait(0.5)  # overlap the two, when the database lets them
                set_meta(db, "race_counter", str(seen + 1))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    db = open_db(path, key=key, migrate=False)
    try:
        assert get_meta(db, "race_counter") == "2"
    finally:
        db.close()


def test_a_connection_used_from_another_thread_fails_loudly(data_dir):
    """A connection belongs to its thread: a second thread's statement would interleave with the
    first's transaction, so SQLite's guard stays on and says so."""
    db = open_db(data_dir / DB_FILENAME, key=Keyring.load(data_dir).setup_key, migrate=False)
    raised: list[BaseException] = []

    def use() -> None:
        try:
            db.conn.execute("SELECT 1")
        except BaseException as exc:  # reported below
            raised.append(exc)

    try:
        thread = threading.Thread(target=use)
        thread.start()
        thread.join(10)
        assert len(raised) == 1 and isinstance(raised[0], ProgrammingError)
    finally:
        db.close()


# -- migrations --------------------------------------------------------------------------------

def _old_database(path: Path) -> None:
    """A database as an older build left it: only the first step applied, with a row in it."""
    db = open_db(path, key=KEY, migrate=False)
    mig.migrations.apply(db, stop_before="0002_members")
    db.conn.execute("INSERT INTO meta (key, value) VALUES ('laptop_name', '旧版笔记本')")
    db.close()


def test_fresh_database_gets_every_step_and_no_backup(tmp_path):
    path = tmp_path / DB_FILENAME
    db = open_db(path, key=KEY)
    try:
        applied = [m.name for m in mig.migrations.applied(db)]
        assert applied == [m.name for m in mig.migrations._migrations]
        assert mig.migrations.pending(db) == []
    finally:
        db.close()
    assert not (tmp_path / "backups").exists()


def test_pending_steps_copy_the_database_first(tmp_path):
    path = tmp_path / DB_FILENAME
    _old_database(path)
    assert "members" not in _tables(path)

    db = open_db(path, key=KEY)
    try:
        assert mig.migrations.pending(db) == []
        assert db.conn.execute("SELECT value FROM meta WHERE key = 'laptop_name'").fetchone()[0] == "旧版笔记本"
    finally:
        db.close()
    assert {"members", "consents", "member_status_history"} <= _tables(path)

    backups = sorted((tmp_path / "backups").iterdir())
    assert [b.name.startswith("before-0002_members-") and b.suffix == ".db" for b in backups] == [True]
    copy = backups[0]
    assert _integrity(copy) == "ok"
    assert "members" not in _tables(copy) and "meta" in _tables(copy)
    conn = connect(copy, KEY)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key = 'laptop_name'").fetchone()[0] == "旧版笔记本"
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert names == ["0001_core"]
    finally:
        conn.close()


def test_up_to_date_database_is_not_copied_again(tmp_path):
    path = tmp_path / DB_FILENAME
    open_db(path, key=KEY).close()
    open_db(path, key=KEY).close()
    assert not (tmp_path / "backups").exists()


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / DB_FILENAME
    open_db(path, key=KEY).close()
    conn = connect(path, KEY)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('clerk_app', '9001_from_the_future', '2030-01-01 00:00:00')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(UserError) as info:
        open_db(path, key=KEY)
    assert info.value.code == "db.newer_version"
    assert "9001_from_the_future" in info.value.message and "升级" in info.value.message
    assert not (tmp_path / "backups").exists()
    assert path.read_bytes() == before


# -- one program per data folder ---------------------------------------------------------------

_HOLDER = """
import sys
from clerk_app.workspace import open_workspace
ws = open_workspace(sys.argv[1])
print("held", flush=True)
sys.stdin.readline()
ws.close()
print("released", flush=True)
sys.stdin.readline()
"""

_TRY = """
import sys
from clerk_app.domain.errors import UserError
from clerk_app.workspace import open_workspace
try:
    ws = open_workspace(sys.argv[1])
except UserError as exc:
    print(exc.code)
    print(exc.message)
    sys.exit(3)
ws.close()
print("opened")
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


def _holder(folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(folder)], cwd=ROOT, env=_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_process_is_refused_with_chinese_message(workspace):
    out = subprocess.run([sys.executable, "-c", _TRY, str(workspace.folder)], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert out.returncode == 3, out.stderr
    code, text = out.stdout.splitlines()[:2]
    assert code == "db.locked_by_other"
    assert "另一个正在运行的程序" in text and str(workspace.folder) in text


def test_lock_held_by_another_process_is_released_when_it_closes(data_dir):
    proc = _holder(data_dir)
    try:
        with pytest.raises(UserError) as info:
            open_workspace(data_dir)
        assert info.value.code == "db.locked_by_other"
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "released"
        ws = open_workspace(data_dir)
        ws.close()
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def test_lock_is_released_when_the_holder_is_killed(data_dir):
    proc = _holder(data_dir)
    try:
        with pytest.raises(UserError):
            open_workspace(data_dir)
    finally:
        proc.kill()  # SIGKILL: no clean-up runs in the holder
        proc.communicate(timeout=30)
    ws = open_workspace(data_dir)  # no stale lock left behind by a crash
    try:
        assert ws.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        ws.close()


def test_refused_open_leaves_lock_of_the_holder_intact(workspace):
    with pytest.raises(UserError):
        open_workspace(workspace.folder)
    # the refused attempt must not have released or broken the first holder's lock
    out = subprocess.run([sys.executable, "-c", _TRY, str(workspace.folder)], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert out.returncode == 3


def test_another_programs_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE meta (k TEXT, v TEXT)")  # clashes with ours on purpose
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)")
    conn.execute("INSERT INTO photos (file) VALUES ('a.jpg')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(UserError) as info:
        open_db(path, key=None)  # as the move to encryption opens an old plaintext file
    assert info.value.code == "db.not_a_database" and str(path) in info.value.message
    assert path.read_bytes() == before  # not even switched to WAL
    assert _tables(path, None) == {"meta", "photos"}


def test_an_empty_sqlite_file_becomes_ours(tmp_path):
    path = tmp_path / DB_FILENAME
    sqlite3.connect(str(path)).close()
    open_db(path, key=KEY).close()
    assert "members" in _tables(path)


def test_setting_up_twice_is_refused(ctx):
    from clerk_app.services.setup import SetupInput, load_context, set_up

    with pytest.raises(RuntimeError):
        set_up(ctx.db, SetupInput(laptop_name="另一台", union_name="另一个工会", clerk_name="王", password="x" * 8))
    again = load_context(ctx.db)
    assert (again.site_id, again.clerk.id, again.home_union_id) == (ctx.site_id, ctx.clerk.id, ctx.home_union_id)
    assert ctx.db.conn.execute("SELECT count(*) FROM unions").fetchone()[0] == 1
