"""``clerk-app roster import / export`` run in-process against a real data folder."""

from __future__ import annotations

import json

import openpyxl
import pytest

from clerk_app.cli import main
from clerk_app.domain.idnumber import mask
from clerk_app.workspace import open_workspace
from tests.conftest import make_id

from .conftest import db_hash, person, write_ods, write_xlsb, write_xlsx


def _members(folder) -> dict[str, str]:
    ws = open_workspace(folder)
    try:
        return {r[0]: r[1] for r in ws.db.conn.execute("SELECT name, id_number FROM members")}
    finally:
        ws.close()


def _hash(folder) -> str:
    ws = open_workspace(folder)
    try:
        return db_hash(ws.db)
    finally:
        ws.close()


@pytest.fixture
def roster(tmp_path):
    rows = [person(1), person(2, 身份证号码=make_id(birth="19900230")), person(3), person(4, 手机号码="12345")]
    return write_xlsx(tmp_path / "r.xlsx", rows), rows


def test_dry_run_prints_the_report_and_saves_nothing(ready_dir, roster, capsys, tmp_path):
    path, rows = roster
    before = _hash(ready_dir)
    errors = tmp_path / "err.xlsx"
    code = main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 1
    assert "可以导入 2 行，不能导入 2 行" in out
    assert "第 3 行：身份证号码中的出生日期 19900230 不存在" in out
    assert "第 5 行：手机或电话号码格式不对：12345" in out
    assert "身份证号码 ← 身份证号码（C 列）" in out
    assert _hash(ready_dir) == before
    # Writing the error file is the one thing a dry run may record: an audited export.
    main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--dry-run", "--errors", str(errors)])
    assert _members(ready_dir) == {}
    ws = openpyxl.load_workbook(errors).active
    assert ws.max_row == 3 and ws.cell(1, ws.max_column).value == "错误原因"


def test_import_needs_yes_without_a_terminal(ready_dir, roster, capsys, monkeypatch):
    path, _ = roster
    monkeypatch.setattr("sys.stdin", None)
    before = _hash(ready_dir)
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir)]) == 2
    assert "请加 --yes" in capsys.readouterr().err
    assert _hash(ready_dir) == before


def test_import_with_yes_saves_the_good_rows(ready_dir, roster, capsys):
    path, rows = roster
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--yes"]) == 1  # some rejected
    assert "已导入 2 名会员；未导入 2 行" in capsys.readouterr().out
    assert _members(ready_dir) == {rows[0]["姓名"]: rows[0]["身份证号码"], rows[2]["姓名"]: rows[2]["身份证号码"]}


def test_mapping_override_and_defaults(ready_dir, tmp_path, capsys):
    headers = ["姓名", "证件", "手机", "无关"]
    path = write_xlsx(tmp_path / "m.xlsx", [{"姓名": "王映射", "证件": make_id(seq="555"), "手机": "13900000555",
                                             "无关": "x"}], headers)
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--dry-run"]) == 2
    assert "没有对应到必需的列：身份证号码" in capsys.readouterr().err
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"证件": "身份证号码", "无关": None}, ensure_ascii=False), encoding="utf-8")
    args = ["roster", "import", str(path), "--data-dir", str(ready_dir), "--mapping", str(mapping),
            "--default", "民族=汉族", "--default", "职业=快递员", "--yes"]
    assert main(args) == 0
    assert _members(ready_dir) == {"王映射": make_id(seq="555")}
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--mapping", '{"证件": "喜好"}']) == 2
    assert "不认识的字段" in capsys.readouterr().err


def test_export_masked_and_full(ready_dir, roster, tmp_path, capsys):
    path, rows = roster
    main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--yes"])
    out = tmp_path / "out.xlsx"
    assert main(["roster", "export", "--data-dir", str(ready_dir), "--out", str(out)]) == 0
    ids = {r[4] for r in openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)}
    assert ids == {mask(rows[0]["身份证号码"]), mask(rows[2]["身份证号码"])}
    assert main(["roster", "export", "--data-dir", str(ready_dir), "--out", str(out), "--full",
                 "--filter", rows[0]["姓名"], "--status", "在会"]) == 0
    ids = {r[4] for r in openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)}
    assert ids == {rows[0]["身份证号码"]}
    assert "完整身份证号" in capsys.readouterr().out


def test_unreadable_file_is_a_clear_error(ready_dir, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\x00garbage")
    assert main(["roster", "import", str(bad), "--data-dir", str(ready_dir), "--dry-run"]) == 2
    assert "文件已损坏" in capsys.readouterr().err


@pytest.mark.parametrize("write, name", [(write_ods, "r.ods"), (write_xlsb, "r.xlsb")])
def test_dry_run_reads_ods_and_xlsb(ready_dir, tmp_path, capsys, write, name):
    rows = [person(1), person(2, 身份证号码=make_id(birth="19900230")), person(3)]
    path = write(tmp_path / name, rows)
    before = _hash(ready_dir)
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "工作表“花名册”" in out and "可以导入 2 行，不能导入 1 行" in out
    assert "第 3 行：身份证号码中的出生日期 19900230 不存在" in out
    assert _hash(ready_dir) == before
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--yes"]) == 1
    assert set(_members(ready_dir)) == {rows[0]["姓名"], rows[2]["姓名"]}


def test_wps_et_file_is_a_clear_error(ready_dir, tmp_path, capsys):
    et = tmp_path / "花名册.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert main(["roster", "import", str(et), "--data-dir", str(ready_dir), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "WPS" in err and "Excel 工作簿（*.xlsx）" in err


def test_join_date_option_and_the_report_of_incomplete_and_skipped_rows(ready_dir, tmp_path, capsys):
    headers = ["序号", "姓名", "身份证号码", "入会日期"]
    rows = [person(1, 入会日期="2024-05-06"), person(2, 入会日期=""), {"序号": "合计", "姓名": "", "入会日期": "2人"}]
    path = write_xlsx(tmp_path / "j.xlsx", rows, headers)
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "入会日期：取自表中的列（空白的为未知）" in out and "移交的会员名单（j.xlsx）" in out
    assert "跳过 1 行（不是会员）：\n  第 4 行：合计行，已跳过" in out
    assert "资料待补全（仍可导入，以后在会员页补全）2 行：缺 手机号码 2 人、民族 2 人、职业 2 人、入会日期 1 人" in out
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--join-date", "2024-13-01"]) == 2
    assert "入会日期“2024-13-01”无效" in capsys.readouterr().err
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--join-date", "2023-09-01",
                 "--yes"]) == 0
    ws = open_workspace(ready_dir)
    try:
        joined = sorted(r[0] for r in ws.db.conn.execute("SELECT join_date FROM members"))
    finally:
        ws.close()
    assert joined == ["2023-09-01", "2023-09-01"]


def test_join_date_unknown_option(ready_dir, tmp_path, capsys):
    path = write_xlsx(tmp_path / "u.xlsx", [person(1)])
    assert main(["roster", "import", str(path), "--data-dir", str(ready_dir), "--join-date", "unknown", "--yes"]) == 0
    assert "入会日期：未知" in capsys.readouterr().out
    ws = open_workspace(ready_dir)
    try:
        assert ws.db.conn.execute("SELECT join_date, missing_fields FROM members").fetchall() == [(None, "join_date")]
    finally:
        ws.close()
