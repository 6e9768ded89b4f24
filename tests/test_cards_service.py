"""Service cards over real SQLite files: numbering per laptop, lifecycle rules, the membership
hook, lookups for the sign-in desk, the register, change records and audit, and the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from clerk_app.domain import card as lifecycle
from clerk_app.domain import cardno, vocab
from clerk_app.domain.errors import UserError
from clerk_app.domain.idnumber import mask
from clerk_app.services import cards
from clerk_app.services.members import change_status, delete_member, register_many, register_member
from clerk_app.services.setup import SetupInput
from clerk_app.storage.audit import recent, verify_chain
from clerk_app.storage.changes import changes_since
from clerk_app.storage.db import transaction
from clerk_app.storage.meta import get_meta
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, TEST_KDF, TEST_PASSWORD, make_id, run_on

DAY = dt.date(2026, 11, 10)
TODAY = dt.date(2026, 11, 20)
_on_day = run_on(TODAY)  # the app works on this module's day


@pytest.fixture
def add_member(ctx, member_input):
    counter = iter(range(100, 999))

    def make(name: str = "王小明", **overrides) -> str:
        seq = f"{next(counter):03d}"
        inp = member_input(name=name, id_number=make_id(seq=seq), phone=f"13812345{seq[-3:]}", **overrides)
        return register_member(ctx, inp, confirm_possible_duplicate=True).member_id

    return make


@pytest.fixture
def laptop(ctx):
    cards.set_card_prefix(ctx, "DX07")
    return ctx


def _code(excinfo) -> str:
    return excinfo.value.code


# ---------------------------------------------------------------- numbering

def test_no_card_before_the_district_code_is_set(ctx, add_member):
    member = add_member()
    with pytest.raises(UserError) as e:
        cards.issue_card(ctx, member, DAY, today=TODAY)
    assert _code(e) == "card.prefix_required"
    assert "区总工会" in e.value.message
    assert cards.list_cards(ctx).total == 0
    assert changes_since(ctx.db, tbl="cards") == []


def test_issue_numbers_follow_the_laptop_sequence(laptop, add_member):
    a = cards.issue_card(laptop, add_member("张三"), DAY, today=TODAY)
    b = cards.issue_card(laptop, add_member("李四"), DAY, today=TODAY)
    assert [cardno.parse_card_no(c.card_no).card.seq for c in (a, b)] == [1, 2]
    assert a.card_no.startswith("DX07") and a.grouped_no == f"DX07 000001 {a.card_no[-1]}"
    assert a.status == lifecycle.ACTIVE and a.issue_date == DAY.isoformat()
    assert a.holder.name == "张三" and "*" in a.holder.id_number_masked
    assert cards.numbering(laptop).issued_with_prefix == 2
    assert cards.numbering(laptop).next_no == cardno.make_card_no("DX07", 3)


def test_sequence_survives_reopening_the_database(data_dir):
    ws = open_workspace(data_dir)
    ctx = ws.set_up(SETUP)
    cards.set_card_prefix(ctx, "SY12")
    from clerk_app.domain.member import MemberInput

    def member(seq):
        return register_member(ctx, MemberInput(
            name="赵六", id_number=make_id(seq=seq), phone="13900001111", union_id=ctx.home_union_id,
            occupation="快递员", join_date=dt.date(2026, 1, 5)), confirm_possible_duplicate=True).member_id

    first = cards.issue_card(ctx, member("201"))
    ws.close()
    ws = open_workspace(data_dir)
    try:
        ctx = ws.context()
        assert cards.get_card_prefix(ctx) == "SY12"
        second = cards.issue_card(ctx, member("202"))
        assert cardno.parse_card_no(second.card_no).card.seq == 2
        assert second.card_no != first.card_no
        # Even if the saved counter were lost, the next number continues after the highest card.
        ctx.db.conn.execute("DELETE FROM meta WHERE key = 'card_seq:SY12'")
        third = cards.issue_card(ctx, member("203"))
        assert cardno.parse_card_no(third.card_no).card.seq == 3
    finally:
        ws.close()


def _laptop(folder, prefix: str):
    folder.mkdir()
    ws = open_workspace(folder, kdf=TEST_KDF)
    ctx = ws.set_up(SetupInput(laptop_name=f"笔记本{prefix}", union_name="大兴区总工会", clerk_name="经办",
                               password=TEST_PASSWORD))
    cards.set_card_prefix(ctx, prefix)
    from clerk_app.domain.member import MemberInput

    member = register_member(ctx, MemberInput(
        name="钱七", id_number=make_id(seq="301"), phone="13700001111", union_id=ctx.home_union_id,
        occupation="外卖配送员", join_date=dt.date(2026, 1, 5))).member_id
    return ws, ctx, member


def _issue_many(ctx, member: str, n: int) -> list[str]:
    """n numbers through the real issuing path: a first card, then n-1 reissues."""
    with transaction(ctx.db):
        first = cards.issue_card(ctx, member)
        numbers, current = [first.card_no], first.card_no
        for _ in range(n - 1):
            current = cards.reissue_card(ctx, current, "测试").new.card_no
            numbers.append(current)
    return numbers


@pytest.mark.slow
def test_two_laptops_issuing_thousands_never_collide(tmp_path):
    ws_a, ctx_a, m_a = _laptop(tmp_path / "a", "DX01")
    ws_b, ctx_b, m_b = _laptop(tmp_path / "b", "DX01B")  # a district may give 4- and 5-char codes
    try:
        a = _issue_many(ctx_a, m_a, 2000)
        b = _issue_many(ctx_b, m_b, 2000)
    finally:
        ws_a.close()
        ws_b.close()
    ws_a, ws_c = open_workspace(tmp_path / "a"), None
    try:  # after reopening, laptop A carries on without reusing a number
        ctx_a = ws_a.context()
        member_a = cards.list_cards(ctx_a, status=lifecycle.ACTIVE).rows[0].member_id
        a += _issue_many_after_reopen(ctx_a, member_a, 500)
        ws_c, ctx_c, m_c = _laptop(tmp_path / "c", "DX02")
        c = _issue_many(ctx_c, m_c, 1000)
    finally:
        ws_a.close()
        if ws_c:
            ws_c.close()
    assert len(set(a)) == len(a) == 2500 and len(set(b)) == 2000 and len(set(c)) == 1000
    assert not set(a) & set(b) and not set(a) & set(c) and not set(b) & set(c)
    assert all(cardno.parse_card_no(n).ok for n in a + b + c)


def _issue_many_after_reopen(ctx, member: str, n: int) -> list[str]:
    current = cards.list_cards(ctx, status=lifecycle.ACTIVE).rows[0].card_no
    out = []
    with transaction(ctx.db):
        for _ in range(n):
            current = cards.reissue_card(ctx, current).new.card_no
            out.append(current)
    return out


def test_prefix_rules(ctx, add_member):
    with pytest.raises(UserError) as e:
        cards.set_card_prefix(ctx, "D7")
    assert _code(e) == "card.prefix_bad"
    assert cards.set_card_prefix(ctx, " dx08 ") == "DX08"
    assert cards.set_card_prefix(ctx, "DX07") == "DX07"  # no card yet: a typo can be fixed
    cards.issue_card(ctx, add_member(), DAY, today=TODAY)
    assert cards.set_card_prefix(ctx, "DX07") == "DX07"  # same code again: nothing changes
    assert cards.set_card_prefix(ctx, "DX09") == "DX09"  # a new, never-used code is fine
    with pytest.raises(UserError) as e:
        cards.set_card_prefix(ctx, "DX07")  # used: never again
    assert _code(e) == "card.prefix_used"
    assert cards.get_card_prefix(ctx) == "DX09"
    second = cards.issue_card(ctx, add_member("孙八"), DAY, today=TODAY)
    assert second.card_no.startswith("DX09") and cardno.parse_card_no(second.card_no).card.seq == 1
    # A code seen on a card that came from another laptop (e.g. by sync) is refused too.
    member = add_member("周九")
    foreign = cardno.make_card_no("SY01", 5)
    with transaction(ctx.db):
        ctx.changes.insert("cards", {"id": "00000000-0000-4000-8000-000000000001", "card_no": foreign,
                                     "member_id": member, "status": "active", "issue_date": "2026-11-01",
                                     "issued_at": "2026-11-01T10:00:00+08:00", "created_at": "x", "updated_at": "x"})
    with pytest.raises(UserError) as e:
        cards.set_card_prefix(ctx, "SY01")
    assert _code(e) == "card.prefix_used"


# ---------------------------------------------------------------- lifecycle

def test_one_active_card_per_member(laptop, add_member):
    member = add_member()
    first = cards.issue_card(laptop, member, DAY, today=TODAY)
    with pytest.raises(UserError) as e:
        cards.issue_card(laptop, member, DAY, today=TODAY)
    assert _code(e) == "card.already_active" and first.grouped_no in e.value.message
    cards.report_lost(laptop, first.card_no, "钱包丢失", DAY, today=TODAY)
    with pytest.raises(UserError) as e:  # a lost card is replaced by reissue, which links the two
        cards.issue_card(laptop, member, DAY, today=TODAY)
    assert _code(e) == "card.has_lost_card"
    assert [h.card.status for h in cards.member_cards(laptop, member)] == [lifecycle.LOST]


def test_member_not_in_union_gets_no_card(laptop, add_member):
    member = add_member()
    change_status(laptop, member, vocab.WITHDRAWN, effective=DAY)
    with pytest.raises(UserError) as e:
        cards.issue_card(laptop, member, DAY, today=TODAY)
    assert _code(e) == "card.member_not_in_union" and "退会" in e.value.message
    retained = add_member("吴十")
    change_status(laptop, retained, vocab.RETAINED, effective=DAY)
    assert cards.issue_card(laptop, retained, DAY, today=TODAY).is_active  # 保留会籍 is still in the union


def _try_everything(ctx, card_no: str) -> None:
    for action in (cards.report_lost, cards.cancel_card, cards.reissue_card):
        try:
            action(ctx, card_no, "再试", TODAY, today=TODAY)
        except UserError as exc:
            assert exc.code == "card.bad_transition"


def test_dead_cards_never_become_active_again(laptop, add_member):
    lost = cards.issue_card(laptop, add_member("甲"), DAY, today=TODAY)
    cancelled = cards.issue_card(laptop, add_member("乙"), DAY, today=TODAY)
    replaced = cards.issue_card(laptop, add_member("丙"), DAY, today=TODAY)
    cards.report_lost(laptop, lost.card_no, "丢失", DAY, today=TODAY)
    cards.cancel_card(laptop, cancelled.card_no, "本人申请", DAY, today=TODAY)
    cards.reissue_card(laptop, replaced.card_no, "卡面损坏", DAY, today=TODAY)
    for dead in (cancelled, replaced):
        for action in (cards.report_lost, cards.cancel_card, cards.reissue_card):
            with pytest.raises(UserError) as e:
                action(laptop, dead.card_no, "再试", TODAY, today=TODAY)
            assert _code(e) == "card.bad_transition"
        assert not cards.get_card(laptop, dead.card_no).is_active
    with pytest.raises(UserError) as e:
        cards.report_lost(laptop, lost.card_no, today=TODAY)
    assert _code(e) == "card.bad_transition" and "已挂失" in e.value.message
    _try_everything(laptop, lost.card_no)  # a lost card may be cancelled or reissued, never reactivated
    assert cards.get_card(laptop, lost.card_no).status in (lifecycle.CANCELLED, lifecycle.REPLACED)
    # The lifecycle table itself has no way back to ACTIVE.
    assert all(lifecycle.ACTIVE not in targets.values() for targets in lifecycle.TRANSITIONS.values())


def test_reissue_links_old_to_new(laptop, add_member):
    member = add_member()
    old = cards.issue_card(laptop, member, DAY, today=TODAY)
    cards.report_lost(laptop, old.card_no, "丢失", DAY, today=TODAY)
    result = cards.reissue_card(laptop, old.card_no, "补办", TODAY, today=TODAY)
    assert result.old.status == lifecycle.REPLACED
    assert result.old.replaced_by_no == result.new.card_no and result.old.replaced_by_card_id == result.new.id
    assert result.new.is_active and result.new.card_no != old.card_no and result.new.issue_date == TODAY.isoformat()
    again = cards.reissue_card(laptop, result.new.card_no, "卡面损坏", TODAY, today=TODAY)
    history = cards.member_cards(laptop, member)
    assert [h.card.card_no for h in history] == [old.card_no, result.new.card_no, again.new.card_no]
    assert [e.event for e in history[0].events] == ["issue", "lost", "reissue"]
    assert history[0].events[2].other_card_no == result.new.card_no
    assert history[1].events[0].event == "issue" and history[1].events[0].other_card_no == old.card_no
    assert [h.card.is_active for h in history] == [False, False, True]
    found = cards.lookup_card(laptop, old.card_no)  # the desk follows the chain to the live card
    assert found.outcome == cards.REPLACED and found.replacement.card_no == again.new.card_no
    assert again.new.grouped_no in found.message


def test_leaving_the_union_cancels_the_card(laptop, add_member):
    leaver, mover, retiree = add_member("甲"), add_member("乙"), add_member("丙")
    a = cards.issue_card(laptop, leaver, DAY, today=TODAY)
    b = cards.issue_card(laptop, mover, DAY, today=TODAY)
    c = cards.issue_card(laptop, retiree, DAY, today=TODAY)
    cards.report_lost(laptop, b.card_no, "丢失", DAY, today=TODAY)
    change_status(laptop, leaver, vocab.WITHDRAWN, effective=TODAY, reason="本人申请")
    change_status(laptop, mover, vocab.TRANSFERRED_OUT, effective=TODAY)
    change_status(laptop, retiree, vocab.RETAINED, effective=TODAY)
    assert cards.get_card(laptop, a.card_no).status == lifecycle.CANCELLED
    assert cards.get_card(laptop, b.card_no).status == lifecycle.CANCELLED  # a lost card is closed too
    assert cards.get_card(laptop, c.card_no).is_active
    last = cards.member_cards(laptop, leaver)[0].events[-1]
    assert (last.event, last.event_date, last.reason) == ("cancel", TODAY.isoformat(), "会籍变更：退会")
    # Re-joining does not bring the old card back; a new card gets a new number.
    change_status(laptop, leaver, vocab.ACTIVE, effective=TODAY)
    assert cards.get_card(laptop, a.card_no).status == lifecycle.CANCELLED
    fresh = cards.issue_card(laptop, leaver, TODAY, today=TODAY)
    assert fresh.card_no != a.card_no


def test_status_change_and_card_cancel_are_one_transaction(laptop, add_member):
    member = add_member()
    card = cards.issue_card(laptop, member, DAY, today=TODAY)
    with pytest.raises(RuntimeError):
        with transaction(laptop.db):
            change_status(laptop, member, vocab.EXPELLED, effective=TODAY)
            raise RuntimeError("power cut")
    assert cards.get_card(laptop, card.card_no).is_active
    assert cards.member_cards(laptop, member)[0].card.holder.member_status == vocab.ACTIVE


def test_member_with_a_card_is_not_deleted(laptop, add_member):
    member = add_member()
    cards.issue_card(laptop, member, DAY, today=TODAY)
    with pytest.raises(UserError) as e:
        delete_member(laptop, member)
    assert _code(e) == "card.member_has_cards"
    assert len(cards.member_cards(laptop, member)) == 1


def test_dates_are_checked(laptop, add_member):
    member = add_member(join_date=dt.date(2026, 11, 1))
    with pytest.raises(UserError) as e:
        cards.issue_card(laptop, member, dt.date(2026, 12, 1), today=TODAY)
    assert _code(e) == "card.date_in_future"
    with pytest.raises(UserError) as e:
        cards.issue_card(laptop, member, dt.date(2026, 10, 1), today=TODAY)
    assert _code(e) == "card.date_before_join"
    card = cards.issue_card(laptop, member, DAY, today=TODAY)
    with pytest.raises(UserError) as e:
        cards.report_lost(laptop, card.card_no, "", dt.date(2026, 11, 5), today=TODAY)
    assert _code(e) == "card.date_before_issue" and DAY.isoformat() in e.value.message
    with pytest.raises(UserError) as e:
        cards.cancel_card(laptop, card.card_no, "很" * 201, DAY, today=TODAY)
    assert _code(e) == "card.reason_too_long"
    assert cards.get_card(laptop, card.card_no).is_active


# ---------------------------------------------------------------- records

def test_each_action_writes_change_records_and_audit(laptop, add_member):
    member = add_member()
    seq0 = changes_since(laptop.db)[-1].seq
    card = cards.issue_card(laptop, member, DAY, today=TODAY)
    lost = cards.report_lost(laptop, card.card_no, "丢失", DAY, today=TODAY)
    new = cards.reissue_card(laptop, lost.card_no, "补办", TODAY, today=TODAY).new
    cards.cancel_card(laptop, new.card_no, "本人申请", TODAY, today=TODAY)
    log = [(c.tbl, c.op, c.row_id) for c in changes_since(laptop.db, seq0)]
    assert log == [
        ("cards", "create", card.id), ("card_events", "create", log[1][2]),
        ("cards", "update", card.id), ("card_events", "create", log[3][2]),
        ("cards", "create", new.id), ("card_events", "create", log[5][2]),
        ("cards", "update", card.id), ("card_events", "create", log[7][2]),
        ("cards", "update", new.id), ("card_events", "create", log[9][2]),
    ]
    created = changes_since(laptop.db, seq0, tbl="cards")[0].data
    assert created["card_no"] == card.card_no and created["member_id"] == member
    assert changes_since(laptop.db, seq0, tbl="cards")[1].data["status"] == lifecycle.LOST
    entries = [(a.action, a.entity, a.entity_id, a.detail.get("event")) for a in reversed(recent(laptop.db, 5))]
    assert entries == [("create", "card", card.id, "issue"), ("update", "card", card.id, "lost"),
                       ("create", "card", new.id, "issue"), ("update", "card", card.id, "reissue"),
                       ("update", "card", new.id, "cancel")]
    id_number = laptop.db.conn.execute("SELECT id_number FROM members WHERE id = ?", [member]).fetchone()[0]
    assert all(id_number not in str(a.detail) for a in recent(laptop.db, 20))
    assert verify_chain(laptop.db) is None


def test_prefix_change_is_audited(laptop):
    cards.set_card_prefix(laptop, "DX11")
    entry = recent(laptop.db, 1)[0]
    assert (entry.entity, entry.detail) == ("card_prefix", {"prefix": "DX11", "previous": "DX07"})
    assert get_meta(laptop.db, "card_prefix") == "DX11"


# ---------------------------------------------------------------- reading

def test_lookup_outcomes_for_the_sign_in_desk(laptop, add_member):
    ok = cards.issue_card(laptop, add_member("张三"), DAY, today=TODAY)
    lost = cards.issue_card(laptop, add_member("李四"), DAY, today=TODAY)
    gone = cards.issue_card(laptop, add_member("王五"), DAY, today=TODAY)
    cards.report_lost(laptop, lost.card_no, "", TODAY, today=TODAY)
    cards.cancel_card(laptop, gone.card_no, "", TODAY, today=TODAY)

    found = cards.lookup_card(laptop, "  " + ok.card_no.lower() + "\r\n")  # as a wedge scanner types it
    assert found.ok and found.holder.name == "张三" and found.card.id == ok.id
    assert "张三" in found.message and found.holder.id_number_masked == mask(make_id(seq="100"))
    assert cards.lookup_card(laptop, lost.card_no).outcome == cards.LOST
    assert TODAY.isoformat() in cards.lookup_card(laptop, lost.card_no).message
    assert cards.lookup_card(laptop, gone.card_no).outcome == cards.CANCELLED
    unknown = cards.lookup_card(laptop, cardno.make_card_no("MY03", 42))
    assert unknown.outcome == cards.UNKNOWN and unknown.card is None and "同步" in unknown.message
    typo = ok.card_no[:-1] + ("A" if ok.card_no[-1] != "A" else "B")
    bad = cards.lookup_card(laptop, typo)
    assert bad.outcome == cards.INVALID and bad.error == cardno.BAD_CHECK and "校验" in bad.message
    assert cards.lookup_card(laptop, "").outcome == cards.INVALID
    with pytest.raises(UserError) as e:
        cards.get_card(laptop, cardno.make_card_no("MY03", 42))
    assert _code(e) == "card.not_found"


def test_card_register_filters_and_search(laptop, add_member):
    zhang = cards.issue_card(laptop, add_member("张伟"), dt.date(2026, 11, 2), today=TODAY)
    li = cards.issue_card(laptop, add_member("李娜"), dt.date(2026, 11, 5), today=TODAY)
    wang = cards.issue_card(laptop, add_member("王芳"), dt.date(2026, 11, 9), today=TODAY)
    cards.report_lost(laptop, li.card_no, "", TODAY, today=TODAY)

    everything = cards.list_cards(laptop)
    assert everything.total == 3 and [c.card_no for c in everything.rows] == [wang.card_no, li.card_no, zhang.card_no]
    assert [c.card_no for c in cards.list_cards(laptop, status=lifecycle.LOST).rows] == [li.card_no]
    since = cards.list_cards(laptop, date_from=dt.date(2026, 11, 5))
    assert {c.card_no for c in since.rows} == {li.card_no, wang.card_no}
    window = cards.list_cards(laptop, date_from=dt.date(2026, 11, 3), date_to=dt.date(2026, 11, 8))
    assert [c.card_no for c in window.rows] == [li.card_no]
    assert [c.card_no for c in cards.list_cards(laptop, query="张").rows] == [zhang.card_no]
    assert [c.card_no for c in cards.list_cards(laptop, query="ln").rows] == [li.card_no]  # pinyin initials
    assert [c.card_no for c in cards.list_cards(laptop, query="wangfang").rows] == [wang.card_no]
    assert [c.card_no for c in cards.list_cards(laptop, query=wang.card_no.lower()).rows] == [wang.card_no]
    assert [c.card_no for c in cards.list_cards(laptop, query=f"0000{wang.card_no[9]}").rows] == [wang.card_no]
    paged = cards.list_cards(laptop, limit=2, offset=2)
    assert paged.total == 3 and [c.card_no for c in paged.rows] == [zhang.card_no]
    assert cards.status_counts(laptop) == {"active": 2, "lost": 1, "cancelled": 0, "replaced": 0}
    with pytest.raises(UserError) as e:
        cards.list_cards(laptop, status="broken")
    assert _code(e) == "card.bad_status"


# ---------------------------------------------------------------- batch issue

def test_batch_issue_gives_one_card_each_and_lists_who_was_skipped(laptop, add_member):
    fresh, second = add_member("张三"), add_member("李四")
    has_card, has_lost, left = add_member("王五"), add_member("赵六"), add_member("钱七")
    late = add_member("孙八", join_date=TODAY - dt.timedelta(days=2))
    held = cards.issue_card(laptop, has_card, DAY, today=TODAY)
    lost = cards.report_lost(laptop, cards.issue_card(laptop, has_lost, DAY, today=TODAY).card_no, "", TODAY,
                             today=TODAY)
    change_status(laptop, left, vocab.WITHDRAWN, effective=TODAY, today=TODAY)
    seen: list[tuple[int, int]] = []
    result = cards.issue_cards(laptop, [fresh, has_card, fresh, has_lost, left, late, "no-such-member", second],
                               TODAY - dt.timedelta(days=5), lambda d, t: seen.append((d, t)), today=TODAY)
    assert [c.holder.name for c in result.issued] == ["张三", "李四"]  # in the order given, each once
    assert [cardno.parse_card_no(c.card_no).card.seq for c in result.issued] == [3, 4]
    assert all(c.is_active and c.issue_date == (TODAY - dt.timedelta(days=5)).isoformat() for c in result.issued)
    why = {s.member_id: s.reason for s in result.skipped}
    assert list(why) == [has_card, has_lost, left, late, "no-such-member"]
    assert held.grouped_no in why[has_card] and "有效" in why[has_card]
    assert lost.grouped_no in why[has_lost] and "挂失" in why[has_lost]
    assert "退会" in why[left] and "入会日期" in why[late] and "找不到" in why["no-such-member"]
    assert {s.name for s in result.skipped if s.member_id == has_card} == {"王五"}
    assert seen[-1] == (7, 7)
    # Never two open cards for one member, whoever asked.
    again = cards.issue_cards(laptop, [fresh, second], TODAY, today=TODAY)
    assert again.issued == [] and len(again.skipped) == 2
    batch = [e for e in recent(laptop.db, 50) if e.entity == "card_batch"]
    assert len(batch) == 1 and batch[0].detail["issued"] == 2 and batch[0].detail["skipped"] == 5
    assert verify_chain(laptop.db) is None


def test_batch_issue_is_all_or_nothing_when_cancelled(laptop, member_input):
    forms = [member_input(name=f"王{chr(0x4e00 + i)}", id_number=make_id(seq=f"{i:03d}"), phone=f"139{i:08d}")
             for i in range(120)]
    ids = register_many(laptop, forms, confirm_possible_duplicates=True).saved
    assert len(ids) == 120
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 2  # after two checks: 100 cards already written in the transaction

    with pytest.raises(cards.Cancelled):
        cards.issue_cards(laptop, ids, TODAY, cancel=cancel, today=TODAY)
    assert cards.list_cards(laptop).total == 0 and changes_since(laptop.db, tbl="cards") == []
    assert cards.numbering(laptop).issued_with_prefix == 0  # no number was used up
    assert len(cards.issue_cards(laptop, ids, TODAY, today=TODAY).issued) == 120


def test_batch_issue_needs_the_card_code_and_a_possible_date(ctx, add_member):
    member = add_member()
    with pytest.raises(UserError) as e:
        cards.issue_cards(ctx, [member], TODAY, today=TODAY)
    assert _code(e) == "card.prefix_required"
    cards.set_card_prefix(ctx, "DX07")
    with pytest.raises(UserError) as e:
        cards.issue_cards(ctx, [member], TODAY + dt.timedelta(days=1), today=TODAY)
    assert _code(e) == "card.date_in_future"
    assert cards.list_cards(ctx).total == 0


def test_batch_issue_to_the_members_of_an_imported_roster(laptop, add_member, tmp_path):
    import openpyxl

    from clerk_app.services.members import get_member
    from clerk_app.services.roster_import import ids_of_roster

    listed, other, second = add_member("张三"), add_member("李四"), add_member("王五")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "身份证号码", "手机号码"])
    for n, member in enumerate([second, listed], 1):
        ws.append([n, get_member(laptop, member).name, get_member(laptop, member).id_number, ""])
    ws.append([3, "未登记", make_id(seq="999"), ""])
    ws.append([4, "空号", None, ""])
    wb.save(tmp_path / "花名册.xlsx")
    ids, unknown = ids_of_roster(laptop, tmp_path / "花名册.xlsx")
    assert ids == [second, listed] and unknown == 1  # the file's order; the stranger is counted
    result = cards.issue_cards(laptop, ids, TODAY, today=TODAY)
    assert [c.member_id for c in result.issued] == [second, listed] and result.skipped == []
    assert not any(c.member_id == other for c in cards.list_cards(laptop).rows)


# ---------------------------------------------------------------- CLI

def _cli(data_dir, *args):
    return subprocess.run([sys.executable, "-m", "clerk_app", "--data-dir", str(data_dir), "cards", *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


@pytest.mark.slow
def test_cli_card_lifecycle(data_dir):
    from clerk_app.domain.member import MemberInput

    id_number = make_id(seq="777")
    ws = open_workspace(data_dir)
    try:
        ctx = ws.set_up(SETUP)
        register_member(ctx, MemberInput(name="刘洋", id_number=id_number, phone="13612345678",
                                         union_id=ctx.home_union_id, occupation="外卖配送员",
                                         join_date=dt.date(2026, 11, 1)))
    finally:
        ws.close()

    r = _cli(data_dir, "issue", "--member", id_number)
    assert r.returncode == 2 and "发卡代码" in r.stderr and "区总工会" in r.stderr
    r = _cli(data_dir, "set-prefix", "bad!")
    assert r.returncode == 2 and "格式不对" in r.stderr
    r = _cli(data_dir, "set-prefix", "dx07")
    assert r.returncode == 0 and "DX07" in r.stdout, r.stderr

    r = _cli(data_dir, "issue", "--member", id_number, "--date", "2026-11-02")
    assert r.returncode == 0, r.stderr
    first = cardno.make_card_no("DX07", 1)
    assert "已发卡" in r.stdout and cardno.parse_card_no(first).card.grouped in r.stdout
    assert mask(id_number) in r.stdout and id_number not in r.stdout  # masked on screen

    r = _cli(data_dir, "issue", "--member", id_number)
    assert r.returncode == 2 and "已有有效服务卡" in r.stderr

    r = _cli(data_dir, "lost", first.lower(), "--reason", "钱包丢失")
    assert r.returncode == 0 and "已挂失" in r.stdout, r.stderr
    r = _cli(data_dir, "lost", first)
    assert r.returncode == 2 and r.stderr.startswith("错误：") and "不能挂失" in r.stderr

    r = _cli(data_dir, "reissue", first, "--reason", "补办")
    second = cardno.make_card_no("DX07", 2)
    assert r.returncode == 0 and cardno.parse_card_no(second).card.grouped in r.stdout, r.stderr

    r = _cli(data_dir, "show", first)
    assert r.returncode == 1 and "新卡号" in r.stdout
    r = _cli(data_dir, "show", second)
    assert r.returncode == 0 and "刘洋" in r.stdout

    r = _cli(data_dir, "list", "--status", "已补换")
    assert r.returncode == 0 and "共 1 张" in r.stdout and cardno.parse_card_no(first).card.grouped in r.stdout
    r = _cli(data_dir, "list", "--since", "2026-11-01", "-q", "刘")
    assert r.returncode == 0 and "共 2 张" in r.stdout and id_number not in r.stdout

    r = _cli(data_dir, "cancel", second, "--reason", "本人申请")
    assert r.returncode == 0 and "已注销" in r.stdout
    r = _cli(data_dir, "lost", first[:-1] + ("A" if first[-1] != "A" else "B"))
    assert r.returncode == 2 and "校验位" in r.stderr
    r = _cli(data_dir, "issue", "--member", "110105199001011234")
    assert r.returncode == 2 and "找不到会员" in r.stderr and "110105199001011234" not in r.stderr


def test_cli_refuses_an_unset_data_folder(data_dir):
    r = _cli(data_dir, "list")
    assert r.returncode == 2 and "初始设置" in r.stderr


@pytest.mark.slow
def test_cli_issue_batch_for_a_search_then_everyone_with_sheets(data_dir, tmp_path):
    from clerk_app.domain.member import MemberInput
    from tests.printing.pdfcheck import page_count, pdf_text, qr_texts, render

    ws = open_workspace(data_dir)
    try:
        ctx = ws.set_up(SETUP)
        for i, name in enumerate(["刘洋", "刘伟", "陈静"]):
            register_member(ctx, MemberInput(name=name, id_number=make_id(seq=f"8{i}1"), phone=f"1361234500{i}",
                                             union_id=ctx.home_union_id, occupation="外卖配送员",
                                             join_date=dt.date(2026, 11, 1)))
    finally:
        ws.close()
    r = _cli(data_dir, "issue-batch", "--all")
    assert r.returncode == 2 and "发卡代码" in r.stderr
    assert _cli(data_dir, "set-prefix", "DX07").returncode == 0

    r = _cli(data_dir, "issue-batch", "--query", "刘")
    assert r.returncode == 0, r.stderr
    assert "共 2 名会员：已发卡 2 张" in r.stdout and "跳过 0 名" in r.stdout
    assert "批量发卡" in r.stderr  # the progress line
    out = tmp_path / "new.pdf"
    r = _cli(data_dir, "issue-batch", "--all", "--print", str(out))
    assert r.returncode == 0, r.stderr
    assert "共 3 名会员：已发卡 1 张" in r.stdout and r.stdout.count("跳过：刘") == 2 and "已有有效服务卡" in r.stdout
    pdf = out.read_bytes()
    third = cardno.make_card_no("DX07", 3)
    assert page_count(pdf) == 1 and "陈静" in pdf_text(pdf) and qr_texts(render(pdf)[0]) == [third]
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号码"])
    wb.active.append(["陈静", make_id(seq="821")])
    wb.active.append(["外人", make_id(seq="999")])
    wb.save(tmp_path / "roster.xlsx")
    r = _cli(data_dir, "issue-batch", "--roster", str(tmp_path / "roster.xlsx"))
    assert r.returncode == 0, r.stderr
    assert "共 1 名会员：已发卡 0 张" in r.stdout and "跳过：陈静：已有有效服务卡" in r.stdout
    assert "1 行的身份证号码不是已登记会员" in r.stderr


def test_batch_issue_to_a_member_whose_join_date_is_unknown(laptop, member_input):
    """A roster that did not say when someone joined leaves the join date unknown (None): the
    batch issues that member a card like anyone else instead of failing on the comparison."""
    form = member_input(name="名单会员", id_number=make_id(seq="654"), phone="13900006543", join_date=None)
    [member] = register_many(laptop, [form], roster=True).saved
    result = cards.issue_cards(laptop, [member], TODAY, today=TODAY)
    assert [c.member_id for c in result.issued] == [member] and result.skipped == []
