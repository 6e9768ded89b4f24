"""Consistent copies of the database file (before a migration, the clerk's backups, restore).

Every copy of the database goes through :func:`backup_to` (a live database -> a file) or
:func:`copy_backup` (a finished backup file -> another folder, or back into place on a
restore). Both write ``NAME.part`` first, fsync it, verify it with ``integrity_check`` and only
then rename it to ``NAME`` (atomic on one file system), so a killed or failed copy never leaves
a file under the final name: either the old good file or the new verified one. A killed copy
leaves a ``.part``; :func:`remove_parts` deletes those (at start-up and before each backup).

When the database is encrypted, these are the functions that carry the key: a backup is
written, checked and read with the same key as the database (never a plaintext copy).

A backup is one file that holds the attachments too (table :data:`BUNDLE`: each stored file
of ``attachments/`` as it is on disk, encrypted, under its content hash), so a backup copied
to a fresh machine restores every attachment; :func:`bundled_attachments` checks each against
its hash before a restore uses any of them.

Its own module so that :mod:`.migrations` can use it without importing :mod:`.db`, which
imports the migrations: no import cycle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from ..domain.errors import UserError, is_disk_full
from . import attachments
from .cipher import DatabaseError, Error, KeyedConnection, OperationalError, connect, key_of
from .durable import fsync_dir, fsync_file

PART = ".part"
_CHUNK = 1 << 20
BUNDLE = "backup_attachments"  # only in backup files, never in the live database


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


def backup_to(db: Database, target: Path, *, with_attachments: bool = True) -> Path:
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
    key = key_of(db.conn)
    main = _main_file(db)
    if with_attachments and main is not None:
        try:
            _bundle_attachments(tmp, key, main.parent)
        except BaseException as exc:
            _disk_full_or_raise(exc, target, main)
            tmp.unlink(missing_ok=True)
            raise
    return _finish(tmp, target, key)


def _referenced(conn) -> list[str]:
    try:
        return [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM hardship_attachments ORDER BY sha256")]
    except OperationalError:  # a schema before hardship files
        return []


def _bundle_attachments(copy: Path, key: bytes | None, folder: Path) -> None:
    """Put every attachment the copy lists into the copy itself, as stored (encrypted). A
    file already missing from the data folder is left out (the backup is still made; the
    restore names what it could not bring back)."""
    conn = connect(copy, key)
    try:
        digests = _referenced(conn)
        if not digests:
            return
        conn.execute("BEGIN")
        conn.execute(f"CREATE TABLE {BUNDLE} (sha256 TEXT PRIMARY KEY, body BLOB NOT NULL)")
        for digest in digests:
            body = attachments.raw(folder, digest)
            if body is not None:
                conn.execute(f"INSERT INTO {BUNDLE} (sha256, body) VALUES (?, ?)", [digest, body])
        conn.execute("COMMIT")
    finally:
        conn.close()


@dataclass(frozen=True)
class BundledAttachments:
    """What a backup file carries of the attachments it lists."""

    held: tuple[str, ...]      # hashes whose stored file is in the backup (checked)
    missing: tuple[str, ...]   # listed by the backup's hardship files but not in it


def bundled_attachments(path: Path, key: bytes | None) -> BundledAttachments:
    """Check every attachment in a backup file against its hash (decrypted with the data key
    ``key``); raises UserError ``backup.attachment_damaged`` at the first that does not match."""
    conn = open_file_readonly(path, key)
    try:
        listed = _referenced(conn)
        held = []
        try:
            rows = conn.execute(f"SELECT sha256, body FROM {BUNDLE} ORDER BY sha256")
            for digest, body in rows:
                try:
                    attachments.open_body(bytes(body), digest, key)
                except attachments.AttachmentDamaged:
                    raise UserError("backup.attachment_damaged", name=Path(path).name, digest=digest[:12]) from None
                held.append(digest)
        except OperationalError:  # no attachments in this backup
            pass
    finally:
        conn.close()
    return BundledAttachments(tuple(held), tuple(d for d in listed if d not in set(held)))


def unpack_attachments(path: Path, key: bytes | None, folder: Path, digests: tuple[str, ...]) -> int:
    """Write the backup's attachments ``digests`` (checked by :func:`bundled_attachments`) into
    the data folder ``folder``, except those already there and sound; returns how many."""
    written = 0
    conn = open_file_readonly(path, key)
    try:
        for digest in digests:
            if attachments.is_sound(folder, digest, key):
                continue
            row = conn.execute(f"SELECT body FROM {BUNDLE} WHERE sha256 = ?", [digest]).fetchone()
            body = bytes(row[0])
            attachments.open_body(body, digest, key)  # checked again: the file may have changed since
            attachments.put_raw(folder, digest, body)
            written += 1
    finally:
        conn.close()
    return written


def drop_bundle(path: Path, key: bytes | None) -> None:
    """Remove the attachments' table from a restored database file (they are in the folder now)."""
    conn = connect(path, key)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [BUNDLE]).fetchone():
            conn.execute(f"DROP TABLE {BUNDLE}")
            conn.execute("VACUUM")
    finally:
        conn.close()


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
