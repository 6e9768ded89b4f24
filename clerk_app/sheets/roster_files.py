"""Reading roster files (.xlsx, .xlsb, .ods, .xls, .csv) into plain rows, defensively.

Spreadsheets are read by python-calamine (fast; reads legacy .xls, Excel's binary .xlsb
and the OpenDocument .ods that LibreOffice and WPS save). Everything that comes from a
clerk's file is untrusted, so before calamine sees a zip-based workbook (.xlsx, .xlsb,
.ods) the archive is checked for real danger only — total and per-archive expanded size,
entry count, compression ratio, overlapping entries, sizes that lie (every entry is
decompressed once, in bounded chunks, and its CRC checked) — and XML parts are refused if
they declare entities (``<!ENTITY``, or a DOCTYPE with an internal subset: entity
expansion bombs). Which parts a package has, what they are called and where they sit is
the reader's business, not the guard's: a valid package laid out unusually (parts at the
root, backslashes in names, no docProps) must pass. Any failure is an
:class:`ImportRejected` with a Chinese message — never a traceback.

Cells are returned as calamine gives them (str, float, int, bool, date, datetime ...);
turning them into member fields is :mod:`clerk_app.services.roster_import`'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
import zlib
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
# extension -> the format name shown in "not a valid ... file"
SPREADSHEET_EXTS = {".xlsx": "Excel", ".xlsm": "Excel", ".xls": "Excel 97-2003",
                    ".xlsb": "Excel 二进制工作簿（.xlsb）", ".ods": "OpenDocument 表格（.ods）"}
CSV_EXTS = {".csv", ".txt"}
WPS_EXTS = {".et", ".ett"}  # WPS 表格's own format: calamine cannot read it
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# zip content kind -> (extensions calamine dispatches on for it, format name)
ZIP_KINDS = {"xlsx": ({".xlsx", ".xlsm"}, "Excel"), "xlsb": ({".xlsb"}, SPREADSHEET_EXTS[".xlsb"]),
             "ods": ({".ods"}, SPREADSHEET_EXTS[".ods"])}
_CHUNK = 1 << 20
_MAX_TAG = 1 << 20  # no office suite writes a tag this long


@dataclass
class RosterTable:
    """One sheet: its header row and the data rows under it, with Excel row numbers."""

    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as Excel shows it, cells)
    header_row: int = 1
    sheet: str = ""
    sheet_names: list[str] = field(default_factory=list)
    kind: str = ""  # "xlsx" | "xlsb" | "ods" | "xls" | "csv" (what the file is, whatever its name)
    encoding: str = ""  # CSV only
    source: str = ""  # the file's name (a roster's consent basis names it)


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
    if ext in WPS_EXTS:
        raise ImportRejected("roster.wps_et", ext=ext)
    if ext not in SPREADSHEET_EXTS and ext not in CSV_EXTS:
        raise ImportRejected("roster.unsupported_type", ext=ext or path.name)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ImportRejected("roster.file_unreadable", path=str(path), detail=exc.strerror or "") from None
    if head.startswith(ZIP_MAGIC):
        kind = check_zip(path)
        exts, label = ZIP_KINDS[kind]
        # calamine picks its reader by the extension; a renamed file (an .ods saved as
        # "名单.xlsx") is read by content instead.
        cells, names, used = _read_spreadsheet(path, sheet, label, by_content=ext not in exts)
        encoding = ""
    elif head.startswith(OLE_MAGIC):  # .xls, or an .xlsx/.xlsb with an open password (calamine tells which)
        cells, names, used = _read_spreadsheet(path, sheet, SPREADSHEET_EXTS.get(ext, "Excel 97-2003"))
        kind, encoding = "xls", ""
    elif ext in SPREADSHEET_EXTS:
        raise ImportRejected("roster.corrupt", kind=SPREADSHEET_EXTS[ext])
    else:
        cells, encoding = _read_csv(path)
        names, used, kind = [], "", "csv"
    table = _table(cells, used, names, kind, encoding)
    table.source = path.name
    return table


def check_zip(path: Path) -> str:
    """Refuse zip bombs and entity bombs before any parser expands them; return what the
    package is ("xlsx", "xlsb" or "ods") so the right reader and message are used."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise ImportRejected("roster.zip_bomb")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos)
            if total > MAX_UNCOMPRESSED or (total > 1024 * 1024 and total > MAX_RATIO * max(packed, 1)):
                raise ImportRejected("roster.zip_bomb")
            with open(path, "rb") as raw:
                _check_no_overlap(infos, raw, path.stat().st_size)
            for info in infos:
                if not info.is_dir():
                    _scan_entry(zf, info)
            return _zip_kind(zf, infos)
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            ValueError, RuntimeError, zlib.error):  # RuntimeError: an encrypted entry
        raise ImportRejected("roster.corrupt", kind=SPREADSHEET_EXTS.get(path.suffix.lower(), "Excel")) from None


def _zip_kind(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str:
    """What the package is, from its content: an OpenDocument spreadsheet names itself in
    its ``mimetype`` entry; an .xlsb has a binary workbook part; anything else is left to
    the .xlsx reader (which decides whether it is a workbook at all)."""
    names = {i.filename.replace("\\", "/").lstrip("/").lower(): i for i in infos}
    mimetype = names.get("mimetype")
    if mimetype is not None and mimetype.file_size < 200 and zf.read(mimetype).strip() == ODS_MIMETYPE:
        return "ods"
    if "xl/workbook.bin" in names:
        return "xlsb"
    return "xlsx"


def _check_no_overlap(infos: list[zipfile.ZipInfo], raw, archive_size: int) -> None:
    """Entries whose data overlap (the "overlapped zip" bomb) or point past the end.

    Each entry's extent is taken from its own local header (name and extra-field lengths
    there may differ from the central directory's), as the readers will find it."""
    spans = []
    for info in infos:
        raw.seek(info.header_offset)
        local = raw.read(30)
        if len(local) < 30 or not local.startswith(ZIP_MAGIC):
            raise zipfile.BadZipFile("bad local header")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        spans.append((info.header_offset, info.header_offset + 30 + name_len + extra_len + info.compress_size))
    end_prev = 0
    for start, end in sorted(spans):
        if start < end_prev or end > archive_size:
            raise ImportRejected("roster.zip_bomb")
        end_prev = end


def _scan_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Decompress one entry in bounded chunks (zipfile stops at the declared size and checks
    the CRC, so a size that lies is found here, not in the reader). XML parts are checked
    for entity declarations in whatever encoding they are written; sheets — XML or .xlsb
    binary — for how far their cells reach, because the readers allocate the whole
    rectangle up to the farthest cell (one cell at XFD1048576, or one .ods row "repeated"
    a million times, is a few bytes in the file and gigabytes — or an abort — in the reader)."""
    with zf.open(info) as part:
        chunk = part.read(_CHUNK)
        encoding = _xml_encoding(chunk)
        if encoding is None:
            binary = _XlsbSheetExtent() if chunk.startswith(_BRT_BEGIN_SHEET) else None
            while chunk:
                if binary is not None:
                    binary.feed(chunk)
                chunk = part.read(_CHUNK)
            if binary is not None:
                _check_extent(binary.rows, binary.cols)
            return
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        extent = _XmlSheetExtent()
        carry = ""
        while chunk:
            carry = _scan_xml_text(carry + decoder.decode(chunk).lower(), extent)
            chunk = part.read(_CHUNK)
        _scan_xml_text(carry + decoder.decode(b"", final=True).lower(), extent, final=True)
        _check_extent(extent.rows, extent.cols)


def _check_extent(rows: int, cols: int) -> None:
    if rows > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise ImportRejected("roster.too_many_rows", max=MAX_ROWS)
    if cols > MAX_COLUMNS:
        raise ImportRejected("roster.too_many_columns", cols=cols, max=MAX_COLUMNS)


def _xml_encoding(head: bytes) -> str | None:
    """The codec to scan a part with, or None if it does not start like XML. UTF-16 is
    told by its byte-order mark or by the zero bytes of ASCII markup; every other encoding
    an office suite writes (UTF-8, GB18030 ...) keeps the markup ASCII, so is scanned as
    latin-1 (which never fails to decode)."""
    if head.startswith(b"\xef\xbb\xbf"):
        encoding, head = "latin-1", head[3:]
    elif head.startswith(b"\xff\xfe") or (head[1:2] == b"\x00" and head[:1] != b"\x00"):
        encoding = "utf-16-le"
    elif head.startswith(b"\xfe\xff") or (head[:1] == b"\x00" and head[1:2] not in (b"", b"\x00")):
        encoding = "utf-16-be"
    else:
        encoding = "latin-1"
    text = head[:64].decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    return encoding if text.startswith("<") else None


_ANY_TAG = re.compile(r"""<[^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>""")
_SHEET_TAG = re.compile(r"""<(/?)(?:[\w.-]+:)?(c|row|table|table-row|table-cell|covered-table-cell)"""
                        r"""((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
_REF = re.compile(r"""(?:^|\s)r\s*=\s*["']([a-z]{0,7})(\d{1,12})["']""")


def _scan_xml_text(text: str, extent: _XmlSheetExtent, final: bool = False) -> str:
    """Check the complete markup in lower-cased XML text; return the unfinished tail
    (from the last "<") to carry into the next chunk. Entity declarations are refused; a
    DOCTYPE that only names an external DTD (old OpenOffice manifests have one) declares
    nothing and is allowed — no reader here fetches it."""
    cut = len(text) if final else text.rfind("<")
    if cut == -1:  # text without markup
        return ""
    if len(text) - cut > _MAX_TAG:  # a long text node after the last tag, or a tag that never ends
        tag = _ANY_TAG.match(text, cut)
        if tag is None:
            raise ImportRejected("roster.xml_unsafe")
        cut = tag.end()
    body = text[:cut]
    if "<!entity" in body:
        raise ImportRejected("roster.xml_unsafe")
    start = body.find("<!doctype")
    while start != -1:
        close, subset = body.find(">", start), body.find("[", start)
        if subset != -1 and (close == -1 or subset < close):
            raise ImportRejected("roster.xml_unsafe")
        start = body.find("<!doctype", start + 9)
    if not _scan_cells_fast(body, extent):
        for m in _SHEET_TAG.finditer(body):
            extent.tag(m.group(1) == "/", m.group(2), m.group(3), m.group(4) == "/")
    return text[cut:]


# The common SpreadsheetML layout: every row and cell names itself first, written plainly
# (<row r="7">, <c r="B7" ...>), with no namespace prefix, no OpenDocument table, every
# attribute value in double quotes with no "<" in it, and no cell past the limits. A chunk
# like that is checked with string counts and a few searches for a fixed prefix, in C,
# instead of a Python call per tag; anything else goes through the per-tag scan, which has
# the last word.
_CELL_HEAD, _ROW_HEAD = '<c r="', '<row r="'
_ODD_CELL_REF = re.compile(r'<c r="(?![a-z]{1,7}\d{1,12}")')
_ODD_ROW_REF = re.compile(r'<row r="(?!\d{1,12}")')
_LT_IN_VALUE = re.compile(r'="[^"<]*<')
_ROW_NUMBER = re.compile(r'<row r="(\d{1,12})"')
_CELL_LETTERS = re.compile(r'<c r="([a-z]{1,7})')


def _far_pattern(max_rows: int, max_cols: int) -> re.Pattern[str]:
    """A cell or row reference that may lie past ``max_rows`` x ``max_cols`` (it may also
    flag a few just inside: those go to the per-tag scan, which is exact)."""
    if max_cols != 200 or max_rows < 199_999:
        raise RuntimeError("the far-reference pattern is written for 200 columns and rows from 200,000")
    # columns past GR (= 200): three letters, a first letter past G, or G then S-Z;
    # rows of 200000 and more: six digits from 2, or seven and more (leading zeros too).
    rows = r"(?:[2-9]\d{5}|\d{7})"
    return re.compile(r'<c r="(?:[a-z]{3}|[h-z][a-z]|g[s-z]|[a-z]{1,2}' + rows + r')|<row r="' + rows)


def _column(letters: str) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 96
    return col


def _scan_cells_fast(body: str, extent: _XmlSheetExtent) -> bool:
    """Check ``body`` the cheap way if it is plain enough for the answer to be the per-tag
    scan's: then no cell in it reaches past the limits (so its exact reach is not needed:
    only a reach past them is ever reported), and the row and column it ends in are carried
    as the per-tag scan would. Return False to leave it to the per-tag scan."""
    if ("table" in body or ":c" in body or ":row" in body
            or body.count("<c") != body.count(_CELL_HEAD) + body.count("<col")
            or body.count("<row") != body.count(_ROW_HEAD)
            or body.count("=") != body.count('="') or _LT_IN_VALUE.search(body)
            or _ODD_CELL_REF.search(body) or _ODD_ROW_REF.search(body) or _FAR_REF.search(body)):
        return False
    after = body.rfind(_ROW_HEAD)
    if after != -1:
        extent.xl_row, extent.xl_col = int(_ROW_NUMBER.match(body, after).group(1)), 0
    cell = body.rfind(_CELL_HEAD)
    if cell > after:
        extent.xl_col = _column(_CELL_LETTERS.match(body, cell).group(1))
    return True


def _count(attrs: str, name: str) -> int:
    m = re.search(r"""(?:^|\s)(?:[\w.-]+:)?""" + name + r"""\s*=\s*["'](\d{1,12})["']""", attrs)
    return int(m.group(1)) if m else 1


class _XmlSheetExtent:
    """How far the non-empty cells of an .xlsx sheet (``<c r="B7">``) or of the tables in
    an .ods content.xml (rows and cells with their repeat counts) reach. Tag names are
    matched whatever their prefix, and a cell with any content counts as non-empty: this
    may count a little more than the reader keeps, never less."""

    def __init__(self) -> None:
        self.rows = self.cols = 0
        self.row_pos = self.row_repeat = self.col_pos = self.row_end = 0  # OpenDocument
        self.xl_row = self.xl_col = 0  # SpreadsheetML

    def _reach(self, rows: int, cols: int) -> None:
        self.rows, self.cols = max(self.rows, rows), max(self.cols, cols)

    def tag(self, end: bool, name: str, attrs: str, empty: bool) -> None:
        if name == "row":  # SpreadsheetML: <row r="7">, or the next row if it has no r
            if not end:
                m = _REF.search(attrs)
                self.xl_row, self.xl_col = (int(m.group(2)) if m else self.xl_row + 1), 0
        elif name == "c":  # <c r="B7">, or the next column; an empty element holds no value
            if not end:
                m = _REF.search(attrs)
                if m and m.group(1):
                    col = 0
                    for letter in m.group(1):
                        col = col * 26 + ord(letter) - 96
                    self.xl_col = col
                    row = int(m.group(2))
                else:
                    self.xl_col, row = self.xl_col + 1, self.xl_row
                if not empty:
                    self._reach(row, self.xl_col)
        elif name == "table":  # OpenDocument
            if not end:
                self.row_pos = 0
        elif name == "table-row":
            if not end:
                self.row_repeat, self.col_pos, self.row_end = _count(attrs, "number-rows-repeated"), 0, 0
            if end or empty:
                if self.row_end:
                    self._reach(self.row_pos + self.row_repeat, self.row_end)
                self.row_pos += self.row_repeat
        elif not end:  # table-cell, covered-table-cell
            self.col_pos += _count(attrs, "number-columns-repeated")
            if not empty or "value-type" in attrs:
                self.row_end = self.col_pos


_FAR_REF = _far_pattern(MAX_ROWS + HEADER_SEARCH_ROWS, MAX_COLUMNS)
_BRT_BEGIN_SHEET = b"\x81\x01"


class _XlsbSheetExtent:
    """How far the cells of an .xlsb sheet part reach, from its records (MS-XLSB 2.1.4):
    BrtRowHdr (type 0) sets the row, cell records (types 2-11) start with the column.
    Other records are skipped without being held in memory."""

    def __init__(self) -> None:
        self.rows = self.cols = self.row = 0
        self.buf = bytearray()
        self.skip = 0

    def feed(self, data: bytes) -> None:
        if self.skip >= len(data):
            self.skip -= len(data)
            return
        buf = self.buf
        buf += data[self.skip:]
        self.skip = 0
        pos, n = 0, len(buf)
        while pos < n:
            head = _record_head(buf, pos, n)
            if head is None:
                break
            typ, at, size = head
            wanted = typ == 0 or 2 <= typ <= 11
            if at + size > n:
                if not wanted:  # skip its data as it arrives
                    self.skip, pos = at + size - n, n
                break
            if wanted and size >= 4:
                value = int.from_bytes(buf[at:at + 4], "little")
                if typ == 0:
                    self.row = value
                else:
                    self.rows, self.cols = max(self.rows, self.row + 1), max(self.cols, value + 1)
            pos = at + size
        del buf[:pos]


def _record_head(buf: bytearray, pos: int, n: int) -> tuple[int, int, int] | None:
    """(type, where the data starts, data size) of the BIFF12 record at ``pos``, or None
    if the buffer ends inside its header."""
    typ = buf[pos]
    pos += 1
    if typ & 0x80:
        if pos >= n:
            return None
        typ = (typ & 0x7F) | ((buf[pos] & 0x7F) << 7)
        pos += 1
    size = 0
    for shift in (0, 7, 14, 21):
        if pos >= n:
            return None
        byte = buf[pos]
        pos += 1
        size |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    return typ, pos, size


def _read_spreadsheet(path: Path, sheet: str | None, kind: str,
                      by_content: bool = False) -> tuple[list[list[object]], list[str], str]:
    try:
        if by_content:
            with open(path, "rb") as fh:
                wb = python_calamine.CalamineWorkbook.from_filelike(fh)
        else:
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
