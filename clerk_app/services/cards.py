"""Service-card use cases: number this laptop's cards, issue, report lost, cancel, reissue,
look a scanned card up, list the register, a member's card history.

Every action is one transaction that writes the card row and a dated ``card_events`` row
through ``ctx.changes`` (so they travel to the district) and one audit entry.  Cards are
referred to by their number (as scanned or typed; see :func:`domain.cardno.parse_card_no`)
or by their UUID.  Rules (see :mod:`domain.card`): one active card per member; only a
member in the union (在会 / 保留会籍) can hold one; a lost, cancelled or replaced card never
becomes active again; a reissue gives a new number and the old card points to it.

Membership hook: :func:`on_member_status_changed` is called by
``services.members.change_status`` inside its transaction, so a member who leaves the union
(转出 / 退会 / 开除) has their open card cancelled at once.  This module never imports
``services.members`` (it reads members through ``storage.members_repo``), so there is no cycle.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

from ..domain import card as lifecycle
from ..domain import cardno, vocab
from ..domain.errors import UserError
from ..domain.messages import message
from ..domain.text import single_line
from ..storage import cards_repo as repo
from ..storage import members_repo
from ..domain.records import Card, CardEvent, Holder, Member, MemberWithCard
from ..storage.cards_repo import RegisterFilter
from ..storage.db import transaction
from ..storage.meta import delete_meta, get_meta, set_meta
from .context import Cancelled, Context, is_uuid, new_id

PREFIX_KEY = "card_prefix"
USED_PREFIXES_KEY = "card_prefixes_used"
# Set by a restore (services.restore): the restored database may not know every number this
# laptop gave away after the backup, so no card is issued until a new card code is set.
PAUSED_KEY = "card_issuing_paused"
LIST_LIMIT = 200


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class CardHistory:
    card: Card
    events: tuple[CardEvent, ...]


@dataclass(frozen=True)
class ReissueResult:
    old: Card  # now REPLACED, replaced_by_no == new.card_no
    new: Card  # ACTIVE


@dataclass(frozen=True)
class Skip:
    """A member a batch issue passed over, and why (one Chinese phrase, no personal numbers)."""

    member_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class BatchIssueResult:
    issued: list[Card]  # in the order of the members given (the order to hand them out)
    skipped: list[Skip]


@dataclass(frozen=True)
class CardPage:
    rows: list[Card]
    total: int  # cards matching the filters, all pages


@dataclass(frozen=True)
class CardNumbering:
    prefix: str | None
    issued_with_prefix: int  # cards issued on this laptop under the current prefix
    next_no: str | None  # the number the next card will get
    paused: bool = False  # a restore paused issuing until a new card code is set

    @property
    def missing_code(self) -> str:
        """The message code that says why no card can be issued (no prefix)."""
        return "card.paused_after_restore" if self.paused else "card.prefix_required"


# Outcomes of lookup_card (the sign-in desk switches on these).
OK, INVALID, UNKNOWN, LOST, CANCELLED, REPLACED, NOT_IN_UNION = (
    "ok", "invalid", "unknown", "lost", "cancelled", "replaced", "not_in_union")


@dataclass(frozen=True)
class LookupResult:
    outcome: str
    text: str  # the normalised scanned text
    card: Card | None = None
    replacement: Card | None = None  # REPLACED: the card that finally replaced it
    error: str | None = None  # INVALID: the parse reason code (domain.cardno)
    own_prefix: str | None = None  # UNKNOWN: the number's card code when it is this laptop's own

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    @property
    def holder(self) -> Holder | None:
        return self.card.holder if self.card else None

    @property
    def message(self) -> str:
        """One Chinese sentence for the desk."""
        if self.outcome == INVALID:
            return message(self.error or cardno.BAD_SHAPE, text=self.text)
        if self.outcome == UNKNOWN:
            # Only this laptop issues numbers under its own card code (the district assigns
            # each code to one laptop), so such a card was never issued at all; any other
            # code's card may be another laptop's that has not been synced yet.
            if self.own_prefix:
                return message("card.lookup_unknown_own", card_no=self.text, prefix=self.own_prefix)
            return message("card.lookup_unknown", card_no=self.text)
        card = self.card
        assert card is not None
        params = dict(card_no=card.grouped_no, name=card.holder.name, date=card.status_date or "")
        if self.outcome == REPLACED:
            r = self.replacement
            if r is None:  # the new card's row has not been synced to this laptop yet
                return message("card.lookup_replaced_missing", **params)
            return message("card.lookup_replaced", **params, new_no=r.grouped_no, new_status=r.status_label)
        if self.outcome == NOT_IN_UNION:
            params["status"] = card.holder.member_status_label
        return message(f"card.lookup_{self.outcome}", **params)


# ---------------------------------------------------------------- helpers



def _find(ctx: Context, ref: str) -> Card:
    """A card by UUID or by number (as typed or scanned). Raises a UserError otherwise."""
    ref = (ref or "").strip()
    if is_uuid(ref):
        rec = repo.by_id(ctx.db, ref.lower())
        if rec:
            return rec
    parsed = cardno.parse_card_no(ref)
    if not parsed.ok:
        raise UserError(parsed.error, text=parsed.text)
    rec = repo.by_no(ctx.db, parsed.text)
    if rec is None:
        raise UserError("card.not_found", text=parsed.card.grouped)
    return rec


def _check_date(ctx: Context, day: _dt.date | None, today: _dt.date | None, label: str,
                not_before: str | None = None, before_code: str = "card.date_before_issue") -> str:
    today = today or ctx.today()
    day = day or today
    if not isinstance(day, _dt.date):
        raise TypeError("dates are datetime.date")
    if day > today:
        raise UserError("card.date_in_future", label=label)
    if not_before and day.isoformat() < not_before:
        raise UserError(before_code, label=label, date=not_before)
    return day.isoformat()


def _clean_reason(reason: str) -> str:
    text = single_line(reason, "NFKC")
    if len(text) > lifecycle.REASON_MAX:
        raise UserError("card.reason_too_long", max=lifecycle.REASON_MAX)
    return text


def _used_prefixes(ctx: Context) -> list[str]:
    return json.loads(get_meta(ctx.db, USED_PREFIXES_KEY, "[]") or "[]")


def _seq_key(prefix: str) -> str:
    return f"card_seq:{prefix}"


def _highest_seq(ctx: Context, prefix: str) -> int:
    """The last sequence used under ``prefix``: the saved counter, or a higher card number
    already in the database (belt and braces if the counter were ever lost)."""
    saved = int(get_meta(ctx.db, _seq_key(prefix), "0") or 0)
    top = repo.highest_no_with_prefix(ctx.db, prefix, len(prefix) + cardno.SEQ_DIGITS + 1)
    in_db = int(top[len(prefix):-1]) if top else 0
    return max(saved, in_db)


def _prefix_used(ctx: Context, prefix: str) -> bool:
    return prefix in _used_prefixes(ctx) or _highest_seq(ctx, prefix) > 0


def _take_number(ctx: Context) -> str:
    """The next card number; the counter moves inside the caller's transaction."""
    prefix = get_meta(ctx.db, PREFIX_KEY)
    if not prefix:
        raise UserError(_missing_code(ctx))
    seq = _highest_seq(ctx, prefix) + 1
    if seq > cardno.MAX_SEQ:
        raise UserError("card.sequence_exhausted", prefix=prefix)
    set_meta(ctx.db, _seq_key(prefix), str(seq))
    used = _used_prefixes(ctx)
    if prefix not in used:
        set_meta(ctx.db, USED_PREFIXES_KEY, json.dumps(used + [prefix]))
    return cardno.make_card_no(prefix, seq)


def _event(ctx: Context, card_id: str, event: str, day: str, reason: str, other: str | None, now: str) -> None:
    ctx.changes.insert("card_events", {"id": new_id(ctx.clock), "card_id": card_id, "event": event, "event_date": day,
                                       "reason": reason, "other_card_id": other, "recorded_at": now})


def _insert_card(ctx: Context, member_id: str, day: str, event_id: str | None, reason: str,
                 replaces: str | None) -> str:
    card_id, now = new_id(ctx.clock), ctx.now_stamp()
    ctx.changes.insert("cards", {
        "id": card_id, "card_no": _take_number(ctx), "member_id": member_id, "status": lifecycle.ACTIVE,
        "issue_date": day, "issued_at": now, "status_date": None, "replaced_by_card_id": None,
        "event_id": event_id, "created_at": now, "updated_at": now})
    _event(ctx, card_id, lifecycle.EV_ISSUE, day, reason, replaces, now)
    ctx.audit("create", "card", card_id, event=lifecycle.EV_ISSUE, member_id=member_id,
              **({"replaces": replaces} if replaces else {}))
    return card_id


def _refuse_if_not_in_union(member: Member) -> None:
    if not member.in_union:
        raise UserError("card.member_not_in_union", name=member.name, status=member.status_label)


def _step(ctx: Context, rec: Card, event: str, day: str, reason: str,
          replaced_by: str | None = None) -> None:
    """Move ``rec`` along the lifecycle by ``event`` (already checked as allowed)."""
    now = ctx.now_stamp()
    values = {"status": lifecycle.next_status(rec.status, event), "status_date": day, "updated_at": now}
    if replaced_by:
        values["replaced_by_card_id"] = replaced_by
    ctx.changes.update("cards", rec.id, values)
    _event(ctx, rec.id, event, day, reason, replaced_by, now)
    ctx.audit("update", "card", rec.id, event=event, status=values["status"])


def _refuse_unless_allowed(rec: Card, event: str) -> None:
    if not lifecycle.allowed(rec.status, event):
        raise UserError("card.bad_transition", card_no=cardno.grouped(rec.card_no),
                        status=lifecycle.STATUSES.get(rec.status, rec.status),
                        action=lifecycle.EVENTS[event])


# ---------------------------------------------------------------- numbering

def get_card_prefix(ctx: Context) -> str | None:
    return get_meta(ctx.db, PREFIX_KEY)


def issuing_paused(ctx: Context) -> bool:
    return get_meta(ctx.db, PAUSED_KEY) is not None


def _missing_code(ctx: Context) -> str:
    return "card.paused_after_restore" if issuing_paused(ctx) else "card.prefix_required"


def missing_prefix_message(ctx: Context) -> str:
    """Why no card can be issued now: no card code yet, or paused by a restore."""
    return message(_missing_code(ctx))


def pause_issuing(ctx: Context, *, used_prefixes: Iterable[str], counters: dict[str, int], backup: str) -> None:
    """After a restore (inside its transaction): the current card code is retired with every
    code and counter the laptop is known to have used, and issuing waits for a new code."""
    current = get_card_prefix(ctx)
    used = list(dict.fromkeys([*_used_prefixes(ctx), *used_prefixes, *([current] if current else [])]))
    set_meta(ctx.db, USED_PREFIXES_KEY, json.dumps(used))
    for prefix, seq in counters.items():
        if seq > _highest_seq(ctx, prefix):
            set_meta(ctx.db, _seq_key(prefix), str(seq))
    delete_meta(ctx.db, PREFIX_KEY)
    set_meta(ctx.db, PAUSED_KEY, json.dumps({"since": ctx.now_stamp(), "backup": backup}, ensure_ascii=False))


def known_numbering(ctx: Context) -> tuple[list[str], dict[str, int]]:
    """Every card code this database knows as used, with its highest sequence (a restore
    carries these from the database it replaces into the restored one)."""
    used = list(dict.fromkeys([*_used_prefixes(ctx), *([get_card_prefix(ctx)] if get_card_prefix(ctx) else [])]))
    return used, {p: _highest_seq(ctx, p) for p in used}


def numbering(ctx: Context) -> CardNumbering:
    prefix = get_card_prefix(ctx)
    if not prefix:
        return CardNumbering(None, 0, None, paused=issuing_paused(ctx))
    last = _highest_seq(ctx, prefix)
    nxt = cardno.make_card_no(prefix, last + 1) if last < cardno.MAX_SEQ else None
    return CardNumbering(prefix, last, nxt)


def set_card_prefix(ctx: Context, code: str) -> str:
    """Set this laptop's card code (assigned by the district). Setting the same code again is
    a no-op; any other code must never have been used to issue a card (here or in any card
    this database knows). Returns the normalised code."""
    prefix, problem = cardno.check_prefix(code)
    if problem:
        raise UserError(problem, text=prefix)
    with transaction(ctx.db):
        current = get_card_prefix(ctx)
        if prefix == current:
            return prefix
        if _prefix_used(ctx, prefix):
            raise UserError("card.prefix_used", prefix=prefix)
        set_meta(ctx.db, PREFIX_KEY, prefix)
        delete_meta(ctx.db, PAUSED_KEY)
        ctx.changes.note("meta")  # a setting, not a synced record: reported all the same
        ctx.audit("update", "card_prefix", ctx.site_id, prefix=prefix, previous=current or "")
    return prefix


# ---------------------------------------------------------------- lifecycle

def issue_card(ctx: Context, member_id: str, issue_date: _dt.date | None = None, *,
               event_id: str | None = None, today: _dt.date | None = None) -> Card:
    """Issue a new card to a member in the union who has no active (or lost, unreplaced) card.
    ``event_id``: the event where it was handed out, if any."""
    with transaction(ctx.db):
        member = members_repo.get(ctx.db, member_id)
        if member is None:
            raise UserError("member.not_found")
        _refuse_if_not_in_union(member)
        day = _check_date(ctx, issue_date, today, "发卡日期", member.join_date, "card.date_before_join")
        for rec in repo.for_member(ctx.db, member_id, lifecycle.OPEN):
            code = "card.already_active" if rec.status == lifecycle.ACTIVE else "card.has_lost_card"
            raise UserError(code, name=member.name, card_no=rec.grouped_no)
        card_id = _insert_card(ctx, member_id, day, event_id, "", None)
        return repo.by_id(ctx.db, card_id)


def _skip_reason(rec: MemberWithCard | None, day: str) -> str | None:
    """Why a batch passes a member over (see :func:`issue_card` for the same rules one by one)."""
    if rec is None:
        return message("card.skip_not_found")
    member = rec.member
    if not member.in_union:
        return message("card.skip_not_in_union", status=member.status_label)
    if rec.card_status == lifecycle.ACTIVE:
        return message("card.skip_active", card_no=cardno.grouped(rec.card_no or ""))
    if rec.card_status == lifecycle.LOST:
        return message("card.skip_lost", card_no=cardno.grouped(rec.card_no or ""))
    if member.join_date and day < member.join_date:  # unknown (a roster that did not say): nothing to check
        return message("card.skip_joined_later", date=member.join_date)
    return None


CANCEL_EVERY = 50


def issue_cards(ctx: Context, member_ids: Iterable[str], issue_date: _dt.date | None = None,
                progress: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None, *, today: _dt.date | None = None) -> BatchIssueResult:
    """发卡 to many members at once: one card each to those in the union who hold no active
    card and no lost card awaiting its replacement; everyone else is skipped with the reason.

    One transaction: all cards or none. ``cancel()`` returning True rolls the whole batch back
    (raises :class:`Cancelled`). The members are read with their open card in one query."""
    ids = list(dict.fromkeys(member_ids))  # each member once, first place kept
    with transaction(ctx.db):
        if not get_card_prefix(ctx):
            raise UserError(_missing_code(ctx))
        day = _check_date(ctx, issue_date, today, "发卡日期")
        found = {r.member.id: r for r in members_repo.with_open_card(ctx.db, ids)}
        total, issued, skipped = len(ids), [], []
        for n, member_id in enumerate(ids):
            if cancel is not None and n % CANCEL_EVERY == 0 and cancel():
                raise Cancelled()
            rec = found.get(member_id)
            why = _skip_reason(rec, day)
            if why:
                skipped.append(Skip(member_id, rec.member.name if rec else "", why))
            else:
                issued.append(_insert_card(ctx, member_id, day, None, "", None))
            if progress is not None and n % 100 == 0:
                progress(n, total)
        if issued:
            ctx.audit("create", "card_batch", "", issued=len(issued), skipped=len(skipped), date=day)
        cards = repo.by_ids(ctx.db, issued)
    if progress is not None:
        progress(total, total)
    return BatchIssueResult(cards, skipped)


def _end_step(ctx: Context, card: str, event: str, date_label: str, reason: str,
              date: _dt.date | None, today: _dt.date | None) -> Card:
    """Report lost or cancel: one dated step on the card, no new card (one transaction)."""
    with transaction(ctx.db):
        rec = _find(ctx, card)
        _refuse_unless_allowed(rec, event)
        day = _check_date(ctx, date, today, date_label, rec.issue_date)
        _step(ctx, rec, event, day, _clean_reason(reason))
        return repo.by_id(ctx.db, rec.id)


def report_lost(ctx: Context, card: str, reason: str = "", date: _dt.date | None = None, *,
                today: _dt.date | None = None) -> Card:
    """Report an active card lost (挂失). ``card``: number or UUID."""
    return _end_step(ctx, card, lifecycle.EV_LOST, "挂失日期", reason, date, today)


def cancel_card(ctx: Context, card: str, reason: str = "", date: _dt.date | None = None, *,
                today: _dt.date | None = None) -> Card:
    """Cancel an active or lost card (注销) for good."""
    return _end_step(ctx, card, lifecycle.EV_CANCEL, "注销日期", reason, date, today)


def reissue_card(ctx: Context, card: str, reason: str = "", date: _dt.date | None = None, *,
                 today: _dt.date | None = None) -> ReissueResult:
    """Replace an active (damaged) or lost card with a new number (补换卡). The old card is
    REPLACED for ever and points to the new one; both histories name the other card."""
    with transaction(ctx.db):
        rec = _find(ctx, card)
        _refuse_unless_allowed(rec, lifecycle.EV_REISSUE)
        member = members_repo.get(ctx.db, rec.member_id)
        _refuse_if_not_in_union(member)
        for other in repo.for_member(ctx.db, rec.member_id, [lifecycle.ACTIVE]):
            if other.id != rec.id:
                raise UserError("card.already_active", name=member.name, card_no=other.grouped_no)
        day = _check_date(ctx, date, today, "补换日期", rec.issue_date)
        why = _clean_reason(reason)
        new_id_ = _insert_card(ctx, rec.member_id, day, None, why, rec.id)
        _step(ctx, rec, lifecycle.EV_REISSUE, day, why, replaced_by=new_id_)
        return ReissueResult(repo.by_id(ctx.db, rec.id), repo.by_id(ctx.db, new_id_))


# ---------------------------------------------------------------- membership hooks

def on_member_status_changed(ctx: Context, member_id: str, status: str, effective: _dt.date) -> list[str]:
    """Called by ``services.members.change_status`` inside its transaction: when the member
    is no longer in the union, cancel their active or lost card(s). Returns the numbers."""
    if status in vocab.IN_UNION:
        return []
    cancelled = []
    why = message("card.reason_member_left", status=vocab.STATUSES.get(status, status))
    with transaction(ctx.db):
        for rec in repo.for_member(ctx.db, member_id, lifecycle.OPEN):
            day = max(effective.isoformat(), rec.issue_date)
            _step(ctx, rec, lifecycle.EV_CANCEL, day, why)
            cancelled.append(rec.card_no)
    return cancelled


def check_member_deletable(ctx: Context, member_id: str) -> None:
    """Called by ``services.members.delete_member``: a member who was ever issued a card is
    not deleted (the card number and its history must stay on record)."""
    if repo.for_member(ctx.db, member_id):
        raise UserError("card.member_has_cards")


# ---------------------------------------------------------------- reading

def get_card(ctx: Context, card: str) -> Card:
    """One card by number (as typed or scanned) or UUID; a UserError when there is none."""
    return _find(ctx, card)


def lookup_card(ctx: Context, scanned_text: str) -> LookupResult:
    """What the sign-in desk shows for a scan. Never raises for bad input: the outcome says
    invalid / unknown / lost / cancelled / replaced (with the replacement) / not_in_union / ok."""
    parsed = cardno.parse_card_no(scanned_text)
    if not parsed.ok:
        return LookupResult(INVALID, parsed.text, error=parsed.error)
    card = repo.by_no(ctx.db, parsed.text)
    if card is None:
        prefix = parsed.card.prefix
        own = prefix == get_card_prefix(ctx) or prefix in _used_prefixes(ctx)
        return LookupResult(UNKNOWN, parsed.card.grouped, own_prefix=prefix if own else None)
    if card.status == lifecycle.REPLACED:
        final, seen = card, {card.id}
        while final.replaced_by_card_id and final.replaced_by_card_id not in seen:
            nxt = repo.by_id(ctx.db, final.replaced_by_card_id)
            if nxt is None:
                break
            seen.add(nxt.id)
            final = nxt
        return LookupResult(REPLACED, parsed.text, card, final if final is not card else None)
    if card.status in (lifecycle.LOST, lifecycle.CANCELLED):
        return LookupResult(card.status, parsed.text, card)
    if not card.holder.in_union:
        return LookupResult(NOT_IN_UNION, parsed.text, card)
    return LookupResult(OK, parsed.text, card)


def _register_filter(status, date_from, date_to, query) -> RegisterFilter:
    if status is not None and status not in lifecycle.STATUSES:
        raise UserError("card.bad_status", choices="、".join(lifecycle.STATUSES.values()))
    q = "".join(unicodedata.normalize("NFKC", query or "").split())
    number = name = None
    keys: tuple[str, ...] = ()
    if q:
        name = q
        norm = cardno.normalise(q)
        if all(c in cardno.ALPHABET for c in norm):
            number = norm
        if re.fullmatch(r"[A-Za-z]+", q):
            keys = ("p:" + q.lower(),)
        elif re.fullmatch(r"\d+[Xx]?|\d*[Xx]", q):
            keys = ("d:" + q.upper()[::-1],)
    return RegisterFilter(status, date_from.isoformat() if date_from else None,
                          date_to.isoformat() if date_to else None, number, name, keys)


def list_cards(ctx: Context, status: str | None = None, date_from: _dt.date | None = None,
               date_to: _dt.date | None = None, query: str | None = None,
               limit: int = LIST_LIMIT, offset: int = 0) -> CardPage:
    """The card register, newest issue first: filter by status and issue-date range; ``query``
    matches a piece of the card number, a piece of the holder's name, name pinyin (full or
    initials), or the last digits of the holder's ID number or phone."""
    rows, total = repo.register(ctx.db, _register_filter(status, date_from, date_to, query), limit, offset)
    return CardPage(rows, total)


def member_cards(ctx: Context, member_id: str) -> list[CardHistory]:
    """Every card a member has held, oldest first, each with its dated events."""
    recs = repo.for_member(ctx.db, member_id)
    by_card: dict[str, list[CardEvent]] = {r.id: [] for r in recs}
    for e in repo.events(ctx.db, [r.id for r in recs]):
        by_card[e.card_id].append(e)
    return [CardHistory(r, tuple(by_card[r.id])) for r in recs]


def status_counts(ctx: Context) -> dict[str, int]:
    """Cards per status (every status present, zero included)."""
    counts = repo.count_by_status(ctx.db)
    return {s: counts.get(s, 0) for s in lifecycle.STATUSES}
