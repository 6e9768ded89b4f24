"""SQL the merge of other laptops' changes needs (the rules are in :mod:`clerk_app.sync.merge`).

Plain, portable SQL only (parameters, ``ON CONFLICT … DO NOTHING``, no SQLite-only
functions): the city tier runs the same merge on PostgreSQL. Table and column names come
from the sync policy, never from a package, and are checked by :func:`_q` all the same.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

from sqlite_utils import Database

from .audit import digest_v2
from .changes import _q


def columns(db: Database, tbl: str) -> list[str]:
    return [r[1] for r in db.conn.execute(f"PRAGMA table_info({_q(tbl)})")]


# ---------------------------------------------------------------- rows

def row_exists(db: Database, tbl: str, row_id: str) -> bool:
    return db.conn.execute(f"SELECT 1 FROM {_q(tbl)} WHERE id = ?", [row_id]).fetchone() is not None


def get_row(db: Database, tbl: str, row_id: str) -> dict[str, Any] | None:
    cur = db.conn.execute(f"SELECT * FROM {_q(tbl)} WHERE id = ?", [row_id])
    row = cur.fetchone()
    return None if row is None else {d[0]: v for d, v in zip(cur.description, row)}


def insert_row(db: Database, tbl: str, row: dict[str, Any]) -> None:
    cols = list(row)
    db.conn.execute(f"INSERT INTO {_q(tbl)} ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))})",
                    [row[c] for c in cols])


def set_fields(db: Database, tbl: str, row_id: str, values: dict[str, Any]) -> None:
    if values:
        sets = ", ".join(f"{_q(c)} = ?" for c in values)
        db.conn.execute(f"UPDATE {_q(tbl)} SET {sets} WHERE id = ?", [*values.values(), row_id])


def delete_row(db: Database, tbl: str, row_id: str) -> None:
    db.conn.execute(f"DELETE FROM {_q(tbl)} WHERE id = ?", [row_id])


def ids_where(db: Database, tbl: str, column: str, value: str) -> list[str]:
    return [r[0] for r in db.conn.execute(
        f"SELECT id FROM {_q(tbl)} WHERE {_q(column)} = ? ORDER BY id", [value])]


def all_ids(db: Database, tbl: str) -> list[str]:
    return [r[0] for r in db.conn.execute(f"SELECT id FROM {_q(tbl)} ORDER BY id")]


def tombstoned(db: Database, tbl: str, row_id: str) -> bool:
    return db.conn.execute("SELECT 1 FROM tombstones WHERE tbl = ? AND row_id = ?",
                           [tbl, row_id]).fetchone() is not None


def add_tombstone(db: Database, tbl: str, row_id: str, hlc: str, site_id: str) -> None:
    db.conn.execute("INSERT INTO tombstones (tbl, row_id, hlc, site_id) VALUES (?,?,?,?)"
                    " ON CONFLICT (tbl, row_id) DO NOTHING", [tbl, row_id, hlc, site_id])


# ---------------------------------------------------------------- parked changes

def park(db: Database, record: dict[str, Any], reason: str, wait_tbl: str, wait_id: str, at: str) -> None:
    db.conn.execute(
        "INSERT INTO parked_changes (origin_site, origin_epoch, origin_seq, txn_id, tbl, row_id, reason, wait_tbl,"
        " wait_id, record, parked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (origin_site, origin_epoch, origin_seq) DO NOTHING",
        [record["origin"], record["epoch"], record["seq"], record["txn"], record["tbl"], record["row_id"], reason,
         wait_tbl, wait_id,
         json.dumps(record, ensure_ascii=False, sort_keys=True), at])


def parked_record(db: Database, origin: str, epoch: int, seq: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT record FROM parked_changes WHERE origin_site = ? AND origin_epoch = ?"
                          " AND origin_seq = ?", [origin, epoch, seq]).fetchone()
    return json.loads(row[0]) if row else None


def take_parked(db: Database, *, reason: str, wait_tbl: str | None = None,
                wait_id: str | None = None) -> list[dict[str, Any]]:
    """Remove and return the parked records for ``reason`` (and, if given, waiting for that row)."""
    sql = "SELECT id, record FROM parked_changes WHERE reason = ?"
    params: list[Any] = [reason]
    if wait_tbl is not None:
        sql += " AND wait_tbl = ? AND wait_id = ?"
        params += [wait_tbl, wait_id]
    rows = db.conn.execute(sql + " ORDER BY id", params).fetchall()
    for rid, _ in rows:
        db.conn.execute("DELETE FROM parked_changes WHERE id = ?", [rid])
    return [json.loads(r[1]) for r in rows]


def set_aside(db: Database, tbl: str, row_id: str) -> bool:
    """Whether changes of this row are parked because a row it points to was deleted."""
    return db.conn.execute("SELECT 1 FROM parked_changes WHERE tbl = ? AND row_id = ? AND reason = 'parent_deleted'",
                           [tbl, row_id]).fetchone() is not None


def parked_counts(db: Database) -> dict[str, int]:
    return dict(db.conn.execute("SELECT reason, count(*) FROM parked_changes GROUP BY reason").fetchall())


# ---------------------------------------------------------------- inbox, alarms, duplicates

def add_conflict(db: Database, kind: str, tbl: str, row_id: str, field: str, key: str,
                 detail: dict[str, Any], at: str) -> None:
    db.conn.execute(
        "INSERT INTO sync_conflicts (kind, tbl, row_id, field, key, detail, found_at) VALUES (?,?,?,?,?,?,?)"
        " ON CONFLICT (kind, tbl, row_id, field, key) DO NOTHING",
        [kind, tbl, row_id, field, key, json.dumps(detail, ensure_ascii=False, sort_keys=True), at])


def conflicts(db: Database, kind: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT kind, tbl, row_id, field, key, detail FROM sync_conflicts"
    params: list[Any] = []
    if kind:
        sql += " WHERE kind = ?"
        params.append(kind)
    return [{"kind": r[0], "tbl": r[1], "row_id": r[2], "field": r[3], "key": r[4], "detail": json.loads(r[5])}
            for r in db.conn.execute(sql + " ORDER BY kind, tbl, row_id, field, key", params)]


# Bookkeeping stamps two laptops always both change with an edit: their "conflict" is no one's
# decision (the last writer's stamp stands), so the inbox does not list it.
NOT_FOR_DECISION = ("updated_at",)
_OPEN = f"resolved_at IS NULL AND field NOT IN ({', '.join(repr(f) for f in NOT_FOR_DECISION)})"


def open_conflicts(db: Database) -> list[dict[str, Any]]:
    """The inbox as a person works through it: undecided entries, oldest first, with their ids."""
    return [{"id": r[0], "kind": r[1], "tbl": r[2], "row_id": r[3], "field": r[4], "key": r[5],
             "detail": json.loads(r[6]), "found_at": r[7]}
            for r in db.conn.execute("SELECT id, kind, tbl, row_id, field, key, detail, found_at FROM sync_conflicts"
                                     f" WHERE {_OPEN} ORDER BY found_at, id")]


def open_conflict(db: Database, conflict_id: int) -> dict[str, Any] | None:
    return next((c for c in open_conflicts(db) if c["id"] == conflict_id), None)


def count_open_conflicts(db: Database) -> int:
    return db.conn.execute(f"SELECT count(*) FROM sync_conflicts WHERE {_OPEN}").fetchone()[0]


def resolve_conflict(db: Database, conflict_id: int, at: str) -> None:
    db.conn.execute("UPDATE sync_conflicts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL", [at, conflict_id])


def uncounted_sign_ins(db: Database) -> list[tuple[str, str, int]]:
    """(event, member, sign-ins) where one person has more than one sign-in that counts: a
    breach of "one counted sign-in per person per event" (the merge normally prevents it)."""
    return db.conn.execute(
        "SELECT event_id, member_id, count(*) FROM attendance WHERE duplicate_of IS NULL AND member_id IS NOT NULL"
        " AND member_id <> '' GROUP BY event_id, member_id HAVING count(*) > 1 ORDER BY event_id, member_id").fetchall()


def duplicate_sign_ins(db: Database) -> int:
    """Sign-ins kept as duplicates of an earlier one (they do not count)."""
    return db.conn.execute("SELECT count(*) FROM attendance WHERE duplicate_of IS NOT NULL").fetchone()[0]


def created_by(db: Database, tbl: str, row_id: str) -> str | None:
    """The site whose change record made the row (its first create), None if not logged."""
    row = db.conn.execute("SELECT site_id FROM change_log WHERE tbl = ? AND row_id = ? AND op = 'create'"
                          " ORDER BY hlc, site_id LIMIT 1", [tbl, row_id]).fetchone()
    return row[0] if row else None


def add_alarm(db: Database, kind: str, origin: str, epoch: int, seq: int, detail: dict[str, Any], at: str) -> None:
    db.conn.execute(
        "INSERT INTO sync_alarms (kind, origin_site, origin_epoch, origin_seq, detail, found_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT (kind, origin_site, origin_epoch, origin_seq) DO NOTHING",
        [kind, origin, epoch, seq, json.dumps(detail, ensure_ascii=False, sort_keys=True), at])


def alarms(db: Database) -> list[tuple[str, str, int, int, dict]]:
    return [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in db.conn.execute(
        "SELECT kind, origin_site, origin_epoch, origin_seq, detail FROM sync_alarms"
        " ORDER BY kind, origin_site, origin_epoch, origin_seq")]


def same_id_number(db: Database, member_id: str) -> list[str]:
    """Other members with the ID number of ``member_id`` (two laptops registered one person)."""
    return [r[0] for r in db.conn.execute(
        "SELECT o.id FROM members m JOIN members o ON o.id_number = m.id_number AND o.id <> m.id"
        " WHERE m.id = ? AND m.merged_into IS NULL AND o.merged_into IS NULL ORDER BY o.id", [member_id])]


def survivor(db: Database, member_id: str) -> str:
    """The member a merged record now lives on (following merges of merges); itself if none."""
    seen = {member_id}
    while True:
        row = db.conn.execute("SELECT merged_into FROM members WHERE id = ?", [member_id]).fetchone()
        if row is None or not row[0] or row[0] in seen:
            return member_id
        member_id = row[0]
        seen.add(member_id)


def merged_members(db: Database, member_ids: Iterable[str]) -> list[str]:
    """Those of ``member_ids`` that were merged into another record (in the order given)."""
    ids = list(member_ids)
    merged = set()
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        merged.update(r[0] for r in db.conn.execute(
            f"SELECT id FROM members WHERE merged_into IS NOT NULL AND id IN ({', '.join('?' * len(part))})", part))
    return [m for m in ids if m in merged]


def all_merged_members(db: Database) -> set[str]:
    return {r[0] for r in db.conn.execute("SELECT id FROM members WHERE merged_into IS NOT NULL")}


def existing_ids(db: Database, tbl: str, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are rows of ``tbl``."""
    ids = list(ids)
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        found.update(r[0] for r in db.conn.execute(
            f"SELECT id FROM {_q(tbl)} WHERE id IN ({', '.join('?' * len(part))})", part))
    return found


def tombstoned_ids(db: Database, row_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(table, id) of the tombstones of any of ``row_ids``."""
    ids = list(row_ids)
    found: set[tuple[str, str]] = set()
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        found.update((r[0], r[1]) for r in db.conn.execute(
            f"SELECT tbl, row_id FROM tombstones WHERE row_id IN ({', '.join('?' * len(part))})", part))
    return found


def waiting_rows(db: Database) -> set[tuple[str, str]]:
    """(table, id) of the rows parked changes are waiting for."""
    return {(r[0], r[1]) for r in db.conn.execute(
        "SELECT DISTINCT wait_tbl, wait_id FROM parked_changes WHERE reason = 'waiting'")}


def repoint(db: Database, tbl: str, fld: str, old: str, new: str) -> list[str]:
    """Point ``tbl``'s rows whose ``fld`` is ``old`` at ``new``; returns their ids."""
    ids = ids_where(db, tbl, fld, old)
    if ids:
        db.conn.execute(f"UPDATE {_q(tbl)} SET {_q(fld)} = ? WHERE {_q(fld)} = ?", [new, old])
    return ids


def drop_search_keys(db: Database, member_id: str) -> None:
    db.conn.execute("DELETE FROM member_keys WHERE member_id = ?", [member_id])


def add_duplicate_pair(db: Database, a: str, b: str, rule: str, at: str) -> None:
    first, second = sorted((a, b))
    db.conn.execute("INSERT INTO duplicate_pairs (member_a, member_b, rule, found_at) VALUES (?,?,?,?)"
                    " ON CONFLICT (member_a, member_b) DO NOTHING", [first, second, rule, at])


def decide_pair(db: Database, a: str, b: str, decision: str, at: str) -> None:
    """Record a person's decision on a pair ('merged' or 'distinct'); the pair is added if the
    merge had not listed it (a clerk may merge two records with different ID numbers)."""
    first, second = sorted((a, b))
    db.conn.execute("INSERT INTO duplicate_pairs (member_a, member_b, rule, found_at) VALUES (?,?,?,?)"
                    " ON CONFLICT (member_a, member_b) DO NOTHING", [first, second, "person", at])
    db.conn.execute("UPDATE duplicate_pairs SET decision = ?, decided_at = ? WHERE member_a = ? AND member_b = ?",
                    [decision, at, first, second])


def duplicate_pairs(db: Database) -> list[tuple[str, str, str, str]]:
    return db.conn.execute("SELECT member_a, member_b, rule, decision FROM duplicate_pairs"
                           " ORDER BY member_a, member_b").fetchall()


# ---------------------------------------------------------------- the audit section

AUDIT_FIELDS = ("site_id", "id", "at", "clerk_id", "action", "entity", "entity_id", "detail", "prev_hash", "hash")


def audit_entries(db: Database, after_id: int = 0) -> list[dict[str, Any]]:
    """This laptop's own audit entries after ``after_id``, as a package carries them."""
    return [dict(zip(AUDIT_FIELDS, r)) for r in db.conn.execute(
        f"SELECT {', '.join(AUDIT_FIELDS)} FROM audit_log WHERE id > ? ORDER BY id", [after_id])]


def merge_audit(db: Database, entries: Iterable[dict[str, Any]], at: str) -> list[tuple[str, int]]:
    """Keep other laptops' audit entries (append-only, by site and id). Returns the keys that
    were already held with another hash (an alarm for the caller); those are not replaced."""
    clashes = []
    for e in entries:
        held = db.conn.execute("SELECT hash FROM audit_remote WHERE site_id = ? AND id = ?",
                               [e["site_id"], e["id"]]).fetchone()
        if held is None:
            db.conn.execute(
                f"INSERT INTO audit_remote ({', '.join(AUDIT_FIELDS)}, received_at) VALUES"
                f" ({', '.join('?' * len(AUDIT_FIELDS))}, ?)", [*(e[f] for f in AUDIT_FIELDS), at])
        elif held[0] != e["hash"]:
            clashes.append((e["site_id"], e["id"]))
    return clashes


def audit_breaks(db: Database) -> list[tuple[str, int]]:
    """(site, id) of received audit entries whose hash does not recompute, or whose previous
    entry (``prev_hash``) was never received: a tampered entry, or a gap in that laptop's chain."""
    rows = db.conn.execute(f"SELECT {', '.join(AUDIT_FIELDS)} FROM audit_remote ORDER BY site_id, id").fetchall()
    hashes = {r[9] for r in rows}
    broken = []
    for site, rid, at_, clerk, action, entity, entity_id, detail, prev, digest in rows:
        if digest_v2(prev, site, at_, clerk, action, entity, entity_id, detail) != digest or (prev and prev not in hashes):
            broken.append((site, rid))
    return broken


# ---------------------------------------------------------------- derived values (caches of history)

_HISTORY_ORDER = ("ORDER BY h.effective_date DESC, h.recorded_at DESC,"
                  " (SELECT min(c.hlc) FROM change_log c WHERE c.tbl = 'member_status_history'"
                  " AND c.row_id = h.id) DESC, h.id DESC")


def status_from_history(db: Database, member_id: str) -> str | None:
    """The status the member's history ends on (same order as members_repo.last_status_change;
    the change stamp stands in for the local insertion order, so every site agrees)."""
    row = db.conn.execute(f"SELECT h.status FROM member_status_history h WHERE h.member_id = ? {_HISTORY_ORDER}"
                          " LIMIT 1", [member_id]).fetchone()
    return row[0] if row else None


def card_state_from_events(db: Database, card_id: str, rank: dict[str, int]) -> tuple[str, str, str | None] | None:
    """(event, event date, other card) of the card's highest-ranked event (earliest of equals)."""
    cases = " ".join(f"WHEN ? THEN {int(r)}" for r in rank.values())
    row = db.conn.execute(
        f"SELECT event, event_date, other_card_id FROM card_events WHERE card_id = ?"
        f" ORDER BY CASE event {cases} ELSE -1 END DESC, event_date, recorded_at, id LIMIT 1",
        [card_id, *rank.keys()]).fetchone()
    return (row[0], row[1], row[2]) if row else None


def sign_ins_of(db: Database, event_id: str, member_id: str) -> list[str]:
    """Ids of a member's sign-ins at an event, earliest first (the one that counts). Sign-ins
    are stamped to the second: within one second the change stamp decides."""
    return [r[0] for r in db.conn.execute(
        "SELECT a.id FROM attendance a WHERE a.event_id = ? AND a.member_id = ? ORDER BY a.signed_in_at,"
        " (SELECT min(c.hlc) FROM change_log c WHERE c.tbl = 'attendance' AND c.row_id = a.id), a.id",
        [event_id, member_id])]


def _chunks(ids: Sequence[str], size: int = 500):
    for i in range(0, len(ids), size):
        part = list(ids[i:i + size])
        yield part, ", ".join("?" * len(part))


def rows_by_id(db: Database, tbl: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """:func:`get_row` for many rows: id -> row, for those that exist."""
    found: dict[str, dict[str, Any]] = {}
    for part, marks in _chunks(ids):
        cur = db.conn.execute(f"SELECT * FROM {_q(tbl)} WHERE id IN ({marks})", part)
        names = [d[0] for d in cur.description]
        for row in cur:
            values = dict(zip(names, row))
            found[values["id"]] = values
    return found


def same_id_numbers(db: Database, member_ids: Sequence[str]) -> dict[str, list[str]]:
    """:func:`same_id_number` for many members (member -> the others, by id)."""
    found: dict[str, list[str]] = {}
    for part, marks in _chunks(member_ids):
        for mid, other in db.conn.execute(
                "SELECT m.id, o.id FROM members m JOIN members o ON o.id_number = m.id_number AND o.id <> m.id"
                f" WHERE m.id IN ({marks}) AND m.merged_into IS NULL AND o.merged_into IS NULL ORDER BY m.id, o.id",
                part):
            found.setdefault(mid, []).append(other)
    return found


def active_cards_of(db: Database, member_ids: Sequence[str], active: str) -> dict[str, list[str]]:
    """:func:`active_cards` for many members (member -> card ids, by id)."""
    found: dict[str, list[str]] = {}
    for part, marks in _chunks(member_ids):
        for mid, card in db.conn.execute(
                f"SELECT member_id, id FROM cards WHERE status = ? AND member_id IN ({marks}) ORDER BY member_id, id",
                [active, *part]):
            found.setdefault(mid, []).append(card)
    return found


def active_cards(db: Database, member_id: str, active: str) -> list[str]:
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM cards WHERE member_id = ? AND status = ? ORDER BY id", [member_id, active])]


# ---------------------------------------------------------------- whole-state view

def state_rows(db: Database, tables: Iterable[str]) -> Iterable[tuple[str, Sequence[Any]]]:
    """Every row of ``tables`` (all columns, ordered by id): what a state hash covers."""
    for tbl in tables:
        cols = sorted(columns(db, tbl))
        for row in db.conn.execute(f"SELECT {', '.join(map(_q, cols))} FROM {_q(tbl)} ORDER BY id"):
            yield tbl, [*zip(cols, row)]
