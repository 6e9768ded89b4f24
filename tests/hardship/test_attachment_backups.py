"""Attachments are in every backup (inside the one backup file, encrypted as stored) and a
restore on a fresh machine (no database, no attachments folder) brings each one back, checked
against its hash first; a backup whose attachment was altered is refused and changes nothing."""

from __future__ import annotations

import shutil

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.services import backups, hardship_attachments as att
from clerk_app.storage import attachments as store
from clerk_app.storage import backup as files
from clerk_app.storage.cipher import connect, key_of
from clerk_app.storage.db import DB_FILENAME
from clerk_app.workspace import restore_into
from tests.conftest import LOGIN, reopen


@pytest.fixture
def two_attached(ctx, filed, tmp_path):
    contents = {"收入证明.txt": "月收入 3000 元".encode(), "诊断.pdf": b"%PDF-1.4 diagnosis " + bytes(range(256))}
    added = []
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
        added.append(att.add_attachment(ctx, filed.worker_no, tmp_path / name, "收入证明" if "收入" in name else "诊断证明"))
    return {a.sha256: contents[a.name] for a in added}


def test_a_backup_restored_on_a_fresh_machine_has_every_attachment(ctx, workspace, filed, two_attached):
    backup = backups.create_backup(ctx, "manual").path
    key = key_of(ctx.db.conn)
    held = files.bundled_attachments(backup, key)
    assert sorted(held.held) == sorted(two_attached) and held.missing == ()
    for data in two_attached.values():
        assert data not in backup.read_bytes()  # encrypted in the backup too
    workspace.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    workspace.close()
    folder = workspace.folder
    (folder / DB_FILENAME).unlink()  # the fresh machine: only the keys and the backup file
    shutil.rmtree(folder / store.FOLDER)
    result = restore_into(folder, backups.find_backup(folder, backup.name), login=LOGIN)
    assert result.attachments == 2 and result.missing_attachments == ()
    ws = reopen(folder)
    try:
        c = ws.context()
        got = {a.sha256: att.open_attachment(c, a.id) for a in att.list_attachments(c, filed.worker_no)}
        assert got == two_attached
        assert not c.db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [files.BUNDLE]).fetchone()
    finally:
        ws.close()


def test_an_altered_attachment_in_a_backup_refuses_the_restore(ctx, workspace, filed, two_attached):
    backup = backups.create_backup(ctx, "manual").path
    key = key_of(ctx.db.conn)
    digest = sorted(two_attached)[0]
    conn = connect(backup, key)
    body = bytearray(conn.execute(f"SELECT body FROM {files.BUNDLE} WHERE sha256 = ?", [digest]).fetchone()[0])
    body[-1] ^= 1
    conn.execute(f"UPDATE {files.BUNDLE} SET body = ? WHERE sha256 = ?", [bytes(body), digest])
    conn.close()
    workspace.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    workspace.close()
    folder = workspace.folder
    db_bytes = (folder / DB_FILENAME).read_bytes()
    with pytest.raises(UserError) as info:
        restore_into(folder, backups.find_backup(folder, backup.name), login=LOGIN)
    assert info.value.code == "backup.attachment_damaged" and "校验值" in info.value.message
    assert (folder / DB_FILENAME).read_bytes() == db_bytes


def test_a_missing_attachment_does_not_stop_the_backup_and_is_named_on_restore(ctx, workspace, filed, two_attached):
    gone = sorted(two_attached)[1]
    store.path_of(workspace.folder, gone).unlink()
    backup = backups.create_backup(ctx, "manual").path
    assert files.bundled_attachments(backup, key_of(ctx.db.conn)).missing == (gone,)
    workspace.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    workspace.close()
    result = restore_into(workspace.folder, backups.find_backup(workspace.folder, backup.name), login=LOGIN)
    assert result.missing_attachments == (gone,)
