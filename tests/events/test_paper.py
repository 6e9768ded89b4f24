"""Typing a paper sign-in sheet back in: rows matched to members by phone + name (or phone +
ID tail, or name + ID tail when the phone changed), others as walk-ins, nobody doubled, bad
rows named, one transaction, a dry run that saves nothing."""

from __future__ import annotations

import pytest

from clerk_app.domain import event as ev
from clerk_app.domain.errors import UserError
from clerk_app.services import signin
from clerk_app.services.members import change_status, get_member
from clerk_app.storage.audit import recent
from clerk_app.storage.changes import changes_since
from tests.events.conftest import DAY

PaperRow = signin.PaperRow


@pytest.fixture
def people(laptop, add_member):
    return {
        "王小明": add_member("王小明", phone="13800000001"),
        "李娜": add_member("李娜", phone="13800000002"),
        "张伟": add_member("张伟", phone="13800000003"),
        "刘洋": add_member("刘洋", phone="13800000004"),
        "退会者": add_member("赵磊", phone="13800000005"),
    }


def test_paper_rows_are_matched_added_or_rejected(laptop, event, people):
    change_status(laptop, people["退会者"], "withdrawn", effective=DAY)
    signin.sign_in_member(laptop, event.id, people["李娜"])  # already signed in at the desk
    id_tail = get_member(laptop, people["张伟"]).id_number[-4:]
    rows = [
        PaperRow("王小明", "138 0000 0001"),                  # 0 phone + name -> member
        PaperRow("李娜", "13800000002"),                      # 1 already signed in -> not doubled
        PaperRow("张 伟", "13800000003", id_tail=id_tail),    # 2 name written oddly, phone + ID tail -> member
        PaperRow("刘阳", "13800000004"),                      # 3 phone of 刘洋, another name -> walk-in, flagged
        PaperRow("赵磊", "13800000005", occupation="快递员"),  # 4 phone of a member who left -> walk-in
        PaperRow("孙强", "13912340001", occupation="外卖配送员", employer="美团", sub_venue="京东物流站点"),  # 5 walk-in
        PaperRow("孙强", "13912340001"),                      # 6 the same walk-in twice on the sheet
        PaperRow("王小明", "13800000001"),                    # 7 the same member twice on the sheet
        PaperRow("", "139"),                                  # 8 rejected: no name, bad phone
        PaperRow("周杰", "13912340002", id_tail="12a4"),      # 9 rejected: bad ID tail
        PaperRow("吴芳", "13912340003", sub_venue="美团站"),  # 10 rejected: no such sub-venue
    ]
    result = signin.enter_paper_rows(laptop, event.id, rows)
    outcome = [r.outcome for r in result.rows]
    assert outcome == [signin.MATCHED, signin.ALREADY, signin.MATCHED, signin.WALK_IN_ADDED, signin.WALK_IN_ADDED,
                       signin.WALK_IN_ADDED, signin.ALREADY, signin.ALREADY, signin.REJECTED, signin.REJECTED,
                       signin.REJECTED]
    assert result.rows[0].member.member_id == people["王小明"] and result.rows[2].member.member_id == people["张伟"]
    assert result.rows[1].attendee.method == ev.LOOKUP  # the desk's row stands
    assert "刘洋" in result.rows[3].note and result.rows[3].attendee.member_id is None
    assert result.rows[4].note == ""
    assert result.rows[5].attendee.sub_venue == "京东物流站点" and result.rows[5].attendee.method == ev.PAPER
    assert result.rows[6].attendee.id == result.rows[5].attendee.id
    assert {i.code for i in result.rows[8].issues} == {"signin.name_required", "phone.invalid"}
    assert [i.code for i in result.rows[9].issues] == ["signin.bad_id_tail"]
    assert [i.code for i in result.rows[10].issues] == ["event.bad_sub_venue"]
    assert (len(result.matched), len(result.walk_ins), len(result.already), len(result.rejected)) == (2, 3, 3, 3)
    assert result.saved and signin.count(laptop, event.id) == 1 + 2 + 3
    methods = [a.method for a in signin.attendance(laptop, event.id)]
    assert methods.count(ev.PAPER) == 5
    assert recent(laptop.db, 1)[0].detail == {"document": "paper_sheet", "rows": 11, "saved": 5}


def test_entering_the_same_sheet_twice_doubles_nobody(laptop, event, people):
    rows = [PaperRow("王小明", "13800000001"), PaperRow("孙强", "13912340001")]
    signin.enter_paper_rows(laptop, event.id, rows)
    again = signin.enter_paper_rows(laptop, event.id, rows)
    assert [r.outcome for r in again.rows] == [signin.ALREADY, signin.ALREADY]
    assert signin.count(laptop, event.id) == 2


def test_changed_phone_matches_by_name_and_id_tail(laptop, event, people):
    tail = get_member(laptop, people["刘洋"]).id_number[-6:]
    result = signin.enter_paper_rows(laptop, event.id, [PaperRow("刘洋", "13700000000", id_tail=tail)])
    assert result.rows[0].outcome == signin.MATCHED and result.rows[0].member.member_id == people["刘洋"]


def test_dry_run_answers_the_same_and_saves_nothing(laptop, event, people):
    rows = [PaperRow("王小明", "13800000001"), PaperRow("孙强", "13912340001"), PaperRow("", "")]
    before = laptop.db.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    audit_before = len(recent(laptop.db, 1000))
    preview = signin.enter_paper_rows(laptop, event.id, rows, dry_run=True)
    assert not preview.saved and [r.outcome for r in preview.rows] == [signin.MATCHED, signin.WALK_IN_ADDED, signin.REJECTED]
    assert laptop.db.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    assert len(recent(laptop.db, 1000)) == audit_before and signin.count(laptop, event.id) == 0
    done = signin.enter_paper_rows(laptop, event.id, rows)
    assert [r.outcome for r in done.rows] == [r.outcome for r in preview.rows]
    assert len(changes_since(laptop.db, tbl="attendance")) == 2


def test_a_failure_mid_sheet_rolls_the_whole_sheet_back(laptop, event, people, monkeypatch):
    calls = {"n": 0}
    real = signin._paper_row

    def flaky(ctx, event_, index, row):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk went away")
        return real(ctx, event_, index, row)

    monkeypatch.setattr(signin, "_paper_row", flaky)
    rows = [PaperRow("王小明", "13800000001"), PaperRow("孙强", "13912340001"), PaperRow("李娜", "13800000002")]
    with pytest.raises(RuntimeError):
        signin.enter_paper_rows(laptop, event.id, rows)
    assert signin.count(laptop, event.id) == 0 and changes_since(laptop.db, tbl="attendance") == []


def test_namesakes_on_one_phone_are_not_picked_silently(laptop, event, add_member):
    """Two members of one name share a phone (a couple's phone, a family's): a paper row with that
    name and phone is neither of them until an ID tail says which; the clerk is told to check."""
    first = add_member("王芳", phone="13800000009")
    second = add_member("王芳", phone="13800000009")
    result = signin.enter_paper_rows(laptop, event.id, [PaperRow("王芳", "13800000009")], dry_run=True)
    row = result.rows[0]
    assert row.outcome == signin.WALK_IN_ADDED and row.member is None
    assert "多名会员" in row.note and row.note.count("王芳") == 2
    tail = get_member(laptop, second).id_number[-4:]
    assert get_member(laptop, first).id_number[-4:] != tail
    told = signin.enter_paper_rows(laptop, event.id, [PaperRow("王芳", "13800000009", id_tail=tail)])
    assert told.rows[0].outcome == signin.MATCHED and told.rows[0].member.member_id == second


def test_paper_rows_for_an_unknown_event(laptop):
    with pytest.raises(UserError) as e:
        signin.enter_paper_rows(laptop, "00000000-0000-4000-8000-000000000000", [PaperRow("王小明", "13800000001")])
    assert e.value.code == "event.not_found"
