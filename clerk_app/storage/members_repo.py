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
    """The pinyin (``p:``) and reversed-digit (``d:``) keys: searched by prefix."""
    keys = {"p:" + k for k in name_keys(name)}
    for digits in (id_number, phone):
        if digits:
            keys.add("d:" + digits[::-1])
    return keys


# Name fragments: every character (``c:``) and every pair of neighbouring characters (``b:``)
# of the name, lower-cased, each followed by the member's rowid zero-padded, so that one gram's
# keys sit in the index newest member last. A fragment of one or two characters is then one
# index range read backwards (newest first, stopping at the limit); a longer one reads its
# rarest pair's range and checks the whole fragment on the rows found. The rowid only orders:
# rows are always fetched by member id, and every row is checked against the fragment.
GRAM_SEP = "\x1f"
_ROWID_DIGITS = 12


def _fold(text: str) -> str:
    """Lower-cased character by character (a character whose lower case is two, such as
    "İ", stays as it is, so grams and the fragment keep their lengths)."""
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def name_grams(text: str) -> set[str]:
    """The character and pair grams of ``text`` (lower-cased): ``c:X`` and ``b:XY``."""
    text = _fold(text)
    grams = {"c:" + ch for ch in text}
    grams.update("b:" + text[i:i + 2] for i in range(len(text) - 1))
    return grams


def gram_keys(name: str, rowid: int) -> set[str]:
    return {f"{g}{GRAM_SEP}{rowid:0{_ROWID_DIGITS}d}" for g in name_grams(name)}


def gram_range(gram: str) -> tuple[str, str]:
    """The bounds (exclusive) of one gram's keys."""
    return gram + GRAM_SEP, gram + chr(ord(GRAM_SEP) + 1)


def write_keys(db: Database, member_id: str, name: str, id_number: str, phone: str) -> None:
    db.conn.execute("DELETE FROM member_keys WHERE member_id = ?", [member_id])
    found = db.conn.execute("SELECT rowid FROM members WHERE id = ?", [member_id]).fetchone()
    keys = search_keys(name, id_number, phone) | (gram_keys(name, found[0]) if found else set())
    db.conn.executemany("INSERT OR IGNORE INTO member_keys (key, member_id) VALUES (?, ?)",
                        [(k, member_id) for k in keys])


def add_keys(db: Database, members: Iterable[tuple[str, str, str, str]]) -> None:
    """The search keys of members just created, ``(member_id, name, id_number, phone)`` each:
    one ``executemany``, nothing to delete first (a bulk registration's)."""
    members = list(members)
    rowids: dict[str, int] = {}
    for start in range(0, len(members), 500):  # the name grams carry each member's rowid
        part = [m[0] for m in members[start:start + 500]]
        rowids.update(db.conn.execute(
            f"SELECT id, rowid FROM members WHERE id IN ({','.join('?' * len(part))})", part))
    db.conn.executemany("INSERT OR IGNORE INTO member_keys (key, member_id) VALUES (?, ?)",
                        [(k, member_id) for member_id, name, id_number, phone in members
                         for k in search_keys(name, id_number, phone)
                         | (gram_keys(name, rowids[member_id]) if member_id in rowids else set())])


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
    """Members with a search key starting with ``prefix``, in key order (pinyin results come
    alphabetically). One member can own several matching keys (several readings, initials and
    full pinyin): the distinct member ids are picked from the key index alone (the first
    ``limit`` of the first ``4 * limit`` keys, as before), and only their rows are fetched."""
    ids: dict[str, None] = {}
    for (member_id,) in db.conn.execute("SELECT member_id FROM member_keys WHERE key GLOB ? LIMIT ?",
                                        [prefix + "*", limit * 4]):
        ids[member_id] = None
        if len(ids) == limit:
            break
    return _in_order(db, list(ids))


def _in_order(db: Database, member_ids: list[str]) -> list[MemberRow]:
    """The rows of ``member_ids`` in that order (fetched by primary key, a batch at a time)."""
    found: dict[str, MemberRow] = {}
    for start in range(0, len(member_ids), 500):
        part = member_ids[start:start + 500]
        for row in db.conn.execute(_SELECT + f" WHERE m.id IN ({','.join('?' * len(part))})", part):
            found[row[1]] = MemberRow(*row)
    return [found[i] for i in member_ids if i in found]


def by_name_fragment(db: Database, fragment: str, limit: int) -> list[MemberRow]:
    """Exact name matches first (name index), then names containing the fragment, newest
    first (rowid order), at most ``limit`` in all.

    The containing names come from the fragment's gram keys (see :func:`name_grams`): one
    index range read newest first, each candidate checked with the same LIKE as ever, and
    stopping at the limit — at 1,000,000 members a few hundred index entries instead of a
    scan of the whole name index (56 ms)."""
    exact = _rows(db.conn.execute(_SELECT + f" WHERE m.name = ? AND {SHOWN} ORDER BY m.rowid DESC LIMIT ?",
                                  [fragment, limit]))
    if len(exact) >= limit:
        return exact
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    low, high = gram_range(_rarest_gram(db, fragment))
    cursor = db.conn.execute(
        f"SELECT {', '.join(LIST_COLUMNS)} FROM member_keys k JOIN members m ON m.id = k.member_id"
        " JOIN unions u ON u.id = m.union_id"
        f" WHERE k.key > ? AND k.key < ? AND m.name LIKE ? ESCAPE '\\' AND m.name != ? AND {SHOWN}"
        " ORDER BY k.key DESC LIMIT ?", [low, high, f"%{escaped}%", fragment, limit - len(exact)])
    return exact + sorted(_rows(cursor), key=lambda r: -r.rowid)


_GRAM_COUNT_CAP = 2000


def _rarest_gram(db: Database, fragment: str) -> str:
    """The gram whose key range is shortest: the fragment itself when it is one or two
    characters, else the rarest of its pairs (counted up to a cap, each a short index read)."""
    grams = sorted(g for g in name_grams(fragment) if g.startswith("b:")) or sorted(name_grams(fragment))
    if len(fragment) <= 2 or len(grams) == 1:
        return ("c:" if len(fragment) == 1 else "b:") + _fold(fragment)
    best, fewest = grams[0], None
    for gram in grams:
        low, high = gram_range(gram)
        n = db.conn.execute("SELECT count(*) FROM (SELECT 1 FROM member_keys WHERE key > ? AND key < ? LIMIT ?)",
                            [low, high, _GRAM_COUNT_CAP]).fetchone()[0]
        if fewest is None or n < fewest:
            best, fewest = gram, n
            if n == 0:
                break
    return best


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
