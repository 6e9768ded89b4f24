"""The whole sync flow through the services, two laptops and a district in separate data folders
with encrypted databases: enrol, register and sign in, export, import at the district,
duplicates found, a package back down; replays, equivocation, gaps and damage refused or named
with the database unchanged (RELIABILITY.md (c) rows 3, 12, 15, 16, 20, 13)."""

from __future__ import annotations

import pytest

from clerk_app.services import signin, sync_packages, sync_site
from clerk_app.storage import sync_ledger, sync_store
from clerk_app.sync.errors import DAMAGED, EQUIVOCATION, UNKNOWN_SENDER, PackageRefused
from clerk_app.sync.state import state_hash
from tests.conftest import make_id

SAME_PERSON = make_id(seq="777")


def _outbox(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def test_enrolment_gives_site_union_code_and_the_district_as_only_sender(enrolled):
    a = enrolled.a
    status = sync_site.enrolment_status(a)
    assert status.role == "laptop" and status.epoch == 1 and status.card_code == "DX11"
    assert status.district == "district" and len(status.district_fingerprint.split()) == 6
    assert [p.role for p in sync_ledger.peers(a.db)] == ["district"]
    laptops = sync_ledger.peers(enrolled.district_ctx.db, "laptop")
    assert sorted(p.name for p in laptops) == ["laptop-a", "laptop-b"]
    # the union lives in the district's tree, under the district's own union
    union = sync_store.get_row(enrolled.district_ctx.db, "unions", status.union_id)
    assert union["name"] == "黄村镇总工会" and union["parent_id"] == enrolled.district_ctx.home_union_id


def test_up_and_down_with_duplicates_replay_and_acks(enrolled, tmp_path):
    a, b, district = enrolled.a, enrolled.b, enrolled.district_ctx
    ma = enrolled.member(a, "王小明", SAME_PERSON)
    enrolled.member(b, "王晓明", SAME_PERSON)
    enrolled.member(b, "赵六")
    event = enrolled.event(a)
    signin.sign_in_member(a, event.id, ma)

    out_a = sync_packages.export_package(a, _outbox(tmp_path, "usb-a"))
    out_b = sync_packages.export_package(b, _outbox(tmp_path, "usb-b"))
    assert out_a.path.exists() and out_a.seq == 1 and out_a.counts["members"] >= 1
    assert "第000001号" in out_a.path.name and out_a.path.suffix == ".ghsync"

    got_a = sync_packages.import_package(district, out_a.path)
    got_b = sync_packages.import_package(district, out_b.path)
    assert not got_a.already and got_a.report.applied > 0 and got_a.missing == []
    from clerk_app.services import backups

    kinds = {b.kind for b in backups.list_backups(backups.data_folder(district), include_second=False)}
    assert {"before-sync", "after-sync"} <= kinds  # a copy before and after each import
    assert got_b.report.applied > 0
    pairs = sync_store.duplicate_pairs(district.db)
    assert len(pairs) == 1 and sync_packages.status(district).duplicates == 1

    # replay: 已导入, nothing changes (row 15)
    before = state_hash(district.db)
    again = sync_packages.import_package(district, out_a.path)
    assert again.already and "已导入" in again.message
    assert state_hash(district.db) == before

    # back down to laptop a: the district's records (b's members included) and a's ack
    down = sync_packages.export_package(district, _outbox(tmp_path, "down"), to=sync_site.identity(a).site_id)
    got = sync_packages.import_package(a, down.path)
    assert got.report.applied > 0
    names = {r[0] for r in a.db.conn.execute("SELECT name FROM members")}
    assert {"王小明", "王晓明", "赵六"} <= names
    # the district acknowledged a's first package: a's next export starts after it
    peer = sync_ledger.peer(a.db, sync_site.identity(district).site_id)
    assert peer.acked_seq > 0
    assert sync_ledger.package_data(a.db, "out", sync_site.identity(a).site_id, 1, 1, peer.site_id) is None
    enrolled.member(a, "钱七")
    second = sync_packages.export_package(a, _outbox(tmp_path, "usb-a"))
    # only the new member travels: nothing the district sent comes back up again
    assert second.seq == 2 and second.counts.get("members") == 1 and "unions" not in second.counts
    assert sync_packages.import_package(district, second.path).missing == []


def test_export_again_with_nothing_new_writes_the_same_package(enrolled, tmp_path):
    a = enrolled.a
    enrolled.member(a)
    first = sync_packages.export_package(a, _outbox(tmp_path, "one"))
    again = sync_packages.export_package(a, _outbox(tmp_path, "two"))
    assert again.again and again.seq == first.seq
    assert again.path.read_bytes() == first.path.read_bytes()  # row 3: one seq, one content


def test_equivocation_is_refused_with_an_alarm(enrolled, tmp_path):
    """Row 12/20: a laptop restored from an old backup sends seq 1 twice with other contents."""
    a, district = enrolled.a, enrolled.district_ctx
    me = sync_site.identity(a)
    enrolled.member(a, "张三")
    first = sync_packages.export_package(a, _outbox(tmp_path, "one"))
    sync_packages.import_package(district, first.path)
    # forget the export on the laptop (as a restored backup would), make another seq 1
    a.db.conn.execute("DELETE FROM sync_packages WHERE direction = 'out'")
    enrolled.member(a, "李四")
    forged = sync_packages.export_package(a, _outbox(tmp_path, "two"))
    assert forged.seq == 1 and me.site_id
    before = state_hash(district.db)
    with pytest.raises(PackageRefused) as refused:
        sync_packages.import_package(district, forged.path)
    assert refused.value.reason == EQUIVOCATION and "安全警报" in refused.value.message
    assert state_hash(district.db) == before
    assert [k for k, *_ in sync_store.alarms(district.db)] == [EQUIVOCATION]


def test_a_gap_is_imported_and_named(enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    enrolled.member(a, "张三")
    sync_packages.export_package(a, _outbox(tmp_path, "lost"))   # seq 1 never arrives
    enrolled.member(a, "李四")
    second = sync_packages.export_package(a, _outbox(tmp_path, "two"))
    assert second.seq == 2
    got = sync_packages.import_package(district, second.path)
    assert got.missing == [1] and "缺少第 1 号包" in got.message
    names = {r[0] for r in district.db.conn.execute("SELECT name FROM members")}
    assert {"张三", "李四"} <= names   # everything unacknowledged travels in each package
    assert sync_packages.status(district).peers[0].missing in ([1], [])


def test_a_flipped_byte_is_refused_and_nothing_changes(enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    enrolled.member(a, "张三")
    out = sync_packages.export_package(a, _outbox(tmp_path, "usb"))
    data = bytearray(out.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.ghsync"
    bad.write_bytes(bytes(data))
    before = state_hash(district.db)
    ledger_before = sync_ledger.packages(district.db)
    with pytest.raises(PackageRefused) as refused:
        sync_packages.import_package(district, bad)
    assert refused.value.reason == DAMAGED
    assert state_hash(district.db) == before and sync_ledger.packages(district.db) == ledger_before


def test_a_laptop_refuses_a_package_signed_by_another_laptop(enrolled, tmp_path):
    """Only the district may send a laptop packages: b's key is not in a's registry."""
    a, b = enrolled.a, enrolled.b
    enrolled.member(b, "张三")
    # b seals a package to a as if a were its recipient (b knows a's public keys here)
    a_keys = sync_site.site_keys(a)
    me_a = sync_site.identity(a)
    from clerk_app.sync.container import seal_package
    from clerk_app.sync.keys import KnownSender
    from clerk_app.sync.records import export_records, record_rules

    data = seal_package(keys=sync_site.site_keys(b), sender=sync_site.identity(b).site_id, epoch=1,
                        recipient=KnownSender(me_a.site_id, "a", a_keys.signing_public, a_keys.encryption_public),
                        seq=1, changes=export_records(b.db), schema=sync_packages.SCHEMA, rules=record_rules(b.db))
    path = tmp_path / "from-b.ghsync"
    path.write_bytes(data)
    before = state_hash(a.db)
    with pytest.raises(PackageRefused) as refused:
        sync_packages.import_package(a, path)
    assert refused.value.reason == UNKNOWN_SENDER
    assert state_hash(a.db) == before


def test_revoked_laptop_is_refused_after_its_last_package(enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    enrolled.member(a, "张三")
    first = sync_packages.export_package(a, _outbox(tmp_path, "one"))
    sync_packages.import_package(district, first.path)
    sync_site.revoke(district, "laptop-a")
    enrolled.member(a, "李四")
    second = sync_packages.export_package(a, _outbox(tmp_path, "two"))
    with pytest.raises(PackageRefused) as refused:
        sync_packages.import_package(district, second.path)
    assert refused.value.reason == "revoked"
    assert sync_packages.import_package(district, first.path).already


def test_not_enrolled_laptop_cannot_export(enrolled, tmp_path):
    c = enrolled.laptop("laptop-c")
    with pytest.raises(Exception) as refused:
        sync_packages.export_package(c, _outbox(tmp_path, "c"))
    assert "登记" in str(getattr(refused.value, "message", refused.value))


def test_a_downstream_package_carries_only_the_laptops_own_union(enrolled, tmp_path):
    """A laptop of another town (西红门镇) sends its members up; laptop a (黄村镇) never gets them,
    but gets b's, which are in its union."""
    a, b, district = enrolled.a, enrolled.b, enrolled.district_ctx
    c = enrolled.laptop("laptop-c")
    request, _fp = sync_site.request_file(c, tmp_path / "c.request")
    sync_site.enrol_laptop(district, request.read_bytes(), union_name="西红门镇总工会", card_code="DX13",
                           out=tmp_path / "c.enrolment")
    sync_site.accept_enrolment(c, (tmp_path / "c.enrolment").read_bytes())
    first = sync_packages.export_package(district, _outbox(tmp_path, "c-down"), to=sync_site.identity(c).site_id)
    sync_packages.import_package(c, first.path)
    assert sync_store.get_row(c.db, "unions", c.home_union_id)["name"] == "西红门镇总工会"

    other_town = enrolled.member(c, "孙七")
    enrolled.member(b, "周八")
    for ctx in (b, c):
        sync_packages.import_package(district, sync_packages.export_package(ctx, _outbox(tmp_path, "up")).path)
    down = sync_packages.export_package(district, _outbox(tmp_path, "a-down"), to=sync_site.identity(a).site_id)
    sync_packages.import_package(a, down.path)
    names = {r[0] for r in a.db.conn.execute("SELECT name FROM members")}
    assert "周八" in names and "孙七" not in names
    assert not a.db.conn.execute("SELECT 1 FROM change_log WHERE row_id = ?", [other_town]).fetchall()
    assert not a.db.conn.execute("SELECT 1 FROM parked_changes").fetchall()


def test_site_keys_are_encrypted_at_rest_with_the_data_key(enrolled):
    """sync-keys.bin opens only with the passphrase derived from the database's data key."""
    from clerk_app.sync.errors import KeyFileRefused
    from clerk_app.sync.keys import load_site_keys

    a = enrolled.a
    path = sync_site.keys_path(a)
    assert path.exists() and (path.stat().st_mode & 0o077) == 0
    with pytest.raises(KeyFileRefused):
        load_site_keys(path, None)
    with pytest.raises(KeyFileRefused):
        load_site_keys(path, b"x" * 32)
    assert sync_site.site_keys(a).fingerprint == sync_site.enrolment_status(a).fingerprint


def test_an_export_cut_off_before_its_file_is_written_again_with_the_same_sequence(enrolled, tmp_path,
                                                                                     monkeypatch):
    """Row 3: the sequence was reserved (committed) but the file never written (USB pulled, power
    cut): the next export writes that same package, never the same sequence with other content."""
    a, district = enrolled.a, enrolled.district_ctx
    enrolled.member(a, "张三")

    def pulled(*_args, **_kw):
        raise OSError("the USB stick went away")

    with monkeypatch.context() as m:
        m.setattr(sync_packages, "write_atomically", pulled)
        with pytest.raises(OSError):
            sync_packages.export_package(a, _outbox(tmp_path, "usb"))
    assert list((tmp_path / "usb").iterdir()) == []
    again = sync_packages.export_package(a, _outbox(tmp_path, "usb"))
    assert again.seq == 1 and again.again
    got = sync_packages.import_package(district, again.path)
    assert got.seq == 1 and got.missing == [] and got.report.applied > 0
