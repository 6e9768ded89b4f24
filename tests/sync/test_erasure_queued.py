"""Erasure reaches packages exported but not yet acknowledged: their kept bytes are dropped and
their files removed, and the next package carries the deletion without the person's values."""

from __future__ import annotations

from clerk_app.services import erasure, sync_packages
from clerk_app.storage import sync_ledger
from tests.conftest import make_id
from tests.merge.conftest import _on_day  # noqa: F401 - the app works on DAY


def _folder(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    return folder


def test_erasure_removes_the_queued_package_and_the_next_one_carries_no_values(enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    number = make_id(seq="963")
    member = enrolled.member(a, "欧阳娜娜", number)
    enrolled.member(a, "王五")
    queued = sync_packages.export_package(a, _folder(tmp_path, "usb"))
    assert queued.path.exists()

    done = erasure.erase_member(a, member)
    assert done.packages_removed == 1 and not queued.path.exists()
    [row] = [p for p in sync_ledger.packages(a.db, sync_ledger.OUT) if p.seq == queued.seq]
    assert sync_ledger.package_data(a.db, row.direction, row.sender, row.epoch, row.seq, row.site) is None

    again = sync_packages.export_package(a, _folder(tmp_path, "usb2"))
    assert again.seq == queued.seq + 1 and not again.again
    got = sync_packages.import_package(district, again.path)
    assert got.missing == [queued.seq]  # named, harmlessly: this one carries everything
    names = {r[0] for r in district.db.conn.execute("SELECT name FROM members")}
    assert "王五" in names and "欧阳娜娜" not in names
    log = "\n".join(r[0] for r in district.db.conn.execute("SELECT data FROM change_log"))
    assert "欧阳娜娜" not in log and number not in log
