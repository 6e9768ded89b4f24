"""Which attachment files each sync partner has (table ``sync_attachment_files``, migration
0013): the files section of a package carries only those the partner has not acknowledged."""

from __future__ import annotations

from sqlite_utils import Database

# ``seq`` of a file not in any package yet: left for lack of room (the next export must not
# repeat the last package), or unreadable here (tried again with every export, never waited for).
WAITING, UNREADABLE = 0, -1


def wanted(db: Database, peer: str, candidates: list[str]) -> list[str]:
    """``candidates`` plus the files waiting or unacknowledged for ``peer``, less those it holds;
    sorted, without repeats."""
    held = {r[0] for r in db.execute("SELECT sha256 FROM sync_attachment_files WHERE peer = ? AND acked = 1",
                                     [peer])}
    waiting = {r[0] for r in db.execute("SELECT sha256 FROM sync_attachment_files WHERE peer = ? AND acked = 0",
                                        [peer])}
    return sorted((set(candidates) | waiting) - held)


def waiting(db: Database, peer: str) -> int:
    """Files that waited for room in a package (not yet in any)."""
    return db.execute("SELECT count(*) FROM sync_attachment_files WHERE peer = ? AND acked = 0 AND seq = ?",
                      [peer, WAITING]).fetchone()[0]


def mark_sent(db: Database, peer: str, digests: list[str], epoch: int, seq: int) -> None:
    """``digests`` went (``seq`` > 0) or are to go (:data:`WAITING`, :data:`UNREADABLE`) to
    ``peer``; a held one stays held."""
    db.conn.executemany(
        "INSERT INTO sync_attachment_files (peer, sha256, epoch, seq, acked) VALUES (?, ?, ?, ?, 0) "
        "ON CONFLICT (peer, sha256) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq WHERE acked = 0",
        [(peer, d, epoch, seq) for d in digests])


def mark_held(db: Database, peer: str, digests: list[str]) -> None:
    """``peer`` has these files (it sent them to us)."""
    db.conn.executemany(
        "INSERT INTO sync_attachment_files (peer, sha256, acked) VALUES (?, ?, 1) "
        "ON CONFLICT (peer, sha256) DO UPDATE SET acked = 1", [(peer, d) for d in digests])


def acknowledge(db: Database, peer: str, epoch: int, upto_seq: int) -> None:
    """``peer`` imported our packages up to (``epoch``, ``upto_seq``): it holds what they carried."""
    db.execute("UPDATE sync_attachment_files SET acked = 1 WHERE peer = ? AND acked = 0 AND epoch = ? "
               "AND seq BETWEEN 1 AND ?", [peer, epoch, upto_seq])


def listed(db: Database, ids: list[str]) -> list[str]:
    """The content hashes of the attachment rows ``ids``."""
    out: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out += [r[0] for r in db.execute(
            f"SELECT sha256 FROM hardship_attachments WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
    return out
