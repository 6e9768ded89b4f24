"""Record ids are version-7 UUIDs stamped with the app's clock (time is an input), unique
across laptops by their random bits, and every place that mints one names its clock."""

from __future__ import annotations

import ast
import datetime as dt
import uuid
from pathlib import Path

import pytest

from clerk_app.clock import Clock
from clerk_app.domain.ids import uuid7_at, uuid7_ms
from clerk_app.services.context import is_uuid, new_id

ROOT = Path(__file__).resolve().parent.parent


def test_an_id_is_a_version_7_uuid_stamped_with_the_clock_it_was_given():
    clock = Clock.on(dt.date(2034, 2, 28))
    before = clock.wall_ms()
    made = new_id(clock)
    after = clock.wall_ms()
    parsed = uuid.UUID(made)
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert is_uuid(made)
    assert before <= uuid7_ms(made) <= after
    assert dt.datetime.fromtimestamp(uuid7_ms(made) / 1000).year in (2034,)


def test_ids_sort_by_the_time_they_were_made_and_never_repeat_within_a_millisecond():
    early, late = uuid7_at(1_800_000_000_000), uuid7_at(1_800_000_000_001)
    assert early < late  # appended at the end of an index, not scattered over it
    same = {uuid7_at(1_800_000_000_000) for _ in range(20_000)}
    assert len(same) == 20_000  # the random bits keep two laptops' ids apart


def test_a_clock_moved_years_back_stamps_its_ids_years_back():
    clock = Clock.on(dt.date(2019, 3, 15))
    assert dt.datetime.fromtimestamp(uuid7_ms(new_id(clock)) / 1000).date() in (
        dt.date(2019, 3, 15), dt.date(2019, 3, 16), dt.date(2019, 3, 14))


def _calls_without_clock() -> list[str]:
    found = []
    for path in sorted((ROOT / "clerk_app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "new_id"
                    and not node.args and not node.keywords):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    return found


def test_every_id_minted_by_the_app_names_the_clock_it_is_stamped_with():
    assert _calls_without_clock() == []


@pytest.mark.parametrize("module", ["uuid", "uuid_utils"])
def test_no_record_id_comes_from_a_clock_read_inside_a_uuid_library(module):
    """uuid1/uuid6/uuid7 with no timestamp read the machine's clock themselves."""
    bad = []
    for path in sorted((ROOT / "clerk_app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and getattr(node.func.value, "id", "") == module
                    and node.func.attr in ("uuid1", "uuid6", "uuid7") and not node.keywords):
                bad.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert bad == []
