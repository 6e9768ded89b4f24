"""SQL for clerks: who may act on this laptop, with which role (their passwords live only in
the keyring, as wrappings of the data key: :mod:`.keyring`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class ClerkRow:
    id: str
    name: str
    role: str
    active: bool


def insert_clerk(db: Database, clerk_id: str, name: str, created_at: str, role: str = "经办人") -> None:
    db.conn.execute("INSERT INTO clerks (id, name, created_at, role) VALUES (?,?,?,?)",
                    [clerk_id, name, created_at, role])


def clerk_name(db: Database, clerk_id: str) -> str:
    return db.conn.execute("SELECT name FROM clerks WHERE id = ?", [clerk_id]).fetchone()[0]


def get_clerk(db: Database, clerk_id: str) -> ClerkRow | None:
    row = db.conn.execute("SELECT id, name, role, active FROM clerks WHERE id = ?", [clerk_id]).fetchone()
    return ClerkRow(row[0], row[1], row[2], bool(row[3])) if row else None


def list_clerks(db: Database) -> list[ClerkRow]:
    return [ClerkRow(r[0], r[1], r[2], bool(r[3]))
            for r in db.conn.execute("SELECT id, name, role, active FROM clerks ORDER BY rowid")]


def set_role(db: Database, clerk_id: str, role: str) -> None:
    db.conn.execute("UPDATE clerks SET role = ? WHERE id = ?", [role, clerk_id])


def set_active(db: Database, clerk_id: str, active: bool) -> None:
    db.conn.execute("UPDATE clerks SET active = ? WHERE id = ?", [int(active), clerk_id])


def count_active_admins(db: Database, admin_role: str) -> int:
    return db.conn.execute("SELECT count(*) FROM clerks WHERE role = ? AND active = 1", [admin_role]).fetchone()[0]


def active_roles(conn) -> dict[str, str]:
    """Clerk id -> role of the active clerks, read through a plain connection (``conn.execute``),
    e.g. a read-only one to a backup file. A database from before roles (no ``role`` / ``active``
    column) gets what migration 0006 gives its clerks: every clerk active and 管理员."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(clerks)")}
    role = "role" if "role" in columns else "'管理员'"
    where = " WHERE active = 1" if "active" in columns else ""
    return dict(conn.execute(f"SELECT id, {role} FROM clerks{where}").fetchall())
