"""Consistent copies of the database file (before a migration, the clerk's backups, restore).

Every copy of the database goes through :func:`backup_to` (a live database -> a file) or
:func:`copy_backup` (a finished backup file -> another folder, or back into place on a
restore). Both write ``NAME.part`` first, fsync it, verify it with ``integrity_check`` and only
then rename it to ``NAME`` (atomic on one file system), so a killed or failed copy never leaves
a file under the final name: either the old good file or the new verified one. A killed copy
leaves a ``.part``; :func:`remove_parts` deletes those (at start-up and before each backup).

When the database is encrypted, these are the functions that carry the key: a backup is
written, checked and read with the same key as the database (never a plaintext copy).

Its own module so that :mod:`.migrations` can use it without importing :mod:`.db`, which
imports the migrations: no import cycle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from ..domain.errors import UserError, is_disk_full
from .cipher import DatabaseError, Error, KeyedConnection, OperationalError, connect, key_of
from .durable import fsync_dir, fsync_file

PART = ".part"
_CHUNK = 1 << 20


def open_file_readonly(path: Path, key: bytes | None, *, immutable: bool = False) -> KeyedConnection:
    """A read-only connection, with the data key ``key``, to a database *file* that is not the
    live database (a backup, a ``.part`` being verified). Never creates the file, never writes
    to it. A wrong key or a file that is no database raises UserError. ``immutable``: see
    :func:`.cipher.connect`."""
    return connect(path, key, read_only=True, immutable=immutable)


def check_file(path: Path, key: bytes | None, *, full: bool = True) -> list[str]:
    """The problems ``integrity_check`` (or ``quick_check``) finds in a database file opened
    with ``key``; an empty list when it is sound. A file that cannot be read at all (or not
    with this key) is one problem."""
    try:
        conn = open_file_readonly(path, key)
    except UserError as exc:
        return [exc.message]
    except Error as exc:
        return [str(exc)]
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")  # the report may quote damaged bytes
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(20)")]
    except (DatabaseError, ValueError) as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def _disk_full_or_raise(exc: BaseException, target: Path, source: Path | None = None) -> None:
    """Raise ``disk.full`` if ``exc`` came from a full disk (called before the ``.part`` is
    removed: its size against a file size limit is part of the answer, as is the size of the
    ``source`` — a copy is about as large as what it copies)."""
    from .diskspace import out_of_space

    io_error = isinstance(exc, OSError) or "disk I/O error" in str(exc)
    part = target.with_name(target.name + PART)
    if is_disk_full(exc) or (io_error and out_of_space(target.parent, part, *([source] if source else []))):
        part.unlink(missing_ok=True)
        raise UserError("disk.full", where=f"（位置：{target.parent}）") from exc


def _finish(tmp: Path, target: Path, key: bytes | None) -> Path:
    """fsync ``tmp``, verify it (opened with ``key``), rename it to ``target`` (removing ``tmp``
    on any failure)."""
    try:
        fsync_file(tmp)
        problems = check_file(tmp, key)
        if problems:
            raise UserError("db.integrity_failed", detail="；".join(problems[:3]))
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException as exc:
        _disk_full_or_raise(exc, target)
        tmp.unlink(missing_ok=True)
        raise
    return target


def backup_to(db: Database, target: Path) -> Path:
    """A consistent copy of the live database through ``VACUUM INTO`` (never a file copy of a
    live database), written to ``target.part``, fsynced, verified, renamed to ``target``.

    The copy is a stand-alone rollback-journal file (``VACUUM INTO`` writes one): no ``-wal``
    belongs to it, and deleted rows are not carried over (erased members stay erased)."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _disk_full_or_raise(exc, target)
        raise
    tmp = target.with_name(target.name + PART)
    tmp.unlink(missing_ok=True)
    # A damaged database is open read-only (mode=ro + query_only); VACUUM INTO only writes the
    # new file, which query_only would refuse, and mode=ro still protects the database itself.
    query_only = db.conn.execute("PRAGMA query_only").fetchone()[0]
    try:
        if query_only:
            db.conn.execute("PRAGMA query_only=OFF")
        db.conn.execute("VACUUM INTO ?", [str(tmp)])
    except BaseException as exc:
        _disk_full_or_raise(exc, target, _main_file(db))
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if query_only:
            db.conn.execute("PRAGMA query_only=ON")
    return _finish(tmp, target, key_of(db.conn))


def copy_backup(source: Path, target: Path, key: bytes | None) -> Path:
    """Copy a finished backup file (a second backup folder, or back into place on a restore)
    the same way: ``.part``, fsync, verify with the data key ``key``, rename. The bytes are
    copied as they are: an encrypted backup stays encrypted."""
    source, target = Path(source), Path(target)
    tmp = target.with_name(target.name + PART)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        with open(source, "rb") as src, open(tmp, "wb") as out:
            while chunk := src.read(_CHUNK):
                out.write(chunk)
    except BaseException as exc:
        _disk_full_or_raise(exc, target, source)
        tmp.unlink(missing_ok=True)
        raise
    return _finish(tmp, target, key)


def _main_file(db: Database) -> Path | None:
    for _seq, name, file in db.conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    return None


def remove_parts(folder: Path) -> int:
    """Delete the ``*.part`` files a killed copy left in ``folder``; returns the bytes freed."""
    freed = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    for part in folder.glob("*" + PART):
        try:
            size = part.stat().st_size
            part.unlink()
            freed += size
        except OSError:
            continue
    return freed


@dataclass(frozen=True)
class BackupFacts:
    """What a backup file holds, read from the file itself (shown before a restore)."""

    members: int
    cards: int
    events: int
    laptop_name: str
    site_id: str


def _count(conn: KeyedConnection, table: str) -> int:
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except OperationalError:  # an older schema without the table
        return 0


def read_facts(path: Path, key: bytes | None) -> BackupFacts:
    """Counts and the laptop's name in a backup file opened with the data key ``key``. Raises
    UserError if it is unreadable (damaged, not a backup, or under another key)."""
    try:
        conn = open_file_readonly(path, key)
        try:
            members, cards, events = (_count(conn, t) for t in ("members", "cards", "events"))
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('laptop_name', 'site_id')"))
        finally:
            conn.close()
    except (DatabaseError, UserError) as exc:
        raise UserError("backup.unreadable", name=Path(path).name) from exc
    return BackupFacts(members, cards, events, meta.get("laptop_name", ""), meta.get("site_id", ""))
