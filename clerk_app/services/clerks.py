"""Clerks of this laptop and their roles (管理员 only). Their passwords are keyring entries
(:meth:`clerk_app.workspace.Workspace.add_login`): these functions write the database side."""

from __future__ import annotations

from ..domain.errors import UserError
from ..storage import clerks_repo as repo
from ..storage.db import transaction
from .context import Context, new_id
from .access import ADMIN, ROLES, require


def list_clerks(ctx: Context) -> list[repo.ClerkRow]:
    return repo.list_clerks(ctx.db)


def add_clerk(ctx: Context, name: str, role: str) -> str:
    """A new clerk (returns the id); give them a password with ``Workspace.add_login``."""
    require(ctx, "manage_clerks")
    name = name.strip()
    if not name:
        raise UserError("setup.clerk_name_required")
    if role not in ROLES:
        raise UserError("auth.bad_role", role=role)
    if any(c.name == name and c.active for c in repo.list_clerks(ctx.db)):
        raise UserError("auth.clerk_exists", name=name)
    clerk_id = new_id(ctx.clock)
    with transaction(ctx.db):
        repo.insert_clerk(ctx.db, clerk_id, name, ctx.now_stamp(), role=role)
        ctx.audit("create", "clerk", clerk_id, role=role)
    return clerk_id


def set_role(ctx: Context, clerk_id: str, role: str) -> None:
    require(ctx, "manage_clerks")
    if role not in ROLES:
        raise UserError("auth.bad_role", role=role)
    with transaction(ctx.db):
        row = repo.get_clerk(ctx.db, clerk_id)
        if row and row.role == ADMIN and role != ADMIN and repo.count_active_admins(ctx.db, ADMIN) <= 1:
            raise UserError("auth.last_admin")
        repo.set_role(ctx.db, clerk_id, role)
        ctx.audit("update", "clerk", clerk_id, role=role)


def deactivate(ctx: Context, clerk_id: str) -> None:
    """The clerk can no longer act (remove their keyring entry too); their audit entries stay."""
    require(ctx, "manage_clerks")
    with transaction(ctx.db):
        row = repo.get_clerk(ctx.db, clerk_id)
        if row and row.role == ADMIN and repo.count_active_admins(ctx.db, ADMIN) <= 1:
            raise UserError("auth.last_admin")
        repo.set_active(ctx.db, clerk_id, False)
        ctx.audit("deactivate", "clerk", clerk_id)
