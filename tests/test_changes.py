"""What a write changed, by kind: taken from the tables the context's recorder touched."""

from __future__ import annotations

from clerk_app.services import cards, members
from clerk_app.services.changes import NOT_SHOWN, TABLE_KINDS, Changes


def test_every_table_of_the_schema_has_a_kind(db):
    """A new table written without a kind would fail the write that first reports it."""
    tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    ours = {t for t in tables if not t.startswith(("sqlite_", "_")) and "_fts" not in t}
    assert ours - NOT_SHOWN <= set(TABLE_KINDS), ours - NOT_SHOWN - set(TABLE_KINDS)


def test_changes_are_combined_and_compared_by_kind():
    assert Changes.of_tables(["members", "consents", "change_log", "audit_log"]) == Changes(members=True)
    assert not Changes.of_tables(["change_log"])
    both = Changes(members=True) | Changes(cards=True)
    assert both.kinds() == {"members", "cards"}
    assert both.touches(Changes(cards=True, events=True)) and not both.touches(Changes(events=True))


def test_the_context_reports_what_its_writes_changed_once(ctx, member_input):
    ctx.take_changes()  # setting the laptop up wrote its own rows
    result = members.register_member(ctx, member_input())
    assert ctx.take_changes() == Changes(members=True)
    assert ctx.take_changes() == Changes()  # taken: reported once
    cards.set_card_prefix(ctx, "DX07")
    cards.issue_card(ctx, result.member_id)
    assert ctx.take_changes() == Changes(cards=True, settings=True)
