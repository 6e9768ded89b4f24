"""Roster test helpers: real .xlsx/.xlsb/.ods/.xls/.csv files on disk and a canonical database hash."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, make_id, run_on

ROSTER_DAY = dt.date(2026, 11, 20)  # the rosters' rows joined before it: the app works on it here
_on_day = run_on(ROSTER_DAY)

HEADERS = ["序号", "姓名", "身份证号码", "手机号码", "民族", "职业", "平台", "入会日期", "备注"]
_GIVEN = "明华强伟芳娜敏静丽军洋勇艳杰涛超秀霞平刚"
HASHED_TABLES = ("members", "member_keys", "member_status_history", "consents", "change_log", "audit_log")


def person(n: int, **over) -> dict:
    """A valid roster row (as a dict by header) for synthetic person ``n``."""
    row = {"序号": n, "姓名": "王" + _GIVEN[n % 20] + _GIVEN[n // 20 % 20], "身份证号码": make_id(seq=f"{n:03d}"),
           "手机号码": f"1381234{n:04d}", "民族": "汉族", "职业": "快递员", "平台": "顺丰",
           "入会日期": "2025-03-01", "备注": ""}
    row.update(over)
    return row


def write_xlsx(path: Path, rows: list[dict], headers: list[str] = HEADERS, *, title: str | None = None,
               sheet: str = "花名册") -> Path:
    """Through openpyxl like a clerk's Excel: values keep their Python type (an int or float
    ID number becomes a NUMBER cell)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed as '=... in Excel, not a formula
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[dict], headers: list[str] = HEADERS, encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(headers)
    for row in rows:
        w.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def db_hash(db) -> str:
    """SHA-256 of a canonical dump of the member tables, change log and audit log."""
    h = hashlib.sha256()
    for table in HASHED_TABLES:
        cols = [r[1] for r in db.conn.execute(f"PRAGMA table_info({table})")]
        order = ", ".join(cols)
        for row in db.conn.execute(f"SELECT {order} FROM {table} ORDER BY {order}"):
            h.update(repr((table, row)).encode("utf-8"))
    return h.hexdigest()


@pytest.fixture
def ready_dir(data_dir):
    """A set-up data folder, closed again (so a CLI run in the test can open it)."""
    ws = open_workspace(data_dir)
    ws.set_up(SETUP)
    ws.close()
    return data_dir


# --- files as other office suites save them, written by hand (no library writes these) ---

_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _ods_cell(value) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        return f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}"/>'
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f'<text:p>{value}</text:p></table:table-cell>')
    if isinstance(value, dt.date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def ods_content(rows: list[dict], headers: list[str] = HEADERS, *, sheet: str = "花名册", tail: str = "",
                prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    """content.xml of a one-sheet spreadsheet; ``tail`` is raw XML after the data rows
    (LibreOffice ends a sheet with a repeated empty row)."""
    lines = [[h for h in headers]] + [[row.get(h, "") for h in headers] for row in rows]
    body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in line) + "</table:table-row>" for line in lines)
    return (f'{prolog}<office:document-content {_ODS_NS} office:version="1.2"><office:body><office:spreadsheet>'
            f'<table:table table:name="{escape(sheet)}">{body}{tail}</table:table>'
            '</office:spreadsheet></office:body></office:document-content>')


def write_ods(path: Path, rows: list[dict] = (), headers: list[str] = HEADERS, *, content: str | bytes | None = None,
              manifest_doctype: bool = False, **kw) -> Path:
    """An OpenDocument spreadsheet as LibreOffice/WPS lay it out: ``mimetype`` first and
    stored, then content.xml and META-INF/manifest.xml (deflated)."""
    if content is None:
        content = ods_content(list(rows), headers, **kw)
    doctype = ('<!DOCTYPE manifest:manifest PUBLIC "-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd">'
               if manifest_doctype else "")  # OpenOffice.org 2.x wrote this
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>' + doctype +
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="'
                + ODS_MIMETYPE.decode() + '"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content if isinstance(content, bytes) else content.encode("utf-8"),
                    compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def biff12_record(typ: int, data: bytes = b"") -> bytes:
    """One BIFF12 record (MS-XLSB 2.1.4): type and size as little-endian 7-bit groups."""
    out = bytearray()
    out += bytes([typ & 0x7F | 0x80, typ >> 7]) if typ >= 0x80 else bytes([typ])
    size = len(data)
    while True:
        byte, size = size & 0x7F, size >> 7
        out.append(byte | (0x80 if size else 0))
        if not size:
            break
    return bytes(out) + data


def _wide(text: str) -> bytes:  # XLWideString: character count, then UTF-16LE
    return struct.pack("<I", len(text.encode("utf-16-le")) // 2) + text.encode("utf-16-le")


def xlsb_parts(rows: list[dict], headers: list[str] = HEADERS, *, sheet: str = "花名册") -> dict[str, bytes]:
    """The parts of a minimal .xlsb built from its documented records (MS-XLSB): a
    workbook with one sheet (BrtBundleSh), and the sheet's cells as inline strings
    (BrtCellSt) and numbers (BrtCellReal) — no shared strings, no styles."""
    rec = biff12_record
    book = (rec(0x83) + rec(0x8F) + rec(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide(sheet))
            + rec(0x90) + rec(0x84))
    lines = [list(headers)] + [[row.get(h, "") for h in headers] for row in rows]
    cells = bytearray()
    for r, line in enumerate(lines):
        cells += rec(0x00, struct.pack("<IIHBBBI", r, 0, 300, 0, 0, 0, 0))  # BrtRowHdr
        for c, value in enumerate(line):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells += rec(0x05, struct.pack("<IId", c, 0, float(value)))
            elif value not in (None, ""):
                cells += rec(0x06, struct.pack("<II", c, 0) + _wide(str(value)))
    dim = struct.pack("<iiii", 0, len(lines) - 1, 0, len(headers) - 1)
    sheet_bin = rec(0x81) + rec(0x94, dim) + rec(0x91) + bytes(cells) + rec(0x92) + rec(0x82)
    rel = ('<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{t}" '
           'Target="{to}"/>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>')
    types = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Override PartName="/xl/workbook.bin" '
             'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
             '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
             '</Types>')
    return {
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": rels.format(rel.format(id="rId1", t="officeDocument", to="xl/workbook.bin")).encode(),
        "xl/workbook.bin": book,
        "xl/_rels/workbook.bin.rels": rels.format(
            rel.format(id="rId1", t="worksheet", to="worksheets/sheet1.bin")).encode(),
        "xl/worksheets/sheet1.bin": sheet_bin,
    }


def write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def write_xlsb(path: Path, rows: list[dict] = (), headers: list[str] = HEADERS, **kw) -> Path:
    return write_parts(path, xlsb_parts(list(rows), headers, **kw))
