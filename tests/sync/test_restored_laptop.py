"""A laptop restored from a backup after it was enrolled refuses to export with a clear message
naming it (its packages would repeat sequences the district already holds: an equivocation
alarm there); enrolled again (same keys: same site, next epoch) it sends its work under the new
epoch and the district takes it."""

from __future__ import annotations

import json

import pytest

from clerk_app.domain.errors import UserError
from clerk_app.services import sync_packages, sync_site
from clerk_app.storage.changes import SITE_HISTORY_KEY
from clerk_app.storage.db import transaction
from clerk_app.storage.meta import set_meta
from tests.merge.conftest import _on_day  # noqa: F401 - the app works on DAY


def _folder(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    return folder


def _restored(ctx) -> None:
    """What services.restore leaves in the restored database's meta: the earlier site ids."""
    with transaction(ctx.db):
        set_meta(ctx.db, SITE_HISTORY_KEY, json.dumps([{"site_id": ctx.site_id, "until": ctx.now_stamp(),
                                                        "reason": "restore"}]))


def test_a_restored_laptop_must_be_enrolled_again(enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    enrolled.member(a, "张三")
    first = sync_packages.export_package(a, _folder(tmp_path, "one"))
    sync_packages.import_package(district, first.path)
    assert not sync_site.restored_since_enrolment(a)

    _restored(a)
    enrolled.member(a, "李四")
    with pytest.raises(UserError) as refused:
        sync_packages.export_package(a, _folder(tmp_path, "two"))
    assert refused.value.code == "syncsite.restored" and "laptop-a" in refused.value.message
    assert not list((tmp_path / "two").iterdir())

    request, _fp = sync_site.request_file(a, tmp_path / "again.request")
    got = sync_site.enrol_laptop(district, request.read_bytes(), union_name="黄村镇总工会", card_code="DX11",
                                 out=tmp_path / "again.enrolment")
    assert got.epoch == 2 and got.site_id == sync_site.identity(a).site_id
    sync_site.accept_enrolment(a, (tmp_path / "again.enrolment").read_bytes())
    sent = sync_packages.export_package(a, _folder(tmp_path, "three"))
    assert sent.seq == 1  # the new epoch's first package
    done = sync_packages.import_package(district, sent.path)
    assert not done.already and done.report.applied >= 1
    names = {r[0] for r in district.db.conn.execute("SELECT name FROM members")}
    assert {"张三", "李四"} <= names
