"""Who may do what: the one place a permission check goes.

Every service that shows a clerk more than the masked view (a member's full numbers, a
printout with them, a full export) calls :func:`require` before it writes its audit entry. The
roles (经办人, 负责人, 管理员) and what each may do are :mod:`.permissions`' table."""

from __future__ import annotations

from . import permissions
from .context import Context

REVEAL = "reveal"  # full ID numbers and phones, on screen, on paper or in an export


def require(ctx: Context, permission: str) -> None:
    """Raise ``UserError`` (Chinese, naming the role needed) when the acting clerk may not do
    ``permission``; return otherwise."""
    permissions.require(ctx, permission)
