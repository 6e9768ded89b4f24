"""The crash log says what support needs (type, place, and the message when it cannot hold a
stored value: a missing library, an OS error code, an SQLite error kind) and no personal value."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from clerk_app.ui import crash

NAME, ID_NUMBER = "王小明", "110105199003071234"


def logged(tmp_path, exc: BaseException) -> str:
    crash.install(tmp_path)
    try:
        raise exc
    except BaseException as raised:  # noqa: BLE001
        crash.write_log(crash.redacted_traceback(type(raised), raised.__traceback__, raised))
    return (tmp_path / crash.LOG_DIR / crash.LOG_FILE).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_log_after(monkeypatch):
    monkeypatch.setitem(crash._state, "log", None)


def test_import_error_message_is_kept(tmp_path):
    log = logged(tmp_path, ImportError("libQt6Network.so.6: cannot open shared object file: No such file or directory"))
    assert "builtins.ImportError: libQt6Network.so.6: cannot open shared object file" in log
    assert ", in logged\n" in log  # where it happened
    assert crash.WITHHELD not in log


def test_module_not_found_names_the_module(tmp_path):
    try:
        import clerk_app_no_such_module  # noqa: F401
    except ModuleNotFoundError as exc:
        log = logged(tmp_path, exc)
    assert "builtins.ModuleNotFoundError: No module named 'clerk_app_no_such_module'" in log


def test_os_error_keeps_the_code_not_the_file_name(tmp_path):
    try:
        open(tmp_path / f"{NAME}-{ID_NUMBER}.xlsx", encoding="utf-8")
    except FileNotFoundError as exc:
        log = logged(tmp_path, exc)
    assert "builtins.FileNotFoundError: [ENOENT] No such file or directory" in log
    assert NAME not in log and ID_NUMBER not in log


def test_os_error_raised_with_a_text_only_is_withheld(tmp_path):
    log = logged(tmp_path, OSError(f"cannot read {NAME}"))
    assert "builtins.OSError: " + crash.WITHHELD in log and NAME not in log


def test_os_error_with_two_file_names(tmp_path):
    log = logged(tmp_path, PermissionError(errno.EACCES, "Permission denied", f"/home/{NAME}", None, f"/x/{ID_NUMBER}"))
    assert "[EACCES] Permission denied" in log and NAME not in log and ID_NUMBER not in log


def test_sqlite_integrity_error_names_only_schema_items(tmp_path):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE members (id_number TEXT UNIQUE)")
    db.execute("INSERT INTO members VALUES (?)", [ID_NUMBER])
    with pytest.raises(sqlite3.IntegrityError) as info:
        db.execute("INSERT INTO members VALUES (?)", [ID_NUMBER])
    log = logged(tmp_path, info.value)
    assert "sqlite3.IntegrityError: [SQLITE_CONSTRAINT_UNIQUE] UNIQUE constraint failed: members.id_number" in log
    assert ID_NUMBER not in log


def test_sqlite_trigger_message_is_withheld(tmp_path):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (name TEXT)")
    db.execute("CREATE TRIGGER no BEFORE INSERT ON t BEGIN SELECT RAISE(ABORT, '王小明 refused'); END")
    with pytest.raises(sqlite3.IntegrityError) as info:
        db.execute("INSERT INTO t VALUES (?)", [NAME])
    log = logged(tmp_path, info.value)
    assert "sqlite3.IntegrityError: [SQLITE_CONSTRAINT_TRIGGER] " + crash.WITHHELD in log and NAME not in log


def test_sqlite_operational_error_keeps_its_kind_only(tmp_path):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE s USING fts5(name)")
    with pytest.raises(sqlite3.OperationalError) as info:  # a search the clerk typed, quoted back
        db.execute("SELECT * FROM s WHERE s MATCH ?", [f"{NAME}:x"]).fetchall()
    assert NAME in str(info.value)
    log = logged(tmp_path, info.value)
    assert "sqlite3.OperationalError: [SQLITE_ERROR] " + crash.WITHHELD in log and NAME not in log


@pytest.mark.parametrize("exc", [RuntimeError(f"{NAME} {ID_NUMBER}"), ValueError(ID_NUMBER), KeyError(NAME),
                                 UnicodeDecodeError("utf-8", NAME.encode(), 0, 1, "bad"), TypeError(NAME)])
def test_other_messages_are_withheld(tmp_path, exc):
    log = logged(tmp_path, exc)
    assert crash.WITHHELD in log
    assert NAME not in log and ID_NUMBER not in log and NAME.encode().hex() not in log
