"""The sync ledger (migration 0011): sync partners with their keys and acknowledgements, and
one row per package sent or imported. Only SQL here; services.sync_packages decides."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

OUT, IN = "out", "in"
DISTRICT, LAPTOP = "district", "laptop"


@dataclass(frozen=True)
class Peer:
    site_id: str
    name: str
    role: str
    signing_public: bytes
    encryption_public: bytes
    revoked_after: tuple[int, int] | None
    epoch: int
    union_id: str
    card_code: str
    acked_seq: int
    acked_audit: int
    added_at: str


@dataclass(frozen=True)
class LedgerRow:
    direction: str
    site: str
    sender: str
    epoch: int
    seq: int
    digest: str
    prev: str
    counts: dict[str, int]
    upto_seq: int
    upto_audit: int
    file: str
    at: str


_PEER = ("site_id, name, role, signing_public, encryption_public, revoked_epoch, revoked_seq, epoch,"
         " union_id, card_code, acked_seq, acked_audit, added_at")
_ROW = "direction, site, sender, epoch, seq, digest, prev, counts, upto_seq, upto_audit, file, at"


def _peer(r: Any) -> Peer:
    revoked = (r[5], r[6]) if r[5] is not None else None
    return Peer(r[0], r[1], r[2], bytes(r[3]), bytes(r[4]), revoked, r[7], r[8], r[9], r[10], r[11], r[12])


def _row(r: Any) -> LedgerRow:
    return LedgerRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9], r[10], r[11])


def save_peer(db: Database, *, site_id: str, name: str, role: str, signing_public: bytes,
              encryption_public: bytes, epoch: int = 0, union_id: str = "", card_code: str = "",
              at: str) -> None:
    """Add a peer, or renew its keys and epoch (a re-enrolment); its acknowledgements stay."""
    db.conn.execute(
        f"INSERT INTO sync_peers ({_PEER}) VALUES (?,?,?,?,?,NULL,NULL,?,?,?,0,0,?)"
        " ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, role = excluded.role,"
        " signing_public = excluded.signing_public, encryption_public = excluded.encryption_public,"
        " epoch = excluded.epoch, union_id = excluded.union_id, card_code = excluded.card_code,"
        " revoked_epoch = NULL, revoked_seq = NULL",
        [site_id, name, role, signing_public, encryption_public, epoch, union_id, card_code, at])


def peers(db: Database, role: str | None = None) -> list[Peer]:
    sql, params = f"SELECT {_PEER} FROM sync_peers", []
    if role:
        sql, params = sql + " WHERE role = ?", [role]
    return [_peer(r) for r in db.conn.execute(sql + " ORDER BY added_at, site_id", params)]


def peer(db: Database, site_id: str) -> Peer | None:
    r = db.conn.execute(f"SELECT {_PEER} FROM sync_peers WHERE site_id = ?", [site_id]).fetchone()
    return _peer(r) if r else None


def revoke_peer(db: Database, site_id: str, epoch: int, after_seq: int) -> None:
    db.conn.execute("UPDATE sync_peers SET revoked_epoch = ?, revoked_seq = ? WHERE site_id = ?",
                    [epoch, after_seq, site_id])


def raise_acks(db: Database, site_id: str, upto_seq: int, upto_audit: int) -> None:
    """``site_id`` has everything of ours up to these: later exports start after them."""
    db.conn.execute("UPDATE sync_peers SET acked_seq = max(acked_seq, ?), acked_audit = max(acked_audit, ?)"
                    " WHERE site_id = ?", [upto_seq, upto_audit, site_id])


def add_package(db: Database, *, direction: str, site: str, sender: str, epoch: int, seq: int, digest: str,
                prev: str, counts: dict[str, int], upto_seq: int = 0, upto_audit: int = 0,
                data: bytes | None = None, file: str = "", at: str) -> None:
    db.conn.execute(
        f"INSERT INTO sync_packages ({_ROW}, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [direction, site, sender, epoch, seq, digest, prev, json.dumps(counts, sort_keys=True),
         upto_seq, upto_audit, file, at, data])


def set_file(db: Database, direction: str, site: str, sender: str, epoch: int, seq: int, file: str) -> None:
    db.conn.execute("UPDATE sync_packages SET file = ? WHERE direction = ? AND site = ? AND sender = ?"
                    " AND epoch = ? AND seq = ?", [file, direction, site, sender, epoch, seq])


def package(db: Database, direction: str, sender: str, epoch: int, seq: int, site: str) -> LedgerRow | None:
    r = db.conn.execute(f"SELECT {_ROW} FROM sync_packages WHERE direction = ? AND sender = ? AND epoch = ?"
                        " AND seq = ? AND site = ?", [direction, sender, epoch, seq, site]).fetchone()
    return _row(r) if r else None


def package_data(db: Database, direction: str, sender: str, epoch: int, seq: int, site: str) -> bytes | None:
    r = db.conn.execute("SELECT data FROM sync_packages WHERE direction = ? AND sender = ? AND epoch = ?"
                        " AND seq = ? AND site = ?", [direction, sender, epoch, seq, site]).fetchone()
    return bytes(r[0]) if r and r[0] is not None else None


def drop_acknowledged_data(db: Database, site: str, upto_seq: int) -> None:
    """Packages ``site`` has acknowledged need not be kept whole any more (nor their contents)."""
    db.conn.execute("UPDATE sync_packages SET data = NULL WHERE direction = 'out' AND site = ?"
                    " AND upto_seq <= ?", [site, upto_seq])


def last_package(db: Database, direction: str, site: str, sender: str | None = None) -> LedgerRow | None:
    sql = f"SELECT {_ROW} FROM sync_packages WHERE direction = ? AND site = ?"
    params: list[Any] = [direction, site]
    if sender:
        sql += " AND sender = ?"
        params.append(sender)
    r = db.conn.execute(sql + " ORDER BY epoch DESC, seq DESC LIMIT 1", params).fetchone()
    return _row(r) if r else None


def packages(db: Database, direction: str | None = None, limit: int = 200) -> list[LedgerRow]:
    sql, params = f"SELECT {_ROW} FROM sync_packages", []
    if direction:
        sql, params = sql + " WHERE direction = ?", [direction]
    return [_row(r) for r in db.conn.execute(sql + " ORDER BY at DESC, seq DESC LIMIT ?", [*params, limit])]


def imported_seqs(db: Database, sender: str, epoch: int) -> list[int]:
    return [r[0] for r in db.conn.execute(
        "SELECT seq FROM sync_packages WHERE direction = 'in' AND sender = ? AND epoch = ? ORDER BY seq",
        [sender, epoch])]


def max_change_seq(db: Database) -> int:
    return db.conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]


def max_audit_id(db: Database) -> int:
    return db.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]


def pending_counts(db: Database, after_seq: int) -> dict[str, int]:
    """Change records after our local ``after_seq``, per table: what a peer has not acknowledged."""
    return dict(db.conn.execute("SELECT tbl, count(*) FROM change_log WHERE seq > ? GROUP BY tbl ORDER BY tbl",
                                [after_seq]).fetchall())


def row_field(db: Database, tbl: str, row_id: str, name: str) -> Any:
    """A field of a synced row as this database knows it: the row's value, or for a row that
    is gone (deleted) or waiting, the latest value a change record gave it; None if neither."""
    if not name.replace("_", "").isalnum() or not tbl.replace("_", "").isalnum():
        raise ValueError("bad identifier")
    try:
        row = db.conn.execute(f'SELECT "{name}" FROM "{tbl}" WHERE id = ?', [row_id]).fetchone()
    except Exception:  # a table or field this database does not have
        row = None
    if row is not None and row[0] not in (None, ""):
        return row[0]
    found = db.conn.execute(
        "SELECT json_extract(data, '$.' || ?) FROM change_log WHERE tbl = ? AND row_id = ?"
        " AND json_extract(data, '$.' || ?) IS NOT NULL ORDER BY hlc DESC, site_id DESC LIMIT 1",
        [name, tbl, row_id, name]).fetchone()
    return found[0] if found else None


def union_subtree(db: Database, union_id: str) -> set[str]:
    """``union_id`` and every union below it in the union tree."""
    rows = db.conn.execute(
        "WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT u.id FROM unions u JOIN tree t ON u.parent_id = t.id)"
        " SELECT id FROM tree", [union_id]).fetchall()
    return {r[0] for r in rows}


@dataclass(frozen=True)
class Refusal:
    at: str
    sender: str        # the sender's site id as the package named it ('' if it could not be read)
    seq: int
    reason: str        # a reason code of sync.errors
    message: str
    file: str


def refusals(db: Database, limit: int = 200) -> list[Refusal]:
    """Packages this computer refused, newest first (kept as audit entries: action ``refuse``,
    entity ``sync_package``; the refused package itself changed nothing)."""
    rows = db.conn.execute("SELECT at, entity_id, detail FROM audit_log WHERE action = 'refuse'"
                           " AND entity = 'sync_package' ORDER BY id DESC LIMIT ?", [limit]).fetchall()
    found = []
    for at, sender, detail in rows:
        d = json.loads(detail)
        found.append(Refusal(at, sender or "", int(d.get("seq") or 0), str(d.get("reason", "")),
                             str(d.get("message", "")), str(d.get("file", ""))))
    return found


def origin_sites(db: Database) -> dict[str, str]:
    """A laptop's own site id (what its change records and audit entries carry as origin) →
    its sync site id (the enrolment's), read from the enrolment each laptop accepted: its
    audit entry travelled up in the laptop's first package."""
    return dict(db.conn.execute("SELECT site_id, entity_id FROM audit_remote WHERE entity = 'sync_enrolment'"
                                " AND action = 'update' ORDER BY id").fetchall())


def forget_queued(db: Database) -> list[str]:
    """Drop the bytes of every package sent but not yet acknowledged (an erasure: they may hold
    the erased person's values); returns the files they were written to. The next export
    carries everything unacknowledged again, under the next sequence."""
    files = [r[0] for r in db.conn.execute(
        "SELECT file FROM sync_packages WHERE direction = 'out' AND data IS NOT NULL ORDER BY seq")]
    db.conn.execute("UPDATE sync_packages SET data = NULL WHERE direction = 'out' AND data IS NOT NULL")
    return [f for f in files if f]
