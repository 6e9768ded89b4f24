"""The sign-in desk: scan a card, sign in a member found by look-up, sign in a walk-in, let a
walk-in join on the spot (and take a card), enter a paper sheet back in.

Every call that signs someone in is one short transaction (a burst of scans is a burst of
small commits: none lost, merged or doubled). A member counts once per event — the
``(event_id, member_id)`` unique index keeps it so, and a repeat says when they first
signed in. A walk-in counts once per phone number. A scan that is not a valid, live card of
a member in the union signs nobody in: the result says why and sends the clerk to look-up.

Outcomes (``SignInResult.outcome``): ``SIGNED_IN``, ``ALREADY``; the card warnings of
:func:`services.cards.lookup_card` (``INVALID``, ``UNKNOWN``, ``LOST``, ``CANCELLED``,
``REPLACED``, ``NOT_IN_UNION``); ``PHONE_IS_MEMBER`` (a walk-in whose phone belongs to a
member: sign them in as the member instead).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Sequence

from ..domain import event as ev
from ..domain import vocab
from ..domain.errors import Issue, UserError, ValidationFailed
from ..domain.idnumber import mask
from ..domain.member import MemberInput
from ..domain.messages import message
from ..domain.phone import mask_phone
from ..domain.records import Attendance, Event
from ..storage import events_repo as repo
from ..storage import known, members_repo
from ..storage.db import transaction
from . import cards, members
from .context import Context, new_id
from .events import check_sub_venue, require_event

SIGNED_IN, ALREADY, PHONE_IS_MEMBER = "signed_in", "already", "phone_is_member"
INVALID, UNKNOWN, LOST, CANCELLED, REPLACED, NOT_IN_UNION = (
    cards.INVALID, cards.UNKNOWN, cards.LOST, cards.CANCELLED, cards.REPLACED, cards.NOT_IN_UNION)
WARNINGS = (INVALID, UNKNOWN, LOST, CANCELLED, REPLACED, NOT_IN_UNION, PHONE_IS_MEMBER)
# How the desk should look: green (signed in), amber (already signed in), red (nobody signed in).
LEVEL_OK, LEVEL_REPEAT, LEVEL_WARNING = "ok", "repeat", "warning"

# Outcomes of one paper row.
MATCHED, WALK_IN_ADDED, REJECTED = "matched", "walk_in", "rejected"
_ID_TAIL = re.compile(r"\d{0,17}[\dX]")


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class MemberMatch:
    """A member a walk-in or a paper row might be (ID number masked)."""

    member_id: str
    name: str
    id_number_masked: str
    status: str

    @property
    def status_label(self) -> str:
        return vocab.STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class SignInResult:
    outcome: str
    event_id: str
    attendee: Attendance | None = None  # SIGNED_IN: the new row; ALREADY: the first sign-in
    lookup: cards.LookupResult | None = None  # scans: what the card said
    candidates: tuple[MemberMatch, ...] = ()  # PHONE_IS_MEMBER / NOT_IN_UNION: who it is
    count: int = 0  # people signed in at the event after this call
    phone_masked: str = ""  # PHONE_IS_MEMBER: the walk-in's phone as typed (masked)
    today: _dt.date | None = None  # ALREADY: the clerk's day, so the first sign-in's time reads right

    @property
    def ok(self) -> bool:
        return self.outcome == SIGNED_IN

    @property
    def needs_lookup(self) -> bool:
        """Nobody was signed in: the clerk should look the person up (or sign in a walk-in)."""
        return self.outcome in WARNINGS

    @property
    def level(self) -> str:
        return {SIGNED_IN: LEVEL_OK, ALREADY: LEVEL_REPEAT}.get(self.outcome, LEVEL_WARNING)

    @property
    def message(self) -> str:
        """One Chinese sentence for the desk (names shown with masked ID or phone)."""
        a = self.attendee
        if self.outcome == SIGNED_IN and a is not None:
            if a.member_id and not a.is_walk_in:
                return message("signin.signed_in", name=a.name, id_masked=a.id_number_masked)
            return message("signin.walk_in_signed_in", name=a.name, phone=a.phone_masked)
        if self.outcome == ALREADY and a is not None:
            when = a.time_label(self.today or _dt.date.min)  # no day known: always name the date
            if a.member_id:
                return message("signin.already", name=a.name, time=when)
            return message("signin.walk_in_already", name=a.name, phone=a.phone_masked, time=when)
        if self.outcome == PHONE_IS_MEMBER:
            names = "、".join(f"{c.name}（{c.id_number_masked}）" for c in self.candidates)
            return message("signin.phone_is_member", phone=self.phone_masked, names=names)
        if self.outcome == NOT_IN_UNION and self.lookup is None and self.candidates:
            c = self.candidates[0]
            return message("signin.member_not_in_union", name=c.name, status=c.status_label)
        if self.lookup is not None:
            return message("signin.use_lookup", reason=self.lookup.message)
        return message(f"signin.{self.outcome}")


@dataclass(frozen=True)
class JoinResult:
    member_id: str
    attendee: Attendance
    card: cards.Card | None  # issued at the event (when asked for and possible)
    card_problem: UserError | None  # asked for a card but it could not be issued (the join stands)
    warnings: tuple[Issue, ...] = ()  # from the registration (e.g. an unknown region code)

    @property
    def message(self) -> str:
        if self.card_problem is not None:
            return message("signin.card_not_issued", name=self.attendee.name, reason=self.card_problem.message)
        text = message("signin.joined", name=self.attendee.name)
        return text + (f"，服务卡 {self.card.grouped_no}" if self.card else "")


@dataclass(frozen=True)
class PaperRow:
    """One line of a paper sign-in sheet as typed back in."""

    name: str
    phone: str
    id_tail: str = ""  # last digits of the ID number, when the sheet has them
    occupation: str = ""
    employer: str = ""
    sub_venue: str | None = None


@dataclass(frozen=True)
class PaperRowResult:
    index: int  # position in the input (0-based)
    outcome: str  # MATCHED / WALK_IN_ADDED / ALREADY / REJECTED
    attendee: Attendance | None = None
    member: MemberMatch | None = None  # MATCHED (or ALREADY as a member)
    issues: tuple[Issue, ...] = ()  # REJECTED: what is wrong with the row
    note: str = ""  # a walk-in whose phone belongs to a member: check by hand


@dataclass(frozen=True)
class PaperEntryResult:
    rows: tuple[PaperRowResult, ...]
    saved: bool  # False for a dry run

    def _with(self, outcome: str) -> list[PaperRowResult]:
        return [r for r in self.rows if r.outcome == outcome]

    @property
    def matched(self) -> list[PaperRowResult]:
        return self._with(MATCHED)

    @property
    def walk_ins(self) -> list[PaperRowResult]:
        return self._with(WALK_IN_ADDED)

    @property
    def already(self) -> list[PaperRowResult]:
        return self._with(ALREADY)

    @property
    def rejected(self) -> list[PaperRowResult]:
        return self._with(REJECTED)


# ---------------------------------------------------------------- helpers



def _match(member_id: str, name: str, id_number: str, status: str) -> MemberMatch:
    return MemberMatch(member_id, name, mask(id_number), status)


_COUNT, _EVENT = "signin.count", "signin.event"  # storage.known keys, with the event id


def _event(ctx: Context, event_id: str) -> Event:
    """The event, kept between scans while the database does not change (storage.known)."""
    return known.get(ctx.db, (_EVENT, event_id), lambda: require_event(ctx, event_id))


def _count(ctx: Context, event_id: str) -> int:
    """People signed in at the event, kept between scans and counted on by each sign-in."""
    return known.get(ctx.db, (_COUNT, event_id), lambda: repo.attendance_count(ctx.db, event_id))


def _insert(ctx: Context, event_id: str, method: str, sub_venue: str | None, *, member_id: str | None = None,
            walk_in: ev.WalkIn | None = None, member: tuple | None = None) -> Attendance:
    """Write one sign-in (row, change record, audit entry) and return it as the list shows it:
    built from the values written and ``member`` (the member's columns, as
    ``events_repo.member_at_event`` gives them), read back only when those are not at hand."""
    before = _count(ctx, event_id) if known.inside(ctx.db) else None
    row_id, now = new_id(ctx.clock), ctx.now_stamp()
    row = {"id": row_id, "event_id": event_id, "member_id": member_id, "is_walk_in": 0 if walk_in is None else 1,
           "method": method, "sub_venue": sub_venue, "signed_in_at": now}
    if walk_in is not None:
        row.update(walk_in_name=walk_in.name, walk_in_phone=walk_in.phone, walk_in_occupation=walk_in.occupation,
                   walk_in_employer=walk_in.employer)
    ctx.changes.insert("attendance", row)
    ctx.audit("create", "attendance", row_id, event_id=event_id, method=method,
              **({"member_id": member_id} if member_id else {"walk_in": True}))
    if before is not None:
        known.put(ctx.db, (_COUNT, event_id), before + 1)
    else:
        known.drop(ctx.db, (_COUNT, event_id))
    if walk_in is None and member is None:
        return repo.attendance_by_id(ctx.db, row_id)
    given = ("", "", "", "") if walk_in is None else \
        (walk_in.name, walk_in.phone, walk_in.occupation, walk_in.employer)
    return Attendance(row_id, event_id, member_id, walk_in is not None, *given, method, sub_venue, now, None,
                      *(member or (None,) * 7))


def _sign_in_member(ctx: Context, event_id: str, member_id: str, method: str, place: str | None,
                    lookup: cards.LookupResult | None = None) -> SignInResult:
    with transaction(ctx.db), known.writing(ctx.db):
        first, member = repo.member_at_event(ctx.db, event_id, member_id)
        if first is not None:
            return SignInResult(ALREADY, event_id, first, lookup, today=ctx.today(), count=_count(ctx, event_id))
        attendee = _insert(ctx, event_id, method, place, member_id=member_id, member=member)
        return SignInResult(SIGNED_IN, event_id, attendee, lookup, count=_count(ctx, event_id))


# ---------------------------------------------------------------- the desk

def sign_in_scan(ctx: Context, event_id: str, scanned_text: str, sub_venue: str | None = None) -> SignInResult:
    """What the scanner typed (a card number, with or without spaces/dashes). Never raises
    for a bad scan: INVALID / UNKNOWN / LOST / CANCELLED / REPLACED / NOT_IN_UNION sign nobody in."""
    event = _event(ctx, event_id)
    place = check_sub_venue(event, sub_venue)
    found = cards.lookup_card(ctx, scanned_text)
    if not found.ok:
        return SignInResult(found.outcome, event_id, lookup=found, count=_count(ctx, event_id))
    return _sign_in_member(ctx, event_id, found.card.member_id, ev.SCAN, place, found)


def sign_in_member(ctx: Context, event_id: str, member_id: str, method: str = ev.LOOKUP,
                   sub_venue: str | None = None) -> SignInResult:
    """A member found by name, pinyin or last digits (``services.members.search``). A member
    who is no longer in the union is not signed in as a member (outcome NOT_IN_UNION)."""
    if method not in (ev.SCAN, ev.LOOKUP, ev.PAPER):
        raise ValueError(f"method {method!r}")
    event = require_event(ctx, event_id)
    place = check_sub_venue(event, sub_venue)
    member = members_repo.get(ctx.db, member_id)
    if member is None:
        raise UserError("member.not_found")
    if not member.in_union:
        who = _match(member_id, member.name, member.id_number, member.status)
        return SignInResult(NOT_IN_UNION, event_id, candidates=(who,), count=repo.attendance_count(ctx.db, event_id))
    return _sign_in_member(ctx, event_id, member_id, method, place)


def sign_in_walk_in(ctx: Context, event_id: str, name: str, phone: str, occupation: str = "",
                    employer: str = "", sub_venue: str | None = None, *,
                    confirm_not_member: bool = False) -> SignInResult:
    """A person who is not a member: name and phone required, occupation and employer/platform
    as given. The same phone twice at one event is ALREADY. A phone that belongs to a member
    in the union gives PHONE_IS_MEMBER (sign them in as that member) unless the clerk has
    checked and passes ``confirm_not_member``. Bad input raises ValidationFailed."""
    walk_in, issues = ev.validate_walk_in(name, phone, occupation, employer)
    if issues:
        raise ValidationFailed(issues)
    event = require_event(ctx, event_id)
    place = check_sub_venue(event, sub_venue)
    with transaction(ctx.db):
        return _walk_in(ctx, event, walk_in, place, ev.WALK_IN, confirm_not_member)


def _walk_in(ctx: Context, event: Event, walk_in: ev.WalkIn, place: str | None, method: str,
             confirm_not_member: bool) -> SignInResult:
    first = repo.walk_in_by_phone(ctx.db, event.id, walk_in.phone)
    if first is not None:
        return SignInResult(ALREADY, event.id, first, today=ctx.today(), count=repo.attendance_count(ctx.db, event.id))
    if not confirm_not_member:
        owners = [_match(*m) for m in repo.members_by_phone(ctx.db, walk_in.phone) if m[3] in vocab.IN_UNION]
        for owner in owners:
            signed = repo.attendance_of_member(ctx.db, event.id, owner.member_id)
            if signed is not None:
                return SignInResult(ALREADY, event.id, signed, candidates=tuple(owners), today=ctx.today(),
                                    count=repo.attendance_count(ctx.db, event.id))
        if owners:
            return SignInResult(PHONE_IS_MEMBER, event.id, candidates=tuple(owners),
                                count=repo.attendance_count(ctx.db, event.id), phone_masked=mask_phone(walk_in.phone))
    attendee = _insert(ctx, event.id, method, place, walk_in=walk_in)
    return SignInResult(SIGNED_IN, event.id, attendee, count=repo.attendance_count(ctx.db, event.id))


def walk_in_member_input(ctx: Context, attendance_id: str) -> MemberInput:
    """The registration form for a walk-in who wants to join: what the desk knows filled in
    (name, phone, occupation, employer or platform), the event's union, the event date,
    joined on site. The clerk adds the ID number and the rest."""
    rec = repo.attendance_by_id(ctx.db, attendance_id)
    if rec is None:
        raise UserError("signin.attendance_not_found")
    event = require_event(ctx, rec.event_id)
    employer, platform = rec.walk_in_employer, ""
    if employer in vocab.PLATFORMS:
        employer, platform = "", employer
    return MemberInput(name=rec.walk_in_name, phone=rec.walk_in_phone, occupation=rec.walk_in_occupation,
                       employer=employer, platform=platform, union_id=event.union_id,
                       join_date=event.date, join_channel="onsite")


def join_walk_in(ctx: Context, attendance_id: str, member_input: MemberInput, *, issue_card: bool = False,
                 confirm_possible_duplicate: bool = False, today: _dt.date | None = None) -> JoinResult:
    """Register a walk-in as a member (through ``services.members.register_member``: same
    rules, duplicate checks and consent) with join channel on-site and the event date as
    join date, and link their attendance row to the new member — in one transaction. With
    ``issue_card`` a service card is then issued at the event (its own transaction: if it
    cannot be issued, e.g. no card code set, the membership stands and ``card_problem`` says why)."""
    with transaction(ctx.db):
        rec = repo.attendance_by_id(ctx.db, attendance_id)
        if rec is None:
            raise UserError("signin.attendance_not_found")
        if not rec.is_walk_in:
            raise UserError("signin.not_walk_in")
        if rec.member_id:
            raise UserError("signin.already_joined", name=rec.member_name or rec.walk_in_name)
        event = require_event(ctx, rec.event_id)
        inp = member_input.copy(join_channel="onsite", join_date=event.date)
        saved = members.register_member(ctx, inp, confirm_possible_duplicate=confirm_possible_duplicate, today=today)
        ctx.changes.update("attendance", attendance_id, {"member_id": saved.member_id, "joined_at": ctx.now_stamp()})
        ctx.audit("update", "attendance", attendance_id, event_id=event.id, joined=True, member_id=saved.member_id)
    card = problem = None
    if issue_card:
        try:
            card = issue_card_at_event(ctx, event.id, saved.member_id, today=today)
        except UserError as exc:
            problem = exc
    attendee = repo.attendance_by_id(ctx.db, attendance_id)
    return JoinResult(saved.member_id, attendee, card, problem, tuple(saved.warnings))


def issue_card_at_event(ctx: Context, event_id: str, member_id: str, *, today: _dt.date | None = None) -> cards.Card:
    """A service card handed out at the event (dated the event day; counted in its report)."""
    event = require_event(ctx, event_id)
    today = today or ctx.today()
    day = min(event.date, today)
    return cards.issue_card(ctx, member_id, day, event_id=event.id, today=today)


def remove_attendance(ctx: Context, attendance_id: str) -> None:
    """Take back a sign-in made by mistake (the wrong person picked). A walk-in who joined at
    the desk keeps their row: the join is on record."""
    with transaction(ctx.db):
        rec = repo.attendance_by_id(ctx.db, attendance_id)
        if rec is None:
            raise UserError("signin.attendance_not_found")
        if rec.joined_at:
            raise UserError("signin.remove_joined", name=rec.member_name or rec.walk_in_name)
        ctx.changes.delete("attendance", attendance_id)
        ctx.audit("delete", "attendance", attendance_id, event_id=rec.event_id)


def attendance(ctx: Context, event_id: str) -> list[Attendance]:
    """Everyone signed in at the event, in order of arrival."""
    require_event(ctx, event_id)
    return repo.attendance(ctx.db, event_id)


def count(ctx: Context, event_id: str) -> int:
    return repo.attendance_count(ctx.db, event_id)


# ---------------------------------------------------------------- paper sheets

class _DryRun(Exception):
    pass


def _paper_member(ctx: Context, name: str, phone: str, tail: str) -> tuple[MemberMatch | None, str]:
    """The member a paper row is, or (None, a note for the clerk when the phone is a member's)."""
    owners = [m for m in repo.members_by_phone(ctx.db, phone) if m[3] in vocab.IN_UNION]  # (id, name, idno, status)
    same_name = [m for m in owners if m[1] == name]
    if len(same_name) == 1:
        return _match(*same_name[0]), ""
    if tail:
        by_tail = [m for m in (same_name or owners) if m[2].endswith(tail)]
        if len(by_tail) == 1:
            return _match(*by_tail[0]), ""
    if not owners and tail and len(tail) >= 4:  # a changed phone: name + ID tail through member search
        found = [r for r in members.search(ctx, tail, limit=20)
                 if r.name == name and r.id_number.endswith(tail) and r.status in vocab.IN_UNION]
        if len(found) == 1:
            r = found[0]
            return _match(r.id, r.name, r.id_number, r.status), ""
    if len(owners) == 1:
        return None, message("signin.paper_name_mismatch", name=owners[0][1])
    if owners:
        return None, message("signin.paper_ambiguous", names="、".join(m[1] for m in owners))
    return None, ""


def _paper_row(ctx: Context, event: Event, index: int, row: PaperRow) -> PaperRowResult:
    walk_in, issues = ev.validate_walk_in(row.name, row.phone, row.occupation, row.employer)
    tail = ev.clean_text(row.id_tail).replace(" ", "").upper()
    if tail and not _ID_TAIL.fullmatch(tail):
        issues.append(Issue("id_tail", "signin.bad_id_tail"))
    try:
        place = check_sub_venue(event, row.sub_venue)
    except UserError as exc:
        issues.append(Issue("sub_venue", exc.code, exc.params))
    if issues:
        return PaperRowResult(index, REJECTED, issues=tuple(issues))
    member, note = _paper_member(ctx, walk_in.name, walk_in.phone, tail)
    if member is not None:
        result = _sign_in_member(ctx, event.id, member.member_id, ev.PAPER, place)
        return PaperRowResult(index, MATCHED if result.ok else ALREADY, result.attendee, member)
    result = _walk_in(ctx, event, walk_in, place, ev.PAPER, confirm_not_member=True)
    return PaperRowResult(index, WALK_IN_ADDED if result.ok else ALREADY, result.attendee, note=note)


def enter_paper_rows(ctx: Context, event_id: str, rows: Sequence[PaperRow], *, dry_run: bool = False) -> PaperEntryResult:
    """Type a paper sign-in sheet back in, in one transaction. Each row is matched to a member
    in the union by phone + name (or phone + ID tail; or, when the phone is unknown, name + ID
    tail through member search) and signed in as that member; otherwise it becomes a walk-in.
    Anyone already signed in is not counted twice. Rows with a bad name or phone are rejected
    (the others are saved). ``dry_run``: the same answer, nothing saved (a preview)."""
    event = require_event(ctx, event_id)
    results: list[PaperRowResult] = []
    try:
        with transaction(ctx.db):
            for i, row in enumerate(rows):
                results.append(_paper_row(ctx, event, i, row))
            if dry_run:
                raise _DryRun()
            saved = sum(1 for r in results if r.outcome in (MATCHED, WALK_IN_ADDED))
            ctx.audit("import", "attendance", event_id, document="paper_sheet", rows=len(results), saved=saved)
    except _DryRun:
        pass
    return PaperEntryResult(tuple(results), saved=not dry_run)
