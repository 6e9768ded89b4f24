"""First run: name this laptop, its union and its clerk; give the laptop a site id."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlite_utils import Database

from ..domain.errors import Issue, ValidationFailed
from ..domain.text import single_line
from ..domain.vocab import UNION_KINDS
from ..storage.clerks_repo import clerk_name, insert_clerk
from ..storage.db import transaction
from ..storage.meta import get_meta, set_meta
from ..clock import SYSTEM, Clock
from .context import Clerk, Context, new_id


@dataclass(frozen=True)
class SetupInput:
    laptop_name: str
    union_name: str
    clerk_name: str
    union_kind: str = "乡镇街道总工会"


def is_set_up(db: Database) -> bool:
    return get_meta(db, "site_id") is not None


def set_up(db: Database, inp: SetupInput, clock: Clock = SYSTEM) -> Context:
    inp = replace(inp, laptop_name=single_line(inp.laptop_name), union_name=single_line(inp.union_name),
                  clerk_name=single_line(inp.clerk_name))
    issues = []
    if not inp.laptop_name.strip():
        issues.append(Issue("laptop_name", "setup.laptop_name_required"))
    if not inp.union_name.strip():
        issues.append(Issue("union_name", "setup.union_name_required"))
    if not inp.clerk_name.strip():
        issues.append(Issue("clerk_name", "setup.clerk_name_required"))
    if inp.union_kind not in UNION_KINDS:
        issues.append(Issue("union_kind", "member.bad_choice", {"label": "工会类型"}))
    if issues:
        raise ValidationFailed(issues)
    now = clock.stamp()
    site_id = new_id()
    clerk = Clerk(new_id(), inp.clerk_name.strip())
    with transaction(db):
        if is_set_up(db):  # a second set-up would give the laptop a new identity: a caller's bug
            raise RuntimeError("this laptop is already set up")
        set_meta(db, "site_id", site_id)
        set_meta(db, "laptop_name", inp.laptop_name.strip())
        insert_clerk(db, clerk.id, clerk.name, now)
        set_meta(db, "clerk_id", clerk.id)
        ctx = Context(db, clerk, site_id, clock)
        union_id = new_id()
        ctx.changes.insert("unions", {"id": union_id, "name": inp.union_name.strip(),
                                      "kind": inp.union_kind, "parent_id": None, "created_at": now})
        set_meta(db, "home_union_id", union_id)
        ctx.audit("create", "setup", site_id, laptop_name=inp.laptop_name.strip())
    return ctx


def load_context(db: Database, clock: Clock = SYSTEM) -> Context:
    """The context of an already set-up laptop (one local clerk until accounts arrive)."""
    site_id = get_meta(db, "site_id")
    if site_id is None:
        raise RuntimeError("laptop is not set up")
    clerk_id = get_meta(db, "clerk_id")
    name = clerk_name(db, clerk_id)
    return Context(db, Clerk(clerk_id, name), site_id, clock)
