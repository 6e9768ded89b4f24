"""What a downstream package carries: only what the receiving laptop's union needs.

The district holds every town's members; a laptop of 黄村镇 must not receive 西红门镇's. A change
record is in a laptop's scope when the row it changes belongs — through its parents in
:data:`~clerk_app.sync.policy.SYNC_POLICY` (a card → its member → the member's union) — to the
laptop's union or a union below it. Unions themselves and clerks always travel (no personal
data). A row whose union cannot be told any more (its values were erased) travels: a delete
carries nothing personal and must reach every laptop that has the row.

Known limit: a member moved into the laptop's union later is sent from then on only; the
records the district filtered out before are not re-sent (a full resend is not built yet).
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from ..storage import sync_ledger as ledger
from ..sync.policy import SYNC_POLICY

ALWAYS = frozenset({"unions", "clerks"})
UNKNOWN = object()


class Scope:
    def __init__(self, db: Database, union_id: str):
        self.db = db
        self.unions = ledger.union_subtree(db, union_id)
        self._cache: dict[tuple[str, str], Any] = {}

    def wants(self, record: dict[str, Any]) -> bool:
        if record["tbl"] in ALWAYS:
            return True
        verdict = self._in_scope(record["tbl"], record["row_id"], record.get("data") or {}, 0)
        return verdict is UNKNOWN or bool(verdict)

    def _in_scope(self, tbl: str, row_id: str, data: dict, depth: int):
        key = (tbl, row_id)
        if key in self._cache:
            return self._cache[key]
        parents = SYNC_POLICY[tbl].parents if tbl in SYNC_POLICY else {}
        verdict: Any = UNKNOWN
        if depth < 4:
            for fld, parent in parents.items():
                value = data.get(fld) if isinstance(data, dict) else None
                value = value or ledger.row_field(self.db, tbl, row_id, fld)
                if not value:
                    continue
                if parent == "unions":
                    found = value in self.unions
                else:
                    found = self._in_scope(parent, value, {}, depth + 1)
                if found is True:
                    verdict = True
                    break
                if found is False:
                    verdict = False
        self._cache[key] = verdict
        return verdict
