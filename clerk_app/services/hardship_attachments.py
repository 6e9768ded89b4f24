"""Attachments of a hardship file (附件: income proof, diagnosis, school enrolment …): copied
into the data folder under their content hash and encrypted with a key derived from the
database's (storage.attachments), listed on the file, carried as rows in sync (the bytes travel
separately: see the report of issue 12). Adding needs the ``hardship`` permission; opening one
is a reveal of sensitive data, audited (kind and id, never the content) before it is read."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import UserError
from ..domain.hardship_records import ATTACHMENT_KINDS, Attachment
from ..domain.text import single_line
from ..storage import attachments as store
from ..storage import hardship_repo as repo
from ..storage.cipher import key_of
from ..storage.db import database_file, transaction
from . import access
from .context import Context, new_id
from .hardship import find_file
from .reveal import audit_reveal

MAX_BYTES = 50 * 1024 * 1024


def _folder(ctx: Context) -> Path:
    return database_file(ctx.db).parent


def add_attachment(ctx: Context, file_ref: str, source: str | Path, kind: str, name: str = "") -> Attachment:
    access.require(ctx, "hardship")
    f = find_file(ctx, file_ref)
    if kind not in ATTACHMENT_KINDS:
        raise UserError("member.bad_choice", label="附件类型")
    source = Path(source)
    try:
        if source.stat().st_size > MAX_BYTES:
            raise UserError("hardship.attachment_too_big", max=MAX_BYTES // (1024 * 1024))
        data = source.read_bytes()
    except OSError as exc:
        raise UserError("hardship.attachment_unreadable", path=str(source), detail=exc.strerror or "") from None
    # The encrypted copy is written first (named by its hash, harmless if the save then fails);
    # the row that lists it is one transaction.
    digest = store.store(_folder(ctx), data, key_of(ctx.db.conn))
    label = single_line(name or source.name)[:100]
    with transaction(ctx.db):
        aid = new_id(ctx.clock)
        ctx.changes.insert("hardship_attachments", {
            "id": aid, "file_id": f.id, "kind": kind, "name": label, "sha256": digest, "size": len(data),
            "clerk_id": ctx.clerk.id, "recorded_at": ctx.now_stamp()})
        ctx.audit("attach", "hardship_file", f.id, kind=kind, attachment=aid)
    found = repo.attachment(ctx.db, aid)
    assert found is not None
    return found


def list_attachments(ctx: Context, file_ref: str) -> list[Attachment]:
    return repo.attachments(ctx.db, find_file(ctx, file_ref).id)


def open_attachment(ctx: Context, attachment_id: str) -> bytes:
    """The attachment's bytes for a 负责人, audited first."""
    access.require(ctx, "hardship")
    att = repo.attachment(ctx.db, attachment_id)
    if att is None:
        raise UserError("hardship.attachment_missing")
    audit_reveal(ctx, "hardship_file", att.file_id, "查看附件", fields="attachment", attachment=att.id, kind=att.kind)
    try:
        return store.load(_folder(ctx), att.sha256, key_of(ctx.db.conn))
    except store.AttachmentDamaged:
        raise UserError("hardship.attachment_damaged", name=att.name) from None
