"""The zip guard's cheap path for plain SpreadsheetML (string counts and fixed-prefix
searches instead of a Python call per tag) gives exactly the per-tag scan's answer: the same
refusal or none, and the same row and column carried into the next chunk. Whatever it is not
sure of (a cell past the limits, an empty one far out, a prefix, a reference missing or
written otherwise, a "<" inside a value) it leaves to the per-tag scan."""

from __future__ import annotations

import pytest

from clerk_app.domain.roster_columns import ImportRejected
from clerk_app.sheets import roster_files as rf
from clerk_app.sheets.xlsx_writer import export_rows


def _scan(text: str, chunk: int, fast: bool, monkeypatch) -> tuple[str, str, int, int, list[bool]]:
    """Feed ``text`` (lower-cased, as the guard does) in chunks; return the verdict (code and
    message: the reach past a limit is named in it), the position carried at the end and
    which chunks went the cheap way."""
    calls = []
    real = rf._scan_cells_fast

    def spy(body, extent):
        took = fast and real(body, extent)
        calls.append(took)
        return took

    monkeypatch.setattr(rf, "_scan_cells_fast", spy)
    extent = rf._XmlSheetExtent()
    carry, verdict, said = "", "ok", ""
    try:
        for i in range(0, len(text), chunk):
            carry = rf._scan_xml_text(carry + text[i:i + chunk].lower(), extent)
        rf._scan_xml_text(carry, extent, final=True)
        rf._check_extent(extent.rows, extent.cols)
    except ImportRejected as exc:
        verdict, said = exc.code, str(exc)
    finally:
        monkeypatch.setattr(rf, "_scan_cells_fast", real)
    return verdict, said, extent.xl_row, extent.xl_col, calls


def _sheet(rows: str) -> str:
    return f'<worksheet><sheetData>{rows}</sheetData></worksheet>'


def _plain_rows(n: int, start: int = 1) -> str:
    return "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>1</v></c><c r="B{r}"><v>2</v></c></row>'
                   for r in range(start, start + n))


CASES = {
    "plain": _sheet(_plain_rows(200)),
    "far cell with a value": _sheet(_plain_rows(50) + '<row r="51"><c r="XFD51"><v>1</v></c></row>'),
    "far empty cell": _sheet(_plain_rows(50) + '<row r="51"><c r="XFD51"/></row>'),
    "column GS": _sheet(_plain_rows(50) + '<row r="51"><c r="GS51"><v>1</v></c></row>'),
    "column GR": _sheet(_plain_rows(50) + '<row r="51"><c r="GR51"><v>1</v></c></row>'),
    "row past the limit": _sheet(_plain_rows(50) + '<row r="200016"><c r="A200016"><v>1</v></c></row>'),
    "row at the limit": _sheet(_plain_rows(50) + '<row r="200015"><c r="A200015"><v>1</v></c></row>'),
    "leading zeros": _sheet(_plain_rows(50) + '<row r="0000051"><c r="A0000051"><v>1</v></c></row>'),
    # a first chunk the cheap way, then cells without references counting on its position
    "references stop": _sheet(_plain_rows(120) + "".join(
        f'<row><c><v>1</v></c>{"<c><v>1</v></c>" * (i % 3)}</row>' for i in range(80))),
    # the cheap chunk ends inside a row; the next cell has no reference: column GR + 1
    "chunk ends inside a row": _sheet(_plain_rows(60) + '<row r="61"><c r="B61"><v>1</v></c><c r="GR61"><v>1</v></c>'
                                      + "x" * 300 + "<c><v>1</v></c></row>"),
    # rows without numbers after one at 199999 reach past the limit
    "rows counted on": _sheet(_plain_rows(60) + '<row r="199999"><c r="A199999"><v>1</v></c></row>' + "y" * 300
                              + "<row><c><v>1</v></c></row>" * 17),
    "prefixed tags": "<x:worksheet><x:sheetData>" + _plain_rows(30).replace("<row", "<x:row").replace(
        "</row", "</x:row").replace("<c ", "<x:c ").replace("</c>", "</x:c>")
        + '<x:row r="31"><x:c r="XFD31"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>',
    "reference not first": _sheet(_plain_rows(50) + '<row r="51"><c s="1" r="XFD51"><v>1</v></c></row>'),
    "single quotes": _sheet(_plain_rows(50) + "<row r='51'><c r='XFD51'><v>1</v></c></row>"),
    "spaces around =": _sheet(_plain_rows(50) + '<row r = "51"><c r = "XFD51"><v>1</v></c></row>'),
    "a tag hidden in a value": _sheet(_plain_rows(50) + '<row r="51" x="<c r=&quot;a1&quot;>">'
                                      + '<c r="XFD51"><v>1</v></c></row>'),
    "a cell tag in a value": _sheet(_plain_rows(50) + '<row r="51"><c r="A51" x="<c r=\'XFD51\'>"><v>1</v></c></row>'),
    "rows without numbers": _sheet("".join("<row><c r=\"A1\"><v>1</v></c></row>" for _ in range(40))),
    "entity": '<!DOCTYPE x [<!ENTITY a "b">]>' + _sheet(_plain_rows(20)),
}


@pytest.mark.parametrize("chunk", [97, 1000, 1 << 20])
@pytest.mark.parametrize("name", sorted(CASES))
def test_cheap_path_answers_as_the_per_tag_scan(name, chunk, monkeypatch):
    text = CASES[name]
    slow = _scan(text, chunk, False, monkeypatch)
    fast = _scan(text, chunk, True, monkeypatch)
    assert fast[:4] == slow[:4]


def test_far_and_odd_references_are_left_to_the_per_tag_scan(monkeypatch):
    for name in ("far cell with a value", "far empty cell", "column GS", "row past the limit", "leading zeros",
                 "prefixed tags", "single quotes", "a cell tag in a value"):
        *_, calls = _scan(CASES[name], 1 << 20, True, monkeypatch)
        assert calls[0] is False, name  # (the closing tags carried to the end may go either way)
    verdict, *_ = _scan(CASES["far cell with a value"], 1 << 20, True, monkeypatch)
    assert verdict == "roster.too_many_columns"
    verdict, *_ = _scan(CASES["row past the limit"], 1 << 20, True, monkeypatch)
    assert verdict == "roster.too_many_rows"
    verdict, *_ = _scan(CASES["chunk ends inside a row"], 97, True, monkeypatch)
    assert verdict == "roster.too_many_columns"
    verdict, *_ = _scan(CASES["rows counted on"], 97, True, monkeypatch)
    assert verdict == "roster.too_many_rows"


def test_far_pattern_flags_every_reference_past_the_limits():
    def letters(col: int) -> str:
        out = ""
        while col:
            col, rest = divmod(col - 1, 26)
            out = chr(97 + rest) + out
        return out

    for col in range(1, 26 * 27 + 30):
        flagged = rf._FAR_REF.match(f'<c r="{letters(col)}7"') is not None
        assert flagged == (col > rf.MAX_COLUMNS), col
    limit = rf.MAX_ROWS + rf.HEADER_SEARCH_ROWS
    for row in [1, 9, 99_999, 100_000, 199_999, limit, limit + 1, 999_999, 1_000_000, 1_048_576]:
        assert (rf._FAR_REF.match(f'<c r="a{row}"') is not None) == (row >= 200_000)
        assert (rf._FAR_REF.match(f'<row r="{row}"') is not None) == (row >= 200_000)
        assert row <= limit or rf._FAR_REF.match(f'<c r="a{row}"')


def test_the_apps_own_export_takes_the_cheap_path(tmp_path, monkeypatch):
    path = tmp_path / "名单.xlsx"
    export_rows(path, ["姓名", "身份证号码", "手机号码"],
                ([f"张三{i}", f"11010119900101{i % 10000:04d}", "13800138000"] for i in range(30_000)),
                text_columns=["身份证号码", "手机号码"])
    calls = []
    real = rf._scan_cells_fast

    def spy(body, extent):
        took = real(body, extent)
        if '<c r="' in body:  # the sheet's chunks (the theme and styles have other markup)
            calls.append(took)
        return took

    monkeypatch.setattr(rf, "_scan_cells_fast", spy)
    assert rf.check_zip(path) == "xlsx"
    assert len(calls) > 2 and all(calls[1:])  # the sheet's first chunk (with <cols>) may go the long way
