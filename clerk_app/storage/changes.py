"""Every write to a record that travels to the district goes through :class:`ChangeRecorder`.

Each operation appends one row to ``change_log``: the table, the record's UUID, the
operation (create / update / delete), the fields it set with their new values, and one
HLC stamp plus this laptop's site id. The stamp is the version of every field in that
row, so the current version of a field is the stamp of the latest entry that names it
(:func:`field_versions`) — per-field last-writer-wins merging needs exactly that.
A delete also leaves a tombstone, so the deletion travels too and is never undone by an
older create arriving late.

The clock's last stamp is saved in ``meta`` inside the same transaction, so after a
restart (or with the system clock set back) stamps still only go forwards.

Each row also says where it comes from and what its writer saw, which merging needs:
its origin (site id, epoch, that site's own sequence: for a change made here, ``seq``),
the business transaction it belongs to (``txn_id``: one :func:`storage.db.transaction`, so
a package can hold an action back whole) and ``base``: for each field an update changes,
the version (``"hlc@site"``) that field had when the editor changed it. Two changes of one
field are concurrent when neither's base is the other's version.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from sqlite_utils import Database

from . import known
from .db import current_txn_id
from .hlc import HybridClock, parse_stamp, wall_ms
from .meta import get_meta, set_meta

CREATE, UPDATE, DELETE = "create", "update", "delete"
ERASED_JSON = '{"_erased": true}'  # what a deleted row's earlier change records hold instead of values
HLC_KEY = "hlc_last"
_SEQ = "change_log.seq"  # storage.known: the last sequence number given out
# The laptop's earlier site ids, one per restore (services.restore): the epoch is their count.
SITE_HISTORY_KEY = "site_history"


@dataclass(frozen=True)
class Change:
    seq: int
    hlc: str
    site_id: str
    tbl: str
    row_id: str
    op: str
    data: dict[str, Any]
    origin_epoch: int = 0
    origin_seq: int = 0
    txn_id: str = ""
    base: dict[str, str] = field(default_factory=dict)


def version_text(hlc: str, site_id: str) -> str:
    """A field version as ``base`` keeps it."""
    return f"{hlc}@{site_id}"


def site_epoch(db: Database) -> int:
    """This laptop's epoch: how many times it was restored (each restore a new site id)."""
    try:
        return len(json.loads(get_meta(db, SITE_HISTORY_KEY, "[]") or "[]"))
    except ValueError:
        return 0


@functools.lru_cache(maxsize=512)
def _q(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad identifier {name!r}")
    return f'"{name}"'


class ChangeRecorder:
    def __init__(self, db: Database, site_id: str, clock: HybridClock | None = None,
                 wall: Callable[[], int] | None = None):
        self.db = db
        self.site_id = site_id
        self.clock = clock or HybridClock(get_meta(db, HLC_KEY), wall or wall_ms)
        self.touched: set[str] = set()  # tables written since the last take_touched()
        self.listener: Callable[[str], None] | None = None  # told of each touched table (the window's)
        self.epoch = site_epoch(db)

    def note(self, tbl: str) -> None:
        """Remember that ``tbl`` was written (every logged write does this; a write that is not
        logged, such as a setting in ``meta``, calls it itself)."""
        self.touched.add(tbl)
        if self.listener is not None:
            self.listener(tbl)

    def take_touched(self) -> set[str]:
        """The tables written since the last call (and forget them)."""
        touched, self.touched = self.touched, set()
        return touched

    def _saved_stamp(self) -> str | None:
        # Re-read the saved stamp: another recorder on this database (a second Context) may
        # have moved it on, and ours must still come after it. Inside a storage.known block
        # the stamp this connection saved last is still the saved one.
        if known.inside(self.db):
            return known.get(self.db, HLC_KEY, lambda: get_meta(self.db, HLC_KEY))
        return get_meta(self.db, HLC_KEY)

    def _stamp(self) -> str:
        saved = self._saved_stamp()
        if saved:
            self.clock.observe(saved)
        stamp = self.clock.now()
        set_meta(self.db, HLC_KEY, stamp)
        known.put(self.db, HLC_KEY, stamp)
        return stamp

    def _log(self, tbl: str, row_id: str, op: str, data: dict[str, Any],
             base: dict[str, str] | None = None) -> str:
        self.note(tbl)
        stamp = self._stamp()
        values = [stamp, self.site_id, tbl, row_id, op, json.dumps(data, ensure_ascii=False, sort_keys=True),
                  self.epoch, current_txn_id(self.db) or str(uuid.uuid4()), json.dumps(base or {}, sort_keys=True)]
        if known.inside(self.db):  # the sequence number is known: seq and origin_seq in one insert
            seq = known.get(self.db, _SEQ, lambda: last_seq(self.db)) + 1
            self.db.conn.execute(
                "INSERT INTO change_log (hlc, site_id, tbl, row_id, op, data, origin_epoch, txn_id, base, seq,"
                " origin_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?)", [*values, seq, seq])
            known.put(self.db, _SEQ, seq)
            return stamp
        cur = self.db.conn.execute(
            "INSERT INTO change_log (hlc, site_id, tbl, row_id, op, data, origin_epoch, txn_id, base)"
            " VALUES (?,?,?,?,?,?,?,?,?)", values)
        self.db.conn.execute("UPDATE change_log SET origin_seq = seq WHERE seq = ?", [cur.lastrowid])
        known.drop(self.db, _SEQ)
        return stamp

    def insert(self, tbl: str, row: dict[str, Any]) -> str:
        """Insert ``row`` (which carries its UUID in ``id``) and record every field."""
        cols = list(row)
        self.db.conn.execute(
            f"INSERT INTO {_q(tbl)} ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))})",
            [row[c] for c in cols],
        )
        return self._log(tbl, row["id"], CREATE, {k: v for k, v in row.items() if k != "id"})

    def insert_many(self, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Insert many ``(table, row)`` pairs and record each, as :meth:`insert` one by one
        would: the rows of each table go in in their order (one ``executemany`` per table, the
        tables in the order they first appear, so a row can refer to one before it), and the
        change records follow the order given, with increasing stamps and sequence numbers.

        The clock is read once, carried in memory and saved once; the sequence numbers are
        given here (``origin_seq`` = ``seq`` in the same insert). Call inside a transaction."""
        if not rows:
            return
        by_table: dict[str, list[dict[str, Any]]] = {}
        for tbl, row in rows:
            by_table.setdefault(tbl, []).append(row)
        for tbl, table_rows in by_table.items():
            self.note(tbl)
            cols = list(table_rows[0])
            self.db.conn.executemany(
                f"INSERT INTO {_q(tbl)} ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))})",
                [[row[c] for c in cols] for row in table_rows])
        saved = self._saved_stamp()
        if saved:
            self.clock.observe(saved)
        stamps = self.clock.stamps(len(rows))
        seq = known.get(self.db, _SEQ, lambda: last_seq(self.db)) if known.inside(self.db) else last_seq(self.db)
        txn = current_txn_id(self.db) or str(uuid.uuid4())
        dumps = json.dumps
        self.db.conn.executemany(
            "INSERT INTO change_log (seq, hlc, site_id, tbl, row_id, op, data, origin_epoch, origin_seq, txn_id, base)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(seq + n, stamp, self.site_id, tbl, row["id"], CREATE,
              dumps({k: v for k, v in row.items() if k != "id"}, ensure_ascii=False, sort_keys=True),
              self.epoch, seq + n, txn, "{}")
             for n, (stamp, (tbl, row)) in enumerate(zip(stamps, rows), start=1)])
        set_meta(self.db, HLC_KEY, stamps[-1])
        known.put(self.db, HLC_KEY, stamps[-1])
        known.put(self.db, _SEQ, seq + len(rows))

    def update(self, tbl: str, row_id: str, values: dict[str, Any], *,
               touch: dict[str, Any] | None = None, force: bool = False) -> dict[str, Any]:
        """Write the fields whose value really changes; record only those. Returns them.

        ``touch`` (e.g. ``{"updated_at": now}``) is written and recorded in the same change
        record only when something in ``values`` changed, so an edit is one record and an
        edit that changes nothing records nothing. ``force`` records every field of ``values``
        even when unchanged: a decision that confirms a value (the district keeping one side of
        a conflict) still travels, with the version it saw as its base."""
        cols = list(values)
        if not cols:
            return {}
        cur = self.db.conn.execute(
            f"SELECT {', '.join(map(_q, cols))} FROM {_q(tbl)} WHERE id = ?", [row_id]
        ).fetchone()
        if cur is None:
            raise KeyError(row_id)
        changed = {c: values[c] for c, old in zip(cols, cur) if force or old != values[c]}
        if changed:
            written = {**changed, **{k: v for k, v in (touch or {}).items() if k not in changed}}
            sets = ", ".join(f"{_q(c)} = ?" for c in written)
            self.db.conn.execute(
                f"UPDATE {_q(tbl)} SET {sets} WHERE id = ?", [*written.values(), row_id]
            )
            seen = field_versions(self.db, tbl, row_id)
            base = {f: version_text(*seen[f]) for f in written if f in seen}
            self._log(tbl, row_id, UPDATE, written, base)
        return changed

    def delete(self, tbl: str, row_id: str) -> None:
        """Delete the row and leave a tombstone. The values the row's earlier change records
        carried are replaced by :data:`ERASED` (PIPL: a deleted person's ID number must not
        live on in the change log); their stamps stay, so the deletion still wins every merge."""
        self.db.conn.execute(f"DELETE FROM {_q(tbl)} WHERE id = ?", [row_id])
        erase_payloads(self.db, tbl, row_id)
        stamp = self._log(tbl, row_id, DELETE, {})
        self.db.conn.execute(
            "INSERT OR REPLACE INTO tombstones (tbl, row_id, hlc, site_id) VALUES (?,?,?,?)",
            [tbl, row_id, stamp, self.site_id],
        )


def erase_payloads(db: Database, tbl: str, row_id: str) -> None:
    """Replace the values of a deleted row's change records by :data:`ERASED_JSON` (their
    stamps and origin stay). A merged delete does the same, so erasure travels."""
    db.conn.execute("UPDATE change_log SET data = ? WHERE tbl = ? AND row_id = ? AND op != ?",
                    [ERASED_JSON, tbl, row_id, DELETE])


def redact_logged(db: Database, origin: str, epoch: int, seq: int, data: dict[str, Any]) -> None:
    """Replace the values of one held change record by a redacted copy of them (another site
    erased or blanked what it carried; see :func:`scrub_fields`)."""
    db.conn.execute("UPDATE change_log SET data = ? WHERE site_id = ? AND origin_epoch = ? AND origin_seq = ?",
                    [json.dumps(data, ensure_ascii=False, sort_keys=True), origin, epoch, seq])


def scrub_fields(db: Database, tbl: str, row_id: str, fields: Iterable[str]) -> int:
    """Blank ``fields`` (value None, the field name and stamp kept) in every change record of
    one row that is *kept* but must forget a person (an attendance row of an erased member).
    Returns how many records were rewritten."""
    names = set(fields)
    done = 0
    rows = db.conn.execute("SELECT seq, data FROM change_log WHERE tbl = ? AND row_id = ?", [tbl, row_id]).fetchall()
    for seq, data in rows:
        values = json.loads(data)
        if names & values.keys():
            values.update({k: None for k in names & values.keys()})
            db.conn.execute("UPDATE change_log SET data = ? WHERE seq = ?",
                            [json.dumps(values, ensure_ascii=False, sort_keys=True), seq])
            done += 1
    return done


_CHANGE_COLUMNS = "seq, hlc, site_id, tbl, row_id, op, data, origin_epoch, origin_seq, txn_id, base"


def _change(r: Any) -> Change:
    return Change(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8], r[9], json.loads(r[10]))


def changes_since(db: Database, seq: int = 0, tbl: str | None = None) -> list[Change]:
    """Every change record this database holds after local sequence ``seq`` (its own and
    those merged in from other laptops), in the order they were written here."""
    sql = f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE seq > ?"
    params: list[Any] = [seq]
    if tbl:
        sql += " AND tbl = ?"
        params.append(tbl)
    rows = db.conn.execute(sql + " ORDER BY seq", params).fetchall()
    return [_change(r) for r in rows]


def field_versions(db: Database, tbl: str, row_id: str) -> dict[str, tuple[str, str]]:
    """The current (hlc, site_id) version of each field of one record."""
    versions: dict[str, tuple[str, str]] = {}
    rows = db.conn.execute(
        "SELECT hlc, site_id, op, data FROM change_log WHERE tbl = ? AND row_id = ? ORDER BY hlc, site_id",
        [tbl, row_id],
    ).fetchall()
    for hlc, site, op, data in rows:
        fields: Iterable[str] = ["_deleted"] if op == DELETE else json.loads(data)
        for f in fields:
            versions[f] = (hlc, site)
    return versions


# ---------------------------------------------------------------- changes from other laptops

def logged_by_origin(db: Database, origin: str, epoch: int, seq: int) -> Change | None:
    """The change this database holds under the origin key (site, epoch, origin sequence)."""
    row = db.conn.execute(f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE site_id = ? AND origin_epoch = ?"
                          " AND origin_seq = ?", [origin, epoch, seq]).fetchone()
    return _change(row) if row else None


def log_merged(db: Database, change: Change) -> None:
    """Keep a change merged in from another laptop (its origin key and stamp unchanged), so it
    is forwarded in later packages and counts in the fields' versions. This module stays the
    one writer of ``change_log``."""
    db.conn.execute(
        "INSERT INTO change_log (hlc, site_id, tbl, row_id, op, data, origin_epoch, origin_seq, txn_id, base)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        [change.hlc, change.site_id, change.tbl, change.row_id, change.op,
         json.dumps(change.data, ensure_ascii=False, sort_keys=True), change.origin_epoch, change.origin_seq,
         change.txn_id, json.dumps(change.base, sort_keys=True)])


def log_merged_many(db: Database, changes: Iterable[Change]) -> None:
    """:func:`log_merged` for many changes at once, in order (one statement)."""
    db.conn.executemany(
        "INSERT INTO change_log (hlc, site_id, tbl, row_id, op, data, origin_epoch, origin_seq, txn_id, base)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        [[c.hlc, c.site_id, c.tbl, c.row_id, c.op, json.dumps(c.data, ensure_ascii=False, sort_keys=True),
          c.origin_epoch, c.origin_seq, c.txn_id, json.dumps(c.base, sort_keys=True)] for c in changes])


def held_origin_keys(db: Database, keys: Iterable[tuple[str, int, int]]) -> set[tuple[str, int, int]]:
    """Those of ``keys`` (origin, epoch, origin sequence) this log already holds."""
    return _keys_in(db, "change_log", "site_id", keys)


def _keys_in(db: Database, table: str, site_col: str, keys: Iterable[tuple[str, int, int]]) -> set:
    groups: dict[tuple[str, int], list[int]] = {}
    for origin, epoch, seq in keys:
        groups.setdefault((origin, epoch), []).append(seq)
    found = set()
    for (origin, epoch), seqs in groups.items():
        for i in range(0, len(seqs), 500):
            part = seqs[i:i + 500]
            found.update((origin, epoch, r[0]) for r in db.conn.execute(
                f"SELECT origin_seq FROM {table} WHERE {site_col} = ? AND origin_epoch = ?"
                f" AND origin_seq IN ({', '.join('?' * len(part))})", [origin, epoch, *part]))
    return found


def parked_origin_keys(db: Database, keys: Iterable[tuple[str, int, int]]) -> set[tuple[str, int, int]]:
    """Those of ``keys`` waiting in ``parked_changes``."""
    return _keys_in(db, "parked_changes", "origin_site", keys)


def row_history(db: Database, tbl: str, row_id: str) -> list[Change]:
    """Every change record of one row, in version order (hlc, site)."""
    rows = db.conn.execute(f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE tbl = ? AND row_id = ?"
                           " ORDER BY hlc, site_id", [tbl, row_id]).fetchall()
    return [_change(r) for r in rows]


def observe_stamp(db: Database, stamp: str) -> None:
    """Move this laptop's clock past ``stamp`` (an imported change's), so its next own change
    is later than everything it has seen. The caller bounds ``stamp`` (never far future)."""
    saved = get_meta(db, HLC_KEY)
    if not saved or parse_stamp(stamp) > parse_stamp(saved):
        set_meta(db, HLC_KEY, stamp)
        known.drop(db, HLC_KEY)


CLOCK_SKEW_WARN_MS = 24 * 3600 * 1000


def clock_skew_ms(db: Database, wall: int) -> int:
    """How far this laptop's last change stamp is ahead of its wall clock ``wall`` (ms; 0 if
    behind). More than :data:`CLOCK_SKEW_WARN_MS` means the clock once ran ahead (or runs
    behind now): the clerk is warned, since every new change is stamped after that stamp."""
    saved = get_meta(db, HLC_KEY)
    return max(0, parse_stamp(saved)[0] - wall) if saved else 0


def last_seq(db: Database) -> int:
    """The highest change-record sequence number this database ever gave out (the log's
    AUTOINCREMENT counter, which a deleted row does not lower)."""
    top = db.conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
    row = db.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'").fetchone()
    return max(top, row[0] if row else 0)


def reserve_seq(db: Database, seq: int) -> None:
    """Make the next change record's sequence number greater than ``seq`` (inside the
    caller's transaction): a restored database must not hand out numbers again."""
    if last_seq(db) >= seq:
        return
    if db.conn.execute("SELECT 1 FROM sqlite_sequence WHERE name = 'change_log'").fetchone():
        db.conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'change_log'", [seq])
    else:
        db.conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('change_log', ?)", [seq])
