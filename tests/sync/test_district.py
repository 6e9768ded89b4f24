"""The district's decisions on real packages from two laptops (services.sync_district): the
laptops with their last package, the inbox with both values and who wrote them, a decision
that travels back down as a change record, duplicate persons side by side, the sync log with
the refused file and why; only a 负责人 or 管理员 decides, only at the district."""

from __future__ import annotations

import dataclasses
import json

import pytest

from clerk_app.__main__ import main
from clerk_app.domain.errors import UserError
from clerk_app.services import sync_district, sync_packages, sync_site
from clerk_app.services.context import Context
from clerk_app.storage import sync_store as store
from clerk_app.storage.db import database_file
from clerk_app.workspace import open_workspace
from tests.conftest import TEST_KDF
from tests.merge.conftest import _on_day  # noqa: F401 - the app works on DAY
from tests.sync.district_world import SAME, feed


def _phone_row(view):
    [row] = [r for r in view.inbox if r.kind == "same_field"]
    return row


def test_the_view_lists_laptops_inbox_duplicates_and_log(enrolled, tmp_path):
    fed = feed(enrolled, tmp_path)
    view = sync_district.district_view(enrolled.district_ctx)
    assert [(r.name, r.last_seq, r.missing, r.revoked, r.union) for r in view.laptops] == [
        ("laptop-a", 2, (), False, "黄村镇总工会"), ("laptop-b", 1, (), False, "黄村镇总工会")]
    row = _phone_row(view)
    assert "王小明" in row.what and "手机号码" in row.what
    # both values, masked, with the laptop that wrote each and when
    assert {row.current.value, row.other.value} == {"139****0001", "139****0002"}
    assert {row.current.laptop, row.other.laptop} == {"laptop-a", "laptop-b"}
    assert row.current.stamp and row.other.stamp and row.can_take_other
    [dup] = view.duplicates
    assert dup.masked_id == SAME[:6] + "*" * 12 and set(dup.names) == {"张三", "张叁"}
    assert set(dup.laptops) == {"laptop-a", "laptop-b"} and set(dup.cards) == set(fed.cards)
    refused = [r for r in view.log if r.refused]
    assert len(refused) == 1 and refused[0].detail.startswith("损坏的包.ghsync：")
    assert refused[0].detail.endswith("（old_format）") and refused[0].at
    assert [r.direction for r in view.log].count("导入") == 3


def test_theirs_is_applied_as_a_change_record_and_travels_down(enrolled, tmp_path):
    fed = feed(enrolled, tmp_path)
    district, a = enrolled.district_ctx, enrolled.a
    row = _phone_row(sync_district.district_view(district))
    before = store.get_row(district.db, "members", fed.member)["phone"]
    done = sync_district.resolve_conflict(district, row.id, "theirs")
    after = store.get_row(district.db, "members", fed.member)["phone"]
    assert done.recorded and after != before and after in ("13900000001", "13900000002")
    assert not [r for r in sync_district.inbox(district) if r.kind == "same_field"]
    with pytest.raises(UserError) as err:
        sync_district.resolve_conflict(district, row.id, "mine")  # already decided
    assert err.value.code == "inbox.not_found"
    down = tmp_path / "down-a"
    down.mkdir()
    sent = sync_packages.export_package(district, down, to=sync_site.identity(a).site_id)
    sync_packages.import_package(a, sent.path)
    assert store.get_row(a.db, "members", fed.member)["phone"] == after


def test_mine_still_travels_and_a_typed_value_is_checked(enrolled, tmp_path):
    fed = feed(enrolled, tmp_path)
    district = enrolled.district_ctx
    row = _phone_row(sync_district.district_view(district))
    with pytest.raises(UserError) as err:
        sync_district.resolve_conflict(district, row.id, "12")
    assert err.value.code == "inbox.bad_value"
    top = district.db.conn.execute("SELECT max(seq) FROM change_log").fetchone()[0]
    done = sync_district.resolve_conflict(district, row.id, "13700000009")
    assert done.recorded and store.get_row(district.db, "members", fed.member)["phone"] == "13700000009"
    [rec] = district.db.conn.execute("SELECT data, base FROM change_log WHERE seq > ? AND tbl = 'members'",
                                     [top]).fetchall()
    assert json.loads(rec[0])["phone"] == "13700000009" and "phone" in json.loads(rec[1])


def test_only_a_lead_at_the_district_decides(enrolled, tmp_path):
    feed(enrolled, tmp_path)
    district = enrolled.district_ctx
    row = _phone_row(sync_district.district_view(district))
    clerk = Context(district.db, dataclasses.replace(district.clerk, role="经办人"), district.site_id,
                    district.clock)
    with pytest.raises(UserError) as err:
        sync_district.resolve_conflict(clerk, row.id, "mine")
    assert err.value.code == "auth.forbidden"
    with pytest.raises(UserError) as err:
        sync_district.district_view(enrolled.a)
    assert err.value.code == "syncsite.not_district"


def test_sync_resolve_by_command_line(enrolled, tmp_path, capsys):
    feed(enrolled, tmp_path)
    row = _phone_row(sync_district.district_view(enrolled.district_ctx))
    folder = database_file(enrolled.district_ctx.db).parent
    [ws] = [w for w in enrolled.opened if getattr(w, "folder", None) == folder]
    ws.close()  # the command opens the district's folder itself (one program at a time)
    enrolled.opened.remove(ws)
    capsys.readouterr()
    assert main(["sync", "conflicts", "--data-dir", str(folder), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    [phone] = [r for r in listed if r["id"] == row.id]
    assert {phone["current"]["value"], phone["other"]["value"]} == {"139****0001", "139****0002"}
    assert main(["sync", "resolve", str(row.id), "--keep", "mine", "--data-dir", str(folder), "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["recorded"] and done["field"] == "phone"
    assert main(["sync", "resolve", str(row.id), "--keep", "mine", "--data-dir", str(folder)]) != 0
    assert "没有第" in capsys.readouterr().err
    again = open_workspace(folder, kdf=TEST_KDF)
    try:
        assert not [r for r in sync_district.inbox(again.context()) if r.kind == "same_field"]
    finally:
        again.close()
