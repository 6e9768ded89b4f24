"""Consistent copies of the database file (before a migration, and for the clerk's backups).

Its own module so that :mod:`.migrations` can use it without importing :mod:`.db`, which
imports the migrations: no import cycle.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from ..domain.errors import UserError
from .cipher import connect, key_of


def backup_to(db: Database, target: Path) -> Path:
    """A consistent copy through ``VACUUM INTO`` (never a file copy of a live database).
    SQLCipher writes the copy encrypted with the database's own key, so a backup is as
    unreadable as the database; it is checked by opening it with that key."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    if tmp.exists():
        tmp.unlink()
    db.conn.execute("VACUUM INTO ?", [str(tmp)])
    check = connect(tmp, key_of(db.conn))
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if ok != "ok":
        tmp.unlink()
        raise UserError("db.integrity_failed", detail=ok)
    tmp.replace(target)
    return target
