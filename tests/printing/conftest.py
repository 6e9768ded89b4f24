from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.printing.cards import CardFace
from clerk_app.printing.layout import Imprint
from tests.conftest import run_on

DAY = dt.date(2026, 11, 21)  # the printouts' day: the app works on it in these tests
_on_day = run_on(DAY)


@pytest.fixture
def imprint() -> Imprint:
    return Imprint("李经办", dt.datetime(2026, 11, 21, 9, 30))


@pytest.fixture
def face():
    def make(i: int = 1, name: str = "王小明", union: str = "大兴区黄村镇总工会") -> CardFace:
        return CardFace(union_name=union, holder_name=name, card_no=f"DX07-{i:06d}-K",
                        issue_date=dt.date(2026, 11, 21))

    return make
