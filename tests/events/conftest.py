"""Fixtures of the event tests: a laptop with a card code, members with real cards, an event."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.domain.event import EventInput
from clerk_app.services import cards, events
from clerk_app.services.members import register_member
from tests.conftest import make_id, run_on

DAY = dt.date(2026, 11, 21)  # the event day: the app works on it in these tests
_on_day = run_on(DAY)


@pytest.fixture
def laptop(ctx):
    cards.set_card_prefix(ctx, "DX07")
    return ctx


@pytest.fixture
def add_member(laptop, member_input):
    """Register a member (unique ID number and phone); returns the member id."""
    counter = iter(range(100, 999))

    def make(name: str = "王小明", **overrides) -> str:
        seq = f"{next(counter):03d}"
        overrides.setdefault("phone", f"13812345{seq}")
        inp = member_input(name=name, id_number=make_id(seq=seq), **overrides)
        return register_member(laptop, inp, confirm_possible_duplicate=True, today=DAY).member_id

    return make


@pytest.fixture
def card_for(laptop, add_member):
    """A member with an active card; returns the card."""

    def make(name: str = "王小明", **overrides) -> cards.Card:
        return cards.issue_card(laptop, add_member(name, **overrides), dt.date(2026, 11, 5), today=DAY)

    return make


@pytest.fixture
def event_input(laptop):
    def make(**overrides) -> EventInput:
        base = dict(type="职工沟通会", title="黄村镇新就业形态劳动者职工沟通会", event_date=DAY, start_time="09:30",
                    end_time="11:30", venue="黄村镇文化广场", union_id=laptop.home_union_id,
                    sub_venues=["京东物流站点"], services=["入会咨询", "法律咨询", "理发"])
        base.update(overrides)
        return EventInput(**base)

    return make


@pytest.fixture
def event(laptop, event_input) -> events.Event:
    return events.create_event(laptop, event_input(), today=DAY)
