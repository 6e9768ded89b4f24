"""SQL for events, their attendance and tallies. Writes go through ``ctx.changes`` in the
service layer; this module reads."""

from __future__ import annotations

import json
from typing import Any, Sequence

from sqlite_utils import Database

from ..domain.records import Attendance, Event

_EVENT_COLUMNS = ("e.id", "e.type", "e.title", "e.event_date", "e.start_time", "e.end_time", "e.venue",
                  "e.union_id", "u.name", "e.sub_venues", "e.services", "e.notes", "e.created_at", "e.updated_at")
_EVENT_SELECT = f"SELECT {', '.join(_EVENT_COLUMNS)} FROM events e JOIN unions u ON u.id = e.union_id"

_ATT_COLUMNS = ("a.id", "a.event_id", "a.member_id", "a.is_walk_in", "a.walk_in_name", "a.walk_in_phone",
                "a.walk_in_occupation", "a.walk_in_employer", "a.method", "a.sub_venue", "a.signed_in_at",
                "a.joined_at", "m.name", "m.id_number", "m.phone", "m.occupation", "m.employer", "m.platform",
                "m.status")
_ATT_SELECT = f"SELECT {', '.join(_ATT_COLUMNS)} FROM attendance a LEFT JOIN members m ON m.id = a.member_id"


def _event(row: Sequence[Any]) -> Event:
    values = list(row)
    values[9] = tuple(json.loads(values[9] or "[]"))
    values[10] = tuple(json.loads(values[10] or "[]"))
    return Event(*values)


def _attendance(row: Sequence[Any]) -> Attendance:
    values = list(row)
    values[3] = bool(values[3])  # is_walk_in
    return Attendance(*values)


def event_by_id(db: Database, event_id: str) -> Event | None:
    row = db.conn.execute(f"{_EVENT_SELECT} WHERE e.id = ?", [event_id]).fetchone()
    return _event(row) if row else None


def list_events(db: Database, date_from: str | None, date_to: str | None, type_: str | None,
                title_fragment: str | None, limit: int) -> list[Event]:
    """Events newest first (by date, then start time)."""
    clauses, params = [], []
    if date_from:
        clauses.append("e.event_date >= ?")
        params.append(date_from)
    if date_to:
        clauses.append("e.event_date <= ?")
        params.append(date_to)
    if type_:
        clauses.append("e.type = ?")
        params.append(type_)
    if title_fragment:
        escaped = title_fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("e.title LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = db.conn.execute(f"{_EVENT_SELECT}{where} ORDER BY e.event_date DESC, e.start_time DESC, e.created_at DESC"
                           " LIMIT ?", [*params, limit])
    return [_event(r) for r in rows]


# ---------------------------------------------------------------- attendance
# A sign-in with ``duplicate_of`` set is one another laptop also made (the merge keeps the
# earliest, see clerk_app.sync.merge): it is kept but neither listed nor counted.

def attendance_by_id(db: Database, attendance_id: str) -> Attendance | None:
    row = db.conn.execute(f"{_ATT_SELECT} WHERE a.id = ?", [attendance_id]).fetchone()
    return _attendance(row) if row else None


def attendance_of_member(db: Database, event_id: str, member_id: str) -> Attendance | None:
    row = db.conn.execute(f"{_ATT_SELECT} WHERE a.event_id = ? AND a.member_id = ? AND a.duplicate_of IS NULL",
                          [event_id, member_id]).fetchone()
    return _attendance(row) if row else None


def member_at_event(db: Database, event_id: str, member_id: str) -> tuple[Attendance | None, tuple | None]:
    """(the member's sign-in at the event or None, the member's columns of an attendance row:
    name, ID number, phone, occupation, employer, platform, status — None if no such member),
    in one query: what a sign-in needs to check first and to show after."""
    row = db.conn.execute(
        f"SELECT {', '.join(_ATT_COLUMNS)} FROM members m LEFT JOIN attendance a ON a.event_id = ?"
        " AND a.member_id = m.id AND a.duplicate_of IS NULL WHERE m.id = ? LIMIT 1", [event_id, member_id]).fetchone()
    if row is None:
        return None, None
    return (_attendance(row) if row[0] is not None else None), tuple(row[_MEMBER_AT:])


_MEMBER_AT = _ATT_COLUMNS.index("m.name")


def walk_in_by_phone(db: Database, event_id: str, phone: str) -> Attendance | None:
    row = db.conn.execute(f"{_ATT_SELECT} WHERE a.event_id = ? AND a.walk_in_phone = ? AND a.is_walk_in = 1"
                          " ORDER BY a.signed_in_at, a.rowid LIMIT 1", [event_id, phone]).fetchone()
    return _attendance(row) if row else None


def attendance(db: Database, event_id: str) -> list[Attendance]:
    """Everyone signed in at an event, in the order they arrived."""
    rows = db.conn.execute(f"{_ATT_SELECT} WHERE a.event_id = ? AND a.duplicate_of IS NULL"
                           " ORDER BY a.signed_in_at, a.rowid", [event_id])
    return [_attendance(r) for r in rows]


def member_has_attendance(db: Database, member_id: str) -> bool:
    """Whether the member signed in at any event."""
    return db.conn.execute("SELECT 1 FROM attendance WHERE member_id = ? LIMIT 1", [member_id]).fetchone() is not None


def attendance_count(db: Database, event_id: str) -> int:
    return db.conn.execute("SELECT count(*) FROM attendance WHERE event_id = ? AND duplicate_of IS NULL",
                           [event_id]).fetchone()[0]


def members_by_phone(db: Database, phone: str) -> list[tuple[str, str, str, str]]:
    """(id, name, id_number, status) of members with this phone (through the search keys index)."""
    return db.conn.execute(
        "SELECT m.id, m.name, m.id_number, m.status FROM member_keys k JOIN members m ON m.id = k.member_id"
        " WHERE k.key = ? AND m.phone = ? ORDER BY m.rowid", ["d:" + phone[::-1], phone]).fetchall()


# ---------------------------------------------------------------- figures

def attendance_counts(db: Database, event_id: str) -> list[tuple[str | None, int, int]]:
    """(sub_venue, is_walk_in, count) for an event."""
    return db.conn.execute("SELECT sub_venue, is_walk_in, count(*) FROM attendance WHERE event_id = ? AND duplicate_of IS NULL"
                           " GROUP BY sub_venue, is_walk_in", [event_id]).fetchall()


def method_counts(db: Database, event_id: str) -> dict[str, int]:
    return dict(db.conn.execute("SELECT method, count(*) FROM attendance WHERE event_id = ? AND duplicate_of IS NULL"
                                " GROUP BY method",
                                [event_id]).fetchall())


def joined_count(db: Database, event_id: str) -> int:
    """Walk-ins who joined the union at this event (linked to a member at the desk; a member
    erased since keeps ``joined_at`` on the anonymous row, so the figure stands)."""
    return db.conn.execute("SELECT count(*) FROM attendance WHERE event_id = ? AND is_walk_in = 1"
                           " AND joined_at IS NOT NULL", [event_id]).fetchone()[0]


def cards_issued(db: Database, event_id: str) -> tuple[int, int]:
    """(cards handed out at the event, of which to people who joined there)."""
    row = db.conn.execute(
        "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM attendance a WHERE a.event_id = c.event_id"
        " AND a.member_id = c.member_id AND a.joined_at IS NOT NULL)), 0)"
        " FROM cards c WHERE c.event_id = ?", [event_id]).fetchone()
    return row[0], row[1]


def tally_total(db: Database, event_id: str, kind: str, label: str) -> int:
    return db.conn.execute("SELECT coalesce(sum(delta), 0) FROM event_tallies WHERE event_id = ? AND kind = ?"
                           " AND label = ?", [event_id, kind, label]).fetchone()[0]


def tally_totals(db: Database, event_id: str) -> list[tuple[str, str, int]]:
    """(kind, label, total) for every label tapped at least once (totals may be 0)."""
    return db.conn.execute("SELECT kind, label, sum(delta) FROM event_tallies WHERE event_id = ?"
                           " GROUP BY kind, label", [event_id]).fetchall()
