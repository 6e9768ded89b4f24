"""Small key/value facts about this laptop's database (site id, laptop name, clock)."""

from __future__ import annotations

from sqlite_utils import Database


def get_meta(db: Database, key: str, default: str | None = None) -> str | None:
    row = db.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: Database, key: str, value: str) -> None:
    db.conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def delete_meta(db: Database, key: str) -> None:
    db.conn.execute("DELETE FROM meta WHERE key = ?", [key])
