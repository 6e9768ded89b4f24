"""Who may do what: the one place a permission check goes.

Every service that shows a clerk more than the masked view (a member's full numbers, a
printout with them) calls :func:`require` before it writes its audit entry. Clerk accounts
and roles (经办人, 负责人, 管理员) are not here yet: until they are, every clerk holds every
permission, and the roles work fills in this function — not the callers."""

from __future__ import annotations

from .context import Context

REVEAL = "reveal"  # full ID numbers and phones, on screen or on paper


def require(ctx: Context, permission: str) -> None:
    """Raise ``UserError`` when the acting clerk may not do ``permission``; return otherwise."""
    del ctx, permission  # every clerk may, until roles exist
