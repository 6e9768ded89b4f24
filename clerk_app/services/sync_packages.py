"""Sync packages between a laptop and its district: export, import, status.

**Export** (:func:`export_package`): everything the recipient has not acknowledged — the
change records after the peer's acknowledged local sequence, and this site's audit entries
after its acknowledged audit id — sealed (sync.container) with this site's acknowledgement of
the recipient's last package, the digest of our previous package to it (the hash chain), and
the next sequence number. The sequence is reserved in the same transaction as the ledger row,
which keeps the package's bytes until the recipient acknowledges it; the file is written
(temporary file, fsync, rename) only after that commit. An export killed after the commit and
run again, with nothing new in between, writes the very same bytes under the same sequence:
one sequence never has two contents (matrix row 3). With something new it takes the next
sequence, and the recipient names the skipped one as a gap, harmlessly (every package carries
everything unacknowledged).

**Import** (:func:`import_package`): the container checks everything it can alone (size,
format, decryption, sender in the registry, revocation, signature, manifest, every record),
then the ledger: a package already imported (same sender, epoch, sequence and digest) is
"已导入" and changes nothing (row 15); the same key with another digest, or a package whose
``prev`` does not match the package before it, is refused and an alarm kept (rows 12, 20). A
gap is imported and the missing sequences named (row 16). The merge (sync.merge), the audit
section, the ledger row and the acknowledgements go in ONE transaction (row 2): killed in
the middle, the database is as before. A backup is taken before the import (its failure
stops the import) and after it (services.backups.around_import).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..domain.errors import UserError
from ..storage import sync_ledger as ledger
from ..storage import sync_store
from ..storage.changes import CLOCK_SKEW_WARN_MS, clock_skew_ms
from ..storage.db import transaction
from ..storage.meta import get_meta, set_meta
from ..sync.container import package_filename, read_package, seal_package_digest
from ..sync.errors import EQUIVOCATION, FORK, PackageRefused
from ..sync.files import write_atomically
from ..sync.merge import MergeReport, apply_changes
from ..sync.records import export_records, record_rules
from ..sync.state import apply_audit, export_audit
from . import backups, sync_attachments
from .changes import Changes
from .context import Context
from .sync_scope import Scope
from .sync_site import (DISTRICT, LAPTOP, UNION_KEY, Identity, identity, known_peer, registry,
                        restored_since_enrolment, site_keys)

SCHEMA = 1  # the data schema of the change records a package carries
Progress = Callable[[int, int], None]


def _no_progress(_done: int, _total: int) -> None:
    pass


def _enrolled(ctx: Context) -> Identity:
    me = identity(ctx)
    if not me.enrolled:
        raise UserError("syncsite.not_enrolled")
    return me


def recipients(ctx: Context) -> list[ledger.Peer]:
    """Who this site sends packages to: a laptop its district, the district every laptop
    still in use."""
    me = _enrolled(ctx)
    if me.is_district:
        return [p for p in ledger.peers(ctx.db, LAPTOP) if p.revoked_after is None]
    return ledger.peers(ctx.db, DISTRICT)


# ---------------------------------------------------------------------------------------- export

@dataclass(frozen=True)
class Exported:
    path: Path
    recipient: str            # the recipient's name
    seq: int
    counts: dict[str, int]    # change records per table
    audit: int                # audit entries
    again: bool               # the same package as the last export (nothing new since)
    files: int = 0            # attachment files carried (services.sync_attachments)


def export_package(ctx: Context, folder: Path | str, to: str | None = None, *,
                   progress: Progress = _no_progress) -> Exported:
    """Write one package for ``to`` (a peer's site id; a laptop's default: its district) into
    ``folder`` and return what was written."""
    me = _enrolled(ctx)
    if not me.is_district and restored_since_enrolment(ctx):
        raise UserError("syncsite.restored", laptop=me.name or "本机")
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("syncsite.no_folder", path=str(folder))
    if to is None:
        peers = recipients(ctx)
        if not peers:
            raise UserError("syncsite.no_laptops" if me.is_district else "syncsite.not_enrolled")
        to = peers[0].site_id
    recipient = known_peer(ctx, to)
    keys = site_keys(ctx)
    progress(0, 3)
    db = ctx.db
    with transaction(db):
        peer = ledger.peer(db, to)
        last = ledger.last_package(db, ledger.OUT, to, me.site_id)
        top, top_audit = ledger.max_change_seq(db), ledger.max_audit_id(db)  # (before our export entry)
        again = (last is not None and last.epoch == me.epoch and last.upto_seq == top
                 and last.upto_audit == top_audit and not sync_attachments.waiting(ctx, to))
        data = ledger.package_data(db, ledger.OUT, me.site_id, me.epoch, last.seq, to) if again else None
        n_files = 0
        if data is not None:
            seq, counts, n_audit = last.seq, last.counts, _audit_count(last)
        else:
            again = False
            seq = last.seq + 1 if last is not None and last.epoch == me.epoch else 1
            # The export's own audit entry travels in the package it records.
            ctx.audit("export", "sync_package", to, seq=seq)
            records = export_records(db, peer.acked_seq)
            if me.is_district and peer.union_id:  # a laptop gets its own union's records only
                scope = Scope(db, peer.union_id)
                records = [r for r in records if scope.wants(r)]
            audit = export_audit(db, peer.acked_audit)
            files = sync_attachments.outgoing(ctx, to, records)
            n_files = len(files.files)
            progress(1, 3)
            prev = bytes.fromhex(last.digest) if last is not None and last.epoch == me.epoch else None
            acked = ledger.last_package(db, ledger.IN, to, to)
            acks = {to: [acked.epoch, acked.seq]} if acked else {}
            data, digest = seal_package_digest(
                keys=keys, sender=me.site_id, epoch=me.epoch, recipient=recipient, seq=seq, changes=records,
                audit=audit, acks=acks, prev=prev, schema=SCHEMA, rules=record_rules(db), files=files.files)
            sync_attachments.record_sent(ctx, to, files, me.epoch, seq)
            counts = {}
            for rec in records:
                counts[rec["tbl"]] = counts.get(rec["tbl"], 0) + 1
            n_audit = len(audit)
            ledger.add_package(db, direction=ledger.OUT, site=to, sender=me.site_id, epoch=me.epoch, seq=seq,
                               digest=digest.hex(), prev=prev.hex() if prev else "",
                               counts={**counts, "_audit": n_audit}, upto_seq=top,
                               upto_audit=max([e["id"] for e in audit], default=peer.acked_audit),
                               data=data, at=ctx.now_stamp())
    progress(2, 3)
    label = me.name or ("区总工会" if me.is_district else "笔记本")
    if me.is_district:
        label = f"{label}至{recipient.name}"
    path = write_atomically(folder / package_filename(label, seq, ctx.today()), data)
    with transaction(db):
        ledger.set_file(db, ledger.OUT, to, me.site_id, me.epoch, seq, str(path))
        ctx.changes.note("sync_packages")
    progress(3, 3)
    return Exported(path, recipient.name, seq, {k: v for k, v in counts.items() if k != "_audit"}, n_audit, again,
                    n_files)


def _audit_count(row: ledger.LedgerRow) -> int:
    return int(row.counts.get("_audit", 0))


def export_all(ctx: Context, folder: Path | str, *, progress: Progress = _no_progress) -> list[Exported]:
    """One package for each recipient (a laptop: its district; the district: every laptop)."""
    peers = recipients(ctx)
    if not peers:
        raise UserError("syncsite.no_laptops" if identity(ctx).is_district else "syncsite.not_enrolled")
    return [export_package(ctx, folder, p.site_id, progress=progress) for p in peers]


# ---------------------------------------------------------------------------------------- import

@dataclass(frozen=True)
class Imported:
    path: Path
    sender: str               # the sender's name
    seq: int
    already: bool             # imported before: nothing changed
    missing: list[int] = field(default_factory=list)   # earlier sequences of this sender not imported
    report: MergeReport = field(default_factory=MergeReport)
    audit_alarms: int = 0
    warnings: list[str] = field(default_factory=list)   # from the backups around the import
    files: int = 0            # attachment files received

    @property
    def message(self) -> str:
        from ..domain.messages import message

        if self.already:
            return message("sync.already", sender=self.sender, seq=self.seq)
        text = (f"已导入 {self.sender} 的第 {self.seq} 号同步包：新记录 {self.report.applied} 条，"
                f"已有 {self.report.already} 条，暂缓 {self.report.parked + self.report.held_back} 条")
        if self.files:
            text += f"，附件 {self.files} 个"
        if self.missing:
            text += f"；缺少第 {'、'.join(map(str, self.missing))} 号包，请对方补发"
        if self.report.alarms or self.audit_alarms:
            text += f"；警报 {self.report.alarms + self.audit_alarms} 条，请查看同步警报"
        return "\n".join([text, *self.warnings])


def import_package(ctx: Context, path: Path | str, *, progress: Progress = _no_progress) -> Imported:
    """Import one package file (see the module's rules). Refusals raise
    :class:`~clerk_app.sync.errors.PackageRefused` with nothing imported."""
    me = _enrolled(ctx)
    db = ctx.db
    path = Path(path)
    progress(0, 3)
    try:
        pkg = read_package(path, me=me.site_id, keys=site_keys(ctx), registry=registry(ctx), max_schema=SCHEMA,
                           rules=record_rules(db))
    except PackageRefused as exc:
        _refused(ctx, path, exc)
        raise
    progress(1, 3)
    h, digest = pkg.header, pkg.digest.hex()
    name = pkg.sender.name or h.sender
    seen = ledger.package(db, ledger.IN, h.sender, h.epoch, h.seq, h.sender)
    if seen is not None:
        if seen.digest == digest:
            return Imported(path, name, h.seq, True)
        refused = PackageRefused(EQUIVOCATION, sender=name, seq=h.seq)
        _alarm(ctx, EQUIVOCATION, h, {"digest": digest, "held": seen.digest}, path, refused.message)
        raise refused
    before = ledger.package(db, ledger.IN, h.sender, h.epoch, h.seq - 1, h.sender)
    after = ledger.package(db, ledger.IN, h.sender, h.epoch, h.seq + 1, h.sender)
    prev = pkg.manifest.prev.hex() if pkg.manifest.prev else ""
    if (before is not None and before.digest != prev) or (after is not None and after.prev != digest):
        refused = PackageRefused(FORK, sender=name, seq=h.seq, prev=h.seq - 1 if before is not None else h.seq + 1)
        _alarm(ctx, FORK, h, {"digest": digest, "prev": prev}, path, refused.message)
        raise refused
    held = set(ledger.imported_seqs(db, h.sender, h.epoch))
    missing = [s for s in range(1, h.seq) if s not in held]
    wall = ctx.clock.wall_ms()
    # A copy before (a failure stops the import) and after (a failure is a warning).
    warnings = backups.around_import(ctx, "before-sync")
    n_files = sync_attachments.take_in(ctx, pkg.files)
    with transaction(db):
        top_before = ledger.max_change_seq(db)
        report = apply_changes(db, pkg.changes, wall_ms=wall)
        audit_alarms = apply_audit(db, pkg.audit, wall_ms=wall)
        counts = {**pkg.manifest.counts, "_audit": pkg.manifest.audit}
        ledger.add_package(db, direction=ledger.IN, site=h.sender, sender=h.sender, epoch=h.epoch, seq=h.seq,
                           digest=digest, prev=prev, counts=counts, file=str(path), at=ctx.now_stamp())
        ack = pkg.manifest.acks.get(me.site_id)
        sync_attachments.record_received(ctx, h.sender, pkg.files, ack)
        if isinstance(ack, list) and len(ack) == 2:
            sent = ledger.package(db, ledger.OUT, me.site_id, ack[0], ack[1], h.sender)
            if sent is not None:
                ledger.raise_acks(db, h.sender, sent.upto_seq, sent.upto_audit)
                ledger.drop_acknowledged_data(db, h.sender, sent.upto_seq)
        if ledger.peer(db, h.sender).acked_seq >= top_before:
            # The sender had all of ours, and all we logged now came from it: never echo it back.
            ledger.raise_acks(db, h.sender, ledger.max_change_seq(db), 0)
        _take_assigned_union(ctx)
        ctx.audit("import", "sync_package", h.sender, seq=h.seq, epoch=h.epoch, applied=report.applied,
                  already=report.already, parked=report.parked, alarms=report.alarms + audit_alarms,
                  missing=missing)
    warnings += backups.around_import(ctx, "after-sync", required=False)
    progress(3, 3)
    return Imported(path, name, h.seq, False, missing, report, audit_alarms, warnings, n_files)


def _alarm(ctx: Context, kind: str, h, detail: dict, path: Path, message: str) -> None:
    """A security alarm kept even though the package is refused (its own small transaction)."""
    with transaction(ctx.db):
        sync_store.add_alarm(ctx.db, kind, h.sender, h.epoch, h.seq, detail, ctx.now_stamp())
        ctx.changes.note("sync_alarms")
        ctx.audit("refuse", "sync_package", h.sender, seq=h.seq, epoch=h.epoch, reason=kind, file=path.name,
                  message=message)


def _refused(ctx: Context, path: Path, exc: PackageRefused) -> None:
    """The sync log's line for a package the container refused: when, which file, why. Only
    the audit log is written (its own small transaction); the data is as before."""
    sender = str(exc.params.get("sender", ""))
    with transaction(ctx.db):
        ctx.audit("refuse", "sync_package", sender, reason=exc.reason, file=path.name, message=exc.message)
        ctx.changes.note("sync_packages")


def _take_assigned_union(ctx: Context) -> None:
    """A laptop's home union becomes the one the district assigned, once its record arrived."""
    union_id = get_meta(ctx.db, UNION_KEY)
    if union_id and ctx.home_union_id != union_id and sync_store.row_exists(ctx.db, "unions", union_id):
        set_meta(ctx.db, "home_union_id", union_id)


def import_all(ctx: Context, paths: list[Path | str], *, progress: Progress = _no_progress) -> list[Imported]:
    """Import each file in turn; each one is all or nothing on its own."""
    return [import_package(ctx, p, progress=progress) for p in paths]


def changes_after_import() -> Changes:
    """What the window must reload after an import: the merge writes past the ChangeRecorder's
    list of touched tables, so every kind of data may have changed."""
    return Changes(**{f.name: True for f in fields(Changes)})


# ---------------------------------------------------------------------------------------- status

@dataclass(frozen=True)
class PeerStatus:
    site_id: str
    name: str
    role: str
    epoch: int
    revoked: bool
    last_sent: ledger.LedgerRow | None
    last_received: ledger.LedgerRow | None
    missing: list[int]              # their sequences we never imported (below their last)
    pending: dict[str, int]         # our change records they have not acknowledged, per table


@dataclass(frozen=True)
class SyncStatus:
    me: Identity
    peers: list[PeerStatus]
    alarms: int
    conflicts: int
    duplicates: int
    parked: dict[str, int]
    clock_ahead_ms: int              # our last stamp ahead of the wall clock (warn beyond a day)

    @property
    def clock_warning(self) -> bool:
        return self.clock_ahead_ms > CLOCK_SKEW_WARN_MS


def status(ctx: Context) -> SyncStatus:
    me = identity(ctx)
    db = ctx.db
    peers = []
    for p in ledger.peers(db):
        received = ledger.last_package(db, ledger.IN, p.site_id, p.site_id)
        held = set(ledger.imported_seqs(db, p.site_id, received.epoch)) if received else set()
        missing = [s for s in range(1, received.seq) if s not in held] if received else []
        peers.append(PeerStatus(p.site_id, p.name, p.role, p.epoch, p.revoked_after is not None,
                                ledger.last_package(db, ledger.OUT, p.site_id, me.site_id) if me.site_id else None,
                                received, missing, ledger.pending_counts(db, p.acked_seq)))
    undecided = [d for d in sync_store.duplicate_pairs(db) if not d[3]]
    return SyncStatus(me, peers, len(sync_store.alarms(db)), sync_store.count_open_conflicts(db), len(undecided),
                      sync_store.parked_counts(db), clock_skew_ms(db, ctx.clock.wall_ms()))


def iso_day(stamp: str) -> str:
    """The date part of a stored stamp, for short listings."""
    try:
        return _dt.datetime.fromisoformat(stamp).date().isoformat()
    except ValueError:
        return stamp[:10]


__all__ = ["Exported", "Imported", "SyncStatus", "export_package", "export_all", "import_package", "import_all",
           "status", "recipients", "changes_after_import"]
