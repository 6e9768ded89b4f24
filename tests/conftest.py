"""Shared fixtures: a real SQLite database in a temp data folder, migrated once per session
and copied per test; offscreen Qt for the GUI tests."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

if "QT_QPA_PLATFORM" not in os.environ:
    # Offscreen Qt on a screen the size a clerk's 1366×768 laptop leaves for windows (less the
    # taskbar); Qt's offscreen default is 800×600, smaller than any laptop.
    _screen = Path(tempfile.gettempdir()) / "clerk-app-test-screen.json"
    _screen.write_text('{"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 728,'
                       ' "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}')
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"

import pytest
from stdnum.cn import ric

from clerk_app.clock import SYSTEM, TODAY_ENV, Clock
from clerk_app.domain.member import MemberInput
from clerk_app.services.setup import SetupInput
from clerk_app.storage.db import DB_FILENAME, open_db
from clerk_app.storage.keyring import KEYRING_FILENAME, KdfParams, Keyring
from clerk_app.workspace import ENV_PASSWORD, Login, open_workspace

# Every test folder's first clerk has this password; CLI runs (in-process and subprocesses) read
# it like a script would. Argon2id runs at a test cost, passed explicitly (open_workspace(kdf=)).
TEST_PASSWORD = "test-pass-2026"
TEST_KDF = KdfParams(memory_kib=64, time_cost=1, parallelism=1)
LOGIN = Login("李经办", TEST_PASSWORD)
os.environ[ENV_PASSWORD] = TEST_PASSWORD

def pytest_addoption(parser):
    parser.addoption("--today", metavar="YYYY-MM-DD", default=None,
                     help="run the app's clock on this day (sets CLERK_APP_TODAY); the suite must pass on any day")


def pytest_configure(config):
    day = config.getoption("--today")
    if day:
        dt.date.fromisoformat(day)  # a typo fails here, not as a thousand odd failures
        os.environ[TODAY_ENV] = day  # subprocesses (CLI, crash tests) inherit it


@pytest.fixture(scope="session")
def app_clock() -> Clock:
    """The one way a test learns the date: the app's own clock (the machine's, or the day that
    ``--today`` / ``CLERK_APP_TODAY`` names). Tests never call ``date.today()`` themselves."""
    return SYSTEM


@pytest.fixture
def today(app_clock) -> dt.date:
    return app_clock.today()


def run_on(day: dt.date):
    """An autouse fixture that runs the app's clock on ``day`` for every test of a module whose
    scenario is dated (``_on_day = run_on(TODAY)``): the services, widgets, CLI runs and
    subprocesses of those tests all work on that day, whatever day the suite runs on."""

    @pytest.fixture(autouse=True)
    def _on_day(monkeypatch):
        monkeypatch.setenv(TODAY_ENV, day.isoformat())

    return _on_day


SETUP = SetupInput(laptop_name="测试笔记本", union_name="大兴区黄村镇总工会", clerk_name="李经办",
                   password=TEST_PASSWORD)


def make_id(region: str = "110105", birth: str = "19900307", seq: str = "123") -> str:
    """A valid 18-digit ID number (synthetic) with the right check character."""
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    """A new folder's migrated database under a random key (no Argon2: not set up yet)."""
    folder = tmp_path_factory.mktemp("template")
    key = os.urandom(32)
    db = open_db(folder / DB_FILENAME, key=key)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    Keyring(setup_key=key).save(folder)
    return folder / DB_FILENAME


@pytest.fixture
def data_dir(tmp_path, _template_db):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(_template_db, folder / DB_FILENAME)
    shutil.copy(_template_db.parent / KEYRING_FILENAME, folder / KEYRING_FILENAME)
    return folder


def reopen(folder, **kwargs):
    """Open a set-up test folder again as its first clerk."""
    return open_workspace(folder, login=LOGIN, kdf=TEST_KDF, **kwargs)


@pytest.fixture
def workspace(data_dir):
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    yield ws
    ws.close()


@pytest.fixture
def db(workspace):
    return workspace.db


@pytest.fixture
def ctx(workspace):
    return workspace.set_up(SETUP)


@pytest.fixture
def member_input(ctx):
    """A factory of valid registration forms for this laptop's union (joined 20 days before
    the app's today, unless a test names the date)."""

    def make(**overrides) -> MemberInput:
        base = dict(name="王小明", id_number=make_id(), phone="13812345678", union_id=ctx.home_union_id,
                    occupation="外卖配送员", platform="美团", join_date=ctx.today() - dt.timedelta(days=20))
        base.update(overrides)
        return MemberInput(**base)

    return make
