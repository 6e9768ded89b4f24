"""Union branches (基层工会 / 联合工会 ...) as records with a parent union."""

from __future__ import annotations

from ..domain.errors import Issue, UserError, ValidationFailed
from ..domain.records import Union
from ..domain.vocab import UNION_KINDS
from ..storage import unions_repo as repo
from ..storage.db import transaction
from ..domain.text import single_line
from .context import Context, new_id


def list_unions(ctx: Context) -> list[Union]:
    return repo.all_unions(ctx.db)


def add_union(ctx: Context, name: str, kind: str, parent_id: str | None) -> Union:
    name = single_line(name)
    issues = []
    if not name:
        issues.append(Issue("name", "union.name_required"))
    if kind not in UNION_KINDS:
        issues.append(Issue("kind", "member.bad_choice", {"label": "工会类型"}))
    if issues:
        raise ValidationFailed(issues)
    with transaction(ctx.db):
        if parent_id and not repo.union_exists(ctx.db, parent_id):
            raise UserError("union.parent_missing")
        union = Union(new_id(ctx.clock), name, kind, parent_id, ctx.now_stamp())
        ctx.changes.insert("unions", {"id": union.id, "name": name, "kind": kind,
                                      "parent_id": parent_id, "created_at": union.created_at})
        ctx.audit("create", "union", union.id)
    return union
