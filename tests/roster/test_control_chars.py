"""Control characters pasted or imported into free text are stripped at input, and an export
never fails on text stored before that (matrix: one C0 character in 工作单位 broke every export)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from clerk_app.domain.event import EVENT_TYPES, EventInput, validate_event
from clerk_app.domain.text import has_controls, multi_line, single_line, strip_controls
from clerk_app.services import members as ms
from clerk_app.services import roster_export
from clerk_app.services import roster_import as ri
from clerk_app.sheets.xlsx_writer import export_rows

from .conftest import HEADERS, person, write_csv

TODAY = dt.date(2026, 11, 20)
C0_C1 = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x80, 0x9F]))


@pytest.mark.parametrize("ch", list(C0_C1))
def test_every_control_character_is_removed_from_one_line_text(ch):
    assert single_line(f"北京{ch}快递公司") == "北京快递公司"
    assert not has_controls(single_line(f"北京{ch}快递公司"))


def test_line_breaks_and_tabs_stay_only_where_they_mean_something():
    assert single_line("王小明\r\n") == "王小明"
    assert single_line("北京\x85公司") == "北京 公司"  # NEL is a line break: a space in one line
    assert single_line("北京\t快递\n公司") == "北京 快递 公司"
    assert multi_line("2019 入职\r\n2021\t转岗\x07\r") == "2019 入职\n2021\t转岗"
    assert strip_controls("a\ud800b\ufeffc\uffff") == "abc"  # cannot be written as UTF-8 or XML
    assert single_line("👨\u200d👩\u200d👧 王䶮 𠮷") == "👨\u200d👩\u200d👧 王䶮 𠮷"  # ZWJ and rare hanzi kept


def test_registration_strips_controls_from_every_free_text_field(ctx, member_input):
    member_id = ms.register_member(ctx, member_input(employer="北京\x01快递\x1f公司", work_area="朝阳\x0b区",
                                                     resume="2019\x00 入职\r\n2021 转岗", remarks="备\x1b注")).member_id
    rec = ms.get_member(ctx, member_id)
    assert (rec.employer, rec.work_area) == ("北京快递公司", "朝阳区")
    assert (rec.resume, rec.remarks) == ("2019 入职\n2021 转岗", "备注")
    data = ctx.db.conn.execute("SELECT data FROM change_log WHERE row_id = ?", [member_id]).fetchone()[0]
    assert "\\u0001" not in data and "\\u001f" not in data  # the change that travels is clean too


def test_event_title_venue_and_notes_are_stripped(ctx):
    values, issues = validate_event(EventInput(type=EVENT_TYPES[0], title="暖\x08心\x1b驿站", event_date=TODAY,
                                               venue="朝阳\x00公园", union_id=ctx.home_union_id,
                                               notes="第一行\x07\n第二行"), TODAY)
    assert issues == []
    assert (values["title"], values["venue"], values["notes"]) == ("暖心驿站", "朝阳公园", "第一行\n第二行")


def test_control_character_in_an_imported_employer_is_stripped(ctx, tmp_path):
    headers = [*HEADERS, "工作单位"]
    path = write_csv(tmp_path / "名单.csv", [person(1, 工作单位="顺丰\x01速运\x0c有限公司")], headers)
    table = ri.read_roster(path)
    preview = ri.build_preview(ctx, table, ri.suggest_mapping(ctx.db, table.headers).mapping, today=TODAY)
    assert preview.bad == []
    result = ri.commit_import(ctx, preview)
    assert ms.get_member(ctx, result.saved[0]).employer == "顺丰速运有限公司"


def test_export_works_on_control_characters_stored_before_input_stripped_them(ctx, member_input, tmp_path):
    member_id = ms.register_member(ctx, member_input()).member_id
    # A database written by an earlier version: the bad byte went straight in.
    ctx.db.conn.execute("UPDATE members SET employer = ?, remarks = ? WHERE id = ?",
                        ["北京\x01快递公司", "=\x0bSUM(A1)", member_id])
    out = tmp_path / "名单.xlsx"
    result = roster_export.export_members(ctx, out)
    assert result.count == 1
    ws = openpyxl.load_workbook(out).active
    values = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    assert "北京快递公司" in values
    assert "'=SUM(A1)" in values  # stripped, then still escaped as text, never run as a formula


def test_the_writer_itself_never_fails_on_control_characters(tmp_path):
    out = tmp_path / "x.xlsx"
    assert export_rows(out, ["单\x02位"], [["a\x00b"], ["c\x1fd\ne"]], sheet_title="表\x03") == 2
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws["A"]] == ["单位", "ab", "cd\ne"]
