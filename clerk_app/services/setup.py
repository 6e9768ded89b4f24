"""First run: name this laptop, its union and its clerk; give the laptop a site id."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlite_utils import Database

from ..domain.errors import Issue, UserError, ValidationFailed
from ..domain.text import single_line
from ..domain.vocab import UNION_KINDS
from ..storage.clerks_repo import get_clerk, insert_clerk
from ..storage.db import transaction
from ..storage.meta import get_meta, set_meta
from ..clock import SYSTEM, Clock
from .context import Clerk, Context, new_id
from .access import ADMIN


@dataclass(frozen=True)
class SetupInput:
    laptop_name: str
    union_name: str
    clerk_name: str
    union_kind: str = "乡镇街道总工会"
    password: str = ""  # the first clerk's; wraps the database key (clerk_app.workspace)


MIN_PASSWORD = 8


def password_issues(password: str, field: str = "password") -> list[Issue]:
    if len(password) < MIN_PASSWORD:
        return [Issue(field, "auth.password_short", {"min": MIN_PASSWORD})]
    return []


def is_set_up(db: Database) -> bool:
    return get_meta(db, "site_id") is not None


def normalised(inp: SetupInput) -> SetupInput:
    """The names as one line each (control characters and line breaks out)."""
    return replace(inp, laptop_name=single_line(inp.laptop_name), union_name=single_line(inp.union_name),
                   clerk_name=single_line(inp.clerk_name))


def validate(inp: SetupInput) -> None:
    """Refuse a set-up form with missing names or a short password (nothing written)."""
    issues = []
    if not inp.laptop_name.strip():
        issues.append(Issue("laptop_name", "setup.laptop_name_required"))
    if not inp.union_name.strip():
        issues.append(Issue("union_name", "setup.union_name_required"))
    if not inp.clerk_name.strip():
        issues.append(Issue("clerk_name", "setup.clerk_name_required"))
    if inp.union_kind not in UNION_KINDS:
        issues.append(Issue("union_kind", "member.bad_choice", {"label": "工会类型"}))
    issues += password_issues(inp.password)
    if issues:
        raise ValidationFailed(issues)


def set_up(db: Database, inp: SetupInput, clock: Clock = SYSTEM, *, clerk_id: str | None = None) -> Context:
    """Write the laptop's identity, its union and its first clerk (管理员: the one who set the
    laptop up manages it). The keyring side is :meth:`clerk_app.workspace.Workspace.set_up`."""
    inp = normalised(inp)
    validate(inp)
    now = clock.stamp()
    site_id = new_id(clock)
    clerk = Clerk(clerk_id or new_id(clock), inp.clerk_name.strip(), ADMIN)
    with transaction(db):
        if is_set_up(db):  # a second set-up would give the laptop a new identity: a caller's bug
            raise RuntimeError("this laptop is already set up")
        set_meta(db, "site_id", site_id)
        set_meta(db, "laptop_name", inp.laptop_name.strip())
        insert_clerk(db, clerk.id, clerk.name, now, role=clerk.role)
        set_meta(db, "clerk_id", clerk.id)
        ctx = Context(db, clerk, site_id, clock)
        union_id = new_id(clock)
        ctx.changes.insert("unions", {"id": union_id, "name": inp.union_name.strip(),
                                      "kind": inp.union_kind, "parent_id": None, "created_at": now})
        set_meta(db, "home_union_id", union_id)
        ctx.audit("create", "setup", site_id, laptop_name=inp.laptop_name.strip())
    return ctx


def load_context(db: Database, clock: Clock = SYSTEM, clerk_id: str | None = None) -> Context:
    """The context of an already set-up laptop acting as ``clerk_id`` (the one who logged in;
    by default the clerk who set the laptop up)."""
    site_id = get_meta(db, "site_id")
    if site_id is None:
        raise RuntimeError("laptop is not set up")
    row = get_clerk(db, clerk_id or get_meta(db, "clerk_id") or "")
    if row is None or not row.active:
        raise UserError("auth.bad_login")
    return Context(db, Clerk(row.id, row.name, row.role), site_id, clock)
