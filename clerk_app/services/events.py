"""Event use cases: create, edit, list and find events; the tallies a clerk taps during an
event; the figures of the event report.

Every write is one transaction through ``ctx.changes`` (so it travels to the district) with
one audit entry. Sign-ins live in :mod:`.signin`.

What the report counts, precisely (all from the records, nothing typed in twice):

* **attendance** — attendance rows of the event: *members* signed in as members (scan,
  look-up or a paper row matched to a member); *walk-ins* signed in as non-members (at the
  desk or from a paper row), including those who then joined. Each person once.
* **joined** — walk-ins of this event who were registered at the desk through
  :func:`.signin.join_walk_in` (their attendance row points to the new member and carries
  ``joined_at``). A member registered elsewhere on the same day is not counted.
* **cards issued** — service cards whose ``event_id`` is this event (issued at the desk),
  whatever their status is now; ``cards_to_joined`` of them went to people who joined there.
* **consultations / materials / services** — the sums of the tally increments per label.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass

from ..domain import event as ev
from ..domain.errors import Issue, UserError, ValidationFailed
from ..domain.records import Event
from ..storage import events_repo as repo
from ..storage import unions_repo
from ..storage.db import transaction
from .context import Context, is_uuid, new_id

LIST_LIMIT = 500


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class TallyCount:
    kind: str  # domain.event.CONSULTATION / MATERIAL / SERVICE
    label: str
    total: int


@dataclass(frozen=True)
class VenueCount:
    venue: str  # domain.event.MAIN_VENUE or a sub-venue
    members: int
    walk_ins: int

    @property
    def total(self) -> int:
        return self.members + self.walk_ins


@dataclass(frozen=True)
class EventSummary:
    """The figures of the event report (see the module docstring for what each counts)."""

    event: Event
    members: int
    walk_ins: int
    joined: int
    cards_issued: int
    cards_to_joined: int
    by_venue: tuple[VenueCount, ...]
    by_method: dict[str, int]
    consultations: tuple[TallyCount, ...]
    materials: tuple[TallyCount, ...]
    services: tuple[TallyCount, ...]

    @property
    def attendance(self) -> int:
        return self.members + self.walk_ins

    @property
    def consultations_total(self) -> int:
        return sum(t.total for t in self.consultations)

    @property
    def materials_total(self) -> int:
        return sum(t.total for t in self.materials)

    @property
    def services_total(self) -> int:
        return sum(t.total for t in self.services)

    def tallies(self, kind: str) -> tuple[TallyCount, ...]:
        return {ev.CONSULTATION: self.consultations, ev.MATERIAL: self.materials, ev.SERVICE: self.services}[kind]


# ---------------------------------------------------------------- helpers



def _clean_or_raise(ctx: Context, inp: ev.EventInput, today: _dt.date | None) -> dict:
    values, issues = ev.validate_event(inp, today or ctx.today())
    if issues:
        raise ValidationFailed(issues)
    if not unions_repo.union_exists(ctx.db, values["union_id"]):
        raise ValidationFailed([Issue("union_id", "event.union_missing")])
    values["sub_venues"] = json.dumps(values["sub_venues"], ensure_ascii=False)
    values["services"] = json.dumps(values["services"], ensure_ascii=False)
    return values


def require_event(ctx: Context, event_id: str) -> Event:
    rec = repo.event_by_id(ctx.db, event_id)
    if rec is None:
        raise UserError("event.not_found")
    return rec


# ---------------------------------------------------------------- events

def new_event_input(ctx: Context, day: _dt.date | None = None) -> ev.EventInput:
    """A blank form: today, this laptop's union as host."""
    return ev.EventInput(event_date=day or ctx.today(), union_id=ctx.home_union_id)


def create_event(ctx: Context, inp: ev.EventInput, *, today: _dt.date | None = None) -> Event:
    with transaction(ctx.db):
        values = _clean_or_raise(ctx, inp, today)
        event_id, now = new_id(ctx.clock), ctx.now_stamp()
        ctx.changes.insert("events", {"id": event_id, **values, "created_at": now, "updated_at": now})
        ctx.audit("create", "event", event_id, type=values["type"])
        return require_event(ctx, event_id)


def update_event(ctx: Context, event_id: str, inp: ev.EventInput, *, today: _dt.date | None = None) -> Event:
    """Edit an event. Sign-ins already recorded keep their sub-venue even if it is renamed."""
    with transaction(ctx.db):
        require_event(ctx, event_id)
        values = _clean_or_raise(ctx, inp, today)
        changed = ctx.changes.update("events", event_id, values, touch={"updated_at": ctx.now_stamp()})
        if changed:
            ctx.audit("update", "event", event_id, fields=sorted(changed))
        return require_event(ctx, event_id)


def get_event(ctx: Context, event_id: str) -> Event:
    return require_event(ctx, event_id)


def list_events(ctx: Context, date_from: _dt.date | None = None, date_to: _dt.date | None = None,
                event_type: str | None = None, query: str | None = None, limit: int = LIST_LIMIT) -> list[Event]:
    """Events newest first; optionally by date range, type and a piece of the title."""
    if event_type is not None and event_type not in ev.EVENT_TYPES:
        raise UserError("event.bad_type", choices="、".join(ev.EVENT_TYPES))
    return repo.list_events(ctx.db, date_from.isoformat() if date_from else None,
                            date_to.isoformat() if date_to else None, event_type, ev.clean_text(query or "") or None, limit)


def find_event(ctx: Context, ref: str) -> Event:
    """An event by its id or by a piece of its title that names only one event (an exact
    title wins over longer ones that contain it)."""
    text = ev.clean_text(ref)
    if is_uuid(text):
        rec = repo.event_by_id(ctx.db, text.lower())
        if rec:
            return rec
    found = repo.list_events(ctx.db, None, None, None, text, 20) if text else []
    exact = [r for r in found if r.title == text]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError("event.ref_unknown", text=text)
    titles = "、".join(f"{r.title}（{r.event_date}）" for r in found[:5]) + ("……" if len(found) > 5 else "")
    raise UserError("event.ref_ambiguous", text=text, titles=titles)


def check_sub_venue(event: Event, sub_venue: str | None) -> str | None:
    """The stored value of a sign-in's place: None for the main venue, else a sub-venue name."""
    name = ev.clean_text(sub_venue or "")
    if not name or name == ev.MAIN_VENUE:
        return None
    if name not in event.sub_venues:
        raise UserError("event.bad_sub_venue", name=name, choices="、".join(event.venue_choices))
    return name


# ---------------------------------------------------------------- tallies

def add_tally(ctx: Context, event_id: str, kind: str, label: str, delta: int = 1) -> TallyCount:
    """One tap: +1 consultation on a topic, +N leaflets, +1 haircut ... A negative ``delta``
    undoes a mis-tap; the total never goes below 0 (an undo past zero is cut to what is there,
    and an undo of nothing writes nothing). Returns the new total for that label."""
    label, problem = ev.check_tally(kind, label, delta)
    if problem:
        raise ValidationFailed([problem])
    with transaction(ctx.db):
        require_event(ctx, event_id)
        current = repo.tally_total(ctx.db, event_id, kind, label)
        step = max(delta, -max(current, 0))
        if step:
            row_id = new_id(ctx.clock)
            ctx.changes.insert("event_tallies", {"id": row_id, "event_id": event_id, "kind": kind, "label": label,
                                                 "delta": step, "recorded_at": ctx.now_stamp()})
            ctx.audit("create", "event_tally", row_id, event_id=event_id, kind=kind, delta=step)
        return TallyCount(kind, label, max(current + step, 0))


def offered_labels(event: Event) -> dict[str, tuple[str, ...]]:
    """The labels an event always counts, 0 included: every consultation topic, and the
    services the event was set up to offer (``event.services``, e.g. 法律咨询, 理发) as
    services given — the desk shows a button for each, the report a line for each."""
    return {ev.CONSULTATION: ev.CONSULTATION_TOPICS, ev.MATERIAL: (), ev.SERVICE: event.services}


def tallies(ctx: Context, event_id: str) -> dict[str, tuple[TallyCount, ...]]:
    """Totals per kind: the offered labels always (0 when not tapped; the event's own
    services first), then the others tapped."""
    event = require_event(ctx, event_id)
    offered = {kind: ev.offered_labels(kind, event.services) for kind in ev.TALLY_KINDS}
    totals: dict[str, dict[str, int]] = {k: {} for k in ev.TALLY_KINDS}
    for kind, label, total in repo.tally_totals(ctx.db, event_id):
        if kind in totals:
            totals[kind][label] = max(int(total), 0)
    out = {}
    for kind, found in totals.items():
        labels = set(found) | set(offered[kind])
        first = event.services if kind == ev.SERVICE else ()
        out[kind] = tuple(TallyCount(kind, label, found.get(label, 0))
                          for label in ev.order_labels(kind, labels, first))
    return out


# ---------------------------------------------------------------- report figures

def event_summary(ctx: Context, event_id: str) -> EventSummary:
    event = require_event(ctx, event_id)
    venues: dict[str, list[int]] = {name: [0, 0] for name in event.venue_choices}
    members = walk_ins = 0
    for sub_venue, is_walk_in, count in repo.attendance_counts(ctx.db, event_id):
        slot = venues.setdefault(sub_venue or ev.MAIN_VENUE, [0, 0])
        slot[1 if is_walk_in else 0] += count
        if is_walk_in:
            walk_ins += count
        else:
            members += count
    cards_issued, cards_to_joined = repo.cards_issued(ctx.db, event_id)
    counts = tallies(ctx, event_id)
    return EventSummary(
        event=event, members=members, walk_ins=walk_ins, joined=repo.joined_count(ctx.db, event_id),
        cards_issued=cards_issued, cards_to_joined=cards_to_joined,
        by_venue=tuple(VenueCount(name, m, w) for name, (m, w) in venues.items()),
        by_method={m: n for m, n in repo.method_counts(ctx.db, event_id).items()},
        consultations=counts[ev.CONSULTATION], materials=counts[ev.MATERIAL], services=counts[ev.SERVICE])
