"""SQL for erasing one person (PIPL art. 47): which rows hold them, and the file-level
clean-up afterwards (the write-ahead log folded in and truncated)."""

from __future__ import annotations

from sqlite_utils import Database

# Attendance rows stay (an event's figures rest on them) but forget who signed in.
ATTENDANCE_PERSONAL = ("member_id", "walk_in_name", "walk_in_phone", "walk_in_occupation", "walk_in_employer")


def rows_to_delete(db: Database, member_id: str) -> list[tuple[str, str]]:
    """(table, id) of every synced row that belongs to the member, children first, so each
    delete meets no foreign key: card events, cards, status history, consents."""
    card_ids = [r[0] for r in db.conn.execute("SELECT id FROM cards WHERE member_id = ?", [member_id])]
    rows: list[tuple[str, str]] = []
    for card_id in card_ids:
        rows += [("card_events", r[0]) for r in db.conn.execute(
            "SELECT id FROM card_events WHERE card_id = ? ORDER BY id", [card_id])]
    rows += [("cards", c) for c in card_ids]
    for tbl in ("member_status_history", "consents"):
        rows += [(tbl, r[0]) for r in db.conn.execute(f"SELECT id FROM {tbl} WHERE member_id = ? ORDER BY id",
                                                      [member_id])]
    return rows


def attendance_of(db: Database, member_id: str) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT id FROM attendance WHERE member_id = ? ORDER BY id", [member_id])]


def truncate_wal(db: Database) -> bool:
    """Fold the WAL into the database and truncate it to zero bytes; False when another
    connection's open read kept part of it (it is truncated at the next checkpoint)."""
    busy, _log, _done = db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return busy == 0
