"""Merging change records from other laptops: same result in any order, any number of times.

A **change record** is a plain dict (what a package carries, one per ``change_log`` row)::

    {"origin": site id, "epoch": int, "seq": int,      # the key: that site's own sequence
     "txn": str,                                        # one business action = one txn id
     "hlc": "PPPPPPPPPPPPP-CCCCCC",                     # the change's clock stamp
     "tbl": str, "row_id": str, "op": "create" | "update" | "delete",
     "data": {field: value},                            # the fields it set (none for a delete)
     "base": {field: "hlc@site"}}                       # the version the editor saw, per field

:func:`export_records` gives them from a database, :func:`apply_changes` merges a batch in one
transaction. The rules (per table in :data:`clerk_app.sync.policy.SYNC_POLICY`):

* **Idempotent** by (origin, epoch, seq): a key already held with the same content changes
  nothing; with other content it is an alarm (``sync_alarms``), never applied.
* **Clock guard**: a business action with a stamp more than a day beyond this computer's
  clock is held back whole (parked ``clock_ahead``) and the laptop named in an alarm; it is
  tried again at every later merge. Every accepted stamp moves this laptop's clock on.
* **Per-field last writer** by (stamp, site id); a write-once field keeps its earliest
  non-empty value; sets merge as sets when two edits are concurrent. Two changes of one
  field are concurrent when they come from different sites and neither is an ancestor of
  the other through ``base``: then both values go to the inbox (``sync_conflicts``), the
  winner is applied everywhere alike.
* **Parents first**: a change whose parent row has not arrived is parked until it does.
* **Deletes are final** (a tombstone; a later or earlier change of the row is kept in the log
  but not applied) and **never cascade**: other laptops' rows that pointed at the deleted
  row are set aside (parked ``parent_deleted``) with an inbox entry, never deleted.
* **Derived values** are recomputed from history after every merge: a member's status from
  member_status_history, a card's status from the highest-ranked of its events.
* **Unique rules become merge rules**: the same ID number twice is a ``duplicate_pairs`` row
  for a person's decision; of one person's sign-ins at one event the earliest counts and the
  others are kept with ``duplicate_of``.
* **Merged persons stay merged**: a member merged at the district keeps its row with
  ``merged_into``; every record arriving that points at it (a replayed or late package) is
  applied to the survivor instead, and rows still pointing at it are moved on.
* **Invariants** checked after the merge go to the inbox, never "fixed": at most one active
  card per person, no active card for someone who left the union.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlite_utils import Database

from ..domain import card as card_lifecycle
from ..domain import vocab
from ..storage import members_repo
from ..storage import sync_store as store
from ..storage.changes import (
    CREATE,
    DELETE,
    UPDATE,
    Change,
    erase_payloads,
    held_origin_keys,
    log_merged_many,
    logged_by_origin,
    parked_origin_keys,
    observe_stamp,
    redact_logged,
    row_history,
    version_text,
)
from ..storage.db import transaction
from ..storage.hlc import parse_stamp
from .policy import (
    APPEND_ONLY,
    CARD_EVENT_RANK,
    CARD_STATUS_OF_EVENT,
    SYNC_POLICY,
    TablePolicy,
    children_of,
)
from .records import change_of, check_record, digest, is_erased, record_of, redacts

DAY_MS = 24 * 3600 * 1000
WAITING, PARENT_DELETED, CLOCK_AHEAD = "waiting", "parent_deleted", "clock_ahead"


@dataclass
class MergeReport:
    applied: int = 0  # change records taken into this database's log
    already: int = 0  # held before with the same content: nothing to do
    parked: int = 0  # waiting for a parent (or whose parent was deleted)
    held_back: int = 0  # stamped too far in the future (their whole action)
    alarms: int = 0  # same key with other content, or a clock far ahead
    held_sites: set[str] = field(default_factory=set)  # laptops whose clocks ran ahead


def _order(rec: dict[str, Any]) -> tuple:
    return (parse_stamp(rec["hlc"]), rec["origin"], rec["epoch"], rec["seq"])


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _as_set(value: Any) -> list:
    try:
        items = json.loads(value) if isinstance(value, str) else list(value or [])
    except ValueError:
        items = []
    return items if isinstance(items, list) else []


# ---------------------------------------------------------------- the merge

def apply_changes(db: Database, records: Iterable[dict[str, Any]], *, wall_ms: int) -> MergeReport:
    """Merge ``records`` into ``db`` in one transaction (see the module's rules). ``wall_ms`` is
    this computer's clock (milliseconds), for the future-stamp guard and the found-at times."""
    checked = [check_record(r) for r in records]
    merge = _Merge(db, wall_ms)
    with transaction(db):
        merge.run(checked)
    return merge.report


class _Merge:
    def __init__(self, db: Database, wall_ms: int):
        self.db = db
        self.bound = wall_ms + DAY_MS
        self.at = _dt.datetime.fromtimestamp(wall_ms / 1000, _dt.timezone.utc).isoformat(timespec="seconds")
        self.report = MergeReport()
        self.members: set[str] = set()
        self.cards: set[str] = set()
        self.sign_ins: set[tuple[str, str]] = set()
        self.keys: set[str] = set()  # members whose search keys are rebuilt
        self._columns: dict[str, set[str]] = {}
        # Set-based lookups (one query per table per chunk, not per record), kept true as the
        # merge adds and removes rows; a miss falls back to asking the database.
        self._exists: dict[str, set[str]] = {}
        self._absent: dict[str, set[str]] = {}
        self._tombs: set[tuple[str, str]] = set()
        self._tomb_checked: set[str] = set()
        self._waiting: set[tuple[str, str]] = set()
        self._maybe_merged: set[str] = set()  # members that may have merged_into (survivor asked)
        self._log: list[Change] = []  # change_log rows to write (executemany) before it is read

    def columns(self, tbl: str) -> set[str]:
        if tbl not in self._columns:
            self._columns[tbl] = set(store.columns(self.db, tbl))
        return self._columns[tbl]

    # -- intake: idempotence and the clock guard

    def run(self, records: list[dict[str, Any]]) -> None:
        db = self.db
        for rec in records:
            unknown = set(rec["data"]) - self.columns(rec["tbl"])
            if unknown:
                raise ValueError(f"unknown fields of {rec['tbl']}: {sorted(unknown)}")
        incoming = store.take_parked(db, reason=CLOCK_AHEAD) + records
        fresh: list[dict[str, Any]] = []
        seen: dict[tuple, dict[str, Any]] = {}
        keys = [(rec["origin"], rec["epoch"], rec["seq"]) for rec in incoming]
        known_keys = held_origin_keys(db, keys) | parked_origin_keys(db, keys)
        for key, rec in zip(keys, incoming):
            if key in seen:
                if digest(seen[key]) != digest(rec):
                    self.alarm("same_key_other_content", rec)
                else:
                    self.report.already += 1
                continue
            seen[key] = rec
            if key not in known_keys:
                fresh.append(rec)
                continue
            mine = digest(rec)
            held = logged_by_origin(db, *key)
            known = record_of(held) if held else store.parked_record(db, *key)
            if known is not None:
                if digest(known) == mine or redacts(known, rec):
                    self.report.already += 1
                elif redacts(rec, known):  # erased elsewhere since: forget the values here too
                    if held is not None:
                        redact_logged(db, *key, change_of(rec).data)
                    self.report.already += 1
                else:
                    self.alarm("same_key_other_content", rec)
                continue
            fresh.append(rec)
        actions: dict[tuple, list[dict[str, Any]]] = {}
        for rec in fresh:
            actions.setdefault((rec["origin"], rec["epoch"], rec["txn"]), []).append(rec)
        accepted = []
        for group in actions.values():
            if any(parse_stamp(r["hlc"])[0] > self.bound for r in group):
                for r in group:
                    store.park(db, r, CLOCK_AHEAD, "", "", self.at)
                first = min(group, key=_order)
                self.alarm("clock_ahead", first, hlc=max(r["hlc"] for r in group), changes=len(group))
                self.report.held_back += len(group)
                self.report.held_sites.add(first["origin"])
            else:
                accepted += group
        if accepted:
            observe_stamp(db, max((r["hlc"] for r in accepted), key=parse_stamp))
        self.prefetch(accepted)
        for rec in sorted(accepted, key=_order):
            self.apply(rec)
        self.finish()
        self.flush_log()

    # -- set-based lookups

    def prefetch(self, records: list[dict[str, Any]]) -> None:
        by_tbl: dict[str, set[str]] = {}
        for rec in records:
            by_tbl.setdefault(rec["tbl"], set()).add(rec["row_id"])
            for fld, parent in SYNC_POLICY[rec["tbl"]].parents.items():
                value = rec["data"].get(fld)
                if isinstance(value, str) and value:
                    by_tbl.setdefault(parent, set()).add(value)
            if rec["tbl"] == "members" and not _empty(rec["data"].get("merged_into")):
                self._maybe_merged.add(rec["row_id"])
        for tbl, ids in by_tbl.items():
            found = store.existing_ids(self.db, tbl, ids)
            self._exists[tbl] = found
            self._absent[tbl] = ids - found
        every = {i for ids in by_tbl.values() for i in ids}
        self._tombs = store.tombstoned_ids(self.db, every)
        self._tomb_checked = every
        self._waiting = store.waiting_rows(self.db)
        self._maybe_merged |= store.all_merged_members(self.db)

    def row_exists(self, tbl: str, row_id: str) -> bool:
        if row_id in self._exists.get(tbl, ()):
            return True
        if row_id in self._absent.get(tbl, ()):
            return False
        found = store.row_exists(self.db, tbl, row_id)
        (self._exists if found else self._absent).setdefault(tbl, set()).add(row_id)
        return found

    def inserted(self, tbl: str, row_id: str) -> None:
        self._exists.setdefault(tbl, set()).add(row_id)
        self._absent.get(tbl, set()).discard(row_id)

    def deleted(self, tbl: str, row_id: str) -> None:
        self._absent.setdefault(tbl, set()).add(row_id)
        self._exists.get(tbl, set()).discard(row_id)

    def tombstoned(self, tbl: str, row_id: str) -> bool:
        if (tbl, row_id) in self._tombs:
            return True
        if row_id in self._tomb_checked:
            return False
        return store.tombstoned(self.db, tbl, row_id)

    def flush_log(self) -> None:
        if self._log:
            log_merged_many(self.db, self._log)
            self._log = []

    def alarm(self, kind: str, rec: dict[str, Any], **detail: Any) -> None:
        store.add_alarm(self.db, kind, rec["origin"], rec["epoch"], rec["seq"],
                        {"tbl": rec["tbl"], "row_id": rec["row_id"], "txn": rec["txn"], **detail}, self.at)
        self.report.alarms += 1

    def log(self, rec: dict[str, Any]) -> None:
        self._log.append(change_of(rec))
        self.report.applied += 1

    def park(self, rec: dict[str, Any], reason: str, tbl: str, row_id: str) -> None:
        store.park(self.db, rec, reason, tbl, row_id, self.at)
        self.report.parked += 1
        if reason == WAITING:
            self._waiting.add((tbl, row_id))
        if reason == PARENT_DELETED:
            for waiting in store.take_parked(self.db, reason=WAITING, wait_tbl=rec["tbl"], wait_id=rec["row_id"]):
                self.park(waiting, PARENT_DELETED, rec["tbl"], rec["row_id"])  # its children go with it
            store.add_conflict(self.db, "parent_deleted", rec["tbl"], rec["row_id"], "", f"{tbl}:{row_id}",
                               {"parent_tbl": tbl, "parent_id": row_id, "origin": rec["origin"]}, self.at)

    # -- one record

    def apply(self, rec: dict[str, Any]) -> None:
        db, tbl, row_id = self.db, rec["tbl"], rec["row_id"]
        policy = SYNC_POLICY[tbl]
        if self.tombstoned(tbl, row_id):
            self.log(rec)  # deleted for good: kept in the log, not applied
            return
        if rec["op"] == DELETE:
            self.delete(rec)
            return
        if is_erased(rec):
            self.log(rec)  # its row was deleted where it comes from: its delete follows
            return
        exists = self.row_exists(tbl, row_id)
        if not exists and rec["op"] == UPDATE:
            # its create has not arrived yet, or the row was set aside (its parent was deleted)
            self.park(rec, PARENT_DELETED if store.set_aside(db, tbl, row_id) else WAITING, tbl, row_id)
            return
        if self.missing_parent(rec, policy):
            return
        applied = self.follow_merges(rec, policy)  # the log keeps the record as it came
        if exists:
            self.merge_fields(applied, policy)
            self.log(rec)
            self.touch(tbl, row_id)
        else:
            cols = self.columns(tbl)
            row = {"id": row_id, **{k: v for k, v in applied["data"].items() if k in cols}}
            store.insert_row(db, tbl, row)
            self.inserted(tbl, row_id)
            if tbl == "members" and not _empty(row.get("merged_into")):
                self._maybe_merged.add(row_id)
            self.log(rec)
            self.touch(tbl, row_id, row)
            if (tbl, row_id) in self._waiting:
                self._waiting.discard((tbl, row_id))
                for waiting in sorted(store.take_parked(db, reason=WAITING, wait_tbl=tbl, wait_id=row_id),
                                      key=_order):
                    self.apply(waiting)

    def missing_parent(self, rec: dict[str, Any], policy: TablePolicy) -> bool:
        for fld, parent in policy.parents.items():
            value = rec["data"].get(fld)
            if _empty(value) or value == rec["row_id"] or self.row_exists(parent, value):
                continue
            # a parent deleted, or itself set aside because its own parent was: set aside too
            gone = self.tombstoned(parent, value) or store.set_aside(self.db, parent, value)
            reason = PARENT_DELETED if gone else WAITING
            self.park(rec, reason, parent, value)
            return True
        return False

    def follow_merges(self, rec: dict[str, Any], policy: TablePolicy) -> dict[str, Any]:
        """``rec`` with every pointer at a merged person moved to the surviving record: an old
        package replayed after a merge never splits the person again."""
        moved = {}
        for fld, parent in policy.parents.items():
            value = rec["data"].get(fld)
            if parent == "members" and not _empty(value) and value in self._maybe_merged:
                keep = store.survivor(self.db, value)
                if keep != value:
                    moved[fld] = keep
        return {**rec, "data": {**rec["data"], **moved}} if moved else rec

    def merge_fields(self, rec: dict[str, Any], policy: TablePolicy) -> None:
        tbl, row_id = rec["tbl"], rec["row_id"]
        if tbl == "members" and "merged_into" in rec["data"]:
            self._maybe_merged.add(row_id)
        self.flush_log()
        row = store.get_row(self.db, tbl, row_id) or {}
        history = [c for c in row_history(self.db, tbl, row_id) if c.op != DELETE]
        mine = (parse_stamp(rec["hlc"]), rec["origin"])
        my_version = version_text(rec["hlc"], rec["origin"])
        writes: dict[str, Any] = {}
        for fld, value in rec["data"].items():
            if fld in policy.derived or (policy.rule == APPEND_ONLY and fld not in policy.mutable):
                continue  # recomputed from history / never changes after the row was added
            entries = [c for c in history if fld in c.data]
            if not entries:
                writes[fld] = value
                continue
            if fld in policy.write_once:
                first = min(entries, key=lambda c: (_empty(c.data[fld]), parse_stamp(c.hlc), c.site_id))
                if (_empty(value), *mine) < (_empty(first.data[fld]), parse_stamp(first.hlc), first.site_id):
                    writes[fld] = value
                if not _empty(value) and not _empty(first.data[fld]) and value != first.data[fld]:
                    self.conflict("write_once", rec, fld, (first, row.get(fld)), value, my_version)
                continue
            current = max(entries, key=lambda c: (parse_stamp(c.hlc), c.site_id))
            if (parse_stamp(current.hlc), current.site_id) == mine:
                continue
            concurrent = current.site_id != rec["origin"] and not _ancestor(entries, fld, my_version, current) \
                and not _ancestor(entries, fld, version_text(current.hlc, current.site_id), None, rec)
            newer = mine > (parse_stamp(current.hlc), current.site_id)
            if fld in policy.sets and concurrent:
                merged = sorted(set(map(json.dumps, _as_set(row.get(fld)))) | set(map(json.dumps, _as_set(value))))
                writes[fld] = json.dumps([json.loads(m) for m in merged], ensure_ascii=False)
                continue
            if newer:
                writes[fld] = value
            if concurrent and value != row.get(fld):
                self.conflict("same_field", rec, fld, (current, row.get(fld)), value, my_version, newer=newer)
        store.set_fields(self.db, tbl, row_id, writes)

    def conflict(self, kind: str, rec: dict[str, Any], fld: str, other: tuple[Change, Any], value: Any,
                 my_version: str, newer: bool = False) -> None:
        change, other_value = other
        theirs = {"value": other_value, "version": version_text(change.hlc, change.site_id)}
        ours = {"value": value, "version": my_version}
        winner, loser = (ours, theirs) if newer else (theirs, ours)
        store.add_conflict(self.db, kind, rec["tbl"], rec["row_id"], fld, loser["version"],
                           {"winner": winner, "loser": loser}, self.at)

    def delete(self, rec: dict[str, Any]) -> None:
        db, tbl, row_id = self.db, rec["tbl"], rec["row_id"]
        self.flush_log()
        if self.row_exists(tbl, row_id):
            self.touch(tbl, row_id)
            for child_tbl, fld in children_of(tbl):
                for child in store.ids_where(db, child_tbl, fld, row_id):
                    if child_tbl != tbl or child != row_id:
                        self.set_aside(child_tbl, child, tbl, row_id)
            store.delete_row(db, tbl, row_id)
            self.deleted(tbl, row_id)
        erase_payloads(db, tbl, row_id)  # erasure travels: the values leave this log too
        store.add_tombstone(db, tbl, row_id, rec["hlc"], rec["origin"])
        self._tombs.add((tbl, row_id))
        self.log(rec)
        for waiting in store.take_parked(db, reason=WAITING, wait_tbl=tbl, wait_id=row_id):
            if waiting["tbl"] == tbl and waiting["row_id"] == row_id:
                self.log(waiting)  # an edit of the deleted row: kept in the log, not applied
            else:
                self.park(waiting, PARENT_DELETED, tbl, row_id)

    def set_aside(self, tbl: str, row_id: str, parent_tbl: str, parent_id: str) -> None:
        """Take a row another laptop made out of the tables (its parent was deleted): parked with
        its values and named in the inbox. Never deleted."""
        for child_tbl, fld in children_of(tbl):
            for child in store.ids_where(self.db, child_tbl, fld, row_id):
                if child_tbl != tbl or child != row_id:
                    self.set_aside(child_tbl, child, tbl, row_id)
        row = store.get_row(self.db, tbl, row_id) or {}
        self.touch(tbl, row_id)
        snapshot = {"origin": f"row:{tbl}:{row_id}", "epoch": 0, "seq": 0, "txn": "", "hlc": "0000000000000-000000",
                    "tbl": tbl, "row_id": row_id, "op": CREATE,
                    "data": {k: v for k, v in row.items() if k != "id"}, "base": {}}
        self.park(snapshot, PARENT_DELETED, parent_tbl, parent_id)
        store.delete_row(self.db, tbl, row_id)
        self.deleted(tbl, row_id)

    # -- what follows from a merged row

    _TOUCH_NEEDS = {"member_status_history": "member_id", "cards": "member_id", "card_events": "card_id",
                    "attendance": "member_id"}

    def touch(self, tbl: str, row_id: str, row: dict[str, Any] | None = None) -> None:
        """Note what a changed row means for the derived values. ``row``: the row just inserted
        (read from the database when not given, or when it lacks the field needed)."""
        need = self._TOUCH_NEEDS.get(tbl)
        if row is None or (need is not None and need not in row) or (tbl == "attendance" and "event_id" not in row):
            row = store.get_row(self.db, tbl, row_id)
        if row is None:
            return
        if tbl == "members":
            self.members.add(row_id)
            self.keys.add(row_id)
        elif tbl == "member_status_history":
            self.members.add(row["member_id"])
        elif tbl == "cards":
            self.cards.add(row_id)
            self.members.add(row["member_id"])
        elif tbl == "card_events":
            self.cards.add(row["card_id"])
        elif tbl == "attendance" and row.get("member_id"):
            self.sign_ins.add((row["event_id"], row["member_id"]))

    def finish(self) -> None:
        db = self.db
        self.flush_log()
        for drop in store.merged_members(db, sorted(self.members)):
            # a person merged (here or at the district): whatever still points at the dropped
            # record follows the survivor, and the dropped record leaves search
            keep = store.survivor(db, drop)
            store.drop_search_keys(db, drop)
            self.keys.discard(drop)
            self.members.add(keep)
            for child_tbl, fld in children_of("members"):
                for row_id in store.repoint(db, child_tbl, fld, drop, keep):
                    self.touch(child_tbl, row_id)
        for card_id in sorted(self.cards):
            card = store.get_row(db, "cards", card_id)
            if card is None:
                continue
            self.members.add(card["member_id"])
            top = store.card_state_from_events(db, card_id, CARD_EVENT_RANK)
            if top is None:
                continue
            event, day, other = top
            derived = {"status": CARD_STATUS_OF_EVENT[event],
                       "status_date": None if event == card_lifecycle.EV_ISSUE else day,
                       "replaced_by_card_id": other if event == card_lifecycle.EV_REISSUE else None}
            store.set_fields(db, "cards", card_id, {k: v for k, v in derived.items() if card[k] != v})
        for event_id, member_id in sorted(self.sign_ins):
            ids = store.sign_ins_of(db, event_id, member_id)
            for i, att in enumerate(ids):
                row = store.get_row(db, "attendance", att) or {}
                want = None if i == 0 else ids[0]
                if row.get("duplicate_of") != want:
                    store.set_fields(db, "attendance", att, {"duplicate_of": want})
        # What the checks below read of each member, fetched per chunk (nothing in the loop
        # changes another member's row, ID number, merge or cards).
        touched = sorted(self.members)
        rows = store.rows_by_id(db, "members", touched)
        same = store.same_id_numbers(db, touched)
        active_of = store.active_cards_of(db, touched, card_lifecycle.ACTIVE)
        for member_id in touched:
            member = rows.get(member_id)
            if member is None:
                continue
            status = store.status_from_history(db, member_id)
            if status and status != member["status"]:
                store.set_fields(db, "members", member_id, {"status": status})
                member["status"] = status
            if member.get("merged_into"):
                continue  # hidden: its rows follow the survivor, checked there
            if member_id in self.keys:
                members_repo.write_keys(db, member_id, member["name"], member["id_number"], member["phone"])
            for other in same.get(member_id, []):
                store.add_duplicate_pair(db, member_id, other, "id_number", self.at)
            active = active_of.get(member_id, [])
            if len(active) > 1:
                store.add_conflict(db, "two_active_cards", "members", member_id, "", ",".join(active),
                                   {"cards": active}, self.at)
            if active and member["status"] not in vocab.IN_UNION:
                store.add_conflict(db, "active_card_left_union", "members", member_id, "", ",".join(active),
                                   {"cards": active, "status": member["status"]}, self.at)


def _ancestor(entries: list[Change], fld: str, version: str, start: Change | None,
              start_record: dict[str, Any] | None = None) -> bool:
    """Whether ``version`` is reached from ``start`` (a logged change, or an incoming record)
    by following the field's ``base`` links: the later editor saw it."""
    by_version = {version_text(c.hlc, c.site_id): c for c in entries}
    base = (start.base if start is not None else (start_record or {}).get("base", {})).get(fld)
    seen = set()
    while base and base not in seen:
        if base == version:
            return True
        seen.add(base)
        nxt = by_version.get(base)
        base = nxt.base.get(fld) if nxt is not None else None
    return False
