"""Laptops for the merge tests: each its own SQLite file, site id and card code, driven by the
real services; a district is a fresh migrated database that only merges."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from clerk_app.domain.event import EventInput
from clerk_app.domain.member import MemberInput
from clerk_app.services import cards, events
from clerk_app.services.members import register_member
from clerk_app.services.setup import SetupInput
from clerk_app.storage.db import DB_FILENAME, open_db
from clerk_app.storage.keyring import KEYRING_FILENAME
from clerk_app.sync.merge import apply_changes
from clerk_app.sync.records import export_records
from clerk_app.workspace import open_workspace
from tests.conftest import TEST_KDF, TEST_PASSWORD, make_id, run_on

DAY = dt.date(2026, 11, 21)
_on_day = run_on(DAY)


class Laptops:
    def __init__(self, tmp_path, template, clock):
        self.tmp_path, self.template, self.clock = tmp_path, template, clock
        self.opened = []
        self.codes = iter(["DX01", "DX02", "DX03", "DX04", "DX05"])
        self.seq = iter(range(100, 999))

    def laptop(self, name: str):
        folder = self.tmp_path / name
        folder.mkdir()
        shutil.copy(self.template, folder / DB_FILENAME)
        shutil.copy(self.template.parent / KEYRING_FILENAME, folder / KEYRING_FILENAME)
        ws = open_workspace(folder, kdf=TEST_KDF)
        self.opened.append(ws)
        ctx = ws.set_up(SetupInput(laptop_name=name, union_name="大兴区黄村镇总工会", clerk_name=f"{name}经办",
                                   password=TEST_PASSWORD))
        cards.set_card_prefix(ctx, next(self.codes))
        return ctx

    def district(self, name: str = "district"):
        db = open_db(self.tmp_path / f"{name}.db", key=os.urandom(32))
        self.opened.append(db)
        return db

    def member(self, ctx, name: str = "王小明", id_number: str | None = None, **overrides) -> str:
        seq = f"{next(self.seq):03d}"
        inp = MemberInput(name=name, id_number=id_number or make_id(seq=seq), phone=f"13812345{seq}",
                          union_id=ctx.home_union_id, occupation="外卖配送员", platform="美团",
                          join_date=DAY - dt.timedelta(days=20))
        for key, value in overrides.items():
            setattr(inp, key, value)
        return register_member(ctx, inp, confirm_possible_duplicate=True, today=DAY).member_id

    def event(self, ctx):
        return events.create_event(ctx, EventInput(
            type="职工沟通会", title="职工沟通会", event_date=DAY, start_time="09:30", end_time="11:30",
            venue="文化广场", union_id=ctx.home_union_id, sub_venues=["站点"], services=["法律咨询"]), today=DAY)

    def send(self, source_db, target_db, after_seq: int = 0):
        """Everything ``source`` holds after its local ``after_seq``, merged into ``target``."""
        return apply_changes(target_db, export_records(source_db, after_seq), wall_ms=self.clock.wall_ms())

    def close(self):
        for item in reversed(self.opened):
            item.close()


@pytest.fixture
def sites(tmp_path, _template_db, app_clock):
    made = Laptops(tmp_path, _template_db, app_clock)
    yield made
    made.close()
