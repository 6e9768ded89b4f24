"""SQL for the demo generator's bulk writes (services.demo_save): duplicate checks against the
indexes a chunk at a time, and each table's rows of a chunk written with one ``executemany``.

The rows are the ones :func:`services.members.register_member` writes for each member (the
member, its search keys, its 入会 history line, its consent, one change record for each of
those three and one audit entry); only the number of statements differs. Change stamps and
the audit hash chain are computed in memory and the clock's last stamp and the chain's anchor
saved once per chunk, inside the chunk's transaction (tests/test_demo.py compares the rows
with register_member's and checks the chain)."""

from __future__ import annotations

import contextlib
import json
from typing import Any, Iterable, Iterator, Sequence

from sqlite_utils import Database

from . import audit
from .changes import CREATE, HLC_KEY, ChangeRecorder
from .db import current_txn_id
from .meta import set_meta

# a chunk of 2,000 members asks about 6,000 values: far below SQLite's variable limit
_BATCH = 500


def _batches(items: Sequence[Any], size: int = _BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def taken_id_numbers(db: Database, numbers: Sequence[str]) -> set[str]:
    """Those of ``numbers`` some member already has (the unique ID-number index)."""
    found: set[str] = set()
    for part in _batches(numbers):
        found.update(r[0] for r in db.conn.execute(
            f"SELECT id_number FROM members WHERE id_number IN ({','.join('?' * len(part))})", list(part)))
    return found


def taken_phones(db: Database, phones: Sequence[str]) -> set[str]:
    """Those of ``phones`` some member already has, through the search-key index (a phone's
    reversed digits are a member's ``d:`` key; an ID number's key is 18 characters long, so
    an 11-digit key is a phone's)."""
    found: set[str] = set()
    for part in _batches(phones):
        keys = ["d:" + p[::-1] for p in part]
        found.update(r[0][2:][::-1] for r in db.conn.execute(
            f"SELECT DISTINCT key FROM member_keys WHERE key IN ({','.join('?' * len(keys))})", keys))
    return found


def taken_name_births(db: Database, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of the (name, birth date) ``pairs`` some member already has (idx_members_name_birth)."""
    found: set[tuple[str, str]] = set()
    for part in _batches(pairs):
        values = ",".join("(?,?)" for _ in part)
        params = [v for pair in part for v in pair]
        found.update(db.conn.execute(
            f"WITH c(n, b) AS (VALUES {values}) SELECT m.name, m.birth_date FROM c"
            " JOIN members m ON m.name = c.n AND m.birth_date = c.b", params))
    return found


@contextlib.contextmanager
def bulk_cache(db: Database, mebibytes: int) -> Iterator[None]:
    """A larger page cache while a bulk write runs (the default 2 MB makes every chunk re-read
    the index pages it just wrote), set back afterwards."""
    before = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute(f"PRAGMA cache_size = -{mebibytes * 1024}")
    try:
        yield
    finally:
        db.conn.execute(f"PRAGMA cache_size = {int(before)}")


def insert_rows(db: Database, tbl: str, rows: Sequence[dict[str, Any]]) -> None:
    """``rows`` (all with the same columns) into ``tbl`` with one executemany."""
    if not rows:
        return
    cols = list(rows[0])
    db.conn.executemany(
        f"INSERT INTO \"{tbl}\" ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [[row[c] for c in cols] for row in rows])


def insert_members(db: Database, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """The member rows (one executemany); returns each new member's rowid by id."""
    last = db.conn.execute("SELECT coalesce(max(rowid), 0) FROM members").fetchone()[0]
    insert_rows(db, "members", rows)
    return dict(db.conn.execute("SELECT id, rowid FROM members WHERE rowid > ?", [last]))


def insert_keys(db: Database, pairs: Iterable[tuple[str, str]]) -> None:
    """(key, member id) search keys of brand-new members (nothing to delete first)."""
    db.conn.executemany("INSERT OR IGNORE INTO member_keys (key, member_id) VALUES (?, ?)", list(pairs))


def log_creates(db: Database, recorder: ChangeRecorder, creates: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """One ``create`` change record per (table, row) — stamps from ``recorder``'s clock in order,
    its epoch and site, this transaction's id — and the clock's last stamp saved once."""
    if not creates:
        return
    recorder.clock.observe(_saved_stamp(db) or recorder.clock.last)
    first = (db.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'").fetchone() or (0,))[0]
    first = max(first, db.conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0])
    txn = current_txn_id(db) or ""
    rows = []
    for n, (tbl, row) in enumerate(creates, start=first + 1):
        data = json.dumps({k: v for k, v in row.items() if k != "id"}, ensure_ascii=False, sort_keys=True)
        rows.append((n, recorder.clock.now(), recorder.site_id, tbl, row["id"], CREATE, data,
                     recorder.epoch, n, txn, "{}"))
        recorder.note(tbl)
    db.conn.executemany(
        "INSERT INTO change_log (seq, hlc, site_id, tbl, row_id, op, data, origin_epoch, origin_seq, txn_id, base)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    set_meta(db, HLC_KEY, recorder.clock.last)


def _saved_stamp(db: Database) -> str | None:
    row = db.conn.execute("SELECT value FROM meta WHERE key = ?", [HLC_KEY]).fetchone()
    return row[0] if row else None


def append_audit(db: Database, *, clerk_id: str, site_id: str,
                 entries: Sequence[tuple[str, str, str, dict[str, Any], str]]) -> None:
    """(action, entity, entity id, detail, at) entries appended to the hash chain in order,
    each hash over the one before, and the anchor moved on once."""
    audit.append_many(db, clerk_id=clerk_id, site_id=site_id, entries=entries)
