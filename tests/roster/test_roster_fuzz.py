"""Property tests: random and malformed files only ever give a typed import error or a
row report, never a crash; a rejected or cancelled import leaves the database unchanged."""

from __future__ import annotations

import datetime as dt
import string

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clerk_app.domain.messages import MESSAGES
from clerk_app.domain.roster_columns import ImportRejected
from clerk_app.services import roster_import as ri

from .conftest import HEADERS, db_hash, person, write_ods, write_xlsb, write_xlsx

TODAY = dt.date(2026, 11, 20)
FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _import_all(ctx, path, cancel=None):
    """The whole pipeline as the window runs it; returns the result or raises typed errors."""
    table = ri.read_roster(path)
    mapping = ri.suggest_mapping(ctx.db, table.headers).mapping
    preview = ri.build_preview(ctx, table, mapping, today=TODAY)
    for bad in preview.bad:
        assert bad.reason and all(i.code in MESSAGES for i in bad.issues)  # every reason has a Chinese text
    return ri.commit_import(ctx, preview, cancel=cancel)


@FUZZ
@given(data=st.binary(max_size=3000), ext=st.sampled_from([".xlsx", ".xls", ".csv", ".xlsm", ".txt", ".ods", ".xlsb"]))
def test_random_bytes(ctx, tmp_path_factory, data, ext):
    path = tmp_path_factory.mktemp("fuzz") / f"roster{ext}"
    path.write_bytes(data)
    before = db_hash(ctx.db)
    try:
        _import_all(ctx, path)
    except ImportRejected as exc:
        assert exc.code in MESSAGES
        assert db_hash(ctx.db) == before


@pytest.fixture(scope="module")
def real_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    rows = [person(n) for n in range(1, 40)]
    return {ext: write(folder / f"real{ext}", rows).read_bytes()
            for ext, write in ((".xlsx", write_xlsx), (".ods", write_ods), (".xlsb", write_xlsb))}


@FUZZ
@given(cut=st.integers(min_value=0, max_value=100_000), flips=st.lists(st.integers(0, 100_000), max_size=4),
       ext=st.sampled_from([".xlsx", ".ods", ".xlsb"]))
def test_truncated_or_damaged_workbook(ctx, tmp_path_factory, real_files, cut, flips, ext):
    real = real_files[ext]
    data = bytearray(real[: cut % (len(real) + 1)])
    for pos in flips:
        if data:
            data[pos % len(data)] ^= 0xFF
    path = tmp_path_factory.mktemp("cut") / f"cut{ext}"
    path.write_bytes(bytes(data))
    before = db_hash(ctx.db)
    try:
        _import_all(ctx, path)
    except ImportRejected:
        assert db_hash(ctx.db) == before


_cell = st.one_of(
    st.none(), st.text(max_size=25), st.text(alphabet=string.digits + "Xx -", max_size=20),
    st.integers(min_value=-10**18, max_value=10**18), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)), st.booleans(),
    st.sampled_from(["=1+2", "@SUM(A1)", "+86", "-", "\t", "1.10105E+17", "汉族", "快递员", "䶮𠮷·"]),
)


def _xlsx_text(value):
    # openpyxl refuses control characters that XML 1.0 cannot hold; Excel cannot hold them either.
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)
    return value


@FUZZ
@given(rows=st.lists(st.lists(_cell, min_size=len(HEADERS), max_size=len(HEADERS)), max_size=8))
def test_random_cell_values(ctx, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("cells") / "cells.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([_xlsx_text(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    before = db_hash(ctx.db)
    try:
        result = _import_all(ctx, path)
    except ImportRejected:
        assert db_hash(ctx.db) == before
        return
    assert len(result.saved) + len(result.bad) == result.total


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stop_after=st.integers(min_value=1, max_value=4))
def test_cancel_at_any_point_leaves_the_database_unchanged(ctx, tmp_path_factory, stop_after):
    path = write_xlsx(tmp_path_factory.mktemp("cancel") / "c.xlsx", [person(n) for n in range(1, 181)])
    before = db_hash(ctx.db)
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) >= stop_after

    with pytest.raises(ri.Cancelled):
        _import_all(ctx, path, cancel=cancel)
    assert db_hash(ctx.db) == before
