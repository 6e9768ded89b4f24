"""The district's decision on a duplicate pair: merge the two records of one person, or mark
them as two people.

:func:`merge_persons` is one business action (one transaction, every write through
``ctx.changes``), so the merge travels to the laptops as change records like any edit: the
dropped record's cards (their events follow the cards), sign-ins, status history and consents
are re-pointed to the kept record, and the dropped record gets ``merged_into`` — it stays, hidden
from lists and search, so that an old package replayed later still has a row to land on and
:mod:`clerk_app.sync.merge` moves what it brings to the survivor. Afterwards one person counts
once per event (a re-pointed later sign-in is marked ``duplicate_of``); two active cards, or two
hardship files (each laptop opened one), are not cancelled by the merge but named in the
conflict inbox for a person to decide."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import card as card_lifecycle
from ..domain import hardship as hardship_rules
from ..domain.errors import UserError
from ..domain.records import Member
from ..storage import hardship_repo, members_repo
from ..storage import sync_store as store
from ..storage.db import transaction
from ..sync.policy import children_of
from . import sync_site
from .access import require
from .context import Context

MERGED, DISTINCT = "merged", "distinct"


@dataclass(frozen=True)
class MergeResult:
    keep_id: str
    drop_id: str
    moved: dict[str, int]          # table -> rows re-pointed to the kept record
    active_cards: tuple[str, ...]  # the kept record's active cards (two or more: in the inbox)
    hardship_files: tuple[str, ...] = ()  # the kept record's open hardship files (two or more: in the inbox)


def _member(ctx: Context, member_id: str) -> Member:
    member = members_repo.get(ctx.db, member_id)
    if member is None:
        raise UserError("member.not_found")
    if member.merged_into:
        raise UserError("person.already_merged", into=member.merged_into)
    return member


def _require_district(ctx: Context) -> None:
    require(ctx, "merge_persons")
    if not sync_site.identity(ctx).is_district:
        raise UserError("person.district_only")


def merge_persons(ctx: Context, keep_id: str, drop_id: str) -> MergeResult:
    """Merge ``drop_id`` into ``keep_id`` (see the module's text)."""
    _require_district(ctx)
    if keep_id == drop_id:
        raise UserError("person.same_record")
    with transaction(ctx.db):
        keep, _drop = _member(ctx, keep_id), _member(ctx, drop_id)
        now = ctx.now_stamp()
        moved: dict[str, int] = {}
        for tbl, fld in children_of("members"):
            ids = store.ids_where(ctx.db, tbl, fld, drop_id)
            for row_id in ids:
                ctx.changes.update(tbl, row_id, {fld: keep_id})
            if ids:
                moved[tbl] = len(ids)
        _count_once(ctx, keep_id)
        status = store.status_from_history(ctx.db, keep_id)
        if status and status != keep.status:  # a cache of the history, now of both records
            ctx.changes.update("members", keep_id, {"status": status}, touch={"updated_at": now})
        ctx.changes.update("members", drop_id, {"merged_into": keep_id}, touch={"updated_at": now})
        store.drop_search_keys(ctx.db, drop_id)
        active = store.active_cards(ctx.db, keep_id, card_lifecycle.ACTIVE)
        if len(active) > 1:
            store.add_conflict(ctx.db, "two_active_cards", "members", keep_id, "", ",".join(active),
                               {"cards": active, "merged": drop_id}, now)
        files = [f for f in hardship_repo.files_of_member(ctx.db, keep_id)
                 if (found := hardship_repo.get_file(ctx.db, f)) is not None and found.status in hardship_rules.OPEN]
        if len(files) > 1:  # each laptop opened a hardship file for the person: a person decides
            # (services.hardship.double_files lists them on the 困难职工 page too)
            store.add_conflict(ctx.db, "two_hardship_files", "members", keep_id, "", ",".join(files),
                               {"files": files, "merged": drop_id}, now)
        store.decide_pair(ctx.db, keep_id, drop_id, MERGED, now)
        ctx.audit("merge", "member", keep_id, dropped=drop_id, moved=moved)
    return MergeResult(keep_id, drop_id, moved, tuple(active), tuple(files))


def _count_once(ctx: Context, member_id: str) -> None:
    """At each event the person signed in to, the earliest sign-in counts, the others point at it."""
    events = {r["event_id"] for r in (store.get_row(ctx.db, "attendance", a)
                                      for a in store.ids_where(ctx.db, "attendance", "member_id", member_id)) if r}
    for event_id in sorted(events):
        ids = store.sign_ins_of(ctx.db, event_id, member_id)
        for i, att in enumerate(ids):
            ctx.changes.update("attendance", att, {"duplicate_of": None if i == 0 else ids[0]})


def not_same_person(ctx: Context, a: str, b: str) -> None:
    """Mark a pair as two different people: it is no longer listed as waiting for a decision."""
    _require_district(ctx)
    if a == b:
        raise UserError("person.same_record")
    with transaction(ctx.db):
        _member(ctx, a), _member(ctx, b)
        store.decide_pair(ctx.db, a, b, DISTINCT, ctx.now_stamp())
        ctx.changes.note("duplicate_pairs")
        ctx.audit("distinct", "member", a, other=b)
