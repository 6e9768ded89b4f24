"""SQL that looks at one person across tables, for the two PIPL rights that need it: access
(art. 45: a copy of what is held about them) and erasure (art. 47: which rows hold them, and
the file-level clean-up afterwards — the write-ahead log folded in and truncated)."""

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


def sign_ins(db: Database, member_id: str) -> list[tuple[str, str, str, str, str]]:
    """(event date, event title, venue, signed-in stamp, method) of each sign-in, oldest first."""
    return db.conn.execute(
        "SELECT e.event_date, e.title, e.venue, a.signed_in_at, a.method FROM attendance a"
        " JOIN events e ON e.id = a.event_id WHERE a.member_id = ? ORDER BY e.event_date, a.signed_in_at",
        [member_id]).fetchall()


def card_events(db: Database, member_id: str) -> list[tuple[str, str, str, str]]:
    """(card number, event, date, reason) of every event of the member's cards, in date order."""
    return db.conn.execute(
        "SELECT c.card_no, ce.event, ce.event_date, ce.reason FROM card_events ce JOIN cards c ON c.id = ce.card_id"
        " WHERE c.member_id = ? ORDER BY ce.event_date, ce.recorded_at", [member_id]).fetchall()


def processing_log(db: Database, member_id: str) -> list[tuple[str, str, str]]:
    """(time, action, clerk name) of every audit entry about the member, oldest first."""
    return db.conn.execute(
        "SELECT a.at, a.action, coalesce(c.name, '') FROM audit_log a LEFT JOIN clerks c ON c.id = a.clerk_id"
        " WHERE a.entity_id = ? ORDER BY a.id", [member_id]).fetchall()
