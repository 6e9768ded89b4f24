"""What a piece of work changed, by kind of record: the window reloads only what shows those.

Every write to a record goes through the context's :class:`~clerk_app.storage.changes.ChangeRecorder`
(it logs the row for sync), which also remembers the tables it touched; the few writes that are
not synced records (the laptop's settings in ``meta``) say so with ``ctx.changes.note("meta")``.
:meth:`Context.take_changes` turns the touched tables into one :class:`Changes` value, so no
write can forget to report itself. Anki's ``OpChanges`` is the model."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Iterable

# Which kind of record each written table belongs to. A table that is written but missing here is
# a bug (tests/test_changes.py checks every table of the schema).
TABLE_KINDS = {
    "members": "members", "member_keys": "members", "member_status_history": "members", "consents": "members",
    "cards": "cards", "card_events": "cards",
    "events": "events",
    "attendance": "attendance", "event_tallies": "attendance",
    "unions": "unions",
    "meta": "settings", "clerks": "settings",
    "hardship_files": "hardship", "hardship_household": "hardship", "hardship_history": "hardship",
    "hardship_ledger": "hardship", "hardship_rules": "hardship", "hardship_overrides": "hardship",
    "hardship_visits": "hardship", "hardship_attachments": "hardship",
    # what the district's window lists: the inbox, duplicate persons, the laptops and the sync log
    "sync_conflicts": "sync", "duplicate_pairs": "sync", "sync_alarms": "sync", "sync_peers": "sync",
    "sync_packages": "sync",
}
# Bookkeeping every write adds to; nothing on screen shows them.
# The merge's parked changes and other laptops' audit entries are written by sync.merge, not
# through a context's recorder. (The merge writes the inbox and duplicate pairs past the recorder
# too: an import announces every kind, services.sync_packages.changes_after_import.)
NOT_SHOWN = frozenset({"change_log", "tombstones", "audit_log", "parked_changes", "audit_remote",
                       "sync_attachment_files"})


@dataclass(frozen=True)
class Changes:
    members: bool = False
    cards: bool = False
    events: bool = False
    attendance: bool = False
    unions: bool = False
    settings: bool = False
    hardship: bool = False
    sync: bool = False

    @classmethod
    def of_tables(cls, tables: Iterable[str]) -> "Changes":
        kinds = set()
        for tbl in tables:
            if tbl in NOT_SHOWN:
                continue
            kinds.add(TABLE_KINDS[tbl])  # KeyError: a new table needs its kind above
        return cls(**{kind: True for kind in kinds})

    def kinds(self) -> frozenset[str]:
        return frozenset(f.name for f in fields(self) if getattr(self, f.name))

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(**{kind: True for kind in self.kinds() | other.kinds()})

    def __bool__(self) -> bool:
        return bool(self.kinds())

    def touches(self, shown: "Changes") -> bool:
        """Whether any kind changed here is one that ``shown`` (what a page shows) names."""
        return bool(self.kinds() & shown.kinds())


NOTHING = Changes()
