"""Only a 管理员 restores a backup or moves the second backup folder (access.ACTIONS["backup"]);
every clerk may still make backups. The role is read from the current database, or from the
backup when the database is lost; a refusal leaves every file as it was."""

from __future__ import annotations

import hashlib

import pytest

from clerk_app.cli import main
from clerk_app.domain.errors import UserError
from clerk_app.services import backups, clerks
from clerk_app.services.access import CLERK
from clerk_app.storage.db import DB_FILENAME
from clerk_app.workspace import Login, restore_into
from tests.conftest import LOGIN, reopen

CLERK_LOGIN = Login("钱经办", "qian-pass-2026")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder) -> dict[str, str]:
    """Every file of the data folder (with backups/) and its hash."""
    return {str(p.relative_to(folder)): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()
            and p.name != "instance.lock"}


@pytest.fixture
def with_clerk(ctx, workspace):
    """The laptop with a 经办人 (in the database and the keyring) and a backup holding them;
    the workspace closed, its WAL folded in."""
    clerk_id = clerks.add_clerk(ctx, CLERK_LOGIN.clerk, CLERK)
    workspace.add_login(clerk_id, CLERK_LOGIN.clerk, CLERK_LOGIN.password)
    backup = backups.create_backup(ctx, "manual").path
    workspace.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    workspace.close()
    return workspace.folder, backups.find_backup(workspace.folder, backup.name)


def test_a_clerk_is_refused_restore_and_nothing_changes(with_clerk):
    folder, backup = with_clerk
    before = _files(folder)
    with pytest.raises(UserError) as info:
        restore_into(folder, backup, login=CLERK_LOGIN)
    assert info.value.code == "auth.forbidden"
    assert "经办人" in info.value.message and "管理备份" in info.value.message and "管理员" in info.value.message
    assert _files(folder) == before  # no before-restore copy, no new epoch, db bytes as they were
    result = restore_into(folder, backup, login=LOGIN)  # the 管理员 may
    assert result.kept is not None and result.site_id != result.previous_site_id


def test_a_lost_database_is_restored_only_by_a_manager_in_the_backup(with_clerk):
    folder, backup = with_clerk
    (folder / DB_FILENAME).unlink()
    before = _files(folder)
    with pytest.raises(UserError) as info:
        restore_into(folder, backup, login=CLERK_LOGIN)  # keys.json unlocks; the backup says 经办人
    assert info.value.code == "auth.forbidden"
    assert _files(folder) == before and not (folder / DB_FILENAME).exists()
    restore_into(folder, backup, login=LOGIN)
    ws = reopen(folder)
    try:
        assert ws.ready and ws.health.ok
    finally:
        ws.close()


def test_the_current_database_decides_when_it_can_be_read(ctx, workspace):
    """A clerk who was 管理员 when the backup was taken, and is 经办人 now, may not restore it."""
    clerk_id = clerks.add_clerk(ctx, CLERK_LOGIN.clerk, "管理员")
    workspace.add_login(clerk_id, CLERK_LOGIN.clerk, CLERK_LOGIN.password)
    backup = backups.create_backup(ctx, "manual").path
    clerks.set_role(ctx, clerk_id, CLERK)
    workspace.close()
    folder = workspace.folder
    with pytest.raises(UserError) as info:
        restore_into(folder, backups.find_backup(folder, backup.name), login=CLERK_LOGIN)
    assert info.value.code == "auth.forbidden"


def test_a_clerk_may_back_up_but_not_move_the_second_folder(ctx, workspace, tmp_path):
    clerk_id = clerks.add_clerk(ctx, CLERK_LOGIN.clerk, CLERK)
    workspace.add_login(clerk_id, CLERK_LOGIN.clerk, CLERK_LOGIN.password)
    as_clerk = workspace.switch(CLERK_LOGIN)
    assert backups.create_backup(as_clerk, "manual").path.exists()  # adds a copy: everyone may
    with pytest.raises(UserError) as info:
        backups.set_second_folder(as_clerk, tmp_path)
    assert info.value.code == "auth.forbidden" and "管理员" in info.value.message
    assert backups.second_folder(workspace.folder) is None


def test_the_command_line_refuses_a_clerk_restore_and_second_folder(ctx, workspace, tmp_path, monkeypatch, capsys):
    backup = backups.create_backup(ctx, "manual").path
    workspace.close()
    folder = str(workspace.folder)
    cli = lambda *a: main([*a, "--data-dir", folder])  # noqa: E731
    monkeypatch.setenv("CLERK_APP_CLERK", LOGIN.clerk)
    monkeypatch.setenv("CLERK_APP_NEW_PASSWORD", CLERK_LOGIN.password)
    assert cli("clerks", "add", CLERK_LOGIN.clerk, "--role", CLERK) == 0
    capsys.readouterr()
    monkeypatch.setenv("CLERK_APP_CLERK", CLERK_LOGIN.clerk)
    monkeypatch.setenv("CLERK_APP_PASSWORD", CLERK_LOGIN.password)
    before = _files(workspace.folder)
    assert cli("backup", "restore", backup.name, "--yes") != 0
    err = capsys.readouterr().err
    assert "无权管理备份" in err and "管理员" in err and "Traceback" not in err
    assert _files(workspace.folder) == before
    assert cli("backup", "second-folder", str(tmp_path)) != 0
    assert "无权管理备份" in capsys.readouterr().err
    assert backups.second_folder(workspace.folder) is None
    assert cli("backup", "create") == 0  # making a backup stays open to every clerk
    monkeypatch.setenv("CLERK_APP_CLERK", LOGIN.clerk)
    monkeypatch.setenv("CLERK_APP_PASSWORD", LOGIN.password)
    assert cli("backup", "second-folder", str(tmp_path)) == 0
    assert cli("backup", "restore", backup.name, "--yes") == 0
    assert "已从备份" in capsys.readouterr().out
