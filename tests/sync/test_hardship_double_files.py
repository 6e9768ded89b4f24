"""After the district merges one person registered on two laptops, each of which filed a
hardship file for them, the two open files of one person are flagged (services.hardship
.double_files, ``hardship recheck``, the 困难职工 page); both files stay, and withdrawing one
clears the flag."""

from __future__ import annotations

from clerk_app.domain import hardship as hs
from clerk_app.services import hardship, person_merge, sync_packages
from tests.conftest import make_id
from tests.merge.conftest import _on_day  # noqa: F401 - the app works on DAY

SAME = make_id(seq="742")


def _outbox(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def test_two_files_of_one_person_are_flagged_after_the_merge(enrolled, tmp_path):
    a, b, district = enrolled.a, enrolled.b, enrolled.district_ctx
    form = hs.FileInput(category="低保户", own_monthly_income="1000", sensitive_consent="书面")
    ma, mb = enrolled.member(a, "王小明", SAME), enrolled.member(b, "王晓明", SAME)
    file_a = hardship.file_member(a, ma, form)
    file_b = hardship.file_member(b, mb, form)
    for ctx, name in ((a, "usb-a"), (b, "usb-b")):
        sync_packages.import_package(district, sync_packages.export_package(ctx, _outbox(tmp_path, name)).path)
    assert hardship.double_files(district.db) == []  # two member records: not yet known as one person
    person_merge.merge_persons(district, ma, mb)
    groups = hardship.double_files(district.db)
    assert len(groups) == 1 and sorted(r.worker_no for r in groups[0]) == sorted([file_a.worker_no, file_b.worker_no])
    assert {r.member_id for r in groups[0]} == {ma}  # the merge moved b's file to the kept record
    hardship.change_status(district, file_b.file_id, hs.WITHDRAWN, reason="与 " + file_a.worker_no + " 重复")
    assert hardship.double_files(district.db) == []
    assert len(hardship.list_files(district)) == 2  # both files stay
