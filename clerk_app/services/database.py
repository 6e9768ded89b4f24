"""The database as a whole: a plaintext copy for inspection (管理员 only, audited first)."""

from __future__ import annotations

from pathlib import Path

from ..storage.db import transaction
from ..storage.encrypt import decrypt_copy as _decrypt_copy
from .context import Context
from .access import require


def decrypt_copy(ctx: Context, out: str | Path) -> Path:
    """Write an unencrypted copy of the whole database to ``out`` (which must not exist).

    The audit entry is written before the file exists, so there is never a plaintext copy
    that the audit trail does not know about; a copy that fails verification is removed."""
    require(ctx, "decrypt")
    target = Path(out).resolve()
    if target.exists():
        raise FileExistsError(target)
    with transaction(ctx.db):
        ctx.audit("decrypt", "database", "", out=target.name)
    _decrypt_copy(ctx.db.conn, target)
    return target
