"""Outreach events (职工沟通会, job fairs, summer relief ...) and what the sign-in desk records
at them: the event form and its validation, walk-in sign-ins, tallies. Pure, no I/O.

Closed lists (event types, consultation topics, tally kinds, sign-in methods) are checked;
services offered, materials and services given are suggested lists plus free text.
Stored values are the Chinese text a clerk picked or typed, as on the member form.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from .errors import Issue
from .member import bad_name_chars
from .phone import normalise_phone
from .text import multi_line, single_line

EVENT_TYPES = ("职工沟通会", "企业沟通会", "招聘会", "送清凉", "心理减压", "义诊", "法律咨询", "其他")

SUGGESTED_SERVICES = ("入会咨询", "互助保障", "权益维护", "法律咨询", "反诈宣传", "心理咨询",
                      "就业服务", "义诊", "理发", "送清凉")

# Tallies the clerk taps during the event.
CONSULTATION, MATERIAL, SERVICE = "consultation", "material", "service"
TALLY_KINDS = {CONSULTATION: "咨询", MATERIAL: "宣传资料", SERVICE: "服务"}
CONSULTATION_TOPICS = ("入会咨询", "法律咨询", "权益维护", "互助保障", "心理咨询", "其他")
SUGGESTED_MATERIALS = ("入会宣传页", "服务卡使用指南", "法律知识手册", "反诈宣传页", "互助保障宣传页")
SUGGESTED_SERVICE_ITEMS = ("义诊", "理发", "送清凉物品", "心理咨询", "法律咨询", "岗位推荐")
TALLY_SUGGESTIONS = {CONSULTATION: CONSULTATION_TOPICS, MATERIAL: SUGGESTED_MATERIALS,
                     SERVICE: SUGGESTED_SERVICE_ITEMS}
TALLY_DELTA_MAX = 10_000  # one entry ("200 leaflets handed out") never more than this

# How a person got onto the attendance list.
SCAN, LOOKUP, WALK_IN, PAPER = "scan", "lookup", "walk_in", "paper"
SIGNIN_METHODS = {SCAN: "扫码", LOOKUP: "查找", WALK_IN: "现场登记", PAPER: "纸质签到补录"}

MAIN_VENUE = "主会场"  # the label of sign-ins without a sub-venue

TITLE_MAX, VENUE_MAX, SUB_VENUE_MAX, SERVICE_MAX, NOTES_MAX = 60, 100, 40, 20, 500
SUB_VENUES_MAX, SERVICES_MAX = 20, 30
LABEL_MAX = 20
NAME_MAX, OCCUPATION_MAX, EMPLOYER_MAX = 30, 30, 100
EARLIEST = _dt.date(2000, 1, 1)
PLAN_AHEAD_DAYS = 3 * 366  # an event may be entered ahead of time, but not decades ahead

LABELS = {"type": "活动类型", "title": "活动名称", "event_date": "活动日期", "start_time": "开始时间",
          "end_time": "结束时间", "venue": "活动地点", "union_id": "主办工会", "sub_venues": "分会场",
          "services": "服务项目", "notes": "备注"}

_TIME = re.compile(r"(\d{1,2})[:：.](\d{2})")


def clean_text(value: str) -> str:
    """NFKC (full-width digits and colons become ASCII), inner whitespace runs become one space."""
    return single_line(value, "NFKC")


def parse_time(text: str) -> str | None:
    """``"9:30"``, ``"09：30"``, ``"14.05"`` -> ``"09:30"``; None if it is not a time of day."""
    m = _TIME.fullmatch(clean_text(text).replace(" ", ""))
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


@dataclass
class EventInput:
    """What the event form holds, as typed. Times are ``HH:MM`` text (empty = not given)."""

    type: str = "职工沟通会"
    title: str = ""
    event_date: _dt.date | None = None
    start_time: str = ""
    end_time: str = ""
    venue: str = ""
    union_id: str = ""
    sub_venues: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    notes: str = ""


def _clean_list(items, max_len: int, max_items: int, fname: str, issues: list[Issue]) -> list[str]:
    out: list[str] = []
    for raw in items or ():
        text = clean_text(raw)
        if not text or text in out:
            continue  # blank lines and repeats are dropped, not errors
        if len(text) > max_len:
            issues.append(Issue(fname, "event.item_too_long", {"label": LABELS[fname], "text": text, "max": max_len}))
        out.append(text)
    if len(out) > max_items:
        issues.append(Issue(fname, "event.too_many_items", {"label": LABELS[fname], "max": max_items}))
    return out


def validate_event(inp: EventInput, today: _dt.date) -> tuple[dict | None, list[Issue]]:
    """Every problem of the form at once, or the values to store (lists still as lists)."""
    issues: list[Issue] = []
    values: dict = {}

    kind = clean_text(inp.type)
    if kind not in EVENT_TYPES:
        issues.append(Issue("type", "event.bad_type", {"choices": "、".join(EVENT_TYPES)}))
    values["type"] = kind

    title = clean_text(inp.title)
    if not title:
        issues.append(Issue("title", "event.required", {"label": LABELS["title"]}))
    elif len(title) > TITLE_MAX:
        issues.append(Issue("title", "event.too_long", {"label": LABELS["title"], "max": TITLE_MAX}))
    values["title"] = title

    day = inp.event_date
    if day is None:
        issues.append(Issue("event_date", "event.required", {"label": LABELS["event_date"]}))
    elif not isinstance(day, _dt.date):
        raise TypeError("event_date is a datetime.date")
    elif day < EARLIEST or day > today + _dt.timedelta(days=PLAN_AHEAD_DAYS):
        issues.append(Issue("event_date", "event.date_out_of_range", {"date": day.isoformat()}))
    values["event_date"] = day.isoformat() if isinstance(day, _dt.date) else ""

    times = {}
    for fname in ("start_time", "end_time"):
        raw = clean_text(getattr(inp, fname))
        parsed = parse_time(raw) if raw else ""
        if parsed is None:
            issues.append(Issue(fname, "event.bad_time", {"label": LABELS[fname], "text": raw}))
            parsed = ""
        times[fname] = parsed
    if times["start_time"] and times["end_time"] and times["end_time"] <= times["start_time"]:
        issues.append(Issue("end_time", "event.end_before_start"))
    values.update(times)

    venue = clean_text(inp.venue)
    if not venue:
        issues.append(Issue("venue", "event.required", {"label": LABELS["venue"]}))
    elif len(venue) > VENUE_MAX:
        issues.append(Issue("venue", "event.too_long", {"label": LABELS["venue"], "max": VENUE_MAX}))
    values["venue"] = venue

    if not inp.union_id:
        issues.append(Issue("union_id", "event.required", {"label": LABELS["union_id"]}))
    values["union_id"] = inp.union_id

    subs = _clean_list(inp.sub_venues, SUB_VENUE_MAX, SUB_VENUES_MAX, "sub_venues", issues)
    if MAIN_VENUE in subs:
        issues.append(Issue("sub_venues", "event.main_venue_reserved", {"name": MAIN_VENUE}))
    values["sub_venues"] = subs
    values["services"] = _clean_list(inp.services, SERVICE_MAX, SERVICES_MAX, "services", issues)

    notes = multi_line(inp.notes)
    if len(notes) > NOTES_MAX:
        issues.append(Issue("notes", "event.too_long", {"label": LABELS["notes"], "max": NOTES_MAX}))
    values["notes"] = notes

    return (None, issues) if issues else (values, [])


# ---------------------------------------------------------------- walk-ins

@dataclass(frozen=True)
class WalkIn:
    """A person who is not (yet) a member, as the desk records them."""

    name: str
    phone: str  # normalised digits
    occupation: str
    employer: str


def check_name(raw: str, fname: str = "name") -> tuple[str, Issue | None]:
    name = single_line(raw)
    if not name:
        return name, Issue(fname, "signin.name_required")
    if len(name) > NAME_MAX:
        return name, Issue(fname, "signin.name_too_long", {"max": NAME_MAX})
    bad = bad_name_chars(name)
    if bad:
        return name, Issue(fname, "signin.name_bad_chars", {"chars": bad})
    return name, None


def validate_walk_in(name: str, phone: str, occupation: str = "", employer: str = "") -> tuple[WalkIn | None, list[Issue]]:
    issues: list[Issue] = []
    clean_name, problem = check_name(name)
    if problem:
        issues.append(problem)
    digits, problem = normalise_phone(phone)
    if problem:
        issues.append(problem)
    elif not digits:
        issues.append(Issue("phone", "phone.empty"))
    occ, emp = clean_text(occupation), clean_text(employer)
    if len(occ) > OCCUPATION_MAX:
        issues.append(Issue("occupation", "event.too_long", {"label": "职业", "max": OCCUPATION_MAX}))
    if len(emp) > EMPLOYER_MAX:
        issues.append(Issue("employer", "event.too_long", {"label": "单位/平台", "max": EMPLOYER_MAX}))
    return (None, issues) if issues else (WalkIn(clean_name, digits, occ, emp), [])


# ---------------------------------------------------------------- tallies

def check_tally(kind: str, label: str, delta: int) -> tuple[str, Issue | None]:
    """The cleaned label, or the problem with this tap."""
    text = clean_text(label)
    if kind not in TALLY_KINDS:
        return text, Issue("kind", "event.bad_tally_kind", {"choices": "、".join(TALLY_KINDS.values())})
    if not text:
        return text, Issue("label", "event.tally_label_required", {"kind": TALLY_KINDS[kind]})
    if len(text) > LABEL_MAX:
        return text, Issue("label", "event.too_long", {"label": TALLY_KINDS[kind] + "项目", "max": LABEL_MAX})
    if kind == CONSULTATION and text not in CONSULTATION_TOPICS:
        return text, Issue("label", "event.bad_topic", {"choices": "、".join(CONSULTATION_TOPICS)})
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or abs(delta) > TALLY_DELTA_MAX:
        return text, Issue("delta", "event.bad_delta", {"max": TALLY_DELTA_MAX})
    return text, None


def offered_labels(kind: str, event_services) -> tuple[str, ...]:
    """The labels an event always counts, 0 included: every consultation topic, and the
    services the event was set up to offer (``Event.services``, e.g. 法律咨询, 理发) as
    services given — the desk shows a button for each, the report a line for each."""
    if kind == CONSULTATION:
        return CONSULTATION_TOPICS
    return tuple(event_services) if kind == SERVICE else ()


def order_labels(kind: str, labels, first=()) -> list[str]:
    """``first`` (an event's own services, in the order the event lists them), then the
    suggested labels in their usual order, then the clerk's own in alphabetical order."""
    rank: dict[str, int] = {}
    for label in (*first, *TALLY_SUGGESTIONS.get(kind, ())):
        rank.setdefault(label, len(rank))
    return sorted(labels, key=lambda x: (rank.get(x, len(rank)), x))
