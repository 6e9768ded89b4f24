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
_MAX_DOCTYPE = 64 * 1024  # a DOCTYPE longer than this is not something an office suite writes


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
    elif head.startswith(OLE_MAGIC):  # .xls, or an .xlsx with an open password (calamine tells which)
        renamed = ext in (".ods", ".xlsb")  # an .xls under another name: read it by content
        label = "Excel 97-2003" if renamed else SPREADSHEET_EXTS.get(ext, "Excel 97-2003")
        cells, names, used = _read_spreadsheet(path, sheet, label, by_content=renamed)
        kind, encoding = "xls", ""
    elif ext in SPREADSHEET_EXTS:
        raise ImportRejected("roster.corrupt", kind=SPREADSHEET_EXTS[ext])
    else:
        cells, encoding = _read_csv(path)
        names, used, kind = [], "", "csv"
    return _table(cells, used, names, kind, encoding)


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
    the CRC, so a size that lies is found here, not in the reader) and, if it is XML, look
    for entity declarations in whatever encoding it is written."""
    with zf.open(info) as part:
        chunk = part.read(_CHUNK)
        encoding = _xml_encoding(chunk)
        if encoding is None:  # not XML (a binary .xlsb part, a picture): size and CRC only
            while part.read(_CHUNK):
                pass
            return
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        carry = ""
        while chunk:
            carry = _scan_xml_text(carry + decoder.decode(chunk).lower())
            chunk = part.read(_CHUNK)
        _scan_xml_text(carry + decoder.decode(b"", final=True).lower())


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


def _scan_xml_text(text: str) -> str:
    """Refuse entity declarations in lower-cased XML text; return the tail to carry over
    into the next chunk. A DOCTYPE that only names an external DTD (old OpenOffice
    manifests have one) declares nothing and is allowed — no reader here fetches it."""
    if "<!entity" in text:
        raise ImportRejected("roster.xml_unsafe")
    start = text.find("<!doctype")
    while start != -1:
        close, subset = text.find(">", start), text.find("[", start)
        if subset != -1 and (close == -1 or subset < close):
            raise ImportRejected("roster.xml_unsafe")
        if close == -1:  # the declaration goes on in the next chunk
            if len(text) - start > _MAX_DOCTYPE:
                raise ImportRejected("roster.xml_unsafe")
            return text[start:]
        start = text.find("<!doctype", close)
    return text[-16:]  # a marker split across two chunks


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
