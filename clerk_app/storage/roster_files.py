"""Reading roster files (.xlsx, .xls, .csv) into plain rows, defensively.

Spreadsheets are read by python-calamine (fast, and reads legacy .xls). Everything that
comes from a clerk's file is untrusted, so before calamine sees an .xlsx its zip
directory is checked (size, entry count, compression ratio, overlapping entries) and its
XML parts are refused if they declare a DOCTYPE (entity expansion bombs). Any failure is
an :class:`ImportRejected` with a Chinese message — never a traceback.

Cells are returned as calamine gives them (str, float, int, bool, date, datetime ...);
turning them into member fields is :mod:`clerk_app.services.roster_import`'s job.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from ..domain.roster_cells import is_blank
from ..domain.roster_columns import ImportRejected, header_score

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED = 600 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for the archive as a whole
HEADER_SEARCH_ROWS = 15

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPREADSHEET_EXTS = {".xlsx": "Excel", ".xlsm": "Excel", ".xls": "Excel 97-2003"}
CSV_EXTS = {".csv", ".txt"}


@dataclass
class RosterTable:
    """One sheet: its header row and the data rows under it, with Excel row numbers."""

    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as Excel shows it, cells)
    header_row: int = 1
    sheet: str = ""
    sheet_names: list[str] = field(default_factory=list)
    kind: str = ""  # "xlsx" | "xls" | "csv"
    encoding: str = ""  # CSV only


def read_roster(path: str | Path, sheet: str | None = None) -> RosterTable:
    """Read the first sheet (or ``sheet``) of a roster file; find its header row."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImportRejected("roster.file_missing", path=str(path))
    except FileNotFoundError:
        raise ImportRejected("roster.file_missing", path=str(path)) from None
    except OSError as exc:
        raise ImportRejected("roster.file_unreadable", path=str(path), detail=exc.strerror or "") from None
    if size > MAX_FILE_BYTES:
        raise ImportRejected("roster.file_too_large", size=size // (1024 * 1024), max=MAX_FILE_BYTES // (1024 * 1024))
    ext = path.suffix.lower()
    if ext not in SPREADSHEET_EXTS and ext not in CSV_EXTS:
        raise ImportRejected("roster.unsupported_type", ext=ext or path.name)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ImportRejected("roster.file_unreadable", path=str(path), detail=exc.strerror or "") from None
    if head.startswith(ZIP_MAGIC):
        check_zip(path)
        cells, names, used = _read_spreadsheet(path, sheet, "Excel")
        kind, encoding = "xlsx", ""
    elif head.startswith(OLE_MAGIC):
        cells, names, used = _read_spreadsheet(path, sheet, SPREADSHEET_EXTS.get(ext, "Excel 97-2003"))
        kind, encoding = "xls", ""
    elif ext in SPREADSHEET_EXTS:
        raise ImportRejected("roster.corrupt", kind=SPREADSHEET_EXTS[ext])
    else:
        cells, encoding = _read_csv(path)
        names, used, kind = [], "", "csv"
    return _table(cells, used, names, kind, encoding)


def check_zip(path: Path) -> None:
    """Refuse zip bombs and entity bombs before any parser expands them."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise ImportRejected("roster.zip_bomb")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos)
            if total > MAX_UNCOMPRESSED or (total > 1024 * 1024 and total > MAX_RATIO * max(packed, 1)):
                raise ImportRejected("roster.zip_bomb")
            _check_no_overlap(infos, path.stat().st_size)
            if "xl/workbook.xml" not in {i.filename for i in infos}:
                raise ImportRejected("roster.corrupt", kind="Excel")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as part:
                        prolog = part.read(2048)
                    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper() or \
                            b"<\x00!\x00D\x00O\x00C\x00" in prolog.upper():
                        raise ImportRejected("roster.xml_unsafe")
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            ValueError, RuntimeError):  # RuntimeError: an encrypted entry
        raise ImportRejected("roster.corrupt", kind="Excel") from None


def _check_no_overlap(infos: list[zipfile.ZipInfo], archive_size: int) -> None:
    """Entries whose data overlap (the "overlapped zip" bomb) or point past the end."""
    spans = sorted((i.header_offset, i.header_offset + 30 + len(i.filename.encode()) + i.compress_size)
                   for i in infos)
    end_prev = 0
    for start, end in spans:
        if start < end_prev or end > archive_size:
            raise ImportRejected("roster.zip_bomb")
        end_prev = end


def _read_spreadsheet(path: Path, sheet: str | None, kind: str) -> tuple[list[list[object]], list[str], str]:
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            names = list(wb.sheet_names)
            if sheet:
                if sheet not in names:
                    raise ImportRejected("roster.sheet_not_found", sheet=sheet, names="、".join(names))
                ws = wb.get_sheet_by_name(sheet)
            else:
                if not names:
                    raise ImportRejected("roster.empty")
                ws = wb.get_sheet_by_index(0)
            if ws.total_height > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise ImportRejected("roster.too_many_rows", max=MAX_ROWS)
            if ws.total_width > MAX_COLUMNS:
                raise ImportRejected("roster.too_many_columns", cols=ws.total_width, max=MAX_COLUMNS)
            cells = ws.to_python(skip_empty_area=False)
            return cells, names, ws.name
        finally:
            wb.close()
    except ImportRejected:
        raise
    except python_calamine.PasswordError:
        raise ImportRejected("roster.encrypted") from None
    except BaseException as exc:  # noqa: BLE001 - see below
        # The parser is fed untrusted bytes: whatever it raises (CalamineError, XmlError,
        # ZipError, ValueError, or a Rust panic surfacing as pyo3's PanicException, which
        # derives from BaseException) means "this file cannot be read". Interrupts still
        # propagate.
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise
        raise ImportRejected("roster.corrupt", kind=kind) from None


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) strictly, else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # UTF-16 or binary: decodes "successfully" but is not a CSV we know
            break
        return text, "utf-8" if encoding == "utf-8-sig" else "gb18030"
    raise ImportRejected("roster.unknown_encoding")


def _read_csv(path: Path) -> tuple[list[list[object]], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRejected("roster.file_unreadable", path=str(path), detail=exc.strerror or "") from None
    text, encoding = decode_csv_bytes(data)
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[object]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise ImportRejected("roster.too_many_rows", max=MAX_ROWS)
            if len(row) > MAX_COLUMNS:
                raise ImportRejected("roster.too_many_columns", cols=len(row), max=MAX_COLUMNS)
            rows.append(list(row))
    except csv.Error:
        raise ImportRejected("roster.corrupt", kind="CSV") from None
    return rows, encoding


def _table(cells: list[list[object]], sheet: str, names: list[str], kind: str, encoding: str) -> RosterTable:
    """Find the header row among the first rows (titles like “会员花名册” often sit above
    it), and keep the non-blank rows under it with their Excel row numbers."""
    if not any(not is_blank(c) for row in cells[:HEADER_SEARCH_ROWS] for c in row):
        raise ImportRejected("roster.empty")
    best, best_score = -1, 0
    for i, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        score = header_score(row)
        if score > best_score:
            best, best_score = i, score
    if best < 0 or best_score < 2:
        raise ImportRejected("roster.no_header")
    header_cells = cells[best]
    width = max(len(r) for r in cells[best:]) if cells[best:] else len(header_cells)
    headers = [("" if is_blank(c) else str(c).strip()) for c in header_cells] + [""] * (width - len(header_cells))
    rows = []
    for i in range(best + 1, len(cells)):
        row = cells[i]
        if all(is_blank(c) for c in row):
            continue
        rows.append((i + 1, list(row) + [""] * (width - len(row))))
    if len(rows) > MAX_ROWS:
        raise ImportRejected("roster.too_many_rows", max=MAX_ROWS)
    return RosterTable(headers=headers, rows=rows, header_row=best + 1, sheet=sheet,
                       sheet_names=names, kind=kind, encoding=encoding)
