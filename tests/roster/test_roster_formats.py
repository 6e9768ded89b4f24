"""Spreadsheets as offices save them: .ods (LibreOffice, WPS), .xlsb, and valid .xlsx
packages laid out unusually — accepted; the same hostile-archive guards as .xlsx apply.

Every file is written by the test. Before asserting the app accepts one, the test checks
that calamine itself reads it, so an "accepted" file is one the reader can really read."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile

import pytest
import python_calamine

from clerk_app.domain.messages import MESSAGES
from clerk_app.domain.roster_columns import ImportRejected
from clerk_app.sheets import roster_files
from clerk_app.sheets.roster_files import read_roster

from .conftest import (
    HEADERS,
    biff12_record,
    ods_content,
    person,
    write_ods,
    write_parts,
    write_xlsb,
    write_xlsx,
    xlsb_parts,
)

ROWS = [person(1, 入会日期=dt.date(2025, 3, 1)), person(2, 姓名="王䶮")]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def calamine_rows(path) -> list[list[object]]:
    """What calamine itself reads from the first sheet (raises if it cannot)."""
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return wb.get_sheet_by_index(0).to_python()
    finally:
        wb.close()


def _rejected(path, code):
    with pytest.raises(ImportRejected) as err:
        read_roster(path)
    assert err.value.code == code and code in MESSAGES
    return err.value


def _assert_roster(table, kind):
    assert table.kind == kind and table.headers == HEADERS and table.sheet == "花名册"
    assert [n for n, _ in table.rows] == [2, 3]
    first, second = (cells for _, cells in table.rows)
    assert first[1] == ROWS[0]["姓名"] and first[2] == ROWS[0]["身份证号码"] and second[1] == "王䶮"


# --- OpenDocument ---------------------------------------------------------------------

def test_ods_is_read(tmp_path):
    path = write_ods(tmp_path / "花名册.ods", ROWS)
    assert calamine_rows(path)[0] == HEADERS
    table = read_roster(path)
    _assert_roster(table, "ods")
    assert table.rows[0][1][7] == dt.date(2025, 3, 1) and table.rows[0][1][0] == 1.0


def test_ods_as_libreoffice_and_old_openoffice_write_it(tmp_path):
    # LibreOffice ends a sheet with one empty row "repeated" to the last row of the grid,
    # and empty styled cells repeated to the last column; OpenOffice.org 2 put an external
    # DOCTYPE in the manifest. None of that is content, none of it is dangerous.
    tail = ('<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
            'table:style-name="ce1" table:number-columns-repeated="1024"/></table:table-row>')
    path = write_ods(tmp_path / "lo.ods", ROWS, tail=tail, manifest_doctype=True)
    assert len(calamine_rows(path)) == 3
    _assert_roster(read_roster(path), "ods")


def test_ods_saved_under_an_xlsx_name_is_read_by_content(tmp_path):
    path = write_ods(tmp_path / "改了扩展名.xlsx", ROWS)
    _assert_roster(read_roster(path), "ods")


# --- .xlsb ----------------------------------------------------------------------------

def test_xlsb_is_read(tmp_path):
    path = write_xlsb(tmp_path / "花名册.xlsb", ROWS)
    assert calamine_rows(path)[2][1] == "王䶮"
    _assert_roster(read_roster(path), "xlsb")


# --- valid .xlsx packages the guard used to call corrupt ------------------------------

def _minimal_package(path, *, absolute: bool = False):
    """Like calamine's minimal_package.xlsx: workbook and sheet at the root of the zip
    (found only through _rels), inline strings, no styles, no shared strings, no docProps."""
    def cell(ref, value):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    lines = [HEADERS] + [[str(r[h]) for h in HEADERS] for r in ROWS]
    rows = "".join(f'<row r="{i}">' + "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(line)) + "</row>"
                   for i, line in enumerate(lines, start=1))
    target = "/workbook.xml" if absolute else "workbook.xml"
    rel = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'
    return write_parts(path, {
        "[Content_Types].xml": (
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Override PartName="/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.sheet.main+xml"/><Override PartName="/sheet1.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": rel.format(f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
                                  f'Target="{target}"/>').encode(),
        "workbook.xml": (f'<workbook {NS} xmlns:r="{REL_NS}"><sheets><sheet name="花名册" sheetId="1" '
                         'r:id="rId1"/></sheets></workbook>').encode(),
        "_rels/workbook.xml.rels": rel.format(f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" '
                                              'Target="sheet1.xml"/>').encode(),
        "sheet1.xml": (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{rows}</sheetData>'
                       '</worksheet>').encode(),
    })


@pytest.mark.parametrize("absolute", [False, True])
def test_minimal_package_at_the_zip_root(tmp_path, absolute):
    path = _minimal_package(tmp_path / "minimal.xlsx", absolute=absolute)
    assert calamine_rows(path)[1][1] == ROWS[0]["姓名"]
    _assert_roster(read_roster(path), "xlsx")


def _rewrite(src, dst, rename=lambda n: n, change=lambda n, d: d):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(rename(info.filename), change(info.filename, zin.read(info)))
    return dst


def test_backslashes_in_entry_names(tmp_path):
    # Like calamine's issue_530.xlsx (saved by a Windows tool): "xl\\workbook.xml".
    src = write_xlsx(tmp_path / "src.xlsx", ROWS)
    path = _rewrite(src, tmp_path / "backslash.xlsx", rename=lambda n: n.replace("/", "\\"))
    assert "xl\\workbook.xml" in zipfile.ZipFile(path).namelist()
    assert calamine_rows(path)[0] == HEADERS
    _assert_roster(read_roster(path), "xlsx")


def test_byte_order_marks_and_utf16_parts(tmp_path):
    # Every XML part with a UTF-8 byte-order mark; the content types in UTF-16 (calamine
    # reads UTF-16 only in the parts it does not parse as sheets, so only that one).
    src = write_xlsx(tmp_path / "src.xlsx", ROWS)

    def recode(name, data):
        if not name.endswith((".xml", ".rels")):
            return data
        if name == "[Content_Types].xml":
            return data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
        return b"\xef\xbb\xbf" + data
    path = _rewrite(src, tmp_path / "bom.xlsx", change=recode)
    assert zipfile.ZipFile(path).read("[Content_Types].xml")[:2] == b"\xff\xfe"
    assert calamine_rows(path)[0] == HEADERS
    _assert_roster(read_roster(path), "xlsx")


def test_far_empty_styled_cells_are_not_content(tmp_path):
    # Like calamine's issue_174.xlsx: a formatted but empty row at the bottom of the grid.
    src = write_xlsx(tmp_path / "src.xlsx", ROWS)
    far = '<row r="1048574"><c r="A1048574" s="0"/><c r="XFD1048574" s="0"/></row></sheetData>'
    path = _rewrite(src, tmp_path / "far-empty.xlsx", change=lambda n, d: d.replace(
        b"</sheetData>", far.encode()) if n == "xl/worksheets/sheet1.xml" else d)
    assert len(calamine_rows(path)) == 3
    _assert_roster(read_roster(path), "xlsx")


# --- the guards, for every zip-based format -------------------------------------------

_BOMB_DTD = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def test_entity_bomb_in_ods_content(tmp_path):
    content = ods_content(ROWS, prolog='<?xml version="1.0" encoding="UTF-8"?>' + _BOMB_DTD)
    _rejected(write_ods(tmp_path / "bomb.ods", content=content.replace("王䶮", "&b;")), "roster.xml_unsafe")


def test_entity_bomb_in_utf16_part(tmp_path):
    src = write_xlsx(tmp_path / "src.xlsx", ROWS)

    def bomb(name, data):
        if name != "[Content_Types].xml":
            return data
        text = data.decode("utf-8").split("?>", 1)[-1].replace("<Types", "<Types a='&b;'")
        return ('<?xml version="1.0" encoding="UTF-16"?>' + _BOMB_DTD + text).encode("utf-16")
    _rejected(_rewrite(src, tmp_path / "bomb16.xlsx", change=bomb), "roster.xml_unsafe")


def test_entity_bomb_in_xlsb_relationships(tmp_path):
    parts = xlsb_parts(ROWS)
    parts["xl/_rels/workbook.bin.rels"] = parts["xl/_rels/workbook.bin.rels"].replace(
        b"?>", b"?>" + _BOMB_DTD.encode(), 1)
    _rejected(write_parts(tmp_path / "bomb.xlsb", parts), "roster.xml_unsafe")


def test_zip_bomb_ods_and_xlsb(tmp_path):
    with zipfile.ZipFile(write_ods(tmp_path / "z.ods", ROWS), "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Thumbnails/big.png", b"\0" * (30 << 20))
    _rejected(tmp_path / "z.ods", "roster.zip_bomb")
    parts = {**xlsb_parts(ROWS), "xl/media/big.bin": b"\0" * (30 << 20)}
    _rejected(write_parts(tmp_path / "z.xlsb", parts), "roster.zip_bomb")


def test_ods_repeat_bomb_is_refused_before_the_reader_expands_it(tmp_path):
    # One row "repeated" three million times, thirty values wide: ~1 KB on disk, ~90
    # million cells (gigabytes, or an abort) in the reader. calamine is not asked.
    rows = ('<table:table-row table:number-rows-repeated="3000000"><table:table-cell '
            'table:number-columns-repeated="30" office:value-type="string"><text:p>x</text:p>'
            '</table:table-cell></table:table-row>')
    path = write_ods(tmp_path / "repeat.ods", ROWS, tail=rows)
    assert path.stat().st_size < 4000
    _rejected(path, "roster.too_many_rows")
    wide = ('<table:table-row><table:table-cell table:number-columns-repeated="5000" '
            'office:value-type="float" office:value="1"/></table:table-row>')
    err = _rejected(write_ods(tmp_path / "wide.ods", ROWS, tail=wide), "roster.too_many_columns")
    assert "5000" in err.message


def test_one_far_cell_is_refused_before_the_reader_allocates_the_grid(tmp_path):
    src = write_xlsx(tmp_path / "src.xlsx", ROWS)
    far = b'<row r="1048000"><c r="WNO1048000"><v>1</v></c></row></sheetData>'
    path = _rewrite(src, tmp_path / "far.xlsx", change=lambda n, d: d.replace(b"</sheetData>", far)
                    if n == "xl/worksheets/sheet1.xml" else d)
    _rejected(path, "roster.too_many_rows")
    # the same cell without a cell reference, placed by its row alone
    far = b'<row r="1048000"><c><v>1</v></c></row></sheetData>'
    path = _rewrite(src, tmp_path / "far2.xlsx", change=lambda n, d: d.replace(b"</sheetData>", far)
                    if n == "xl/worksheets/sheet1.xml" else d)
    _rejected(path, "roster.too_many_rows")


def test_far_cell_in_xlsb(tmp_path):
    parts = xlsb_parts(ROWS)
    far = (biff12_record(0x00, struct.pack("<IIHBBBI", 1048000, 0, 300, 0, 0, 0, 0))  # BrtRowHdr
           + biff12_record(0x05, struct.pack("<IId", 16000, 0, 1.0)))  # BrtCellReal
    end_data = biff12_record(0x92)
    sheet = parts["xl/worksheets/sheet1.bin"]
    parts["xl/worksheets/sheet1.bin"] = sheet.replace(end_data, far + end_data)
    _rejected(write_parts(tmp_path / "far.xlsb", parts), "roster.too_many_rows")


def test_row_cap_for_ods_and_xlsb(tmp_path, monkeypatch):
    many = [person(n) for n in range(1, 30)]
    ods, xlsb = write_ods(tmp_path / "m.ods", many), write_xlsb(tmp_path / "m.xlsb", many)
    assert len(read_roster(ods).rows) == len(read_roster(xlsb).rows) == 29
    monkeypatch.setattr(roster_files, "MAX_ROWS", 10)
    _rejected(ods, "roster.too_many_rows")
    _rejected(xlsb, "roster.too_many_rows")


def test_guards_see_markers_split_across_read_chunks(tmp_path, monkeypatch):
    """The archive is read in chunks; a marker or tag cut in two must still be seen."""
    ok = [write_ods(tmp_path / "ok.ods", ROWS), write_xlsb(tmp_path / "ok.xlsb", ROWS),
          write_xlsx(tmp_path / "ok.xlsx", ROWS)]
    bomb = write_ods(tmp_path / "bomb.ods", content=ods_content(
        ROWS, prolog='<?xml version="1.0"?>' + _BOMB_DTD))
    far = write_ods(tmp_path / "far.ods", ROWS, tail=(
        '<table:table-row table:number-rows-repeated="3000000"><table:table-cell office:value-type="string">'
        '<text:p>x</text:p></table:table-cell></table:table-row>'))
    parts = xlsb_parts(ROWS)
    parts["xl/worksheets/sheet1.bin"] = parts["xl/worksheets/sheet1.bin"].replace(
        biff12_record(0x92), biff12_record(0x00, struct.pack("<IIHBBBI", 900000, 0, 300, 0, 0, 0, 0))
        + biff12_record(0x06, struct.pack("<II", 0, 0) + b"\x01\x00\x00\x00x\x00") + biff12_record(0x92))
    far_xlsb = write_parts(tmp_path / "far.xlsb", parts)
    for chunk in (1, 3, 7, 64):
        monkeypatch.setattr(roster_files, "_CHUNK", chunk)
        for path in ok:
            assert len(read_roster(path).rows) == 2
        _rejected(bomb, "roster.xml_unsafe")
        _rejected(far, "roster.too_many_rows")
        _rejected(far_xlsb, "roster.too_many_rows")


# --- file names -----------------------------------------------------------------------

@pytest.mark.parametrize("ext", [".et", ".ett", ".ET"])
def test_wps_et_file_is_told_to_save_as_xlsx(tmp_path, ext):
    path = tmp_path / f"花名册{ext}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an OLE file, as WPS writes .et
    err = _rejected(path, "roster.wps_et")
    assert "WPS" in err.message and ".xlsx" in err.message and "另存为" in err.message


def test_unsupported_type_lists_the_formats(tmp_path):
    path = tmp_path / "x.numbers"
    path.write_bytes(b"PK\x03\x04")
    err = _rejected(path, "roster.unsupported_type")
    assert ".ods" in err.message and ".xlsb" in err.message


def test_file_dialog_offers_every_readable_spreadsheet_type():
    pytest.importorskip("PySide6")
    from clerk_app.ui.roster_import_wizard import FILE_FILTER

    offered = set(FILE_FILTER.split(";;")[0].split("（")[1].rstrip("）").split())
    assert offered == {f"*{ext}" for ext in roster_files.SPREADSHEET_EXTS} | {"*.csv"}
