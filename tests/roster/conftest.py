"""Roster test helpers: real .xlsx/.xls/.csv files on disk and a canonical database hash."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import SETUP, make_id, run_on
from clerk_app.workspace import open_workspace

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
