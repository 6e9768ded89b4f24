"""SQL for union branches (基层工会 / 联合工会 ...)."""

from __future__ import annotations

from sqlite_utils import Database


def union_exists(db: Database, union_id: str) -> bool:
    return db.conn.execute("SELECT 1 FROM unions WHERE id = ?", [union_id]).fetchone() is not None


def all_unions(db: Database) -> list[tuple[str, str, str, str | None]]:
    """(id, name, kind, parent_id) of every union, in the order they were added."""
    return db.conn.execute("SELECT id, name, kind, parent_id FROM unions ORDER BY created_at, name").fetchall()
