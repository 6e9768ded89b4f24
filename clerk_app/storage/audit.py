"""Append-only audit log with a hash chain: each entry's hash covers the previous hash,
so an edited or removed row breaks the chain at a point :func:`verify_chain` names.

Details hold field *names* and counts, never personal values (an audit log is read by
auditors, and must not become a second copy of the ID numbers)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    clerk_id: str
    action: str
    entity: str
    entity_id: str
    detail: dict


def _digest(prev: str, at: str, clerk_id: str, action: str, entity: str, entity_id: str, detail: str) -> str:
    payload = "\x1f".join([prev, at, clerk_id, action, entity, entity_id, detail])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def write_audit(db: Database, *, clerk_id: str, site_id: str, action: str, entity: str,
                entity_id: str = "", detail: dict[str, Any] | None = None, at: str) -> None:
    """Append one entry; ``at`` is the acting context's time stamp (its clock, not the machine's)."""
    detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    row = db.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else ""
    digest = _digest(prev, at, clerk_id, action, entity, entity_id, detail_json)
    db.conn.execute(
        "INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail, prev_hash, hash)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        [at, site_id, clerk_id, action, entity, entity_id, detail_json, prev, digest],
    )


def recent(db: Database, limit: int = 100, entity_id: str | None = None) -> list[AuditEntry]:
    sql = "SELECT id, at, clerk_id, action, entity, entity_id, detail FROM audit_log"
    params: list[Any] = []
    if entity_id:
        sql += " WHERE entity_id = ?"
        params.append(entity_id)
    rows = db.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
    return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]


def verify_chain(db: Database) -> int | None:
    """The id of the first entry whose hash does not match, or None when the chain holds."""
    prev = ""
    for rid, at, clerk, action, entity, eid, detail, prev_hash, digest in db.conn.execute(
        "SELECT id, at, clerk_id, action, entity, entity_id, detail, prev_hash, hash FROM audit_log ORDER BY id"
    ):
        if prev_hash != prev or _digest(prev, at, clerk, action, entity, eid, detail) != digest:
            return rid
        prev = digest
    return None
