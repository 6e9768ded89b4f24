"""Import through the real services: real files, real database, every bad-row kind."""

from __future__ import annotations

import datetime as dt

import pytest
from python_calamine import CalamineWorkbook

from clerk_app.domain.idnumber import mask
from clerk_app.domain.roster_columns import ImportRejected
from clerk_app.services import members as ms
from clerk_app.services import roster_import as ri
from clerk_app.storage.audit import recent
from tests.conftest import make_id

from .conftest import HEADERS, db_hash, person, write_csv, write_xlsx

TODAY = dt.date(2026, 11, 20)


def _preview(ctx, path, options=None, **kw):
    table = ri.read_roster(path)
    mapping = ri.suggest_mapping(ctx.db, table.headers).mapping
    return ri.build_preview(ctx, table, mapping, options, today=TODAY, **kw)


def _reasons(preview) -> dict[int, str]:
    return {b.row: b.reason for b in preview.bad}


def test_good_roster_imports_in_one_go_with_names_and_formula_text_exact(ctx, tmp_path):
    rows = [person(1, 姓名="王䶮"), person(2, 姓名="𠮷田明"), person(3, 姓名="阿依古丽·买买提"),
            person(4, 备注="=HYPERLINK(\"http://x\",\"点我\")"), person(5, 备注="+86 转 1"),
            person(6, 备注="@SUM(A1:A9)"), person(7, 备注="-"), person(8, 备注="\t缩进")]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    preview = _preview(ctx, path)
    assert preview.bad == [] and len(preview.good) == 8
    before_changes = ctx.db.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    result = ri.commit_import(ctx, preview)
    assert len(result.saved) == 8 and result.bad == []
    stored = {r[0]: r[1] for r in ctx.db.conn.execute("SELECT id_number, name FROM members")}
    assert stored[make_id(seq="001")] == "王䶮"
    assert stored[make_id(seq="002")] == "𠮷田明"
    assert stored[make_id(seq="003")] == "阿依古丽·买买提"
    remarks = {r[0] for r in ctx.db.conn.execute("SELECT remarks FROM members")}
    assert {"=HYPERLINK(\"http://x\",\"点我\")", "+86 转 1", "@SUM(A1:A9)", "-", "缩进"} <= remarks
    assert ctx.db.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] > before_changes
    entry = [e for e in recent(ctx.db, 50) if e.action == "import"]
    assert len(entry) == 1 and entry[0].detail == {"rows": 8, "saved": 8, "rejected": 0, "source": "xlsx",
                                             "skipped": 0, "incomplete": 0}
    rec = ms.get_member_file(ctx, result.saved[0])
    assert rec.member.join_channel == "other" and rec.member.union_id == ctx.home_union_id
    assert rec.consents[0].method == "roster"  # 名单移交, not a signature nobody saw
    assert rec.consents[0].basis == f"{rec.member.union_name}移交的会员名单（r.xlsx）"


def test_every_bad_row_kind_is_reported_in_chinese_with_excel_row_numbers(ctx, member_input, tmp_path):
    ms.register_member(ctx, member_input(name="李已登", id_number=make_id(seq="900")), today=TODAY)
    good = make_id(seq="050")
    rows = [
        person(1),                                                       # row 2: fine
        person(2, 身份证号码=make_id(seq="002")[:-1] + ("0" if make_id(seq="002")[-1] != "0" else "1")),  # checksum
        person(3, 身份证号码=make_id(birth="19900230")),                # 30 Feb
        person(4, 身份证号码=make_id(birth="20300101")),                # future
        person(5, 身份证号码="110105900307123"),                        # 15 digits
        person(6, 身份证号码=good),                                      # row 7: dup of row 8
        person(7, 身份证号码=good),                                      # row 8
        person(8, 身份证号码=make_id(seq="900")),                        # registered already
        person(9, 姓名=""),                                              # missing name
        person(10, 身份证号码=float(make_id(seq="010")[:17] + "1")),      # number cell
        person(11, 手机号码="12345"),                                    # bad phone
        person(12, 入会日期="2025年13月5日"),                             # bad date text
        person(13, 手机号码="", 民族="火星族"),                           # a 民族 that does not exist
        person(14, 身份证号码=110105199003071234),                        # int number cell
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    before = db_hash(ctx.db)
    preview = _preview(ctx, path)
    assert db_hash(ctx.db) == before  # a preview saves nothing
    reasons = _reasons(preview)
    assert [g.row for g in preview.good] == [2]
    assert "校验位" in reasons[3]
    assert "出生日期 19900230 不存在" in reasons[4]
    assert "晚于今天" in reasons[5]
    assert "15 位" in reasons[6]
    assert reasons[7] == "身份证号码与第 8 行重复" and reasons[8] == "身份证号码与第 7 行重复"
    assert "已登记为会员：李已登" in reasons[9] and mask(make_id(seq="900")) in reasons[9]
    assert make_id(seq="900") not in reasons[9]
    assert reasons[10] == "请填写姓名"
    number_msg = "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设置为文本格式后重新录入"
    assert reasons[11] == number_msg and reasons[15] == number_msg
    assert "手机或电话号码格式不对" in reasons[12]
    assert "入会日期“2025年13月5日”不是有效日期" in reasons[13]
    assert reasons[14] == "民族只能从列表中选择"
    assert set(reasons) == set(range(3, 16))


def test_csv_with_scientific_id_text_and_gbk_encoding(ctx, tmp_path):
    rows = [person(1), person(2, 身份证号码="1.10105E+17")]
    for enc in ("utf-8", "utf-8-sig", "gbk"):
        path = write_csv(tmp_path / f"r-{enc}.csv", rows, encoding=enc)
        preview = _preview(ctx, path)
        assert [g.row for g in preview.good] == [2], enc
        assert preview.bad[0].row == 3 and "存成了数字" in preview.bad[0].reason
        assert preview.good[0].member.name == rows[0]["姓名"]


def test_header_synonyms_shuffled_columns_and_decoration(ctx, tmp_path):
    headers = ["备注", " 联系电话 ", "*公民身份号码（必填）", "文化程度", "工种", "民　族", "＊姓名", "单位", "入会方式"]
    row = {"＊姓名": "赵文化", "*公民身份号码（必填）": make_id(seq="321"), " 联系电话 ": 13912345678.0,
           "文化程度": "大学本科", "工种": "外卖配送员", "民　族": "回族", "单位": "某某配送站", "入会方式": "扫码入会",
           "备注": "x"}
    path = write_xlsx(tmp_path / "syn.xlsx", [row], headers)
    preview = _preview(ctx, path)
    assert preview.bad == []
    m = preview.good[0].member
    assert (m.name, m.id_number, m.phone, m.education, m.occupation, m.ethnicity, m.employer, m.join_channel) == (
        "赵文化", make_id(seq="321"), "13912345678", "大学本科", "外卖配送员", "回族", "某某配送站", "qr")


def test_title_row_above_header_keeps_excel_row_numbers(ctx, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [person(1), person(2, 姓名="")], title="大兴区某工会会员花名册")
    preview = _preview(ctx, path)
    assert preview.table.header_row == 2
    assert [g.row for g in preview.good] == [3] and [b.row for b in preview.bad] == [4]


def test_missing_required_columns_and_defaults(ctx, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [person(1)], ["姓名", "手机号码"])
    with pytest.raises(ImportRejected) as err:
        _preview(ctx, path)
    assert err.value.code == "roster.missing_columns" and "身份证号码" in err.value.message
    # No 民族 / 职业 / 入会日期 columns: the rows import, 资料待补全 with what is missing named,
    # until the clerk gives a default.
    path = write_xlsx(tmp_path / "d.xlsx", [person(1)], ["姓名", "身份证号码", "手机号码"])
    preview = _preview(ctx, path)
    assert preview.bad == [] and preview.good[0].missing == ["入会日期", "民族", "职业"]
    preview = _preview(ctx, path, ri.ImportOptions(defaults={"ethnicity": "汉族", "occupation": "快递员"}))
    assert preview.bad == [] and preview.good[0].member.ethnicity == "汉族"
    assert preview.good[0].missing == ["入会日期"]
    with pytest.raises(ImportRejected) as err:
        _preview(ctx, path, ri.ImportOptions(union_id="no-such-union"))
    assert err.value.message == "请选择所属工会"


def test_gender_and_birth_columns_are_checked_not_imported(ctx, tmp_path):
    headers = HEADERS + ["性别", "出生日期"]
    rows = [person(1, 性别="女", 出生日期="1990-03-07"), person(2, 性别="男", 出生日期=dt.date(1991, 1, 1)),
            person(3, 性别="男性", 出生日期="1990年3月")]
    preview = _preview(ctx, write_xlsx(tmp_path / "g.xlsx", rows, headers))
    warnings = {g.row: [w.code for w in g.warnings] for g in preview.good}
    # make_id's sequence 001 / 002 / 003: odd = 男, even = 女
    assert warnings == {2: ["roster.gender_mismatch"], 3: ["roster.gender_mismatch", "roster.birth_mismatch"], 4: []}


def test_possible_duplicates_in_file_and_database(ctx, member_input, tmp_path):
    ms.register_member(ctx, member_input(name="王明明", id_number=make_id(seq="700")), today=TODAY)
    rows = [person(1, 姓名="王明明"), person(2, 姓名="张同名"), person(3, 姓名="张同名")]
    path = write_xlsx(tmp_path / "p.xlsx", rows)
    reasons = _reasons(_preview(ctx, path))
    assert "已有同名且出生日期相同的会员：王明明" in reasons[2]
    assert reasons[3] == "与第 4 行姓名和出生日期相同，请确认是否为同一人"
    confirmed = _preview(ctx, path, ri.ImportOptions(allow_possible_duplicates=True))
    assert confirmed.bad == []
    assert len(ri.commit_import(ctx, confirmed).saved) == 3


def test_cancel_rolls_everything_back(ctx, tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [person(n) for n in range(1, 121)])
    preview = _preview(ctx, path)
    before = db_hash(ctx.db)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2  # after 100 rows are already written inside the transaction

    with pytest.raises(ri.Cancelled):
        ri.commit_import(ctx, preview, cancel=cancel)
    assert db_hash(ctx.db) == before
    assert ms.count(ctx) == 0


def test_error_file_round_trip(ctx, tmp_path):
    rows = [person(1), person(2, 身份证号码=make_id(birth="19900230", seq="002")), person(3, 姓名="")]
    path = write_xlsx(tmp_path / "e.xlsx", rows)
    preview = _preview(ctx, path)
    result = ri.commit_import(ctx, preview)
    out = tmp_path / "errors.xlsx"
    assert ri.write_error_file(ctx, out, preview, result) == 2
    # The file holds full ID numbers of the bad rows: the export is audited (a count, no values).
    entry = recent(ctx.db, limit=1)[0]
    assert (entry.action, entry.entity, entry.detail) == ("export", "roster_errors", {"count": 2})
    assert entry.clerk_id == ctx.clerk.id
    data = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert data[0] == HEADERS + ["错误原因"]
    assert [r[1] for r in data[1:]] == [rows[1]["姓名"], ""]
    assert all(isinstance(c, str) for r in data[1:] for c in r)  # everything written as text
    assert "不存在" in data[1][-1] and data[2][-1] == "请填写姓名"
    # The clerk fixes the two rows in the error file and imports it again.
    fixed = [dict(zip(data[0], r)) for r in data[1:]]
    fixed[0]["身份证号码"] = make_id(seq="002")
    fixed[1]["姓名"] = "王补名"
    again = _preview(ctx, write_xlsx(tmp_path / "fixed.xlsx", fixed, data[0]))
    assert again.bad == [] and len(ri.commit_import(ctx, again).saved) == 2
    assert ms.count(ctx) == 3


def test_confirmed_mapping_is_remembered_for_the_same_header_row(ctx, tmp_path):
    headers = ["姓名", "证", "手机", "民族", "职业"]
    row = {"姓名": "王记忆", "证": make_id(seq="401"), "手机": "13912340000", "民族": "汉族", "职业": "快递员"}
    path = write_xlsx(tmp_path / "k.xlsx", [row], headers)
    table = ri.read_roster(path)
    proposal = ri.suggest_mapping(ctx.db, table.headers)
    assert not proposal.remembered and proposal.mapping.column_of("id_number") is None
    mapping = proposal.mapping.with_column("id_number", 1)
    ri.commit_import(ctx, ri.build_preview(ctx, table, mapping, today=TODAY))
    again = ri.suggest_mapping(ctx.db, ri.read_roster(path).headers)
    assert again.remembered and again.mapping.column_of("id_number") == 1


def test_progress_reaches_the_total(ctx, tmp_path):
    path = write_xlsx(tmp_path / "pr.xlsx", [person(n) for n in range(1, 31)])
    seen: list[tuple[int, int]] = []
    preview = _preview(ctx, path, progress=lambda d, t: seen.append((d, t)))
    ri.commit_import(ctx, preview, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (30, 30) and (30, 30) in seen[:-1]


def test_collector_spared_while_importing_and_given_everything_back(ctx, tmp_path):
    """The file's cells and the preview are out of the cycle collector's sight (gc.freeze)
    while the preview is built and while it is saved, and nothing stays hidden after
    either call, cancelled or not."""
    import gc

    path = write_csv(tmp_path / "g.csv", [person(n) for n in range(1, 6)])
    seen = []
    preview = _preview(ctx, path, progress=lambda done, total: seen.append(("preview", gc.get_freeze_count())))
    assert gc.get_freeze_count() == 0
    with pytest.raises(ri.Cancelled):
        _preview(ctx, path, cancel=lambda: True)
    assert gc.get_freeze_count() == 0
    with pytest.raises(ri.Cancelled):
        ri.commit_import(ctx, preview, cancel=lambda: True)
    assert gc.get_freeze_count() == 0 and ms.count(ctx) == 0
    result = ri.commit_import(ctx, preview, progress=lambda done, total: seen.append(("commit", gc.get_freeze_count())))
    assert gc.get_freeze_count() == 0 and len(result.saved) == 5
    assert {"preview", "commit"} == {step for step, _frozen in seen}
    assert all(frozen > 0 for _step, frozen in seen)
