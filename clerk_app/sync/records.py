"""Change records as packages carry them (the shape is described in :mod:`clerk_app.sync.merge`):
made from the log, checked for shape, and compared by content."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlite_utils import Database

from ..storage import sync_store as store
from ..storage.changes import CREATE, DELETE, ERASED_JSON, UPDATE, Change, changes_since
from ..storage.hlc import parse_stamp
from .policy import SYNC_POLICY
from .shape import ShapeRules

ERASED = json.loads(ERASED_JSON)
RECORD_KEYS = ("origin", "epoch", "seq", "txn", "hlc", "tbl", "row_id", "op", "data", "base")


def record_of(change: Change) -> dict[str, Any]:
    """The record of a logged change. A deleted row's earlier records carry no values any more
    (storage.changes.erase_payloads): their ``data`` is empty, and they are never applied."""
    data = {} if change.data == ERASED else change.data
    return {"origin": change.site_id, "epoch": change.origin_epoch, "seq": change.origin_seq,
            "txn": change.txn_id, "hlc": change.hlc, "tbl": change.tbl, "row_id": change.row_id,
            "op": change.op, "data": data, "base": change.base}


def export_records(db: Database, after_seq: int = 0) -> list[dict[str, Any]]:
    """Every change record this database holds after its local sequence ``after_seq`` — its own
    and those merged in from other laptops (forwarded, with their origin unchanged)."""
    return [record_of(c) for c in changes_since(db, after_seq)]


def record_rules(db: Database, **limits: Any) -> ShapeRules:
    """The shape rules (sync.shape) for change records into ``db``: the envelope keys, and for
    each synced table the fields it has. A package checks every record with them first."""
    tables = {tbl: sorted(set(store.columns(db, tbl)) - {"id"}) for tbl in SYNC_POLICY}
    return ShapeRules(tables=tables, envelope=RECORD_KEYS, **limits)


def change_of(rec: dict[str, Any]) -> Change:
    data = ERASED if is_erased(rec) else rec["data"]
    return Change(0, rec["hlc"], rec["origin"], rec["tbl"], rec["row_id"], rec["op"], data,
                  rec["epoch"], rec["seq"], rec["txn"], rec["base"])


def is_erased(rec: dict[str, Any]) -> bool:
    return rec["op"] != DELETE and not rec["data"]


def redacts(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether record ``a`` is ``b`` with values taken out (erased: no data; scrubbed: some
    values None), all else equal: the same change after an erasure, not a forgery."""
    if any(a[k] != b[k] for k in RECORD_KEYS if k != "data"):
        return False
    if is_erased(a):
        return True
    return set(a["data"]) == set(b["data"]) and all(
        v is None or v == b["data"][k] for k, v in a["data"].items())


def digest(rec: dict[str, Any]) -> str:
    """The content of a record (everything its key must always mean)."""
    body = json.dumps({k: rec[k] for k in RECORD_KEYS}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def check_record(rec: Any) -> dict[str, Any]:
    """The record if its shape is right (the package validates values further); ValueError if not."""
    if not isinstance(rec, dict) or set(rec) != set(RECORD_KEYS):
        raise ValueError("a change record has exactly the keys " + ", ".join(RECORD_KEYS))
    if rec["tbl"] not in SYNC_POLICY:
        raise ValueError(f"unknown table {rec['tbl']!r}")
    if rec["op"] not in (CREATE, UPDATE, DELETE):
        raise ValueError(f"unknown operation {rec['op']!r}")
    if not all(isinstance(rec[k], str) and rec[k] for k in ("origin", "txn", "hlc", "tbl", "row_id")):
        raise ValueError("origin, txn, hlc, tbl and row_id are non-empty text")
    if not all(isinstance(rec[k], int) and not isinstance(rec[k], bool) and rec[k] >= 0 for k in ("epoch", "seq")):
        raise ValueError("epoch and seq are whole numbers")
    parse_stamp(rec["hlc"])
    if not isinstance(rec["data"], dict) or not isinstance(rec["base"], dict):
        raise ValueError("data and base are maps")
    if "id" in rec["data"]:
        raise ValueError("data never carries the id")
    return rec
