"""Member use cases: register, edit, change membership status, find, look up."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..domain import vocab
from ..domain.errors import (
    DuplicateIdNumber,
    Issue,
    PossibleDuplicate,
    UserError,
    ValidationFailed,
)
from ..domain.idnumber import normalise
from ..domain.member import MemberInput, encode_missing, missing_fields, validate_member
from ..domain.records import Member, MemberFile, MemberRow
from ..domain.text import multi_line
from ..storage import events_repo, hardship_repo, unions_repo
from ..storage import members_repo as repo
from ..storage.db import transaction
from . import cards
from .context import Cancelled, Context, new_id  # noqa: F401 - Cancelled is re-exported

SEARCH_LIMIT = 200


@dataclass(frozen=True)
class SaveResult:
    member_id: str
    warnings: list[Issue] = field(default_factory=list)
    changed: tuple[str, ...] = ()




def _clean_or_raise(ctx: Context, inp: MemberInput, today: _dt.date | None):
    clean, issues = validate_member(inp, today or ctx.today())
    if issues:
        raise ValidationFailed(issues)
    return clean


def _check_duplicates(ctx: Context, values: dict, exclude_id: str, confirmed: bool) -> None:
    existing = repo.by_id_number(ctx.db, values["id_number"])
    if existing and existing.id != exclude_id:
        raise DuplicateIdNumber(existing.id, existing.name, existing.union_name)
    if not confirmed:
        same = repo.by_name_birth(ctx.db, values["name"], values["birth_date"], exclude_id)
        if same:
            raise PossibleDuplicate([(m.id, m.name) for m in same])


def _member_rows(ctx: Context, values: dict, consent_method: str, basis: str,
                 now: str) -> tuple[str, list[tuple[str, dict]]]:
    """The new member's id and the synced rows one registration writes, in order: the member,
    the 入会 line of its status history, its consent. An unknown join date (a roster that did
    not say) gives the 入会 line an empty date: it sorts first and no later date is checked
    against it."""
    member_id = new_id(ctx.clock)
    return member_id, [
        ("members", {"id": member_id, **values, "status": vocab.ACTIVE,
                     "created_at": now, "updated_at": now, "merged_into": None}),
        ("member_status_history", {
            "id": new_id(ctx.clock), "member_id": member_id, "status": vocab.ACTIVE,
            "effective_date": values["join_date"] or "", "reason": "入会",
            "channel": values["join_channel"], "recorded_at": now}),
        ("consents", {
            "id": new_id(ctx.clock), "member_id": member_id, "notice_version": vocab.NOTICE_VERSION,
            "consented_at": now, "method": consent_method, "clerk_id": ctx.clerk.id, "basis": basis,
            "kind": "general", "subject_id": ""}),
    ]


def _insert_member(ctx: Context, values: dict, consent_method: str, basis: str = "") -> str:
    """The rows one registration writes (see :func:`_member_rows`), its search keys and audit
    entry. Call inside a transaction, after duplicate checks."""
    member_id, rows = _member_rows(ctx, values, consent_method, basis, ctx.now_stamp())
    for tbl, row in rows:
        ctx.changes.insert(tbl, row)
    repo.write_keys(ctx.db, member_id, values["name"], values["id_number"], values["phone"])
    ctx.audit("create", "member", member_id, channel=values["join_channel"])
    return member_id


def _require_union(ctx: Context, union_id: str) -> None:
    if not unions_repo.union_exists(ctx.db, union_id):
        raise ValidationFailed([Issue("union_id", "member.union_required")])


def register_member(ctx: Context, inp: MemberInput, *, confirm_possible_duplicate: bool = False,
                    today: _dt.date | None = None) -> SaveResult:
    """Validate, catch duplicates, and save member + status history + consent + audit at once."""
    clean = _clean_or_raise(ctx, inp, today)
    with transaction(ctx.db):
        _check_duplicates(ctx, clean.values, "", confirm_possible_duplicate)
        _require_union(ctx, clean.values["union_id"])
        member_id = _insert_member(ctx, clean.values, inp.consent_method)
    return SaveResult(member_id, clean.warnings)


@dataclass
class BulkResult:
    saved: list[str] = field(default_factory=list)
    rejected: list[tuple[int, list[Issue]]] = field(default_factory=list)  # (input index, problems)


def register_many(ctx: Context, inputs: Sequence[MemberInput], *, chunk: int | None = None,
                  confirm_possible_duplicates: bool = False, today: _dt.date | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None,
                  validated: Sequence[dict] | None = None, roster: bool = False,
                  basis: str = "") -> BulkResult:
    """Register many members through the same rules as one. Bad rows are reported, not raised.

    ``chunk=None``: all good rows in one transaction (a roster import: all or nothing, and a
    cancel rolls everything back). ``chunk=N``: commit every N rows (the demo generator:
    a cancel keeps what was committed). ``validated``: the values ``validate_member`` already
    made of each input with the same ``today`` (a roster preview), so validation is not
    repeated; duplicates are still checked against the database as it is now.
    ``roster=True``: the roster minimum (see :func:`validate_member`); incomplete members are
    saved with their ``missing_fields``. ``basis``: what the consent rows record as the
    basis for holding the data (a roster: its file and union).

    The rows, change records, search keys and audit entries are exactly those of
    :func:`register_member` one by one, written in bulk (see :func:`_register_batch`)."""
    today = today or ctx.today()
    result = BulkResult()
    total = len(inputs)
    size = chunk or max(total, 1)
    for start in range(0, total, size) if chunk else [0]:
        batch = range(start, min(start + size, total))
        part = BulkResult()  # joins the result only once its chunk is committed
        try:
            with transaction(ctx.db):
                _register_batch(ctx, inputs, batch, part, today=today, roster=roster, validated=validated,
                                confirm=confirm_possible_duplicates, basis=basis, progress=progress,
                                cancel=cancel, total=total)
        except Cancelled:
            if chunk is None:
                raise
            return result  # the unfinished chunk was rolled back; whole chunks stay
        result.saved.extend(part.saved)
        result.rejected.extend(part.rejected)
    if progress is not None:
        progress(total, total)
    return result


_FLUSH = 500  # members checked and written per round (one query per duplicate kind, one executemany per table)


def _register_batch(ctx: Context, inputs: Sequence[MemberInput], batch: range, part: BulkResult, *,
                    today: _dt.date, roster: bool, validated: Sequence[dict] | None, confirm: bool, basis: str,
                    progress: Callable[[int, int], None] | None, cancel: Callable[[], bool] | None,
                    total: int) -> None:
    """One transaction's rows, :data:`_FLUSH` at a time (see :func:`_write_checked`). Cancel and
    progress are asked and told at the same rows, in the same order, as one by one."""
    unions = {u.id: u.name for u in unions_repo.all_unions(ctx.db)}
    pending: list[tuple[int, dict]] = []
    for i in batch:
        if cancel is not None and i % 50 == 0 and cancel():
            raise Cancelled()
        if validated is not None:
            values = validated[i]
        else:
            clean, issues = validate_member(inputs[i], today, roster=roster)
            if issues:
                part.rejected.append((i, issues))
                continue
            values = clean.values
        pending.append((i, values))
        if len(pending) >= _FLUSH:
            _write_checked(ctx, inputs, pending, part, unions, confirm=confirm, basis=basis)
            pending = []
        if progress is not None and i % 100 == 0:
            progress(i, total)
    _write_checked(ctx, inputs, pending, part, unions, confirm=confirm, basis=basis)
    part.rejected.sort(key=lambda r: r[0])


def _write_checked(ctx: Context, inputs: Sequence[MemberInput], pending: list[tuple[int, dict]], part: BulkResult,
                   unions: dict[str, str], *, confirm: bool, basis: str) -> None:
    """Check validated rows for duplicates against the database with one query per kind (and
    against the rows before them in memory), then write the good ones as
    :func:`_insert_member` would one by one: the rows and change records through
    ``ChangeRecorder.insert_many``, the search keys and audit entries in bulk."""
    if not pending:
        return
    registered = repo.by_id_numbers(ctx.db, (v["id_number"] for _i, v in pending))
    people: dict[tuple[str, str], list] = {} if confirm else \
        repo.by_names_births(ctx.db, ((v["name"], v["birth_date"]) for _i, v in pending))
    rows: list[tuple[str, dict]] = []
    keys: list[tuple[str, str, str, str]] = []
    entries: list[tuple[str, str, str, dict]] = []
    now = ctx.now_stamp()
    for i, values in pending:
        same_id = registered.get(values["id_number"])
        same_person = None if confirm else people.get((values["name"], values["birth_date"]))
        if same_id is not None:
            part.rejected.append((i, [Issue("id_number", "member.duplicate_id",
                                            {"name": same_id.name, "union": same_id.union_name})]))
        elif same_person:
            part.rejected.append((i, [Issue("id_number", "member.possible_duplicate",
                                            {"names": "、".join(m.name for m in same_person)})]))
        elif values["union_id"] not in unions:
            part.rejected.append((i, [Issue("union_id", "member.union_required")]))
        else:
            member_id, member_rows = _member_rows(ctx, values, inputs[i].consent_method, basis, now)
            rows.extend(member_rows)
            keys.append((member_id, values["name"], values["id_number"], values["phone"]))
            entries.append(("create", "member", member_id, {"channel": values["join_channel"]}))
            part.saved.append(member_id)
            # the rows after this one meet it as the database would (registered before them)
            new = registered[values["id_number"]] = _Registered(member_id, values["name"], unions[values["union_id"]])
            people.setdefault((values["name"], values["birth_date"]), []).append(new)
    ctx.changes.insert_many(rows)
    repo.add_keys(ctx.db, keys)
    ctx.audit_many(entries)


@dataclass(frozen=True)
class _Registered:
    """A member registered earlier in the same batch, as a duplicate check sees it."""

    id: str
    name: str
    union_name: str


def update_member(ctx: Context, member_id: str, inp: MemberInput, *,
                  confirm_possible_duplicate: bool = False, today: _dt.date | None = None) -> SaveResult:
    clean = _clean_or_raise(ctx, inp, today)
    values = {k: v for k, v in clean.values.items() if k not in ("join_date", "join_channel")}
    with transaction(ctx.db):
        current = repo.get(ctx.db, member_id)
        if current is None:
            raise UserError("member.not_found")
        # The form completes what a roster left out; a join date stays as it was (unknown too).
        values["missing_fields"] = encode_missing(missing_fields({**values, "join_date": current.join_date}))
        identity_changed = (current.name, current.birth_date) != (values["name"], values["birth_date"])
        _check_duplicates(ctx, values, member_id, confirm_possible_duplicate or not identity_changed)
        _require_union(ctx, values["union_id"])
        changed = ctx.changes.update("members", member_id, values, touch={"updated_at": ctx.now_stamp()})
        if changed:
            if {"name", "id_number", "phone"} & changed.keys():
                repo.write_keys(ctx.db, member_id, values["name"], values["id_number"], values["phone"])
            ctx.audit("update", "member", member_id, fields=sorted(changed))
    return SaveResult(member_id, clean.warnings, tuple(sorted(changed)))


def change_status(ctx: Context, member_id: str, target: str, *, effective: _dt.date | None = None,
                  reason: str = "", channel: str = "", today: _dt.date | None = None) -> None:
    """Move a member through the lifecycle (在会, 保留会籍, 转出, 退会, 开除, re-join) with history.
    The effective date can be neither in the future, nor before the member joined, nor before
    the member's latest status change (so the history's last line is always the status)."""
    today = today or ctx.today()
    effective = effective or today
    with transaction(ctx.db):
        current = repo.get(ctx.db, member_id)
        if current is None:
            raise UserError("member.not_found")
        if target not in vocab.TRANSITIONS.get(current.status, set()):
            raise UserError("member.bad_transition", current=current.status_label,
                            target=vocab.STATUSES.get(target, target))
        if effective > today:
            raise UserError("member.status_date_future")
        if current.join_date and effective.isoformat() < current.join_date:  # unknown: nothing to check
            raise UserError("member.status_date_before_join", join=current.join_date)
        last = repo.last_status_change(ctx.db, member_id)
        if last is not None and effective.isoformat() < last[1]:
            # History is read in date order: an earlier date would put this change before the
            # one it follows, and the member's status would disagree with the history's last line.
            raise UserError("member.status_date_before_last", date=last[1],
                            status=vocab.STATUSES.get(last[0], last[0]))
        now = ctx.now_stamp()
        ctx.changes.update("members", member_id, {"status": target}, touch={"updated_at": now})
        ctx.changes.insert("member_status_history", {
            "id": new_id(ctx.clock), "member_id": member_id, "status": target,
            "effective_date": effective.isoformat(), "reason": multi_line(reason), "channel": channel,
            "recorded_at": now})
        ctx.audit("update", "member", member_id, status=target)
        cards.on_member_status_changed(ctx, member_id, target, effective)  # leaving cancels the card


def delete_member(ctx: Context, member_id: str) -> None:
    """Remove a record entered by mistake (not a lifecycle step: use change_status for that).
    Its history and consent go with it; each removal leaves a tombstone."""
    with transaction(ctx.db):
        if repo.get(ctx.db, member_id) is None:
            raise UserError("member.not_found")
        cards.check_member_deletable(ctx, member_id)
        # a member who signed in at an event stays: the event's figures rest on that row
        # (asked of storage directly: services.signin builds on this module)
        if events_repo.member_has_attendance(ctx.db, member_id):
            raise UserError("signin.member_has_attendance")
        if hardship_repo.files_of_member(ctx.db, member_id):  # the file and its ledger rest on the member
            raise UserError("hardship.member_has_file")
        for tbl, row_id in repo.dependent_rows(ctx.db, member_id):
            ctx.changes.delete(tbl, row_id)
        ctx.changes.delete("members", member_id)
        ctx.audit("delete", "member", member_id)


_DIGITS = re.compile(r"\d+X?")  # at least one digit: a lone "x" is pinyin (徐, 谢), not every ID ending in X
_LETTERS = re.compile(r"[a-z]+")


def search(ctx: Context, query: str, limit: int = SEARCH_LIMIT) -> list[MemberRow]:
    """One box: a name fragment, pinyin (full or initials), or the last digits of ID or phone."""
    q = "".join(unicodedata.normalize("NFKC", query or "").split())
    if not q:
        return []
    upper = q.upper()
    if _DIGITS.fullmatch(upper):
        if len(upper) == 18:
            row = repo.by_id_number(ctx.db, upper)
            if row:
                return [row]
        return repo.by_key_prefix(ctx.db, "d:" + upper[::-1], limit)
    lower = q.lower()
    if _LETTERS.fullmatch(lower):
        return repo.by_key_prefix(ctx.db, "p:" + lower, limit)
    return repo.by_name_fragment(ctx.db, q, limit)


def matching_ids(ctx: Context, query: str = "") -> list[str] | None:
    """The members the members page lists for ``query``, unbounded (every match, not the
    first SEARCH_LIMIT); None for an empty query, meaning everyone."""
    if not (query or "").strip():
        return None
    return [row.id for row in search(ctx, query, limit=10**9)]


def listed_ids(ctx: Context, query: str = "") -> list[str]:
    """The ids of the members the members page lists for ``query`` (every match; an empty
    query: every member, newest first) — what a batch over "the members on screen" works on."""
    ids = matching_ids(ctx, query)
    return repo.all_ids(ctx.db) if ids is None else ids


def get_member(ctx: Context, member_id: str) -> Member:
    member = repo.get(ctx.db, member_id)
    if member is None:
        raise UserError("member.not_found")
    return member


def get_member_file(ctx: Context, member_id: str) -> MemberFile:
    """The member with their status history (in date order) and consents."""
    return MemberFile(get_member(ctx, member_id), tuple(repo.status_history(ctx.db, member_id)),
                        tuple(repo.consents(ctx.db, member_id)))


def member_by_id_number(ctx: Context, number: str, exclude_id: str = "") -> MemberRow | None:
    """The member already registered with this ID number (other than ``exclude_id``), if any:
    a cheap read for the form's live check. Saving still refuses the duplicate on its own."""
    row = repo.by_id_number(ctx.db, normalise(number))
    return row if row is not None and row.id != exclude_id else None


def page(ctx: Context, before_rowid: int | None = None, limit: int = 200, *,
         incomplete: bool = False) -> list[MemberRow]:
    """The member list, newest first; ``incomplete``: only those marked 资料待补全."""
    return repo.page(ctx.db, before_rowid, limit, incomplete)


def count(ctx: Context, *, incomplete: bool = False) -> int:
    return repo.count(ctx.db, incomplete)
