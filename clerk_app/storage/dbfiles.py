"""The database's files on disk, looked at *before* SQLite opens them.

SQLite folds any ``-wal`` file beside a database into it on open, whether or not the log was
written against that database (sqlite.org/howtocorrupt.html §1.4: a mispaired WAL corrupts or
silently mixes two databases). So the app decides first whether a ``-wal`` belongs, and sets
aside (renames, never deletes) one that does not. The rule, kept simple and honest:

1. **After a clean exit no WAL belongs.** A clean exit checkpoints with ``TRUNCATE`` and closes
   the database, which leaves no WAL content (and the start-up marker is removed). If the last
   session ended cleanly and a non-empty ``-wal`` is there, it was not written by this app
   against this file (the database was swapped, or a WAL was copied in): set aside.
2. **A backup copied into place has no WAL.** Backups are stand-alone rollback-journal files
   (``VACUUM INTO`` writes header bytes 18–19 = 1); the live database is in WAL mode (2). A
   database file in rollback mode with a non-empty ``-wal`` beside it is a copied-in file
   next to the previous database's log: set aside. This is read from the plain header, which
   an encrypted database does not have (:func:`header_journal` says None). For an encrypted
   one the same case is found by trying, once the key is known and only when the start-up
   check failed after an unclean exit (:func:`probe_wal`): a WAL with which the database fails
   its check, while without it it passes, is not its own. The app's own restore removes the
   old WAL itself.
3. **No database, or an empty one, owns no WAL.** With ``clerk.db`` missing or 0 bytes, a WAL
   is set aside with it (the clerk is offered a restore, see :func:`folder_evidence`).

After an unclean exit (the marker is still there) a WAL in a WAL-mode database is the normal
case — the last commits live there — and SQLite recovers it.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

WAL_SUFFIX, SHM_SUFFIX = "-wal", "-shm"
_WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_HEADER = 32


def wal_path(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + WAL_SUFFIX)


def shm_path(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + SHM_SUFFIX)


def wal_has_frames(db_file: Path) -> bool:
    """Whether a ``-wal`` with a valid header and at least one frame is beside ``db_file``
    (an empty or header-only log holds nothing SQLite would fold in)."""
    wal = wal_path(db_file)
    try:
        size = wal.stat().st_size
        if size <= WAL_HEADER:
            return False
        with open(wal, "rb") as fh:
            magic, = struct.unpack(">I", fh.read(4))
    except OSError:
        return False
    return magic in _WAL_MAGIC


def header_journal(db_file: Path) -> str | None:
    """"wal" or "rollback" from a plain SQLite header (bytes 18–19), None if not readable
    (missing, too short, or not a plain SQLite header, e.g. an encrypted file)."""
    try:
        with open(db_file, "rb") as fh:
            head = fh.read(20)
    except OSError:
        return None
    if len(head) < 20 or not head.startswith(b"SQLite format 3\x00"):
        return None
    return "wal" if head[18] == 2 and head[19] == 2 else "rollback"


def db_is_empty(db_file: Path) -> bool:
    """Missing or 0 bytes: no database at all."""
    try:
        return db_file.stat().st_size == 0
    except FileNotFoundError:
        return True


@dataclass(frozen=True)
class StrayWal:
    reason: str  # "clean_exit" | "copied_in" | "no_database"
    moved_to: Path


def stray_wal_reason(db_file: Path, *, clean_exit: bool) -> str | None:
    """Why the ``-wal`` beside ``db_file`` does not belong to it (see the module's rule), or
    None when there is none or it belongs."""
    if not wal_has_frames(db_file):
        return None
    if db_is_empty(db_file):
        return "no_database"
    if clean_exit:
        return "clean_exit"
    if header_journal(db_file) == "rollback":
        return "copied_in"
    return None


def set_aside(db_file: Path, stamp: str) -> Path | None:
    """Rename the ``-wal`` (and its ``-shm`` index) out of SQLite's way, keeping them for a
    technician: ``clerk.db-wal.set-aside-STAMP``. Returns the new WAL path."""
    moved = None
    for path in (wal_path(db_file), shm_path(db_file)):
        if path.exists():
            target = path.with_name(f"{path.name}.set-aside-{stamp}")
            n = 1
            while target.exists():
                n += 1
                target = path.with_name(f"{path.name}.set-aside-{stamp}-{n}")
            path.replace(target)
            if path.name.endswith(WAL_SUFFIX):
                moved = target
    return moved


def check_wal(db_file: Path, *, clean_exit: bool, stamp: str) -> StrayWal | None:
    """Set aside a WAL that does not belong (before anything opens the database)."""
    reason = stray_wal_reason(db_file, clean_exit=clean_exit)
    if reason is None:
        return None
    moved = set_aside(db_file, stamp)
    return StrayWal(reason, moved) if moved else None


def probe_wal(db_file: Path, sound, *, stamp: str) -> StrayWal | None:
    """Rule 2 for an encrypted database whose start-up check failed with its ``-wal``:
    ``sound()`` checks the database (read-only, with its key) again with the WAL set aside. If
    it is sound without it, the WAL is another database's (a backup was copied over clerk.db
    after a crash; under the same key SQLCipher would read the foreign pages as its own): it
    stays set aside. Otherwise it is put back untouched and the check's finding stands."""
    if not wal_has_frames(db_file):
        return None
    moved = set_aside(db_file, stamp)
    if moved is None:
        return None
    if sound():
        return StrayWal("copied_in", moved)
    moved.replace(wal_path(db_file))  # no better without it: put it back as it was
    shm = moved.with_name(moved.name.replace(WAL_SUFFIX, SHM_SUFFIX, 1))
    if shm.exists():
        shm.replace(shm_path(db_file))
    return None


# ---------------------------------------------------------------- the session marker

SESSION_MARKER = "clerk.running"


def last_exit_clean(folder: Path) -> bool:
    """True unless the previous session left its marker (it was killed, crashed, lost power)."""
    return not (Path(folder) / SESSION_MARKER).exists()


def mark_session_start(folder: Path, stamp: str) -> None:
    """Written at start, removed at a clean exit: still there at the next start = unclean."""
    path = Path(folder) / SESSION_MARKER
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(stamp + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def mark_clean_exit(folder: Path) -> None:
    (Path(folder) / SESSION_MARKER).unlink(missing_ok=True)


# ---------------------------------------------------------------- a used folder without its database

# Files the app leaves in a data folder it has used (besides clerk.db): an empty or missing
# clerk.db beside any of these is a lost database, not a new laptop.
EVIDENCE = ("backups", "clerk.lock", "window.ini", "backup-settings.json", SESSION_MARKER, "logs", "keys.json")


def folder_evidence(folder: Path) -> list[str]:
    """The signs that ``folder`` was used before (names from :data:`EVIDENCE` that exist;
    ``backups`` only when it holds a backup file)."""
    folder = Path(folder)
    found = []
    for name in EVIDENCE:
        path = folder / name
        if name == "backups":
            if path.is_dir() and any(p.suffix == ".db" for p in path.iterdir()):
                found.append(name)
        elif path.exists():
            found.append(name)
    return found
