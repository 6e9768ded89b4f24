"""SQL for service cards and their dated history. Writes go through ``ctx.changes`` in the
service layer; this module reads, and builds the register's filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from sqlite_utils import Database

from ..domain.records import Card, CardEvent, Holder

_COLUMNS = (
    "c.id", "c.card_no", "c.status", "c.issue_date", "c.issued_at", "c.status_date",
    "c.replaced_by_card_id", "r.card_no", "c.event_id", "c.created_at", "c.updated_at",
    "c.member_id", "m.name", "m.gender", "m.id_number", "m.status", "u.name",
)  # Card's fields in order, then its Holder's (see _card)
_FROM = ("FROM cards c JOIN members m ON m.id = c.member_id JOIN unions u ON u.id = m.union_id"
         " LEFT JOIN cards r ON r.id = c.replaced_by_card_id")
_SELECT = f"SELECT {', '.join(_COLUMNS)} {_FROM}"


def _card(row: Sequence[Any]) -> Card:
    return Card(*row[:11], Holder(*row[11:]))


def _one(db: Database, where: str, params: Sequence[Any]) -> Card | None:
    row = db.conn.execute(f"{_SELECT} WHERE {where}", list(params)).fetchone()
    return _card(row) if row else None


def by_id(db: Database, card_id: str) -> Card | None:
    return _one(db, "c.id = ?", [card_id])


def by_no(db: Database, card_no: str) -> Card | None:
    return _one(db, "c.card_no = ?", [card_no])


def by_ids(db: Database, card_ids: Sequence[str]) -> list[Card]:
    """Cards by id in the order given (one query, however many)."""
    rows = db.conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM json_each(?) j JOIN cards c ON c.id = j.value"
                           " JOIN members m ON m.id = c.member_id JOIN unions u ON u.id = m.union_id"
                           " LEFT JOIN cards r ON r.id = c.replaced_by_card_id ORDER BY j.key",
                           [json.dumps(list(card_ids))])
    return [_card(r) for r in rows]


def for_member(db: Database, member_id: str, statuses: Sequence[str] | None = None) -> list[Card]:
    """A member's cards, oldest first (optionally only those in ``statuses``)."""
    sql, params = f"{_SELECT} WHERE c.member_id = ?", [member_id]
    if statuses:
        sql += f" AND c.status IN ({', '.join('?' * len(statuses))})"
        params += list(statuses)
    return [_card(r) for r in db.conn.execute(sql + " ORDER BY c.issued_at, c.card_no", params)]


def events(db: Database, card_ids: Sequence[str]) -> list[CardEvent]:
    if not card_ids:
        return []
    marks = ", ".join("?" * len(card_ids))
    rows = db.conn.execute(
        "SELECT e.id, e.card_id, e.event, e.event_date, e.reason, e.other_card_id, o.card_no, e.recorded_at"
        f" FROM card_events e LEFT JOIN cards o ON o.id = e.other_card_id WHERE e.card_id IN ({marks})"
        " ORDER BY e.event_date, e.recorded_at, e.rowid", list(card_ids))
    return [CardEvent(*r) for r in rows]


@dataclass(frozen=True)
class RegisterFilter:
    """Filters of the card register. ``number_fragment`` is a normalised card-number piece,
    ``name_fragment`` a piece of the holder's name, ``key_prefixes`` member search keys
    (``p:`` pinyin, ``d:`` reversed digits of ID/phone; see members_repo)."""

    status: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    number_fragment: str | None = None
    name_fragment: str | None = None
    key_prefixes: tuple[str, ...] = ()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(f: RegisterFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.status:
        clauses.append("c.status = ?")
        params.append(f.status)
    if f.date_from:
        clauses.append("c.issue_date >= ?")
        params.append(f.date_from)
    if f.date_to:
        clauses.append("c.issue_date <= ?")
        params.append(f.date_to)
    either: list[str] = []
    if f.number_fragment:
        either.append("c.card_no LIKE ? ESCAPE '\\'")
        params.append(f"%{_escape_like(f.number_fragment)}%")
    if f.name_fragment:
        either.append("m.name LIKE ? ESCAPE '\\'")
        params.append(f"%{_escape_like(f.name_fragment)}%")
    for prefix in f.key_prefixes:
        either.append("c.member_id IN (SELECT member_id FROM member_keys WHERE key GLOB ?)")
        params.append(prefix.replace("[", "").replace("*", "").replace("?", "") + "*")
    if either:
        clauses.append("(" + " OR ".join(either) + ")")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def register(db: Database, f: RegisterFilter, limit: int, offset: int) -> tuple[list[Card], int]:
    """One page of the card register (newest issue first) and the number of matching cards."""
    where, params = _where(f)
    total = db.conn.execute(f"SELECT count(*) {_FROM}{where}", params).fetchone()[0]
    rows = db.conn.execute(f"{_SELECT}{where} ORDER BY c.issue_date DESC, c.issued_at DESC, c.card_no DESC"
                           " LIMIT ? OFFSET ?", [*params, limit, offset])
    return [_card(r) for r in rows], total


def highest_no_with_prefix(db: Database, prefix: str, length: int) -> str | None:
    """The largest card number of ``length`` characters starting with ``prefix`` (its
    sequence part is zero-padded, so the largest string has the largest sequence)."""
    row = db.conn.execute(
        "SELECT max(card_no) FROM cards WHERE card_no GLOB ? AND length(card_no) = ?",
        [prefix + "*", length]).fetchone()
    return row[0] if row else None


def count_by_status(db: Database) -> dict[str, int]:
    return dict(db.conn.execute("SELECT status, count(*) FROM cards GROUP BY status").fetchall())
