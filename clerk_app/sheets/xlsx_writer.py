"""Writing rows to .xlsx: the one writer every export uses.

``export_rows`` writes a bold frozen header row, widths from the content, chosen columns
stored as TEXT (``number_format '@'``, so Excel never turns an ID number into 1.10105E+17),
and any text that Excel would read as a formula (= + - @ tab CR at the start) escaped with a
leading apostrophe. The file is written beside the target and moved into place, so a failed
export never leaves half a file under the real name. What goes into the rows (masking,
audit) is the services' business.
"""

from __future__ import annotations

import datetime as _dt
import os
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

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
