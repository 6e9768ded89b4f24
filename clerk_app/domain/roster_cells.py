"""Turning one spreadsheet cell into the text or date a member field wants (pure).

calamine gives numbers as float (序号 1 → 1.0, a phone typed as a number → 13812345678.0),
dates as ``datetime.date``/``datetime``, and CSV gives only text. Each field kind is
normalised here, explicitly, so a float never leaks into a text field as "1.0".
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal

# Excel shows a long number typed into a General cell as 1.10105E+17; CSV keeps that text.
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d*)?[eE][+-]?\d+")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_blank(cell: object) -> bool:
    return cell is None or cell == "" or (isinstance(cell, str) and not cell.strip())


def number_text(value: float | int) -> str:
    """1.0 -> "1", 2.5 -> "2.5", 13812345678.0 -> "13812345678" (no exponent)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return format(Decimal(repr(value)).normalize(), "f")


def cell_text(cell: object) -> str:
    """Any cell as the text a clerk sees. A leading apostrophe that our own export added in
    front of a formula-like text is removed, so exported rosters import unchanged."""
    if is_blank(cell):
        return ""
    if isinstance(cell, (float, int)):
        return number_text(cell)
    if isinstance(cell, _dt.datetime):
        return cell.date().isoformat() if cell.time() == _dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, _dt.date):
        return cell.isoformat()
    if isinstance(cell, _dt.timedelta):
        return str(cell)
    text = str(cell)
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]
    return text


def id_stored_as_number(cell: object) -> bool:
    """True when Excel held the ID number as a number: its last digits are already gone."""
    if isinstance(cell, bool):
        return False
    if isinstance(cell, float):
        return True
    if isinstance(cell, int):
        return cell >= 10**14  # an int of ID length came from a number cell too
    if isinstance(cell, str):
        return bool(_SCIENTIFIC.fullmatch(unicodedata.normalize("NFKC", cell).strip()))
    return False


def cell_date(cell: object) -> tuple[_dt.date | None, bool]:
    """(date, ok). Blank -> (None, True). Accepts date cells, Excel serial numbers and
    texts such as 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301."""
    if is_blank(cell):
        return None, True
    if isinstance(cell, _dt.datetime):
        return cell.date(), True
    if isinstance(cell, _dt.date):
        return cell, True
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if math.isfinite(cell) and 1 <= cell < 2958466:  # Excel's own range (to 9999-12-31)
            return _EXCEL_EPOCH + _dt.timedelta(days=int(cell)), True
        return None, False
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    m = _DATE_TEXT.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if not m:
        return None, False
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), True
    except ValueError:
        return None, False


# A summary line under a roster: "合计 | 52", "总计：52人", "小计", "共 52 人" — never a member.
_SUMMARY_LABEL = re.compile(r"(合计|总计|小计|共计|累计|总人数|人数合计|总数)[:：]?(共?\d+(人|名)?)?")
_COUNT = re.compile(r"共?\d+(\.0+)?(人|名)?")


def summary_row(cells: list[object], id_index: int | None, *, at_bottom: bool) -> bool:
    """Whether a roster row is a total line rather than a member: every cell that is filled
    is a summary label (合计、总计、小计 …) or a count, with at least one label — or, for rows
    below the last member (``at_bottom``), a lone count. A row with anything in its ID
    number column that is more than a count is never one."""
    # the ID number column first: on a member's row it settles the answer at once (a filled
    # ID cell also means ``texts`` below is not empty, so the order changes no answer)
    if id_index is not None and id_index < len(cells) and not is_blank(cells[id_index]):
        if not _COUNT.fullmatch("".join(unicodedata.normalize("NFKC", cell_text(cells[id_index])).split())) \
                or len(re.sub(r"\D", "", cell_text(cells[id_index]))) >= 15:
            return False
    texts = ["".join(unicodedata.normalize("NFKC", cell_text(c)).split()) for c in cells if not is_blank(c)]
    if not texts:
        return False
    labels = sum(1 for t in texts if _SUMMARY_LABEL.fullmatch(t))
    counts = sum(1 for t in texts if _COUNT.fullmatch(t))
    if labels + counts != len(texts):
        return False
    return labels > 0 or (at_bottom and counts == 1)
