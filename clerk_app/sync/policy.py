"""How each synced table merges: the registry the merge, the package and its validation read.

Rules (see :mod:`clerk_app.sync.merge` for how they are applied):

* ``lww`` — per field, the last writer by (clock stamp, site id) wins; edits of different
  fields merge silently; concurrent edits of one field (neither editor saw the other's
  version) keep both values in the conflict inbox.
* ``append_only`` — rows are only added (union by id); only the fields named in ``mutable``
  may change later (a walk-in who joins at the desk), by the same per-field rule. A delete
  (a correction on the laptop that made the row) still travels as a tombstone.
* ``write_once`` — the first non-empty value (earliest version) stays; a different later
  value goes to the inbox.
* ``sets`` — a JSON list merged as a set when two edits are concurrent, replaced when one
  editor saw the other's version (so removing an item still works).
* ``derived`` — a cache of history the merge recomputes (members.status from
  member_status_history, a card's status from its events), never taken from a package.
* ``parents`` — field → table of the row it points to: a change arriving before that row is
  parked; a delete never takes another laptop's child rows with it (they are parked, and the
  inbox says so).

Every table whose id is a UUID is either here or in :data:`LOCAL_TABLES` (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain import card as card_lifecycle

LWW, APPEND_ONLY = "lww", "append_only"


@dataclass(frozen=True)
class TablePolicy:
    rule: str
    parents: dict[str, str] = field(default_factory=dict)
    write_once: frozenset[str] = frozenset()
    sets: frozenset[str] = frozenset()
    derived: frozenset[str] = frozenset()
    mutable: frozenset[str] = frozenset()  # append_only: fields that may still change


SYNC_POLICY: dict[str, TablePolicy] = {
    "unions": TablePolicy(LWW, parents={"parent_id": "unions"}),
    "clerks": TablePolicy(LWW),
    "members": TablePolicy(LWW, parents={"union_id": "unions"},
                           write_once=frozenset({"join_date", "join_channel", "created_at"}),
                           derived=frozenset({"status"})),
    "member_status_history": TablePolicy(APPEND_ONLY, parents={"member_id": "members"}),
    "consents": TablePolicy(APPEND_ONLY, parents={"member_id": "members"}),
    "cards": TablePolicy(LWW, parents={"member_id": "members"},
                         write_once=frozenset({"card_no", "issue_date", "issued_at", "created_at"}),
                         derived=frozenset({"status", "status_date", "replaced_by_card_id"})),
    "card_events": TablePolicy(APPEND_ONLY, parents={"card_id": "cards"}),
    "events": TablePolicy(LWW, parents={"union_id": "unions"}, sets=frozenset({"sub_venues", "services"}),
                          write_once=frozenset({"created_at"})),
    "attendance": TablePolicy(APPEND_ONLY, parents={"event_id": "events", "member_id": "members"},
                              mutable=frozenset({"member_id", "joined_at"})),
    "event_tallies": TablePolicy(APPEND_ONLY, parents={"event_id": "events"}),
    # Hardship files: the file's fields last-writer-wins; its history, the ledger (a correction is
    # a reversal plus a new entry), overrides, rule versions and visits only ever grow.
    "hardship_files": TablePolicy(LWW, parents={"member_id": "members"},
                                  write_once=frozenset({"worker_no", "filed_date", "created_at"})),
    "hardship_household": TablePolicy(LWW, parents={"file_id": "hardship_files"},
                                      write_once=frozenset({"created_at"})),
    "hardship_history": TablePolicy(APPEND_ONLY, parents={"file_id": "hardship_files"}),
    "hardship_rules": TablePolicy(APPEND_ONLY),
    "hardship_ledger": TablePolicy(APPEND_ONLY, parents={"file_id": "hardship_files"}),
    "hardship_overrides": TablePolicy(APPEND_ONLY, parents={"entry_id": "hardship_ledger"}),
    "hardship_visits": TablePolicy(APPEND_ONLY, parents={"file_id": "hardship_files"}),
    "hardship_attachments": TablePolicy(APPEND_ONLY, parents={"file_id": "hardship_files"}),
}

# The audit log travels as its own append-only section (integer ids, one hash chain per
# laptop that the district verifies per laptop), not as change records.
AUDIT_SECTION = "audit_log"

# Tables with text ids that never travel (none today; a new one must be named here or above).
LOCAL_TABLES: frozenset[str] = frozenset()

# A card's status is the highest rank among its events: lost or cancelled never comes back.
CARD_EVENT_RANK = {card_lifecycle.EV_ISSUE: 0, card_lifecycle.EV_LOST: 1, card_lifecycle.EV_CANCEL: 2,
                   card_lifecycle.EV_REISSUE: 3}
CARD_STATUS_OF_EVENT = {card_lifecycle.EV_ISSUE: card_lifecycle.ACTIVE, card_lifecycle.EV_LOST: card_lifecycle.LOST,
                        card_lifecycle.EV_CANCEL: card_lifecycle.CANCELLED,
                        card_lifecycle.EV_REISSUE: card_lifecycle.REPLACED}


def children_of(tbl: str) -> list[tuple[str, str]]:
    """(child table, field) pairs that point at rows of ``tbl``."""
    return [(child, f) for child, pol in SYNC_POLICY.items() for f, parent in pol.parents.items() if parent == tbl]


# Tables merged in this order within one stamp (parents first); the state hash covers them all.
MERGED_TABLES = tuple(SYNC_POLICY)
