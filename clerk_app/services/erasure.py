"""Erasing a person (PIPL art. 47: the purpose is gone, consent withdrawn, or they ask).

Unlike :func:`services.members.delete_member` (a record typed by mistake, refused once cards
or sign-ins hang on it), erasure always succeeds and reaches everything that holds the person:

- the member row, its search keys, status history and consents, its cards and their events
  are deleted; each leaves a tombstone, and the change records that carried their values now
  carry none (``storage.changes``: a delete blanks the row's earlier payloads);
- the person's sign-ins stay as anonymous rows (an event's figures rest on them), their
  member link and any walk-in name and phone blanked, in the row and in its change records;
- sync packages exported but not yet acknowledged may carry the person: their kept bytes are
  dropped and their files removed where they still are (a copy already taken away on a USB
  stick is out of reach: the result counts what was removed); the next export sends what the
  district still lacks, without the person's values;
- the audit entry names the record's UUID and counts only;
- after the commit the write-ahead log is folded in and truncated; ``secure_delete`` already
  zeroes the freed pages, so the database file keeps no copy either.

Backups made before the erasure still hold the person until they age out by the retention
rule (services.backups); the result says so, so the clerk can tell the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import UserError
from ..storage import hardship_repo, members_repo, person_repo, sync_ledger
from ..storage.changes import scrub_fields
from ..storage.db import transaction
from .context import Context


@dataclass(frozen=True)
class ErasureResult:
    member_id: str
    rows_deleted: int  # member row included
    sign_ins_anonymised: int
    wal_truncated: bool  # False: a reader kept the log open; it is truncated at the next checkpoint
    packages_removed: int = 0  # files of unacknowledged sync packages removed


def erase_member(ctx: Context, member_id: str, *, reason: str = "request") -> ErasureResult:
    """Erase one member everywhere in this database (see the module text). ``reason``: a code
    for the audit entry (``request``, ``withdrawn_consent``, ``purpose_ended``), never text."""
    if reason not in ("request", "withdrawn_consent", "purpose_ended"):
        raise ValueError(f"unknown erasure reason {reason!r}")
    with transaction(ctx.db):
        if members_repo.get(ctx.db, member_id) is None:
            raise UserError("member.not_found")
        if hardship_repo.files_of_member(ctx.db, member_id):
            # the file, its household and its ledger are not erased yet: refuse rather than
            # leave the most sensitive rows behind a deleted member
            raise UserError("hardship.erase_has_file")
        rows = person_repo.rows_to_delete(ctx.db, member_id)
        attendance = person_repo.attendance_of(ctx.db, member_id)
        for att_id in attendance:
            scrub_fields(ctx.db, "attendance", att_id, person_repo.ATTENDANCE_PERSONAL)
            ctx.changes.update("attendance", att_id, {f: None if f == "member_id" else ""
                                                      for f in person_repo.ATTENDANCE_PERSONAL})
        for tbl, row_id in rows:
            ctx.changes.delete(tbl, row_id)
        ctx.changes.delete("members", member_id)
        queued = sync_ledger.forget_queued(ctx.db)
        ctx.audit("erase", "member", member_id, reason=reason, rows=len(rows) + 1, sign_ins=len(attendance),
                  **({"queued_packages": len(queued)} if queued else {}))
    removed = 0
    for file in queued:
        try:
            Path(file).unlink()
            removed += 1
        except OSError:  # gone already, or the stick was taken away
            pass
    truncated = person_repo.truncate_wal(ctx.db)
    return ErasureResult(member_id, len(rows) + 1, len(attendance), truncated, removed)
