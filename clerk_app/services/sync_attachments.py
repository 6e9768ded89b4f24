"""The files section of a sync package: the bytes of hardship attachments travel beside their
rows (issue 12), keyed by their content hash.

* **Out**: the files of the attachment rows this package carries, plus any the recipient has
  not acknowledged yet (sent in an earlier package, or left for lack of room), less those it
  holds — at most :data:`BUDGET` bytes a package (at least one file, each ≤ 50 MB), the rest
  wait for the next. They leave decrypted from this laptop's store (its key is its own) and
  travel inside the package's encryption to the recipient.
* **In**: the container has checked every file against its hash (a mismatch refuses the whole
  package); each is stored here under the same hash, encrypted with this database's key,
  before the merge's transaction (content-addressed: a file kept by a merge that then fails is
  harmless). The sender holds them: they are never sent back to it.
* **Acknowledged**: when the recipient's package acknowledges ours, the files ours carried are
  held by it (storage.sync_files)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..storage import attachments as store
from ..storage import sync_files
from ..storage.changes import DELETE
from ..storage.cipher import key_of
from ..storage.db import database_file
from .context import Context

BUDGET = 96 * 1024 * 1024  # attachment bytes in one package (the package file's cap is 256 MB)
TABLE = "hardship_attachments"


@dataclass(frozen=True)
class Outgoing:
    files: dict[str, bytes] = field(default_factory=dict)
    later: tuple[str, ...] = ()        # no room in this package: the next one
    unreadable: tuple[str, ...] = ()   # missing or damaged here: tried again next time


def outgoing(ctx: Context, peer: str, records: list[dict], budget: int = BUDGET) -> Outgoing:
    """The files a package to ``peer`` carrying ``records`` takes along."""
    ids = [r["row_id"] for r in records if r["tbl"] == TABLE and r["op"] != DELETE]
    folder, key = database_file(ctx.db).parent, key_of(ctx.db.conn)
    files: dict[str, bytes] = {}
    later, unreadable, used = [], [], 0
    for digest in sync_files.wanted(ctx.db, peer, sync_files.listed(ctx.db, ids)):
        try:
            data = store.load(folder, digest, key)
        except store.AttachmentDamaged:
            unreadable.append(digest)
            continue
        if files and used + len(data) > budget:
            later.append(digest)
            continue
        files[digest] = data
        used += len(data)
    return Outgoing(files, tuple(later), tuple(unreadable))


def record_sent(ctx: Context, peer: str, out: Outgoing, epoch: int, seq: int) -> None:
    """In the export's transaction: what went in package ``seq``, what waits."""
    sync_files.mark_sent(ctx.db, peer, sorted(out.files), epoch, seq)
    sync_files.mark_sent(ctx.db, peer, list(out.later), epoch, sync_files.WAITING)
    sync_files.mark_sent(ctx.db, peer, list(out.unreadable), epoch, sync_files.UNREADABLE)


def take_in(ctx: Context, files: dict[str, bytes]) -> int:
    """Store the files of an imported package (already checked against their hashes)."""
    folder, key = database_file(ctx.db).parent, key_of(ctx.db.conn)
    for digest, data in files.items():
        if store.store(folder, data, key) != digest:  # the container checked; never trust twice wrong
            raise AssertionError(digest)
    return len(files)


def record_received(ctx: Context, sender: str, files: dict[str, bytes], ack: list | None) -> None:
    """In the import's transaction: the sender holds what it sent, and what it acknowledged."""
    sync_files.mark_held(ctx.db, sender, sorted(files))
    if isinstance(ack, list) and len(ack) == 2:
        sync_files.acknowledge(ctx.db, sender, ack[0], ack[1])


def waiting(ctx: Context, peer: str) -> bool:
    """Files left for lack of room: an export must not repeat the last package."""
    return sync_files.waiting(ctx.db, peer) > 0
