"""Damage is detected and contained (matrix rows 5, 7, 8): start-up integrity checks, read-only
mode for a damaged database, a missing database in a used folder, a WAL that does not belong,
and a full disk — in the services and through the command line."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clerk_app.domain.errors import NeedsRestore, UserError
from clerk_app.services import backups
from clerk_app.storage import dbfiles
from clerk_app.storage.db import DB_FILENAME
from clerk_app.storage.cipher import connect
from clerk_app.workspace import data_key, open_workspace, restore_into
from tests.conftest import LOGIN, SETUP, TEST_KDF, make_id, reopen

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


def _cli(*args, check_rc: int | None = 0) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "clerk_app", *map(str, args)], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    if check_rc is not None:
        assert out.returncode == check_rc, out.stderr
    assert "Traceback" not in out.stderr, out.stderr
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def used(data_dir):
    """A set-up folder with members and one backup, closed cleanly."""
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    ctx = ws.set_up(SETUP)
    from clerk_app.services.demo import generate_members

    generate_members(ctx, 60, seed=7)
    run = backups.create_backup(ctx, "manual")
    ws.close()
    return data_dir, run.path


# ---------------------------------------------------------------- missing or empty clerk.db

@pytest.mark.parametrize("how", ["deleted", "zero_bytes"])
def test_missing_database_in_a_used_folder_is_not_a_new_laptop(used, how):
    folder, backup = used
    db_file = folder / DB_FILENAME
    if how == "deleted":
        db_file.unlink()
    else:
        db_file.write_bytes(b"")
    with pytest.raises(NeedsRestore) as info:
        reopen(folder)
    assert info.value.code == "db.missing" and info.value.folder == folder
    assert "这不是一台新电脑" in info.value.message and "备份" in info.value.message
    assert ("不见了" if how == "deleted" else "0 字节") in info.value.message
    assert not db_file.exists() or db_file.stat().st_size == 0  # nothing created in its place
    out = _cli("cards", "list", "--data-dir", folder, check_rc=2)
    assert "这不是一台新电脑" in out.stderr and "backup" in out.stderr
    restore_into(folder, backups.find_backup(folder, backup.name), login=LOGIN)
    ws = reopen(folder)
    try:
        assert ws.ready and ws.health.ok
    finally:
        ws.close()


def test_a_brand_new_folder_is_still_a_new_laptop(tmp_path):
    ws = reopen(tmp_path / "fresh")
    try:
        assert not ws.ready and ws.health.ok
    finally:
        ws.close()


def test_starting_over_is_possible_when_the_clerk_chooses_it(used):
    folder, _backup = used
    (folder / DB_FILENAME).unlink()
    ws = reopen(folder, allow_empty=True)
    try:
        assert not ws.ready
    finally:
        ws.close()


# ---------------------------------------------------------------- a WAL that does not belong

def _make_wal(folder: Path) -> bytes:
    """Commit a change that stays in the WAL (no checkpoint) and return the WAL's bytes."""
    db_file = folder / DB_FILENAME
    conn = connect(db_file, data_key(folder, LOGIN))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("INSERT INTO meta (key, value) VALUES ('from_the_wal', 'x')")
    wal = dbfiles.wal_path(db_file).read_bytes()
    shm = dbfiles.shm_path(db_file).read_bytes()
    conn.close()  # folds it in and deletes the WAL; put the copies back as a stray log
    dbfiles.wal_path(db_file).write_bytes(wal)
    dbfiles.shm_path(db_file).write_bytes(shm)
    return wal


def _meta(ws, key):
    from clerk_app.storage.meta import get_meta

    return get_meta(ws.db, key)


def test_wal_after_a_clean_exit_is_set_aside(used):
    folder, backup = used
    # a database swapped in by hand (the backup) while a WAL of another database lies beside it
    other = folder.parent / "other"
    shutil.copytree(folder, other)
    _make_wal(other)
    shutil.copy(backup, folder / DB_FILENAME)
    wal = other / (DB_FILENAME + "-wal")
    shutil.copy(wal, folder / (DB_FILENAME + "-wal"))
    ws = reopen(folder)
    try:
        stray = ws.health.stray_wal
        assert stray is not None and stray.moved_to.read_bytes() == wal.read_bytes()
        assert not dbfiles.wal_path(folder / DB_FILENAME).exists() or not dbfiles.wal_has_frames(folder / DB_FILENAME)
        assert _meta(ws, "from_the_wal") is None  # not folded in
        assert ws.health.ok and "没有并入数据库" in ws.health.notices()[0]
    finally:
        ws.close()


def test_wal_beside_a_copied_in_backup_after_a_crash_is_set_aside(used):
    """Matrix row 7: the app was killed (the marker stays), then a backup was copied over
    clerk.db by hand. The old database's WAL must not be folded into the backup."""
    folder, backup = used
    _make_wal(folder)
    (folder / dbfiles.SESSION_MARKER).write_text("killed\n")
    shutil.copy(backup, folder / DB_FILENAME)
    ws = reopen(folder)
    try:
        assert ws.health.stray_wal is not None and ws.health.stray_wal.reason == "copied_in"
        assert _meta(ws, "from_the_wal") is None
        assert ws.health.unclean_exit and ws.health.full and ws.health.ok
    finally:
        ws.close()


def test_wal_of_a_crashed_session_is_recovered(used):
    folder, _backup = used
    _make_wal(folder)
    (folder / dbfiles.SESSION_MARKER).write_text("killed\n")
    ws = reopen(folder)
    try:
        assert ws.health.stray_wal is None and _meta(ws, "from_the_wal") == "x"  # the last commit kept
        assert ws.health.full  # an unclean exit gets the full integrity_check
    finally:
        ws.close()
    assert dbfiles.last_exit_clean(folder)


# ---------------------------------------------------------------- a damaged database (row 8)

def _flip_pages(path: Path, names: tuple[str, ...] = ("idx_members_name_birth",)) -> None:
    """Bit flips in the b-tree page header of an index of the members (a bad sector), never in
    the 100-byte file header, the schema page or the laptop's own facts (meta). The member
    list itself stays readable, so the window can still show what it has."""
    conn = connect(path, data_key(path.parent, LOGIN))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        roots = [r[0] for r in conn.execute(
            f"SELECT rootpage FROM sqlite_master WHERE name IN ({','.join('?' * len(names))})", names)]
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    for root in roots:
        start = (root - 1) * size
        for off in range(start, start + 8):
            data[off] ^= 0xA5
    path.write_bytes(bytes(data))


def test_damaged_database_opens_read_only_and_is_never_written(used):
    folder, backup = used
    db_file = folder / DB_FILENAME
    _flip_pages(db_file)
    before = _sha(db_file)
    ws = reopen(folder)
    try:
        assert ws.read_only and ws.health.problems
        notice = ws.health.notices()[-1]
        assert "完整性检查未通过" in notice and "只读" in notice and "从备份恢复" in notice
        assert "不受影响" not in notice
        from clerk_app.services.members import register_member
        from clerk_app.domain.member import MemberInput

        ctx = ws.context()
        form = MemberInput(name="李四", id_number=make_id(seq="777"), phone="13812345678",
                           union_id=ctx.home_union_id, occupation="快递员", join_date=ctx.today())
        with pytest.raises(UserError) as info:
            register_member(ctx, form, confirm_possible_duplicate=True)
        assert info.value.code in ("db.read_only", "db.damaged")
        with pytest.raises(UserError) as info:
            backups.create_backup(ctx, "manual")  # a damaged database never replaces good backups
        assert info.value.code == "backup.read_only"
        assert backups.backup_if_due(ctx) is None
        from clerk_app.storage.db import is_read_only, open_db

        worker = open_db(db_file, key=ws.key, migrate=False)  # what a background task opens
        try:
            assert is_read_only(worker)
        finally:
            worker.close()
    finally:
        ws.close()
    assert _sha(db_file) == before  # not one byte written
    assert not dbfiles.wal_has_frames(db_file)  # (reading a WAL-mode file read-only may create an empty one)
    out = _cli("db", "check", "--data-dir", folder, check_rc=1)
    assert "完整性检查未通过" in out.stderr
    assert _sha(db_file) == before
    # the way out: restore the last good backup (the damaged files are kept)
    out = _cli("backup", "restore", backup.name, "--yes", "--data-dir", folder)
    assert "已从备份" in out.stdout
    ws = reopen(folder)
    try:
        assert ws.health.ok and not ws.read_only
    finally:
        ws.close()
    assert _cli("db", "check", "--data-dir", folder).stdout.startswith("数据库完整性检查通过")


def test_unreadable_database_asks_for_a_restore(used):
    folder, _backup = used
    db_file = folder / DB_FILENAME
    db_file.write_bytes(os.urandom(20000))  # an encrypted file looks like this, but is none
    with pytest.raises(NeedsRestore) as info:
        reopen(folder)
    assert info.value.code == "db.unreadable"


# ---------------------------------------------------------------- disk full (row 5)

_FULL_WRITER = """
import datetime as dt, resource, signal, sys
from stdnum.cn import ric
from clerk_app.domain.errors import UserError
from clerk_app.domain.member import MemberInput
from clerk_app.services import members as ms
from clerk_app.workspace import open_workspace

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
folder, limit = sys.argv[1], int(sys.argv[2])
ws = open_workspace(folder)
ctx = ws.context()
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
n = 0
try:
    while True:
        body = "110105" + (dt.date(1960, 1, 1) + dt.timedelta(days=n)).strftime("%Y%m%d") + "123"
        form = MemberInput(name="满盘测试" + "甲" * 20, id_number=body + ric.calc_check_digit(body + "0"),
                           phone="13812345678", union_id=ctx.home_union_id, occupation="快递员",
                           employer="北京某某快递服务有限公司" * 3, join_date=ctx.today() - dt.timedelta(days=20))
        result = ms.register_member(ctx, form, confirm_possible_duplicate=True)
        print(result.member_id, flush=True)
        n += 1
except UserError as exc:
    print("ERR", exc.code, exc.message, flush=True)
ws.close()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_disk_full_says_so_and_loses_nothing(used):
    folder, _backup = used
    db_file = folder / DB_FILENAME
    limit = db_file.stat().st_size + 300_000
    proc = subprocess.run([sys.executable, "-c", _FULL_WRITER, str(folder), str(limit)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stdout.splitlines()
    acked = [line for line in lines if not line.startswith("ERR")]
    assert acked, proc.stdout
    assert lines[-1].startswith("ERR disk.full") and "磁盘已满" in lines[-1]
    ws = reopen(folder)
    try:
        assert ws.health.ok
        present = {r[0] for r in ws.db.conn.execute("SELECT id FROM members")}
        assert set(acked) <= present  # every acknowledged registration survived
        assert len(present) == 60 + len(acked)  # and nothing half-saved beyond them
        ctx = ws.context()
        from clerk_app.services.demo import generate_members

        generate_members(ctx, 3, seed=9)  # usable again once there is room
    finally:
        ws.close()


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_disk_full_in_the_cli_and_in_a_backup(used):
    folder, _backup = used
    import resource
    import signal

    limit = (folder / DB_FILENAME).stat().st_size + 200_000

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = _env()
    cmd = [sys.executable, "-m", "clerk_app", "demo", "--members", "3000", "--data-dir", str(folder)]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8",
                         timeout=300, preexec_fn=limited)
    assert out.returncode == 2 and "磁盘已满" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    before = sorted(p.name for p in (folder / "backups").iterdir())
    # a backup larger than the limit: refused with the same message, no .part left, old ones kept
    small = (folder / DB_FILENAME).stat().st_size // 3

    def tiny():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (small, small))

    out = subprocess.run([sys.executable, "-m", "clerk_app", "backup", "create", "--data-dir", str(folder)],
                         cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
                         preexec_fn=tiny)
    assert out.returncode == 2 and "磁盘已满" in out.stderr, out.stderr
    assert sorted(p.name for p in (folder / "backups").iterdir()) == before
    ws = reopen(folder)
    try:
        assert ws.health.ok
    finally:
        ws.close()


# ---------------------------------------------------------------- a second instance (row 9)

def test_restore_and_backup_are_refused_while_another_instance_runs(used):
    """Row 9 for the new writers: a restore (which replaces the file) and a backup never run
    beside a running app; the app's own second-instance refusal is in test_storage."""
    from tests.test_storage import _holder

    folder, backup = used
    before = _sha(folder / DB_FILENAME)
    proc = _holder(folder)
    try:
        with pytest.raises(UserError) as info:
            restore_into(folder, backups.find_backup(folder, backup.name), login=LOGIN)
        assert info.value.code == "db.locked_by_other"
        out = _cli("backup", "restore", backup.name, "--yes", "--data-dir", folder, check_rc=2)
        assert "另一个正在运行的程序" in out.stderr
        out = _cli("backup", "create", "--data-dir", folder, check_rc=2)
        assert "另一个正在运行的程序" in out.stderr
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert _sha(folder / DB_FILENAME) == before


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_pdf_that_does_not_fit_says_the_disk_is_full(used, tmp_path):
    import resource
    import signal

    folder, _backup = used

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8_000, 8_000))

    target = tmp_path / "空白登记表.pdf"
    out = subprocess.run([sys.executable, "-m", "clerk_app", "print", "registration-form", "--blank", "--out",
                          str(target), "--data-dir", str(folder)], cwd=ROOT, env=_env(), capture_output=True,
                         text=True, encoding="utf-8", timeout=300, preexec_fn=limited)
    assert out.returncode == 2 and "磁盘已满" in out.stderr, out.stderr
    assert not target.exists() and not target.with_name(target.name + ".part").exists()
