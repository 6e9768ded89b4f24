"""Records are types: the repositories return the frozen dataclasses of ``domain.records``
(one per record kind) built from real rows, and the window reads them by attribute."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from clerk_app.domain import records
from clerk_app.domain.event import EventInput
from clerk_app.services import cards, events, members, signin
from clerk_app.storage import cards_repo, events_repo, members_repo, unions_repo
from tests.conftest import make_id

ROOT = Path(__file__).resolve().parent.parent
RECORD_TYPES = [obj for obj in vars(records).values()
                if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == records.__name__]


@pytest.fixture
def world(ctx, member_input):
    """A member who changed status, holds a replaced card and a new one, and signed in at an
    event beside a walk-in."""
    cards.set_card_prefix(ctx, "DX07")
    day = ctx.today()
    mid = members.register_member(ctx, member_input(join_date=day - dt.timedelta(days=30))).member_id
    members.change_status(ctx, mid, "retained", effective=day - dt.timedelta(days=10), reason="退休")
    old = cards.issue_card(ctx, mid, day - dt.timedelta(days=5))
    new = cards.reissue_card(ctx, old.card_no, "损坏", day).new
    event = events.create_event(ctx, EventInput(title="职工沟通会", event_date=day, venue="文化广场",
                                                union_id=ctx.home_union_id))
    signin.sign_in_member(ctx, event.id, mid)
    signin.sign_in_walk_in(ctx, event.id, "马丽", "13912340002", "快递员", "顺丰")
    return mid, old, new, event


def _assert_frozen(record) -> None:
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, "changed")


def test_every_record_type_is_a_frozen_slotted_dataclass():
    names = {t.__name__ for t in RECORD_TYPES}
    assert {"Union", "Member", "MemberRow", "StatusChange", "Consent", "MemberFile", "MemberWithCard", "Holder", "Card",
            "CardEvent", "Event", "Attendance"} <= names
    for kind in RECORD_TYPES:
        params = kind.__dataclass_params__
        assert params.frozen, kind
        assert "__slots__" in vars(kind), kind  # cheap to build: lists make one per member


def test_union_repository_returns_union_records(ctx):
    (home,) = unions_repo.all_unions(ctx.db)
    assert type(home) is records.Union and (home.id, home.name) == (ctx.home_union_id, "大兴区黄村镇总工会")
    _assert_frozen(home)


def test_member_repository_returns_typed_records(ctx, world):
    mid, _old, new, _event = world
    member = members_repo.get(ctx.db, mid)
    assert type(member) is records.Member
    assert (member.id, member.name, member.status, member.union_name) == (mid, "王小明", "retained", "大兴区黄村镇总工会")
    assert member.id_number == make_id() and member.id_number_masked != member.id_number
    assert member.phone_masked != member.phone and member.status_label == "保留会籍"
    _assert_frozen(member)
    assert member.id_number not in repr(member) and member.phone not in repr(member)  # a log line shows neither
    form = member.to_input()  # the edit form, pre-filled
    assert (form.name, form.id_number, form.occupation, form.join_date) == (
        "王小明", make_id(), "外卖配送员", ctx.today() - dt.timedelta(days=30))
    history = members_repo.status_history(ctx.db, mid)
    assert [type(h) for h in history] == [records.StatusChange] * 2
    assert [(h.status, h.reason) for h in history] == [("active", "入会"), ("retained", "退休")]
    (consent,) = members_repo.consents(ctx.db, mid)
    assert type(consent) is records.Consent and consent.member_id == mid
    _assert_frozen(history[0])
    _assert_frozen(consent)
    (row,) = members_repo.page(ctx.db, None, 10)
    assert type(row) is records.MemberRow and row.id == mid
    (listed,) = members_repo.with_open_card(ctx.db, [mid])
    assert type(listed) is records.MemberWithCard and listed.member == member
    assert (listed.card_no, listed.card_status) == (new.card_no, "active")
    _assert_frozen(listed)
    file = members.get_member_file(ctx, mid)
    assert file == records.MemberFile(member, tuple(history), (consent,))


def test_member_record_has_every_column_of_the_table(ctx):
    """The record is the table: a column added by a migration gets its field (or it is never read)."""
    columns = [r[1] for r in ctx.db.conn.execute("PRAGMA table_info(members)")]
    assert [f.name for f in dataclasses.fields(records.Member)] == columns + ["union_name"]


def test_card_repository_returns_one_card_type_with_its_holder_and_events(ctx, world):
    mid, old, new, _event = world
    card = cards_repo.by_no(ctx.db, old.card_no)
    assert type(card) is records.Card and type(card.holder) is records.Holder
    assert (card.status, card.replaced_by_no, card.member_id) == ("replaced", new.card_no, mid)
    assert card.holder.id_number == make_id() and "*" in card.holder.id_number_masked
    assert make_id() not in repr(card)
    assert cards.get_card(ctx, new.card_no) == cards_repo.by_id(ctx.db, new.id)  # the service passes it through
    _assert_frozen(card)
    _assert_frozen(card.holder)
    steps = cards_repo.events(ctx.db, [old.id])
    assert [type(e) for e in steps] == [records.CardEvent] * 2
    assert [(e.label, e.other_card_no) for e in steps] == [("发卡", None), ("补换", new.card_no)]
    _assert_frozen(steps[0])


def test_event_repository_returns_events_and_attendance(ctx, world):
    mid, _old, _new, event = world
    stored = events_repo.event_by_id(ctx.db, event.id)
    assert type(stored) is records.Event and stored == event and stored.sub_venues == ()
    _assert_frozen(stored)
    member_row, walk_in = events_repo.attendance(ctx.db, event.id)
    assert [type(a) for a in (member_row, walk_in)] == [records.Attendance] * 2
    assert (member_row.member_id, member_row.name, member_row.is_walk_in) == (mid, "王小明", False)
    assert "*" in member_row.id_number_masked and member_row.membership_label == "是"
    assert (walk_in.member_id, walk_in.name, walk_in.is_walk_in, walk_in.id_number_masked) == (None, "马丽", True, "")
    assert walk_in.phone == "13912340002" and walk_in.phone_masked != walk_in.phone
    assert "13912340002" not in repr(walk_in) and make_id() not in repr(member_row)
    _assert_frozen(walk_in)


# -- the window reads records by attribute ------------------------------------------------------

# Names the window gives to records (a member, its file, a card, an attendance row ...).
RECORD_NAMES = {"rec", "record", "member", "m", "current", "person", "p", "row", "holder", "card", "c", "h",
                "consent", "attendee", "a", "event"}
FIELDS = {f.name for kind in RECORD_TYPES for f in dataclasses.fields(kind)} | {"history", "consents"}


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def string_key_reads(source: str) -> list[tuple[int, str]]:
    """(line, text) of ``rec["name"]`` / ``rec.get("name")`` on a record-like name with a
    record field as the key."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            receiver, key = _receiver(node.value), node.slice.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
              and node.args and isinstance(node.args[0], ast.Constant)):
            receiver, key = _receiver(node.func.value), node.args[0].value
        else:
            continue
        if receiver in RECORD_NAMES and key in FIELDS:
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_checker_finds_string_keys_on_records():
    sample = 'title = rec["name"]\nx = self.record.get("status")\ny = values["name"]\nz = rec[0]\n'
    assert [line for line, _ in string_key_reads(sample)] == [1, 2]


@pytest.mark.parametrize("package", ["domain", "ui", "services", "printing", "cli"])
def test_records_are_read_by_attribute(package):
    offenders = [f"{path.relative_to(ROOT)}:{line}: {text}"
                 for path in sorted((ROOT / "clerk_app" / package).rglob("*.py"))
                 for line, text in string_key_reads(path.read_text(encoding="utf-8"))]
    assert offenders == []
