"""Writing rows to .xlsx: the one writer every export uses.

``export_rows`` writes one list: a bold frozen header row, widths from the content, chosen columns
stored as TEXT (``number_format '@'``, so Excel never turns an ID number into 1.10105E+17),
and any text that Excel would read as a formula (= + - @ tab CR at the start) escaped with a
leading apostrophe. ``write_sheets`` writes a workbook of several small tables (a report: a
title line, the header, numbers as numbers — Decimal yuan with two decimals — and notes). The
file is written beside the target and moved into place, so a failed
export never leaves half a file under the real name. What goes into the rows (masking,
audit) is the services' business.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..domain.errors import UserError, os_error_detail
from ..domain.roster_cells import FORMULA_START
from ..domain.text import strip_controls

WIDTH_SAMPLE = 500
MAX_WIDTH = 60


def safe_text(value: str) -> str:
    """Text that spreadsheet programs must not run as a formula gets a leading apostrophe.
    Control characters (XML cannot hold them; text saved before input stripped them) are
    dropped, so one bad old record never makes a whole export fail."""
    value = strip_controls(value, multiline=True)
    return "'" + value if value.startswith(FORMULA_START) else value


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: object, as_text: bool) -> object:
    if value is None:
        return ""
    if as_text:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return safe_text(str(value))
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def export_rows(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[object]], *,
                text_columns: Iterable[int | str] = (), sheet_title: str = "Sheet1") -> int:
    """Write ``rows`` under ``columns`` to an .xlsx at ``path``; returns the number of rows.
    ``text_columns`` are indexes or header names of columns to store as text."""
    path = Path(path)
    text_idx = {columns.index(c) if isinstance(c, str) else int(c) for c in text_columns}
    it = iter(rows)
    head: list[list[object]] = []
    for row in it:
        head.append([_cell_value(v, i in text_idx) for i, v in enumerate(row)])
        if len(head) >= WIDTH_SAMPLE:
            break
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=strip_controls(sheet_title)[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    for i, header in enumerate(columns):
        sample = [_display_width(str(r[i])) for r in head if i < len(r)]
        width = max([_display_width(header) + 2, *[w + 2 for w in sample]])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width, 6), MAX_WIDTH)
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=safe_text(text))
        cell.font, cell.alignment = bold, centre
        return cell

    def data_row(values: list[object]) -> list[object]:
        out: list[object] = []
        for i, v in enumerate(values):
            if i in text_idx:
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "@"
                cell.data_type = "s"
                out.append(cell)
            elif isinstance(v, (_dt.date, _dt.datetime)):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd" if not isinstance(v, _dt.datetime) else "yyyy-mm-dd hh:mm"
                out.append(cell)
            else:
                out.append(v)
        return out

    count = 0
    tmp = path.with_name(path.name + ".part")
    try:
        ws.append([header_cell(c) for c in columns])
        for values in head:
            ws.append(data_row(values))
            count += 1
        for row in it:
            ws.append(data_row([_cell_value(v, i in text_idx) for i, v in enumerate(row)]))
            count += 1
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        _discard(ws, tmp)
        if isinstance(exc, OSError):
            raise UserError("roster.write_failed", path=str(path), detail=os_error_detail(exc)) from None
        raise
    return count


def _discard(ws, tmp: Path) -> None:
    """After a failed write: finish the write-only sheet's stream (it holds a temp file)
    and remove the partial output."""
    try:
        if not ws.closed:
            ws.close()
    except Exception:  # noqa: BLE001 - cleanup after an error already being raised
        pass
    tmp.unlink(missing_ok=True)


MONEY_FORMAT, COUNT_FORMAT = "#,##0.00", "#,##0"
_CHANGE = re.compile(r"[+-][0-9][0-9,]*(\.[0-9]+)?%")


@dataclass(frozen=True)
class Sheet:
    """One sheet of :func:`write_sheets`: ``heading`` lines (bold, above the table), the column
    header, the rows (text, int, Decimal, None), ``indent``: row indexes whose first cell is
    indented (a sub-line), and ``notes`` below the table. Text is escaped like ``export_rows``."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    heading: Sequence[str] = ()
    indent: frozenset[int] = frozenset()
    notes: Sequence[str] = ()
    widths: dict[int, int] = field(default_factory=dict)


def _sheet_title(title: str, taken: set[str]) -> str:
    base = "".join(ch for ch in strip_controls(title) if ch not in "[]:*?/\\")[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def write_sheets(target: str | Path | BinaryIO, sheets: Sequence[Sheet]) -> None:
    """A workbook of ``sheets`` to ``target`` (a file path — written beside it and moved into
    place — or a binary stream). Numbers stay numbers: int with a thousands format, Decimal as
    a number with two decimals; None is an empty cell; everything else is text."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(title=_sheet_title(sheet.title, taken))
        for i, header in enumerate(sheet.columns):
            sample = [_display_width(str(r[i])) + (4 if i == 0 and n in sheet.indent else 0)
                      for n, r in enumerate(sheet.rows) if i < len(r) and r[i] is not None]
            width = sheet.widths.get(i) or max([_display_width(header) + 2, *[w + 2 for w in sample]])
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width, 8), MAX_WIDTH)
        for line in sheet.heading:
            cell = WriteOnlyCell(ws, value=safe_text(line))
            cell.font = bold
            ws.append([cell])
        ws.append([_styled(ws, safe_text(h), font=bold) for h in sheet.columns])
        for n, row in enumerate(sheet.rows):
            ws.append([_report_cell(ws, v, indent=(i == 0 and n in sheet.indent)) for i, v in enumerate(row)])
        for note in sheet.notes:
            ws.append([safe_text(note)])
    if isinstance(target, (str, Path)):
        path = Path(target)
        tmp = path.with_name(path.name + ".part")
        try:
            wb.save(tmp)
            os.replace(tmp, path)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise UserError("roster.write_failed", path=str(path), detail=os_error_detail(exc)) from None
            raise
    else:
        wb.save(target)


def _styled(ws, value: object, *, font: Font | None = None, fmt: str | None = None,
            align: Alignment | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if fmt is not None:
        cell.number_format = fmt
    if align is not None:
        cell.alignment = align
    return cell


def _report_cell(ws, value: object, *, indent: bool) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return _styled(ws, float(value), fmt=MONEY_FORMAT)
    if isinstance(value, int):
        return _styled(ws, value, fmt=COUNT_FORMAT)
    text = str(value)
    # a change such as "-3.0%" is the report's own figure, not a formula: shown as it is
    text = strip_controls(text, multiline=True) if _CHANGE.fullmatch(text) else safe_text(text)
    cell = _styled(ws, text, align=Alignment(indent=2) if indent else None)
    cell.data_type = "s"
    return cell
