"""Shared fixtures: a real SQLite database in a temp data folder, migrated once per session
and copied per test; offscreen Qt for the GUI tests."""

from __future__ import annotations

import datetime as dt
import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from stdnum.cn import ric

from clerk_app.domain.member import MemberInput
from clerk_app.services.setup import SetupInput
from clerk_app.storage.db import DB_FILENAME, open_db
from clerk_app.workspace import open_workspace

SETUP = SetupInput(laptop_name="测试笔记本", union_name="大兴区黄村镇总工会", clerk_name="李经办")


def make_id(region: str = "110105", birth: str = "19900307", seq: str = "123") -> str:
    """A valid 18-digit ID number (synthetic) with the right check character."""
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    db = open_db(folder / DB_FILENAME)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return folder / DB_FILENAME


@pytest.fixture
def data_dir(tmp_path, _template_db):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(_template_db, folder / DB_FILENAME)
    return folder


@pytest.fixture
def workspace(data_dir):
    ws = open_workspace(data_dir)
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
    """A factory of valid registration forms for this laptop's union."""

    def make(**overrides) -> MemberInput:
        base = dict(name="王小明", id_number=make_id(), phone="13812345678", union_id=ctx.home_union_id,
                    occupation="外卖配送员", platform="美团", join_date=dt.date(2026, 11, 1))
        base.update(overrides)
        return MemberInput(**base)

    return make
