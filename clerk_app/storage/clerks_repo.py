"""SQL for clerks (one local clerk per laptop until accounts arrive)."""

from __future__ import annotations

from sqlite_utils import Database


def insert_clerk(db: Database, clerk_id: str, name: str, created_at: str) -> None:
    db.conn.execute("INSERT INTO clerks (id, name, created_at) VALUES (?,?,?)", [clerk_id, name, created_at])


def clerk_name(db: Database, clerk_id: str) -> str:
    return db.conn.execute("SELECT name FROM clerks WHERE id = ?", [clerk_id]).fetchone()[0]
