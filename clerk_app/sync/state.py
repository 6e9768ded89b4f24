"""Whole-database views of the synced state, and the audit section of a package: other
laptops' audit entries kept append-only, a state hash for "the same state", and the derived
statuses checked against their history."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from typing import Any, Iterable

from sqlite_utils import Database

from ..storage import sync_store as store
from ..storage.db import transaction
from .policy import CARD_EVENT_RANK, CARD_STATUS_OF_EVENT, MERGED_TABLES


# ---------------------------------------------------------------- the audit section

def export_audit(db: Database, after_id: int = 0) -> list[dict[str, Any]]:
    """This laptop's audit entries after ``after_id`` (keys ``storage.sync_store.AUDIT_FIELDS``)."""
    return store.audit_entries(db, after_id)


def apply_audit(db: Database, entries: Iterable[dict[str, Any]], *, wall_ms: int) -> int:
    """Keep other laptops' audit entries, append-only by (site, id), in one transaction; the
    same key with another hash is an alarm. Returns the number of alarms. The chains are
    checked with :func:`storage.sync_store.audit_breaks`."""
    at = _dt.datetime.fromtimestamp(wall_ms / 1000, _dt.timezone.utc).isoformat(timespec="seconds")
    entries = list(entries)
    with transaction(db):
        clashes = store.merge_audit(db, entries, at)
        for site, rid in clashes:
            store.add_alarm(db, "audit_other_content", site, 0, rid, {"tbl": "audit_log", "id": rid}, at)
    return len(clashes)


# ---------------------------------------------------------------- whole-state views

def state_hash(db: Database, tables: Iterable[str] = MERGED_TABLES) -> str:
    """SHA-256 of every merged table's rows (all columns, by id): equal means the same state."""
    digest_ = hashlib.sha256()
    for tbl, row in store.state_rows(db, tables):
        digest_.update(json.dumps([tbl, row], ensure_ascii=False, default=str).encode("utf-8"))
        digest_.update(b"\n")
    return digest_.hexdigest()


def status_disagreements(db: Database) -> list[tuple[str, str, str, str]]:
    """(table, id, stored status, status from history) wherever the stored status — a cache —
    disagrees with the history it is derived from. Empty when all is well."""
    found = []
    for member_id in store.all_ids(db, "members"):
        stored = (store.get_row(db, "members", member_id) or {})["status"]
        derived = store.status_from_history(db, member_id)
        if derived is not None and derived != stored:
            found.append(("members", member_id, stored, derived))
    for card_id in store.all_ids(db, "cards"):
        stored = (store.get_row(db, "cards", card_id) or {})["status"]
        top = store.card_state_from_events(db, card_id, CARD_EVENT_RANK)
        if top is not None and CARD_STATUS_OF_EVENT[top[0]] != stored:
            found.append(("cards", card_id, stored, CARD_STATUS_OF_EVENT[top[0]]))
    return found
