"""Each printout is one service call (``services.documents``) returning a Printout; the rules
live there once (only active cards print; full numbers only behind a reveal entry), and the
command-line modules share no private functions."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.services import cards, documents, printouts
from tests.conftest import make_id

CLI = Path(__file__).resolve().parents[1] / "clerk_app" / "cli"


def audit(ctx, action: str) -> list[tuple[str, str, dict]]:
    rows = ctx.db.conn.execute("SELECT entity, entity_id, detail FROM audit_log WHERE action = ? ORDER BY id",
                               [action]).fetchall()
    return [(e, i, json.loads(d)) for e, i, d in rows]


@pytest.fixture
def two_cards(ctx, member_input):
    from clerk_app.services.members import register_member

    cards.set_card_prefix(ctx, "DX07")
    first = register_member(ctx, member_input()).member_id
    second = register_member(ctx, member_input(name="李娜", id_number=make_id(seq="124"), phone="13912345678")).member_id
    active = cards.issue_card(ctx, first)
    lost = cards.report_lost(ctx, cards.issue_card(ctx, second).card_no, "丢了")
    return active, lost


def test_only_an_active_card_prints_whoever_asks(ctx, two_cards):
    active, lost = two_cards
    assert documents.card(ctx, active.card_no).entity_id == active.id
    for which in (lost, lost.card_no):  # the window passes the card, the command line its number
        with pytest.raises(UserError) as e:
            documents.card(ctx, which)
        assert e.value.code == "print.card_not_active"
    sheets = documents.card_sheets(ctx, [lost, active])
    assert sheets.items == 1 and sheets.audit_extra == {"selected": 1}
    with pytest.raises(UserError) as e:
        documents.card_sheets(ctx, [lost])
    assert e.value.code == "print.nothing"
    assert documents.card_sheets(ctx).items == 1  # every active card: the lost one is not among them
    assert audit(ctx, "print") == [] and audit(ctx, "reveal") == []  # making is not printing


def test_a_full_number_document_is_recorded_before_it_is_made(ctx, two_cards, tmp_path):
    member_id = two_cards[0].holder.member_id
    masked = documents.registration_form(ctx, member_id)
    assert masked.can_reveal and not masked.revealed and audit(ctx, "reveal") == []
    full = documents.registration_form(ctx, member_id, reveal=True)
    assert full.revealed
    ((entity, entity_id, detail),) = audit(ctx, "reveal")
    assert (entity, entity_id, detail["field"]) == ("member", member_id, "id_number,phone")
    printouts.save_printout(ctx, full, tmp_path / "f.pdf")
    ((_e, _i, printed),) = audit(ctx, "print")
    assert printed["reveal"] is True and printed["output"] == "file" and printed["document"] == "registration_form"
    assert printouts.masked_printout(full).revealed is False and len(audit(ctx, "reveal")) == 1


def test_the_sign_in_sheet_reveals_phones_only(ctx, two_cards):
    from clerk_app.domain.event import EventInput
    from clerk_app.services import events, signin

    event = events.create_event(ctx, EventInput(type="职工沟通会", title="沟通会", event_date=ctx.today(),
                                                venue="文化广场", union_id=ctx.home_union_id), today=ctx.today())
    signin.sign_in_member(ctx, event.id, two_cards[0].holder.member_id)
    sheet = documents.signin_sheet(ctx, event.id)
    printouts.reveal_printout(ctx, sheet)
    ((entity, entity_id, detail),) = audit(ctx, "reveal")
    assert (entity, entity_id, detail["field"], detail["document"]) == ("event", event.id, "phone", "signin_sheet")
    blank = documents.signin_sheet(ctx, event.id, blank=True, rows=5)
    assert not blank.can_reveal and blank.audit_extra == {"blank": True}


def test_command_line_modules_share_no_private_functions():
    found = []
    for path in CLI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert found == []
