"""Reading files: formats, encodings, header detection, caps and hostile archives."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from clerk_app.domain.roster_columns import (
    ImportRejected, field_for_header, header_signature, normalise_header, propose_mapping,
)
from clerk_app.sheets import roster_files
from clerk_app.sheets.roster_files import decode_csv_bytes, read_roster

from .conftest import HEADERS, person, write_csv, write_xlsx


def _rejected(path, code, **kw):
    with pytest.raises(ImportRejected) as err:
        read_roster(path, **kw)
    assert err.value.code == code
    assert not err.value.message.startswith("[")  # a real Chinese sentence, not an unknown code
    return err.value


def test_xlsx_cells_keep_their_types_and_row_numbers(tmp_path):
    row = person(1, 入会日期=dt.date(2025, 3, 1), 手机号码=13812340001)
    table = read_roster(write_xlsx(tmp_path / "a.xlsx", [row, person(2)], title="会员花名册"))
    assert table.kind == "xlsx" and table.sheet == "花名册" and table.header_row == 2
    assert table.headers == HEADERS
    (n1, cells1), (n2, _) = table.rows
    assert (n1, n2) == (3, 4)
    assert cells1[0] == 1.0 and cells1[3] == 13812340001.0 and cells1[7] == dt.date(2025, 3, 1)


def test_named_sheet_and_missing_sheet(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [person(1)], sheet="第二批")
    assert read_roster(path, sheet="第二批").sheet == "第二批"
    err = _rejected(path, "roster.sheet_not_found", sheet="第一批")
    assert "第二批" in err.message


def test_legacy_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("花名册")
    for c, h in enumerate(HEADERS):
        ws.write(0, c, h)
    for r, row in enumerate([person(1, 姓名="王䶮"), person(2)], start=1):
        for c, h in enumerate(HEADERS):
            ws.write(r, c, row[h])
    path = tmp_path / "old.xls"
    wb.save(str(path))
    table = read_roster(path)
    assert table.kind == "xls" and table.headers == HEADERS
    assert table.rows[0][1][1] == "王䶮" and table.rows[1][0] == 3


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gb18030"),
                                                ("gb18030", "gb18030")])
def test_csv_encodings(tmp_path, encoding, detected):
    rows = [person(1, 姓名="欧阳明"), person(2, 备注="备注，含逗号\n和换行")]
    table = read_roster(write_csv(tmp_path / "r.csv", rows, encoding=encoding))
    assert table.encoding == detected and table.headers == HEADERS
    assert table.rows[0][1][1] == "欧阳明" and table.rows[1][1][8] == "备注，含逗号\n和换行"


def test_csv_rare_characters_outside_gbk_need_utf8(tmp_path):
    table = read_roster(write_csv(tmp_path / "r.csv", [person(1, 姓名="𠮷田䶮")]))
    assert table.rows[0][1][1] == "𠮷田䶮"


def test_unknown_encoding(tmp_path):
    with pytest.raises(ImportRejected) as err:
        decode_csv_bytes("姓名,身份证号码\n".encode("utf-16"))
    assert err.value.code == "roster.unknown_encoding"
    path = tmp_path / "u.csv"
    path.write_bytes("姓名,身份证号码\n王,1\n".encode("utf-16"))
    _rejected(path, "roster.unknown_encoding")


@pytest.mark.parametrize("name, data, code", [
    ("x.xlsx", b"this is not a spreadsheet", "roster.corrupt"),
    ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "roster.corrupt"),
    ("x.xlsx", b"PK\x03\x04" + b"\x00" * 100, "roster.corrupt"),
    ("x.pdf", b"%PDF-1.4", "roster.unsupported_type"),
    ("x.csv", b"", "roster.empty"),
    ("x.csv", "只有一行标题\n".encode(), "roster.no_header"),
])
def test_unusable_files(tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    _rejected(path, code)


def test_missing_file(tmp_path):
    _rejected(tmp_path / "none.xlsx", "roster.file_missing")


def test_size_and_row_caps(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "big.xlsx", [person(n) for n in range(1, 30)])
    monkeypatch.setattr(roster_files, "MAX_ROWS", 10)
    _rejected(path, "roster.too_many_rows")
    _rejected(write_csv(tmp_path / "big.csv", [person(n) for n in range(1, 30)]), "roster.too_many_rows")
    monkeypatch.setattr(roster_files, "MAX_FILE_BYTES", 1000)
    _rejected(path, "roster.file_too_large")


def _zip(path, entries: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_zip_bomb_ratio_and_entry_count(tmp_path):
    _rejected(_zip(tmp_path / "ratio.xlsx", {"xl/workbook.xml": b"<x/>", "xl/big.xml": b"\0" * (30 << 20)}),
              "roster.zip_bomb")
    many = {f"xl/p{i}.xml": b"" for i in range(roster_files.MAX_ZIP_ENTRIES + 1)}
    _rejected(_zip(tmp_path / "many.xlsx", {"xl/workbook.xml": b"<x/>", **many}), "roster.zip_bomb")


def test_overlapped_zip_entries(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>" * 50)
        zf.writestr("xl/sharedStrings.xml", b"<sst/>" * 50)
    data = bytearray(buf.getvalue())
    second_cd = data.rfind(b"PK\x01\x02")  # central directory entry of the second file
    data[second_cd + 42:second_cd + 46] = (0).to_bytes(4, "little")  # point it at the first file's data
    path = tmp_path / "overlap.xlsx"
    path.write_bytes(bytes(data))
    _rejected(path, "roster.zip_bomb")


def test_xml_entity_bomb_in_worksheet(tmp_path):
    real = write_xlsx(tmp_path / "real.xlsx", [person(1)])
    doctype = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?>' + doctype + data.replace(b"<t>", b"<t>&lol2;", 1)
            dst.writestr(info.filename, data)
    _rejected(out, "roster.xml_unsafe")


@pytest.mark.parametrize("header, fname", [
    ("姓名", "name"), ("公民身份号码", "id_number"), ("证件号码", "id_number"), ("身份证号", "id_number"),
    ("身份证号码（18位）", "id_number"), ("*身份证号码", "id_number"), ("联系电话", "phone"), ("手 机", "phone"),
    ("电话", "phone"), ("工作单位", "employer"), ("单位", "employer"), ("工种", "occupation"),
    ("文化程度", "education"), ("户籍类型", "household_type"), ("入会时间", "join_date"), ("站点", "work_area"),
    ("民　族", "ethnicity"), ("＊姓名：", "name"), ("性别", "gender"), ("序号", ""), ("职称", "professional_title"),
    ("入会方式", "join_channel"), ("籍贯", "native_place"), ("政治面貌", "political_status"),
    ("会员手机号", "phone"), ("喜好", None),
])
def test_header_synonyms(header, fname):
    assert field_for_header(header) == fname


def test_exact_header_beats_partial_and_signature_ignores_decoration():
    headers = ["紧急联系人电话", "姓名", "手机", "身份证号"]
    mapping = propose_mapping(headers)
    assert mapping.column_of("phone") == 2 and mapping.column_of("name") == 1
    assert header_signature(["*姓名", "身份证号 "]) == header_signature(["姓名", "身份证号"])
    assert header_signature(["姓名", "身份证号"]) != header_signature(["身份证号", "姓名"])
    assert normalise_header("  ＊身份证号码（必填） ") == "身份证号码"
