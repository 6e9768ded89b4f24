"""Rosters as unions really keep them: columns missing, no join dates, total lines under the
list, a 性别 column that disagrees with the ID number. Real files, real database."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.domain.records import Member
from clerk_app.services import cards as card_service
from clerk_app.services import members as ms
from clerk_app.services import roster_import as ri
from clerk_app.services.roster_export import export_members
from clerk_app.storage.migrations import migrations
from tests.conftest import make_id

from .conftest import ROSTER_DAY, person, write_xlsx

TODAY = ROSTER_DAY
SHORT = ["序号", "姓名", "身份证号码", "工作单位"]  # what many unions hand over: no 民族/职业/手机/入会日期


def _preview(ctx, path, options=None):
    table = ri.read_roster(path)
    mapping = ri.suggest_mapping(ctx.db, table.headers).mapping
    return ri.build_preview(ctx, table, mapping, options, today=TODAY)


def _import(ctx, path, options=None):
    preview = _preview(ctx, path, options)
    return preview, ri.commit_import(ctx, preview)


def _row(ctx, member_id: str) -> Member:
    return ms.get_member(ctx, member_id)


def test_roster_without_most_columns_imports_as_incomplete_members(ctx, tmp_path):
    rows = [person(n, 工作单位="某快递站") for n in (1, 2, 3)]
    preview, result = _import(ctx, write_xlsx(tmp_path / "短名单.xlsx", rows, SHORT))
    assert preview.bad == [] and len(result.saved) == 3
    assert [g.missing for g in preview.good] == [["手机号码", "入会日期", "民族", "职业"]] * 3
    rec = _row(ctx, result.saved[0])
    assert rec.missing_fields == "phone,join_date,ethnicity,occupation"
    assert rec.join_date is None  # unknown, not today
    assert rec.ethnicity == "" and rec.employer == "某快递站"
    file = ms.get_member_file(ctx, rec.id)
    assert [(h.status, h.effective_date) for h in file.history] == [("active", "")]
    # The basis for holding the data: the roster the union handed over, not a signature.
    assert [(c.method, c.basis) for c in file.consents] == [
        ("roster", f"{rec.union_name}移交的会员名单（短名单.xlsx）")]
    # The members page's filter: only incomplete members, newest first, counted.
    ms.register_member(ctx, ms.MemberInput(name="李完整", id_number=make_id(seq="777"), phone="13800000777",
                                           union_id=ctx.home_union_id, occupation="快递员",
                                           join_date=dt.date(2025, 1, 1)), today=TODAY)
    assert ms.count(ctx) == 4 and ms.count(ctx, incomplete=True) == 3
    listed = ms.page(ctx, incomplete=True)
    assert [r.id for r in listed] == result.saved[::-1] and all(r.missing_fields for r in listed)
    assert [r.id for r in ms.page(ctx, listed[0].rowid, incomplete=True)] == result.saved[1::-1]


def test_the_incomplete_filter_walks_the_partial_index(ctx):
    from clerk_app.storage.members_repo import INCOMPLETE

    sql = ("EXPLAIN QUERY PLAN SELECT m.id FROM members m JOIN unions u ON u.id = m.union_id WHERE "
           f"{INCOMPLETE} AND m.rowid < ? ORDER BY m.rowid DESC LIMIT 200")
    plan = " ".join(r[3] for r in ctx.db.conn.execute(sql, [10**9]))
    assert "idx_members_incomplete" in plan and "TEMP B-TREE" not in plan


def test_editing_completes_the_member_but_an_unknown_join_date_stays_unknown(ctx, tmp_path, member_input):
    _preview_, result = _import(ctx, write_xlsx(tmp_path / "r.xlsx", [person(1)], SHORT))
    member_id = result.saved[0]
    inp = _row(ctx, member_id).to_input().copy(phone="13812340001", ethnicity="汉族", occupation="快递员",
                                                       join_date=TODAY, consent_method="paper")
    ms.update_member(ctx, member_id, inp, today=TODAY)
    rec = _row(ctx, member_id)
    assert rec.missing_fields == "join_date" and rec.join_date is None
    assert ms.count(ctx, incomplete=True) == 1

    # Registration through the form keeps its required fields; 名单移交 is for rosters only.
    with pytest.raises(UserError) as err:
        ms.register_member(ctx, member_input(phone="", ethnicity="", occupation=""), today=TODAY)
    assert {i.field for i in err.value.issues} == {"phone", "ethnicity", "occupation"}
    with pytest.raises(UserError):
        ms.register_member(ctx, member_input(consent_method="roster"), today=TODAY)


def test_join_date_from_the_column_a_stated_date_or_unknown(ctx, tmp_path):
    rows = [person(1, 入会日期="2024-05-06"), person(2, 入会日期="")]
    path = write_xlsx(tmp_path / "j.xlsx", rows)
    by_column = _preview(ctx, path)  # the column is mapped: from it; an empty cell is unknown, not today
    assert [g.values["join_date"] for g in by_column.good] == ["2024-05-06", None]
    assert by_column.good[1].missing == ["入会日期"] and by_column.good[0].missing == []
    stated = _preview(ctx, path, ri.ImportOptions(join_date_mode=ri.JOIN_STATED, join_date=dt.date(2023, 9, 1)))
    assert [g.values["join_date"] for g in stated.good] == ["2023-09-01", "2023-09-01"]
    unknown = _preview(ctx, path, ri.ImportOptions(join_date_mode=ri.JOIN_UNKNOWN))
    assert [g.values["join_date"] for g in unknown.good] == [None, None]
    with pytest.raises(ri.ImportRejected):
        _preview(ctx, path, ri.ImportOptions(join_date_mode=ri.JOIN_STATED, join_date=TODAY + dt.timedelta(days=1)))
    with pytest.raises(ri.ImportRejected):
        _preview(ctx, path, ri.ImportOptions(join_date_mode=ri.JOIN_STATED))


def test_members_with_unknown_join_date_change_status_get_cards_and_export(ctx, tmp_path):
    _p, result = _import(ctx, write_xlsx(tmp_path / "r.xlsx", [person(1)], SHORT))
    member_id = result.saved[0]
    ms.change_status(ctx, member_id, "retained", effective=dt.date(2020, 1, 1), today=TODAY)
    assert [h.effective_date for h in ms.get_member_file(ctx, member_id).history] == ["", "2020-01-01"]
    ms.change_status(ctx, member_id, "active", effective=dt.date(2021, 1, 1), today=TODAY)
    card_service.set_card_prefix(ctx, "DX07")
    card = card_service.issue_card(ctx, member_id, dt.date(2019, 1, 1), today=TODAY)  # no join date to be before
    assert card.holder.name == person(1)["姓名"]
    out = tmp_path / "out.xlsx"
    assert export_members(ctx, out).count == 1
    assert ms.search(ctx, person(1)["姓名"])[0].join_date is None


def test_summary_rows_are_skipped_and_listed_not_reported_as_bad(ctx, tmp_path):
    rows = [person(1), person(2), {"序号": "", "姓名": "小计", "身份证号码": "", "备注": 2},
            person(3, 姓名=""),  # a real bad row stays bad
            {"序号": "合计", "姓名": "", "身份证号码": "", "备注": "3人"},
            {"序号": "", "姓名": "总计：3人"}, {"序号": 3}]
    preview = _preview(ctx, write_xlsx(tmp_path / "s.xlsx", rows))
    assert [g.row for g in preview.good] == [2, 3]
    assert [b.row for b in preview.bad] == [5]
    assert [s.row for s in preview.skipped] == [4, 6, 7, 8]
    assert preview.skipped[0].reason == "合计行，已跳过"
    assert preview.total == 3
    # A lone number between members is not a total: it is a row to look at.
    preview = _preview(ctx, write_xlsx(tmp_path / "n.xlsx", [person(1), {"序号": 7}, person(2)]))
    assert [b.row for b in preview.bad] == [3] and preview.skipped == []


def test_gender_column_against_the_id_number(ctx, tmp_path):
    headers = ["姓名", "身份证号码", "性别"]
    # make_id seq 001 / 003 odd = 男, 002 / 004 even = 女
    rows = [person(1, 性别="M"), person(2, 性别="2"), person(3, 性别="女"), person(4, 性别="未知"),
            person(5, 性别=" 男性 ")]
    preview, result = _import(ctx, write_xlsx(tmp_path / "g.xlsx", rows, headers))
    warned = {g.row: [w.message for w in g.warnings] for g in preview.good}
    assert warned[2] == [] and warned[3] == [] and warned[6] == []
    assert warned[4] == ["性别一栏为“女”，按身份证号码应为“男”，将按身份证号码登记"]
    assert warned[5] == ["性别一栏为“未知”，按身份证号码应为“女”，将按身份证号码登记"]
    assert preview.bad == [] and len(result.saved) == 5  # the ID number wins; the row is flagged, not refused
    genders = dict(ctx.db.conn.execute("SELECT name, gender FROM members"))
    assert genders[person(3)["姓名"]] == "男"


def test_migration_keeps_members_rowids_and_their_history(tmp_path):
    from sqlite_utils import Database

    conn = sqlite3.connect(str(tmp_path / "old.db"), isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    db = Database(conn)
    migrations.apply(db, stop_before="0005_roster_minimum")
    conn.execute("INSERT INTO unions VALUES ('u1', '某工会', 'grassroots', NULL, 'x')")
    for n in (1, 2):
        conn.execute("INSERT INTO members (rowid, id, name, gender, birth_date, id_number, id_kind, union_id,"
                     " join_date, join_channel, status, created_at, updated_at) VALUES (?, ?, ?, '男', '1990-03-07',"
                     " ?, 'resident', 'u1', '2020-01-01', 'onsite', 'active', 'x', 'x')",
                     [n * 10, f"m{n}", f"王{n}", make_id(seq=f"00{n}")])
        conn.execute("INSERT INTO member_status_history VALUES (?, ?, 'active', '2020-01-01', '入会', '', 'x')",
                     [f"h{n}", f"m{n}"])
        conn.execute("INSERT INTO consents VALUES (?, ?, 'v1', 'x', 'paper', 'c1')", [f"c{n}", f"m{n}"])
    migrations.apply(db)
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("SELECT rowid, id, join_date, missing_fields FROM members ORDER BY rowid").fetchall() == [
        (10, "m1", "2020-01-01", ""), (20, "m2", "2020-01-01", "")]
    assert conn.execute("SELECT count(*) FROM member_status_history").fetchone()[0] == 2
    assert conn.execute("SELECT basis FROM consents").fetchall() == [("",), ("",)]
    conn.execute("UPDATE members SET join_date = NULL WHERE id = 'm1'")  # may now be unknown
    indexes = {r[1] for r in conn.execute("PRAGMA index_list(members)")}
    assert {"idx_members_id_number", "idx_members_name_birth", "idx_members_union", "idx_members_incomplete"} <= indexes
