"""Time is an input: no code reads the machine's clock except ``clerk_app/clock.py``.

Services take today from their Context (``ctx.today()``), domain functions take it as a
parameter, widgets ask the context's clock, and tests learn the date from the ``app_clock`` /
``today`` fixtures. The checker reads every module's syntax tree for the calls that read the
clock directly (``date.today``, ``datetime.now``, ``time.time``, ``QDate.currentDate`` … called),
however the module was imported. CI runs the whole suite with the clock moved years ahead and
years back (``--today``), which is what catches a test that mixes a fixed date with the real one.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from clerk_app.clock import SYSTEM, TODAY_ENV, Clock

ROOT = Path(__file__).resolve().parent.parent
CLOCK_READS = {
    ("date", "today"), ("datetime", "today"), ("datetime", "now"), ("datetime", "utcnow"),
    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"), ("time", "ctime"),
    ("QDate", "currentDate"), ("QDateTime", "currentDateTime"), ("QTime", "currentTime"),
    ("QDateTime", "currentMSecsSinceEpoch"), ("QDateTime", "currentSecsSinceEpoch"),
}
ALLOWED = {"clerk_app/clock.py"}


def clock_reads(source: str) -> list[int]:
    """Line numbers of direct clock reads in ``source``."""
    aliases: dict[str, str] = {}  # local name -> the module or class it stands for
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name] = a.name.split(".")[-1]
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                aliases[a.asname or a.name] = a.name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (aliases.get(name, name), node.func.attr) in CLOCK_READS:
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):  # from time import time
            target = aliases.get(node.func.id)
            if target in ("time", "time_ns", "localtime") and node.func.id in aliases:
                found.append(node.lineno)
    return found


def test_the_checker_sees_every_way_of_reading_the_clock():
    source = "\n".join([
        "import datetime as _dt", "import time", "from datetime import date, datetime as DT",
        "from PySide6.QtCore import QDate", "from time import time_ns",
        # (the calls are spelt with a "%s" so that a plain text search of the tests finds none)
        "a = _dt.date.today%s" % "()", "b = DT.now()", "c = time.time%s" % "()", "d = QDate.currentDate()",
        "e = date.today%s" % "()", "f = time_ns()", "g = _dt.datetime.now%s.astimezone()" % "()",
        "ok = time.perf_counter() + time.monotonic()", "ok2 = ctx.today()", "ok3 = _dt.date(2026, 1, 1)",
    ])
    assert clock_reads(source) == [6, 7, 8, 9, 10, 11, 12]


def _python_files():
    for folder in ("clerk_app", "tests", "benchmarks", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in ALLOWED:
                yield rel


@pytest.mark.parametrize("rel", list(_python_files()))
def test_no_module_reads_the_clock_itself(rel):
    lines = clock_reads((ROOT / rel).read_text(encoding="utf-8"))
    assert not lines, f"{rel} reads the machine's clock at lines {lines}: take today from the Context or a parameter"


def test_a_clock_moved_to_a_day_keeps_running_and_stamps_that_day():
    day = dt.date(2034, 2, 28)
    clock = Clock.on(day)
    assert clock.today() == day
    assert clock.stamp().startswith("2034-02-28T")
    first = clock.wall_ms()
    assert dt.datetime.fromtimestamp(first / 1000).date() in (day, day + dt.timedelta(days=1))
    assert clock.wall_ms() >= first


def test_the_system_clock_follows_the_environment(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2019-03-15")
    assert SYSTEM.today() == dt.date(2019, 3, 15)
    monkeypatch.setenv(TODAY_ENV, "2033-07-01")
    assert SYSTEM.today() == dt.date(2033, 7, 1)


def test_the_suite_runs_on_the_day_the_fixture_names(app_clock, today, pytestconfig):
    named = pytestconfig.getoption("--today")
    assert today == app_clock.today()
    if named:
        assert today == dt.date.fromisoformat(named)
