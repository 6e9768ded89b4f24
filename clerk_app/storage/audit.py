"""Append-only audit log with a hash chain and an anchor, so tampering shows.

Each entry's hash covers the previous entry's hash, this laptop's site id and the entry's
fields: an edited or removed row breaks the chain at a point :func:`check_chain` names. What
a chain alone cannot show — the newest entries deleted, or the whole chain recomputed — the
*anchor* shows: the number of entries and the latest hash, kept in ``meta`` and written in the
same transaction as each entry (:func:`chain_anchor`; printed on supervisor reports and carried
in sync packages, so a copy of it lives outside this database too).

Details hold field *names* and counts, never personal values (an audit log is read by
auditors, and must not become a second copy of the ID numbers)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..domain.messages import message
from . import known
from .meta import get_meta, set_meta

ANCHOR_KEY = "audit_anchor"  # "<count> <latest hash>"
# Set by migration 0008 when the chain was already broken before it was rehashed: the upgrade
# must not bless a tampered log, so the finding is kept and reported for ever after.
BROKEN_BEFORE_KEY = "audit_broken_before_upgrade"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    clerk_id: str
    action: str
    entity: str
    entity_id: str
    detail: dict


@dataclass(frozen=True)
class ChainAnchor:
    """What a supervisor report or a sync package carries to pin this laptop's audit log."""

    site_id: str
    count: int
    last_hash: str


@dataclass(frozen=True)
class ChainCheck:
    """The result of :func:`check_chain`. ``problem`` is a message code (None when the chain
    holds); ``entry_id`` names the first entry that does not match, when there is one."""

    count: int
    problem: str | None = None
    entry_id: int | None = None
    params: dict | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        if self.problem is None:
            return message("audit.chain_ok", count=self.count)
        return message(self.problem, **(self.params or {}))


def digest_v1(prev: str, at: str, clerk_id: str, action: str, entity: str, entity_id: str, detail: str) -> str:
    """The first format (before migration 0008). Kept only to check a chain before rehashing it."""
    payload = "\x1f".join([prev, at, clerk_id, action, entity, entity_id, detail])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def digest_v2(prev: str, site_id: str, at: str, clerk_id: str, action: str, entity: str, entity_id: str,
              detail: str) -> str:
    """The current format: the site id is covered, so entries cannot be passed off as
    another laptop's. Never change it: add a digest_v3 and a migration instead."""
    payload = "\x1f".join(["v2", prev, site_id, at, clerk_id, action, entity, entity_id, detail])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_digest = digest_v2


def write_audit(db: Database, *, clerk_id: str, site_id: str, action: str, entity: str,
                entity_id: str = "", detail: dict[str, Any] | None = None, at: str) -> None:
    """Append one entry and move the anchor on; ``at`` is the acting context's time stamp (its
    clock, not the machine's). Call it inside the business action's transaction."""
    detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    if not db.conn.in_transaction:  # one unit on its own; inside a transaction it is the caller's
        with db.atomic():
            _append(db, clerk_id, site_id, action, entity, entity_id, detail_json, at)
    else:
        _append(db, clerk_id, site_id, action, entity, entity_id, detail_json, at)


_TAIL = "audit.tail"  # storage.known: (last hash, anchor count)


def _tail(db: Database) -> tuple[str, int]:
    """(the last entry's hash, the anchor's count) — from storage.known inside its block."""
    def load() -> tuple[str, int]:
        row = db.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0] if row else ""), _stored_anchor(db)[0]

    return known.get(db, _TAIL, load) if known.inside(db) else load()


def _append(db: Database, clerk_id: str, site_id: str, action: str, entity: str, entity_id: str,
            detail_json: str, at: str) -> None:
    prev, count = _tail(db)
    digest = digest_v2(prev, site_id, at, clerk_id, action, entity, entity_id, detail_json)
    db.conn.execute(
        "INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail, prev_hash, hash)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        [at, site_id, clerk_id, action, entity, entity_id, detail_json, prev, digest],
    )
    set_anchor(db, count + 1, digest)


def write_audit_many(db: Database, *, clerk_id: str, site_id: str,
                     entries: list[tuple[str, str, str, dict[str, Any]]], at: str) -> None:
    """Append many entries ``(action, entity, entity_id, detail)`` at once, all stamped ``at``,
    chained exactly as :func:`write_audit` one by one would chain them (see :func:`append_many`).
    Call inside the business action's transaction."""
    append_many(db, clerk_id=clerk_id, site_id=site_id,
                entries=[(action, entity, entity_id, detail, at) for action, entity, entity_id, detail in entries])


def append_many(db: Database, *, clerk_id: str, site_id: str,
                entries: Sequence[tuple[str, str, str, dict[str, Any] | None, str]]) -> None:
    """Append entries ``(action, entity, entity_id, detail, at)`` in order: the last hash and
    the anchor are read once, the chain is carried in memory, the rows go in with one
    ``executemany`` and the anchor moves on once."""
    if not entries:
        return
    prev, count = _tail(db)
    rows = []
    for action, entity, entity_id, detail, at in entries:
        detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        digest = digest_v2(prev, site_id, at, clerk_id, action, entity, entity_id, detail_json)
        rows.append((at, site_id, clerk_id, action, entity, entity_id, detail_json, prev, digest))
        prev = digest
    db.conn.executemany(
        "INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail, prev_hash, hash)"
        " VALUES (?,?,?,?,?,?,?,?,?)", rows)
    set_anchor(db, count + len(rows), prev)


def _stored_anchor(db: Database) -> tuple[int, str]:
    count, _, last = (get_meta(db, ANCHOR_KEY, "") or "").partition(" ")
    return (int(count) if count.isdigit() else 0), last


def set_anchor(db: Database, count: int, last_hash: str) -> None:
    set_meta(db, ANCHOR_KEY, f"{count} {last_hash}")
    known.put(db, _TAIL, (last_hash, count))


def chain_anchor(db: Database) -> ChainAnchor:
    """The anchor as stored: the laptop's site id, the number of entries and the latest hash."""
    count, last = _stored_anchor(db)
    return ChainAnchor(get_meta(db, "site_id", "") or "", count, last)


def recent(db: Database, limit: int = 100, entity_id: str | None = None) -> list[AuditEntry]:
    sql = "SELECT id, at, clerk_id, action, entity, entity_id, detail FROM audit_log"
    params: list[Any] = []
    if entity_id:
        sql += " WHERE entity_id = ?"
        params.append(entity_id)
    rows = db.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
    return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]


def _walk(db: Database) -> tuple[int, str, int | None, str | None, str]:
    """(entries seen, last hash, first bad id, what is wrong with it, its time)."""
    prev, count = "", 0
    for rid, at, site, clerk, action, entity, eid, detail, prev_hash, digest in db.conn.execute(
        "SELECT id, at, site_id, clerk_id, action, entity, entity_id, detail, prev_hash, hash"
        " FROM audit_log ORDER BY id"
    ):
        if prev_hash != prev:
            return count, prev, rid, "audit.entry_missing", at
        if digest_v2(prev, site, at, clerk, action, entity, eid, detail) != digest:
            return count, prev, rid, "audit.entry_changed", at
        prev = digest
        count += 1
    return count, prev, None, None, ""


def check_chain(db: Database) -> ChainCheck:
    """Verify every entry and the anchor. The first problem found is reported: an entry whose
    content no longer matches its hash, an entry whose predecessor is gone, entries missing
    at the end, or a chain that no longer ends where the anchor says (rewritten)."""
    count, last, bad_id, problem, at = _walk(db)
    if bad_id is not None:
        return ChainCheck(count, problem, bad_id, {"id": bad_id, "at": at})
    broken_before = get_meta(db, BROKEN_BEFORE_KEY)
    if broken_before:
        return ChainCheck(count, "audit.broken_before_upgrade", int(broken_before), {"id": broken_before})
    anchor = chain_anchor(db)
    if count < anchor.count:
        return ChainCheck(count, "audit.tail_missing", None,
                          {"missing": anchor.count - count, "expected": anchor.count, "count": count})
    if count != anchor.count or last != anchor.last_hash:
        return ChainCheck(count, "audit.anchor_mismatch", None, {"expected": anchor.count, "count": count})
    return ChainCheck(count)


def verify_chain(db: Database) -> int | None:
    """The id of the first entry whose hash does not match, or None when the chain holds
    (entries only; :func:`check_chain` also checks the anchor)."""
    return _walk(db)[2]


def rehash_v1_to_v2(db: Database) -> None:
    """Migration 0008: check the chain in the first format, then rehash every entry in the
    current one (site id covered) and set the anchor. A chain already broken is not blessed:
    the first bad entry is remembered (:data:`BROKEN_BEFORE_KEY`) and reported by every check."""
    rows = db.conn.execute(
        "SELECT id, at, site_id, clerk_id, action, entity, entity_id, detail, prev_hash, hash"
        " FROM audit_log ORDER BY id").fetchall()
    prev_old, broken = "", None
    for rid, at, _site, clerk, action, entity, eid, detail, prev_hash, digest in rows:
        if broken is None and (prev_hash != prev_old
                               or digest_v1(prev_old, at, clerk, action, entity, eid, detail) != digest):
            broken = rid
        prev_old = digest
    prev = ""
    for rid, at, site, clerk, action, entity, eid, detail, _p, _h in rows:
        digest = digest_v2(prev, site, at, clerk, action, entity, eid, detail)
        db.conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, rid])
        prev = digest
    if broken is not None:
        set_meta(db, BROKEN_BEFORE_KEY, str(broken))
    set_anchor(db, len(rows), prev)
