"""Turning an old plaintext database (and its plaintext backups) into encrypted ones, and the
reverse for ``clerk-app db decrypt``.

The plaintext file is removed only after the encrypted copy has opened with the key, passed
``integrity_check`` and shown the same row count in every table. Each step leaves files a later
start can finish from (:func:`finish_interrupted`): a crash never leaves the folder without a
readable database."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import UserError
from .cipher import connect, export, is_plaintext_file, key_of
from .keyring import secure_remove

NEW_SUFFIX = ".encrypted-new"
OLD_SUFFIX = ".plaintext-old"
SIDE_FILES = ("-wal", "-shm", "-journal")


def _counts(conn) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _copy_verified(source: Path, source_key: bytes | None, target: Path, target_key: bytes | None) -> None:
    """``source`` exported to a new ``target`` under ``target_key``, proven equal (else removed)."""
    if target.exists():
        target.unlink()
    conn = connect(source, source_key)
    try:
        expected = _counts(conn)
        export(conn, target, target_key)
    finally:
        conn.close()
    check = connect(target, target_key)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        got = _counts(check)
    finally:
        check.close()
    if ok != "ok" or got != expected:
        secure_remove(target)
        differ = ok if ok != "ok" else "、".join(sorted(k for k in expected if expected.get(k) != got.get(k)))
        raise UserError("db.encrypt_failed", detail=differ)


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        secure_remove(Path(str(path) + suffix))


def encrypt_database(path: Path, key: bytes) -> None:
    """Replace the plaintext database at ``path`` by an encrypted one under ``key``. The caller
    has already saved a keyring that unwraps ``key`` (else a crash here would lose the data)."""
    plain = connect(path, None)  # folds a leftover WAL into the file before it is copied
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        plain.close()
    new = Path(str(path) + NEW_SUFFIX)
    _copy_verified(path, None, new, key)
    old = Path(str(path) + OLD_SUFFIX)
    path.replace(old)
    for suffix in SIDE_FILES:  # they belong to the plaintext file, which is now ``old``
        side = Path(str(path) + suffix)
        if side.exists():
            side.replace(Path(str(old) + suffix))
    new.replace(path)
    _remove_with_side_files(old)


def finish_interrupted(path: Path) -> None:
    """Complete an :func:`encrypt_database` that a crash cut short."""
    new, old = Path(str(path) + NEW_SUFFIX), Path(str(path) + OLD_SUFFIX)
    if new.exists() and not path.exists() and old.exists():
        new.replace(path)  # it was verified before the plaintext was moved aside
    if path.exists() and not is_plaintext_file(path) and old.exists():
        _remove_with_side_files(old)
    if new.exists() and path.exists() and is_plaintext_file(path):
        secure_remove(new)  # not yet verified: redo from the plaintext


def encrypt_plaintext_backups(folder: Path, key: bytes) -> int:
    """Encrypt every plaintext ``*.db`` under ``folder`` (the copies migrations made before
    encryption existed); return how many."""
    done = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*.db")):
        if not is_plaintext_file(path):
            continue
        new = path.with_name(path.name + ".part")
        _copy_verified(path, None, new, key)
        secure_remove(path)
        new.replace(path)
        done += 1
    return done


def decrypt_copy(conn, target: Path) -> None:
    """A plaintext copy of the open database ``conn`` at ``target`` (which must not exist),
    verified like any other copy."""
    if target.exists():
        raise FileExistsError(target)
    source = Path([r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"][0])
    _copy_verified(source, key_of(conn), target, None)


def _refuse_foreign(conn, path: Path) -> None:
    from .migrations import foreign_tables

    if foreign_tables(conn):  # another program's SQLite file: never encrypted over, never read
        conn.close()
        raise UserError("db.not_a_database", path=str(path))


def legacy_clerk(path: Path) -> str | None:
    """The clerk's name in an old plaintext database that was set up, else None."""
    conn = connect(path, None)
    _refuse_foreign(conn, path)
    try:
        has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
        if not has_meta:
            return None
        row = conn.execute("SELECT c.name FROM meta m JOIN clerks c ON c.id = m.value"
                           " WHERE m.key = 'clerk_id'").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def legacy_clerk_id(path: Path) -> str | None:
    conn = connect(path, None)
    _refuse_foreign(conn, path)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'clerk_id'").fetchone() if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() else None
        return row[0] if row else None
    finally:
        conn.close()
