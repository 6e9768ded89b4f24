"""A reveal is recorded when it happens, and before the revealed file exists: when the audit
entry cannot be written — the database locked by another writer, or read-only — nothing full
is shown and no file is left behind (issue 10 part 3). Before, a locked database left a file
of 300 full ID numbers and no entry."""

from __future__ import annotations

import contextlib

import pytest

from clerk_app.cli import main
from clerk_app.domain.errors import UserError
from clerk_app.services import documents, printouts, roster_export
from clerk_app.services.reveal import reveal_member
from clerk_app.storage.db import another_connection
from tests.db_lock import locked
from tests.conftest import make_id

N = 300


@pytest.fixture
def outbox(tmp_path):
    """Where files are saved (the data folder is beside it, in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def members(ctx, member_input):
    from clerk_app.services.members import register_many

    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜英敏静丽强磊军洋勇艳杰娟"
    inputs = [member_input(name=surnames[i % 20] + given[i // 20], id_number=make_id(seq=f"{i:03d}"),
                           phone=f"139{i:08d}") for i in range(N)]
    result = register_many(ctx, inputs, confirm_possible_duplicates=True)
    assert len(result.saved) == N
    return result.saved


def entries(ctx, action: str) -> list[tuple]:
    return ctx.db.conn.execute("SELECT entity, entity_id, detail FROM audit_log WHERE action = ?",
                               [action]).fetchall()


@contextlib.contextmanager
def read_only(ctx):
    ctx.db.conn.execute("PRAGMA query_only=ON")
    try:
        yield
    finally:
        ctx.db.conn.execute("PRAGMA query_only=OFF")


BLOCKED = [locked, read_only]


@pytest.mark.parametrize("blocked", BLOCKED, ids=["locked", "read_only"])
def test_a_full_export_the_audit_cannot_record_leaves_no_file(ctx, members, outbox, blocked):
    out = outbox / "full.xlsx"
    with blocked(ctx), pytest.raises(UserError) as e:
        roster_export.export_members(ctx, out, full=True)
    assert e.value.code == "audit.not_written" and "审计日志" in e.value.message
    assert list(outbox.iterdir()) == []  # neither the file nor a .part
    assert entries(ctx, "export") == []
    roster_export.export_members(ctx, out, full=True)  # once the entry can be written, it is
    assert out.exists() and len(entries(ctx, "export")) == 1


@pytest.mark.parametrize("blocked", BLOCKED, ids=["locked", "read_only"])
def test_a_revealed_form_the_audit_cannot_record_is_neither_made_nor_saved(ctx, members, outbox, blocked):
    masked = documents.registration_form(ctx, members[0])
    with blocked(ctx):
        with pytest.raises(UserError):  # 显示完整号码 refused: the full form is not even made
            printouts.reveal_printout(ctx, masked)
        with pytest.raises(UserError):
            documents.registration_form(ctx, members[0], reveal=True)
        with pytest.raises(UserError):  # even the masked form is not saved unrecorded
            printouts.save_printout(ctx, masked, outbox / "form.pdf")
        with pytest.raises(UserError):
            reveal_member(ctx, members[0])
    assert list(outbox.iterdir()) == []
    assert entries(ctx, "reveal") == [] and entries(ctx, "print") == []


def test_the_reveal_is_recorded_when_it_happens_and_before_the_file(ctx, members, outbox):
    masked = documents.registration_form(ctx, members[0])
    assert entries(ctx, "reveal") == []  # making the masked form records nothing
    full = printouts.reveal_printout(ctx, masked)
    ((entity, entity_id, detail),) = entries(ctx, "reveal")
    assert (entity, entity_id) == ("member", members[0]) and full.revealed
    assert make_id(seq="000") not in detail
    seen = []
    real_write = printouts.Path.write_bytes

    def write_bytes(path, data):  # the moment the full numbers reach the disk
        seen.append(len(entries(ctx, "print")))
        return real_write(path, data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(printouts.Path, "write_bytes", write_bytes)
        printouts.save_printout(ctx, full, outbox / "form.pdf")
    assert seen == [1]  # the print entry was there before the first byte
    ((_e, _i, detail),) = entries(ctx, "print")
    assert '"reveal": true' in detail and (outbox / "form.pdf").exists()


def test_the_command_line_leaves_no_full_file_when_the_database_is_locked(data_dir, workspace, ctx, members, outbox,
                                                                          capsys):
    out = outbox / "full.xlsx"
    workspace.lock.release()  # the command is another program on the same folder
    other = another_connection(ctx.db).conn  # keyed, like a second program of the app
    other.execute("PRAGMA busy_timeout=100")
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.MonkeyPatch.context() as mp:  # the command waits 0.1 s, not 5 s, for the lock
            from clerk_app import workspace as workspace_module

            real_open = workspace_module.open_db

            def open_db(*args, **kwargs):
                opened = real_open(*args, **kwargs)
                opened.conn.execute("PRAGMA busy_timeout=100")
                return opened

            mp.setattr(workspace_module, "open_db", open_db)
            code = main(["--data-dir", str(data_dir), "roster", "export", "--full", "--out", str(out)])
    finally:
        other.execute("ROLLBACK")
        other.close()
        workspace.lock.acquire()
    assert code != 0 and "审计日志" in capsys.readouterr().err
    assert list(outbox.glob("full.xlsx*")) == []
    assert entries(ctx, "export") == []
