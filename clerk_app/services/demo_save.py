"""Saving a chunk of demo members in bulk: the same rules and the same rows as
:func:`.members.register_member`, written a table at a time (storage.demo_store).

Each form is validated by :func:`validate_member` (a form that fails is reported, not saved);
the generator has already made the chunk free of duplicates (demo.py asks the indexes), and
the ID-number check runs again here against the database in one query: a clash would be the
generator's bug and stops the chunk (rolled back) rather than save a duplicate. The rows: the member (its id a v7 UUID from the context's clock, so each new
row goes to the end of the id indexes), its search keys, the 入会 status line, the consent,
a ``create`` change record for each of those three, and one audit entry."""

from __future__ import annotations

import datetime as _dt
from typing import Sequence

from ..domain import vocab
from ..domain.errors import Issue
from ..domain.member import MemberInput, validate_member
from ..storage import demo_store as store
from ..storage.members_repo import gram_keys, search_keys
from .context import Context, new_id


def save_chunk(ctx: Context, forms: Sequence[MemberInput], today: _dt.date, *, offset: int = 0,
               ) -> tuple[list[str], list[tuple[int, list[Issue]]]]:
    """Validate and write ``forms`` (inside the caller's transaction). Returns the saved ids
    and the rejected (``offset`` + index, problems)."""
    saved: list[str] = []
    rejected: list[tuple[int, list[Issue]]] = []
    good: list[tuple[dict, str]] = []
    for i, form in enumerate(forms):
        clean, issues = validate_member(form, today)
        if issues:
            rejected.append((offset + i, issues))
        else:
            good.append((clean.values, form.consent_method))
    if store.taken_id_numbers(ctx.db, [v["id_number"] for v, _ in good]):
        raise RuntimeError("demo generator made an ID number already in use")  # a bug, not a user error
    members, history, consents, keys, audit = [], [], [], [], []
    creates: list[tuple[str, dict]] = []
    for values, method in good:
        member_id, now = new_id(ctx.clock), ctx.now_stamp()
        new_row = {"id": member_id, **values, "status": vocab.ACTIVE,
                   "created_at": now, "updated_at": now, "merged_into": None}
        line = {"id": new_id(ctx.clock), "member_id": member_id, "status": vocab.ACTIVE,
                "effective_date": values["join_date"] or "", "reason": "入会",
                "channel": values["join_channel"], "recorded_at": now}
        consent = {"id": new_id(ctx.clock), "member_id": member_id, "notice_version": vocab.NOTICE_VERSION,
                   "consented_at": now, "method": method, "clerk_id": ctx.clerk.id, "basis": "",
                   "kind": "general", "subject_id": ""}
        members.append(new_row)
        history.append(line)
        consents.append(consent)
        creates += [("members", new_row), ("member_status_history", line), ("consents", consent)]
        keys += [(k, member_id) for k in search_keys(values["name"], values["id_number"], values["phone"])]
        audit.append(("create", "member", member_id, {"channel": values["join_channel"]}, now))
        saved.append(member_id)
    rowids = store.insert_members(ctx.db, members)
    names = {values["id"]: values["name"] for values in members}
    keys += [(k, member_id) for member_id, name in names.items() for k in gram_keys(name, rowids[member_id])]
    store.insert_keys(ctx.db, keys)
    store.insert_rows(ctx.db, "member_status_history", history)
    store.insert_rows(ctx.db, "consents", consents)
    store.log_creates(ctx.db, ctx.changes, creates)
    store.append_audit(ctx.db, clerk_id=ctx.clerk.id, site_id=ctx.site_id, entries=audit)
    return saved, rejected
