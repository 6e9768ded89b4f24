"""SQL for members: records, rows for lists, lookups for duplicates, local search keys."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Iterable, Iterator

from sqlite_utils import Database

from ..domain.pinyin_keys import name_keys
from ..domain.records import Consent, Member, MemberRow, MemberWithCard, StatusChange

LIST_COLUMNS = ("m.rowid", "m.id", "m.name", "m.gender", "m.birth_date", "m.id_number", "m.phone",
                "m.occupation", "m.platform", "m.employer", "u.name", "m.status", "m.join_date",
                "m.missing_fields")
_SELECT = f"SELECT {', '.join(LIST_COLUMNS)} FROM members m JOIN unions u ON u.id = m.union_id"
# Every field of Member in its order: the members columns named one by one (a column added
# by a later migration does not shift the positions), then the union's name.
MEMBER_COLUMNS = tuple(f"m.{f.name}" for f in fields(Member) if f.name != "union_name") + ("u.name",)
_MEMBER_SELECT = f"SELECT {', '.join(MEMBER_COLUMNS)} FROM members m JOIN unions u ON u.id = m.union_id"


def _rows(cursor: Iterable[tuple]) -> list[MemberRow]:
    return [MemberRow(*r) for r in cursor]


def search_keys(name: str, id_number: str, phone: str) -> set[str]:
    keys = {"p:" + k for k in name_keys(name)}
    for digits in (id_number, phone):
        if digits:
            keys.add("d:" + digits[::-1])
    return keys


def write_keys(db: Database, member_id: str, name: str, id_number: str, phone: str) -> None:
    db.conn.execute("DELETE FROM member_keys WHERE member_id = ?", [member_id])
    db.conn.executemany("INSERT OR IGNORE INTO member_keys (key, member_id) VALUES (?, ?)",
                        [(k, member_id) for k in search_keys(name, id_number, phone)])


def add_keys(db: Database, members: Iterable[tuple[str, str, str, str]]) -> None:
    """The search keys of members just created, ``(member_id, name, id_number, phone)`` each:
    one ``executemany``, nothing to delete first (a bulk registration's)."""
    db.conn.executemany("INSERT OR IGNORE INTO member_keys (key, member_id) VALUES (?, ?)",
                        [(k, member_id) for member_id, name, id_number, phone in members
                         for k in search_keys(name, id_number, phone)])


def by_id_numbers(db: Database, numbers: Iterable[str]) -> dict[str, MemberRow]:
    """The (shown) member registered under each of ``numbers`` that is registered: one query,
    the numbers as a table (``json_each``) joined to the ID-number index."""
    rows = db.conn.execute(
        f"SELECT {', '.join(LIST_COLUMNS)} FROM json_each(?) j JOIN members m ON m.id_number = j.value"
        f" JOIN unions u ON u.id = m.union_id WHERE {SHOWN}", [json.dumps(sorted(set(numbers)))])
    return {row.id_number: row for row in _rows(rows)}


def by_names_births(db: Database, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[MemberRow]]:
    """The (shown) members with each ``(name, birth date)`` of ``pairs`` that has any, in
    :func:`by_name_birth`'s order: one query joined to the name + birth-date index."""
    rows = db.conn.execute(
        f"SELECT {', '.join(LIST_COLUMNS)} FROM json_each(?) j"
        " JOIN members m ON m.name = json_extract(j.value, '$[0]') AND m.birth_date = json_extract(j.value, '$[1]')"
        f" JOIN unions u ON u.id = m.union_id WHERE {SHOWN} ORDER BY m.rowid",
        [json.dumps(sorted(set(pairs)), ensure_ascii=False)])
    found: dict[tuple[str, str], list[MemberRow]] = {}
    for row in _rows(rows):
        found.setdefault((row.name, row.birth_date), []).append(row)
    return found


def get(db: Database, member_id: str) -> Member | None:
    row = db.conn.execute(_MEMBER_SELECT + " WHERE m.id = ?", [member_id]).fetchone()
    return Member(*row) if row else None


def by_id_number(db: Database, id_number: str) -> MemberRow | None:
    rows = _rows(db.conn.execute(_SELECT + f" WHERE m.id_number = ? AND {SHOWN}", [id_number]))
    return rows[0] if rows else None


def by_name_birth(db: Database, name: str, birth_date: str, exclude_id: str = "") -> list[MemberRow]:
    return _rows(db.conn.execute(
        _SELECT + f" WHERE m.name = ? AND m.birth_date = ? AND m.id != ? AND {SHOWN} ORDER BY m.rowid",
        [name, birth_date, exclude_id]))


def by_key_prefix(db: Database, prefix: str, limit: int) -> list[MemberRow]:
    """Members with a search key starting with ``prefix``: an index range in key order, so
    pinyin results come alphabetically. One member can own several matching keys (several readings,
    initials and full pinyin), so repeats are dropped here rather than by DISTINCT + sort in
    SQL (which tripled the cost at 200k members)."""
    cursor = db.conn.execute(
        f"SELECT {', '.join(LIST_COLUMNS)} FROM member_keys k JOIN members m ON m.id = k.member_id"
        " JOIN unions u ON u.id = m.union_id WHERE k.key GLOB ? LIMIT ?", [prefix + "*", limit * 4])
    seen: dict[str, MemberRow] = {}
    for row in cursor:
        if row[1] not in seen:
            seen[row[1]] = MemberRow(*row)
            if len(seen) == limit:
                break
    return list(seen.values())


def by_name_fragment(db: Database, fragment: str, limit: int) -> list[MemberRow]:
    """Exact name matches first (index), then names containing the fragment, newest first.

    Measured at 200k members: a single character (usually a common surname, thousands of
    matches) is fastest walking the table newest-first and stopping at ``limit`` (1 ms for
    "王"); a longer fragment matches few rows, so scanning the much smaller name index and
    fetching only the matches wins (18 ms instead of 45-70 ms for a full table scan)."""
    exact = _rows(db.conn.execute(_SELECT + f" WHERE m.name = ? AND {SHOWN} ORDER BY m.rowid DESC LIMIT ?",
                                  [fragment, limit]))
    if len(exact) >= limit:
        return exact
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if len(fragment) == 1:
        where = "m.name LIKE ? ESCAPE '\\'"
    else:
        where = "m.rowid IN (SELECT rowid FROM members WHERE name LIKE ? ESCAPE '\\')"
    return exact + _rows(db.conn.execute(
        _SELECT + f" WHERE {where} AND m.name != ? AND {SHOWN} ORDER BY m.rowid DESC LIMIT ?",
        [f"%{escaped}%", fragment, limit - len(exact)]))


# Not merged into another record at the district (sync.merge; services.person_merge): a merged
# record stays for replayed packages to land on, but lists and search never show it.
SHOWN = "m.merged_into IS NULL"

# 资料待补全, written so that SQLite walks the partial index idx_members_incomplete (which
# holds only incomplete members, in rowid order) instead of the whole table.
INCOMPLETE = "(m.missing_fields != '') = 1 AND m.missing_fields != ''"


def page(db: Database, before_rowid: int | None, limit: int, incomplete: bool = False) -> list[MemberRow]:
    """Newest first, keyset-paged by rowid (constant cost whatever the page); ``incomplete``:
    only members marked 资料待补全."""
    where = [INCOMPLETE, SHOWN] if incomplete else [SHOWN]
    params: list = []
    if before_rowid is not None:
        where.append("m.rowid < ?")
        params.append(before_rowid)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return _rows(db.conn.execute(_SELECT + clause + " ORDER BY m.rowid DESC LIMIT ?", [*params, limit]))


def all_ids(db: Database) -> list[str]:
    """Every member's id, newest first (the members page's order)."""
    return [r[0] for r in db.conn.execute(f"SELECT id FROM members m WHERE {SHOWN} ORDER BY rowid DESC")]


def count(db: Database, incomplete: bool = False) -> int:
    if incomplete:
        return db.conn.execute(f"SELECT count(*) FROM members m WHERE {INCOMPLETE} AND {SHOWN}").fetchone()[0]
    # all rows less the merged ones (a partial index): a WHERE would walk the whole table
    return db.conn.execute("SELECT (SELECT count(*) FROM members)"
                           " - (SELECT count(*) FROM members WHERE merged_into IS NOT NULL)").fetchone()[0]


def status_history(db: Database, member_id: str) -> list[StatusChange]:
    return [StatusChange(*r) for r in db.conn.execute(
        "SELECT id, member_id, status, effective_date, reason, channel, recorded_at FROM member_status_history"
        " WHERE member_id = ? ORDER BY effective_date, recorded_at, rowid", [member_id])]


def last_status_change(db: Database, member_id: str) -> tuple[str, str] | None:
    """(status, effective date) of the member's latest status change, in history order."""
    return db.conn.execute(
        "SELECT status, effective_date FROM member_status_history WHERE member_id = ?"
        " ORDER BY effective_date DESC, recorded_at DESC, rowid DESC LIMIT 1", [member_id]).fetchone()


def dependent_rows(db: Database, member_id: str) -> list[tuple[str, str]]:
    """(table, id) of the rows that go with a member when the member record is deleted:
    status history and consents."""
    return [(tbl, row_id) for tbl in ("member_status_history", "consents")
            for (row_id,) in db.conn.execute(f"SELECT id FROM {tbl} WHERE member_id = ?", [member_id])]


def identities(db: Database) -> list[tuple[str, str, str, str]]:
    """(id_number, phone, name, birth_date) of every member."""
    return db.conn.execute("SELECT id_number, phone, name, birth_date FROM members").fetchall()


def consents(db: Database, member_id: str) -> list[Consent]:
    return [Consent(*r) for r in db.conn.execute(
        "SELECT id, member_id, notice_version, consented_at, method, clerk_id, basis FROM consents"
        " WHERE member_id = ? ORDER BY consented_at", [member_id])]


# The member's open card (active first, then a lost card not yet replaced), picked in the join
# itself so a list of members with their card number is one query, whatever its length.
_OPEN_CARD = ("LEFT JOIN cards c ON c.id = (SELECT oc.id FROM cards oc WHERE oc.member_id = m.id"
              " AND oc.status IN ('active', 'lost') ORDER BY oc.status = 'active' DESC, oc.issued_at DESC"
              " LIMIT 1)")


def with_open_card(db: Database, member_ids: list[str] | None = None, *, status: str | None = None,
                   union_id: str | None = None) -> Iterator[MemberWithCard]:
    """Member records with the number and status of their open card (or None) in ONE query:
    ``member_ids`` in their order, or everyone newest first."""
    clauses, params = [], []
    if member_ids is not None:
        source = "json_each(?) j JOIN members m ON m.id = j.value"
        params.append(json.dumps(member_ids))
        order = "j.key"
    else:
        source, order = "members m", "m.rowid DESC"
    if status:
        clauses.append("m.status = ?")
        params.append(status)
    if union_id:
        clauses.append("m.union_id = ?")
        params.append(union_id)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    cur = db.conn.execute(
        f"SELECT {', '.join(MEMBER_COLUMNS)}, c.card_no, c.status FROM {source}"
        f" JOIN unions u ON u.id = m.union_id {_OPEN_CARD}{where} ORDER BY {order}", params)
    n = len(MEMBER_COLUMNS)
    for row in cur:
        yield MemberWithCard(Member(*row[:n]), row[n], row[n + 1])
