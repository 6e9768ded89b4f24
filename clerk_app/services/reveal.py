"""Showing more than the masked view, always behind an audit entry written first.

``reveal_member`` gives one member's full ID number, phone and birth date to a clerk who
asked (显示完整号码 on the member's detail, or in the edit form); ``audit_reveal`` is the same
check and record for a printout with full numbers (``printouts.reveal_printout``). The
permission check is :func:`.access.require`, the one place roles will decide it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..domain.errors import UserError
from ..storage import cipher
from ..storage import members_repo as repo
from ..storage.db import transaction
from . import access
from .context import Context


@dataclass(frozen=True)
class RevealedMember:
    member_id: str
    id_number: str
    phone: str
    birth_date: str


def audit_or_refuse(ctx: Context, what: str, action: str, entity: str, entity_id: str = "", **detail) -> None:
    """Write one audit entry, or refuse the act it records with a Chinese message (``what``:
    the act, e.g. 保存文件) when the entry cannot be written: a locked database past its busy
    timeout, a read-only one, a disk error."""
    try:
        with transaction(ctx.db):
            ctx.audit(action, entity, entity_id, **detail)
    except (sqlite3.OperationalError, cipher.OperationalError):  # the app's SQLCipher, or a plain copy
        raise UserError("audit.not_written", what=what) from None
    except UserError as exc:  # transaction() names a read-only (damaged) database or a full disk
        if exc.code in ("db.read_only", "disk.full"):
            raise UserError("audit.not_written", what=what) from exc
        raise


def audit_reveal(ctx: Context, entity: str, entity_id: str, what: str, *, fields: str = "id_number,phone",
                 **detail) -> None:
    """A clerk is about to see full numbers: check they may, and record it first (the entry
    names the fields, never the values)."""
    access.require(ctx, access.REVEAL)
    audit_or_refuse(ctx, what, "reveal", entity, entity_id, field=fields, **detail)


def reveal_member(ctx: Context, member_id: str) -> RevealedMember:
    """One member's full numbers, audited before they are read out."""
    if repo.get(ctx.db, member_id) is None:
        raise UserError("member.not_found")
    audit_reveal(ctx, "member", member_id, "显示完整号码")
    rec = repo.get(ctx.db, member_id)
    if rec is None:  # deleted between the two reads: the entry stays, nothing is shown
        raise UserError("member.not_found")
    return RevealedMember(member_id, rec.id_number or "", rec.phone or "", rec.birth_date or "")
