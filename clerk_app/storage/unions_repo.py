"""SQL for union branches (基层工会 / 联合工会 ...)."""

from __future__ import annotations

from sqlite_utils import Database

from ..domain.records import Union


def union_exists(db: Database, union_id: str) -> bool:
    return db.conn.execute("SELECT 1 FROM unions WHERE id = ?", [union_id]).fetchone() is not None


def all_unions(db: Database) -> list[Union]:
    """Every union, in the order they were added."""
    return [Union(*r) for r in db.conn.execute(
        "SELECT id, name, kind, parent_id, created_at FROM unions ORDER BY created_at, name")]
