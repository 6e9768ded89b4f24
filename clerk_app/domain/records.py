"""The stored records as types: one frozen dataclass per record kind, built by the repositories
(``clerk_app.storage``) from rows and read by services, printing, the CLI and the window by
attribute. Values are as stored (ISO text dates, integer fen, full ID numbers and phones); the
``*_masked`` properties give what a screen or a paper shows by default. ID numbers, phones and
income are left out of ``repr`` (a record in a log line or a test failure never shows them).

``slots=True`` and positional construction keep building them cheap: the members page and the
roster export build one per member (200,000 of them).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields
from decimal import Decimal

from . import card as lifecycle
from . import cardno, vocab
from . import event as ev
from .idnumber import mask
from .member import MemberInput
from .phone import mask_phone

# ---------------------------------------------------------------- unions


@dataclass(frozen=True, slots=True)
class Union:
    """A union branch (基层工会 / 联合工会 ...) with its parent union, if any."""

    id: str
    name: str
    kind: str
    parent_id: str | None
    created_at: str


# ---------------------------------------------------------------- members


@dataclass(frozen=True, slots=True)
class Member:
    """One member record: every column of ``members`` (in table order) and the union's name."""

    id: str
    name: str
    gender: str
    birth_date: str
    ethnicity: str
    id_number: str = field(repr=False)
    id_kind: str
    phone: str = field(repr=False)
    employer: str
    platform: str
    work_area: str
    occupation: str
    household_type: str
    education: str
    political_status: str
    native_place: str
    job_title: str
    professional_title: str
    salary_fen: int | None = field(repr=False)
    family_info: str
    resume: str
    member_card_no: str
    remarks: str
    union_id: str
    join_date: str | None  # None: unknown (a roster that did not say)
    join_channel: str
    status: str  # domain.vocab.ACTIVE ...
    created_at: str
    updated_at: str
    missing_fields: str  # 资料待补全: the form's required fields still empty, comma-separated
    merged_into: str | None  # merged at the district into this member (hidden from lists and search)
    union_name: str

    @property
    def status_label(self) -> str:
        return vocab.STATUSES.get(self.status, self.status)

    @property
    def in_union(self) -> bool:
        return self.status in vocab.IN_UNION

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")

    def to_input(self) -> MemberInput:
        """The registration form pre-filled from the record (for editing)."""
        data = {f.name: getattr(self, f.name) for f in fields(MemberInput)
                if f.name in _MEMBER_FIELDS and getattr(self, f.name) is not None}
        data["join_date"] = _dt.date.fromisoformat(self.join_date) if self.join_date else None
        data["salary"] = "" if self.salary_fen is None else str(Decimal(self.salary_fen) / 100)
        return MemberInput(**data)


_MEMBER_FIELDS = frozenset(f.name for f in fields(Member))


@dataclass(frozen=True, slots=True)  # slots: 7x cheaper to build, a third of a tail search
class MemberRow:
    """One line of a member list (what tables and search results show): a few columns of
    :class:`Member`, read by the members page 200 at a time and by search."""

    rowid: int
    id: str
    name: str
    gender: str
    birth_date: str
    id_number: str = field(repr=False)
    phone: str = field(repr=False)
    occupation: str
    platform: str
    employer: str
    union_name: str
    status: str
    join_date: str | None  # None: unknown (a roster that did not say)
    missing_fields: str = ""  # 资料待补全: the form's required fields still empty, comma-separated


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One line of a member's status history (入会, 保留会籍, 转出 ...)."""

    id: str
    member_id: str
    status: str
    effective_date: str  # "" when the join date is unknown (a roster's 入会 line)
    reason: str
    channel: str
    recorded_at: str

    @property
    def status_label(self) -> str:
        return vocab.STATUSES.get(self.status, self.status)


@dataclass(frozen=True, slots=True)
class Consent:
    """The member's consent to the processing of their data, or the basis for holding it."""

    id: str
    member_id: str
    notice_version: str
    consented_at: str
    method: str  # domain.vocab.CONSENT_LABELS
    clerk_id: str
    basis: str

    @property
    def method_label(self) -> str:
        return vocab.CONSENT_LABELS.get(self.method, self.method)


@dataclass(frozen=True, slots=True)
class MemberFile:
    """A member's file (档案): the record with its status history and consents (the detail pane, the form)."""

    member: Member
    history: tuple[StatusChange, ...]
    consents: tuple[Consent, ...]


@dataclass(frozen=True, slots=True)
class MemberWithCard:
    """A member and their open service card (active, else a lost one not yet replaced), if any:
    a line of the roster export and the printed 花名册, and what a batch issue checks."""

    member: Member
    card_no: str | None
    card_status: str | None  # domain.card.ACTIVE / LOST, None: no open card


# ---------------------------------------------------------------- cards


@dataclass(frozen=True, slots=True)
class Holder:
    """The card holder as stored with the card. Screens show ``id_number_masked``."""

    member_id: str
    name: str
    gender: str
    id_number: str = field(repr=False)
    member_status: str
    union_name: str

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number or "")

    @property
    def member_status_label(self) -> str:
        return vocab.STATUSES.get(self.member_status, self.member_status)

    @property
    def in_union(self) -> bool:
        return self.member_status in vocab.IN_UNION


@dataclass(frozen=True, slots=True)
class Card:
    """One service card with its holder."""

    id: str
    card_no: str  # compact: what the QR code carries and the scanner types
    status: str  # domain.card.ACTIVE / LOST / CANCELLED / REPLACED
    issue_date: str  # ISO date
    issued_at: str  # ISO timestamp of the issuing transaction
    status_date: str | None  # date of the last lost / cancel / reissue step
    replaced_by_card_id: str | None
    replaced_by_no: str | None
    event_id: str | None
    created_at: str
    updated_at: str
    holder: Holder

    @property
    def member_id(self) -> str:
        return self.holder.member_id

    @property
    def grouped_no(self) -> str:
        """``DX07 000123 K`` for reading aloud and for print under the QR code."""
        return cardno.grouped(self.card_no)

    @property
    def status_label(self) -> str:
        return lifecycle.STATUSES.get(self.status, self.status)

    @property
    def is_active(self) -> bool:
        return self.status == lifecycle.ACTIVE


@dataclass(frozen=True, slots=True)
class CardEvent:
    """One dated step of a card's life (发卡, 挂失, 注销, 补换)."""

    id: str
    card_id: str
    event: str  # domain.card.EV_*
    event_date: str
    reason: str
    other_card_id: str | None
    other_card_no: str | None  # reissue: the new card (on the old) / the old card (on the new)
    recorded_at: str

    @property
    def label(self) -> str:
        return lifecycle.EVENTS.get(self.event, self.event)


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Event:
    """One outreach event; ``sub_venues`` and ``services`` as tuples of text."""

    id: str
    type: str
    title: str
    event_date: str  # ISO date
    start_time: str  # "HH:MM" or ""
    end_time: str
    venue: str
    union_id: str
    union_name: str
    sub_venues: tuple[str, ...]
    services: tuple[str, ...]
    notes: str
    created_at: str
    updated_at: str

    @property
    def date(self) -> _dt.date:
        return _dt.date.fromisoformat(self.event_date)

    @property
    def time_label(self) -> str:
        if self.start_time and self.end_time:
            return f"{self.start_time}—{self.end_time}"
        return self.start_time or (f"至 {self.end_time}" if self.end_time else "")

    @property
    def when_label(self) -> str:
        d = self.date
        text = f"{d.year}年{d.month}月{d.day}日"
        return f"{text} {self.time_label}" if self.time_label else text

    @property
    def venue_choices(self) -> tuple[str, ...]:
        """What a sign-in may name as its place: the main venue and the sub-venues."""
        return (ev.MAIN_VENUE, *self.sub_venues)

    def to_input(self) -> ev.EventInput:
        """The form pre-filled for editing."""
        return ev.EventInput(self.type, self.title, self.date, self.start_time, self.end_time, self.venue,
                             self.union_id, list(self.sub_venues), list(self.services), self.notes)


def time_label(iso: str, today: _dt.date) -> str:
    """``14:05`` for a time today, ``11月20日 14:05`` for another day."""
    at = _dt.datetime.fromisoformat(iso)
    return f"{at:%H:%M}" if at.date() == today else f"{at.month}月{at.day}日 {at:%H:%M}"


@dataclass(frozen=True, slots=True)
class Attendance:
    """One person on an event's attendance list: the attendance row joined with its member
    (the ``member_*`` fields, None for a walk-in who has not joined). ``name``, ``phone``,
    ``occupation`` and ``employer`` are the member's when there is one, else as the walk-in
    gave them; screens show ``id_number_masked`` and ``phone_masked``."""

    id: str  # the attendance row
    event_id: str
    member_id: str | None  # None: a walk-in who has not joined
    is_walk_in: bool  # arrived as a non-member (stays True after joining at the desk)
    walk_in_name: str
    walk_in_phone: str = field(repr=False)
    walk_in_occupation: str
    walk_in_employer: str
    method: str  # domain.event.SCAN / LOOKUP / WALK_IN / PAPER
    sub_venue: str | None  # None: the main venue
    signed_in_at: str  # ISO timestamp
    joined_at: str | None  # when a walk-in joined the union at the desk
    member_name: str | None
    member_id_number: str | None = field(repr=False)
    member_phone: str | None = field(repr=False)
    member_occupation: str | None
    member_employer: str | None
    member_platform: str | None
    member_status: str | None

    @property
    def _as_member(self) -> bool:
        return bool(self.member_id) and self.member_name is not None

    @property
    def name(self) -> str:
        return (self.member_name or "") if self._as_member else self.walk_in_name

    @property
    def id_number_masked(self) -> str:
        """"" for walk-ins."""
        return mask(self.member_id_number or "") if self._as_member else ""

    @property
    def phone(self) -> str:
        """The stored digits (for the sheet's reveal option): show ``phone_masked``."""
        return (self.member_phone or "") if self._as_member else self.walk_in_phone

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def occupation(self) -> str:
        if self._as_member:
            return self.member_occupation or self.walk_in_occupation or ""
        return self.walk_in_occupation or ""

    @property
    def employer(self) -> str:
        """The employer, or the platform for gig workers."""
        if self._as_member:
            return self.member_platform or self.member_employer or self.walk_in_employer or ""
        return self.walk_in_employer or ""

    @property
    def joined(self) -> bool:
        return self.joined_at is not None

    @property
    def membership_label(self) -> str:
        return "现场入会" if self.joined else ("否" if self.is_walk_in else "是")

    @property
    def method_label(self) -> str:
        return ev.SIGNIN_METHODS.get(self.method, self.method)

    @property
    def venue_label(self) -> str:
        return self.sub_venue or ev.MAIN_VENUE

    def time_label(self, today: _dt.date) -> str:
        return time_label(self.signed_in_at, today)
