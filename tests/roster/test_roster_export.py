"""Export: read the written .xlsx back with openpyxl and calamine."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from clerk_app.domain import vocab
from clerk_app.domain.idnumber import mask
from clerk_app.domain.phone import mask_phone
from clerk_app.services import members as ms
from clerk_app.services import roster_import as ri
from clerk_app.services import cards
from clerk_app.services.roster_export import EXPORT_HEADERS, export_members
from clerk_app.sheets.xlsx_writer import export_rows
from clerk_app.storage.audit import recent
from tests.conftest import make_id

TODAY = dt.date(2026, 11, 20)
HEADERS = list(EXPORT_HEADERS)


@pytest.fixture
def three(ctx, member_input):
    forms = [member_input(name="王䶮", id_number=make_id(seq="101"), phone="13800000001",
                          remarks="=HYPERLINK(\"http://evil\",\"x\")"),
             member_input(name="𠮷田明", id_number=make_id(seq="102"), phone="13800000002", remarks="@SUM(1)"),
             member_input(name="阿依古丽·买买提", id_number=make_id(seq="103"), phone="13800000003")]
    saved = ms.register_many(ctx, forms, today=TODAY).saved
    assert len(saved) == 3
    ms.change_status(ctx, saved[2], vocab.WITHDRAWN, effective=TODAY)
    return saved


def _sheet(path):
    ws = openpyxl.load_workbook(path).active
    return ws, [[c for c in r] for r in ws.iter_rows()]


def _by_name(rows):
    col = {h: i for i, h in enumerate(HEADERS)}
    return {r[col["姓名"]].value: {h: r[i] for h, i in col.items()} for r in rows[1:]}


def test_masked_by_default_ids_and_phones_as_text(ctx, three, tmp_path):
    out = tmp_path / "m.xlsx"
    result = export_members(ctx, out)
    assert result.count == 3 and not result.full
    ws, rows = _sheet(out)
    assert [c.value for c in rows[0]] == HEADERS
    assert all(c.font.b for c in rows[0]) and ws.freeze_panes == "A2"
    people = _by_name(rows)
    row = people["王䶮"]
    assert row["身份证号码"].value == mask(make_id(seq="101")) and row["身份证号码"].data_type == "s"
    assert row["身份证号码"].number_format == "@" and row["手机号码"].number_format == "@"
    assert row["手机号码"].value == mask_phone("13800000001")
    birth = make_id(seq="101")[6:14]  # not the date the masked ID number hides: the year only
    assert row["出生日期"].value == birth[:4] + "年"
    assert row["备注"].value == "'=HYPERLINK(\"http://evil\",\"x\")" and row["备注"].data_type == "s"
    assert people["𠮷田明"]["备注"].value == "'@SUM(1)"
    assert set(people) == {"王䶮", "𠮷田明", "阿依古丽·买买提"}  # names exact
    assert ws.column_dimensions["E"].width >= 18  # ID column wide enough to read
    entry = [e for e in recent(ctx.db, 20) if e.action == "export"][0]
    assert entry.entity == "members" and entry.detail["count"] == 3 and entry.detail["full"] is False
    assert make_id(seq="101") not in str(entry.detail)


def test_full_values_only_when_asked_and_audited(ctx, three, tmp_path):
    out = tmp_path / "f.xlsx"
    export_members(ctx, out, full=True)
    data = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    people = {r[0]: dict(zip(HEADERS, r)) for r in data[1:]}
    assert people["王䶮"]["身份证号码"] == make_id(seq="101")  # text, not 1.1e17
    assert people["王䶮"]["手机号码"] == "13800000001"
    birth = make_id(seq="101")[6:14]
    assert people["王䶮"]["出生日期"] == f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
    assert people["阿依古丽·买买提"]["会籍状态"] == "退会"
    entry = [e for e in recent(ctx.db, 20) if e.action == "export"][0]
    assert entry.detail == {"count": 3, "full": True, "filtered": False}


def test_filter_and_status(ctx, three, tmp_path):
    assert export_members(ctx, tmp_path / "a.xlsx", query="田明").count == 1
    assert export_members(ctx, tmp_path / "b.xlsx", status=vocab.ACTIVE).count == 2
    assert export_members(ctx, tmp_path / "c.xlsx", status=vocab.WITHDRAWN).count == 1
    assert export_members(ctx, tmp_path / "d.xlsx", query="0003").count == 1  # phone tail
    assert export_members(ctx, tmp_path / "e.xlsx", union_id="no-such-union").count == 0
    _ws, rows = _sheet(tmp_path / "a.xlsx")
    assert rows[1][0].value == "𠮷田明"


def test_full_export_imports_back_unchanged(ctx, three, tmp_path):
    out = tmp_path / "round.xlsx"
    export_members(ctx, out, full=True)
    table = ri.read_roster(out)
    preview = ri.build_preview(ctx, table, ri.suggest_mapping(ctx.db, table.headers).mapping, today=TODAY)
    # Everyone is already registered: the importer recognises its own export completely.
    assert preview.good == [] and all("已登记为会员" in b.reason for b in preview.bad)
    assert {b.cells[0] for b in preview.bad} == {"王䶮", "𠮷田明", "阿依古丽·买买提"}
    remarks = {b.cells[HEADERS.index("备注")] for b in preview.bad}
    assert "'@SUM(1)" in remarks  # on disk the apostrophe is there ...
    m = ri._row_input(preview.bad[0].cells, preview.mapping, ri.ImportOptions(), "u")[0]
    assert not m.remarks.startswith("'")  # ... and the importer takes our own escape off again


def test_export_carries_the_open_card_read_in_one_query(ctx, three, tmp_path):
    """服务卡号 + 服务卡状态: the active card, or a lost card awaiting its replacement; a
    member who left (card cancelled) or never had one: empty. The whole list is one query."""
    cards.set_card_prefix(ctx, "DX07")
    active = cards.issue_card(ctx, three[0])
    lost = cards.report_lost(ctx, cards.issue_card(ctx, three[1]).card_no, "丢了")
    statements: list[str] = []
    ctx.db.conn.set_trace_callback(statements.append)
    try:
        export_members(ctx, tmp_path / "c.xlsx")
    finally:
        ctx.db.conn.set_trace_callback(None)
    assert len([s for s in statements if "FROM" in s and "members" in s]) == 1, statements
    people = _by_name(_sheet(tmp_path / "c.xlsx")[1])
    assert (people["王䶮"]["服务卡号"].value, people["王䶮"]["服务卡状态"].value) == (active.grouped_no, "有效")
    assert people["王䶮"]["服务卡号"].data_type == "s"
    assert (people["𠮷田明"]["服务卡号"].value, people["𠮷田明"]["服务卡状态"].value) == (lost.grouped_no, "已挂失")
    assert people["阿依古丽·买买提"]["服务卡号"].value in (None, "")
    cards.reissue_card(ctx, lost.card_no, "补办")  # the lost card is replaced: the new one shows
    people = _by_name(_sheet(tmp_path / "d.xlsx")[1]) if export_members(ctx, tmp_path / "d.xlsx") else {}
    assert people["𠮷田明"]["服务卡状态"].value == "有效"
    assert people["𠮷田明"]["服务卡号"].value != lost.grouped_no


def test_export_rows_generic(tmp_path):
    out = tmp_path / "g.xlsx"
    n = export_rows(out, ["卡号", "姓名", "金额", "日期"], iter([["0012", "+王", 12.5, dt.date(2026, 1, 2)]] * 3),
                    text_columns=["卡号"])
    assert n == 3
    ws, rows = _sheet(out)
    card, name, amount, day = rows[1]
    assert (card.value, card.data_type, card.number_format) == ("0012", "s", "@")
    assert name.value == "'+王" and amount.value == 12.5
    assert day.value == dt.datetime(2026, 1, 2)
    assert not list(tmp_path.glob("*.part"))


def test_export_to_unwritable_place_is_a_clear_error(tmp_path):
    from clerk_app.domain.errors import UserError

    with pytest.raises(UserError) as err:
        export_rows(tmp_path / "no" / "such" / "dir" / "x.xlsx", ["a"], [["b"]])
    assert err.value.code == "roster.write_failed"
