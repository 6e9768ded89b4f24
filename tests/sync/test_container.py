"""The package file refuses every damaged, forged, misaddressed or malformed package with its
reason code (RELIABILITY.md matrix rows 13, 14, 17–19, 21, 22, 24–27), and carries a body
intact otherwise."""

from __future__ import annotations

import os
import random
import struct

import cbor2
import pytest
import zstandard

from clerk_app.domain.messages import MESSAGES
from clerk_app.sync import container, errors
from clerk_app.sync.container import Limits, open_package, package_filename, read_package, write_package
from clerk_app.sync.errors import PackageRefused
from clerk_app.sync.keys import KnownSender, SenderRegistry, SiteKeys
from clerk_app.sync.shape import ShapeRules

from .conftest import forge, make_changes

FIELDS = {"name", "phone", "union_id", "count", "ratio"}
KNOWN = {"members": FIELDS, "events": FIELDS, "attendance": FIELDS}
AUDIT = [{"action": "member.create", "clerk": "王芳", "at": "2026-12-03T09:00:00", "hash": "ab" * 32}]


def refused(fn, *args, **kw) -> PackageRefused:
    with pytest.raises(PackageRefused) as info:
        fn(*args, **kw)
    return info.value


@pytest.fixture(scope="module")
def small(world) -> bytes:
    return world.seal(make_changes(4), audit=AUDIT, acks={"district": 7}, prev=b"\x01" * 32)


def test_round_trip_keeps_every_change_audit_entry_and_ack(world, small):
    pkg = world.open(small)
    assert pkg.changes == make_changes(4) and pkg.audit == AUDIT
    m = pkg.manifest
    assert (m.sender, m.epoch, m.recipient, m.seq, m.schema, m.format) == ("laptop-a", 1, "district", 1, 3, 1)
    assert m.counts == {"members": 2, "events": 1, "attendance": 1} and m.audit == 1
    assert m.acks == {"district": 7} and m.prev == b"\x01" * 32
    assert m.stamps == (make_changes(4)[0]["hlc"], make_changes(4)[3]["hlc"])
    assert pkg.sender.name == "黄村镇笔记本" and len(pkg.digest) == 32


def test_round_trip_of_100k_changes(world):
    changes = make_changes(100_000)
    pkg = world.open(world.seal(changes))
    assert pkg.changes == changes
    assert sum(pkg.manifest.counts.values()) == 100_000


def test_same_input_same_bytes_except_the_hpke_encapsulation(world):
    """Canonical CBOR, a fixed zstd level and Ed25519 make everything deterministic but the
    HPKE part, which draws a fresh ephemeral key per encryption (RFC 9180)."""
    one, two = world.seal(make_changes(50), seq=5), world.seal(make_changes(50), seq=5)
    _, prefix = container.read_header(one)
    assert two.startswith(prefix) and one != two
    assert one[len(prefix):len(prefix) + 32] != two[len(prefix):len(prefix) + 32]  # enc differs

    def inner(data):
        return container._HPKE.decrypt(data[len(prefix):], world.district.encryption,
                                       info=container._INFO_LABEL + prefix)
    assert inner(one) == inner(two)
    assert world.open(one).digest == world.open(two).digest


def _expected_for_flip(pos: int, header_end: int) -> set[str]:
    if pos < 6:
        return {errors.NOT_A_PACKAGE}
    if pos < 8:
        return {errors.NEWER_FORMAT, errors.OLD_FORMAT}
    if pos < header_end:  # length or header fields: a mangled header, another recipient, another suite
        return {errors.DAMAGED, errors.NOT_FOR_US, errors.UNKNOWN_SUITE}
    return {errors.DAMAGED}


@pytest.mark.parametrize("mask", [0x01, 0x80, 0xFF])
def test_every_byte_flipped_is_refused(world, small, mask):
    _, prefix = container.read_header(small)
    seen = set()
    for pos in range(len(small)):
        bad = bytearray(small)
        bad[pos] ^= mask
        reason = refused(world.open, bytes(bad)).reason
        assert reason in _expected_for_flip(pos, len(prefix)), (pos, reason)
        seen.add(reason)
    assert errors.DAMAGED in seen and errors.NOT_A_PACKAGE in seen


def test_every_truncation_and_appended_bytes_are_refused(world, small):
    for end in range(len(small)):
        assert refused(world.open, small[:end]).reason in {errors.NOT_A_PACKAGE, errors.DAMAGED}
    for junk in (b"\x00", b"GHSYNC", os.urandom(1000), small):
        assert refused(world.open, small + junk).reason == errors.DAMAGED


def test_truncation_at_each_kib_and_random_offsets_of_a_larger_package(world):
    data = world.seal(make_changes(3000))
    assert len(data) > 20 * 1024
    rnd = random.Random(2026)
    cuts = set(range(1024, len(data), 1024)) | {rnd.randrange(len(data)) for _ in range(200)} | {len(data) - 1}
    for end in sorted(cuts):
        assert refused(world.open, data[:end]).reason in {errors.NOT_A_PACKAGE, errors.DAMAGED}, end


def test_forged_signer_and_unregistered_sender_are_refused(world):
    stranger = SiteKeys.generate()
    forged = world.seal(make_changes(3), keys=stranger)  # claims laptop-a, signed by another key
    err = refused(world.open, forged)
    assert err.reason == errors.UNKNOWN_SENDER and "不是已登记的电脑" in err.message
    unknown = world.seal(make_changes(3), keys=stranger, sender="laptop-x")
    assert refused(world.open, unknown).reason == errors.UNKNOWN_SENDER


def test_a_laptop_cannot_pass_for_the_district(world):
    """Row 27: laptop B's registry holds only the district; a package laptop A signs,
    whatever sender it claims, is refused there."""
    laptop_b_registry = SenderRegistry()
    laptop_b_registry.add(world.district_sender)
    to_b = KnownSender("laptop-b", "B", world.laptop_b.signing_public, world.laptop_b.encryption_public)
    for claimed in ("district", "laptop-a"):
        data = world.seal(make_changes(2), sender=claimed, recipient=to_b)
        err = refused(open_package, data, me="laptop-b", keys=world.laptop_b, registry=laptop_b_registry)
        assert err.reason == errors.UNKNOWN_SENDER
    genuine = container.seal_package(keys=world.district, sender="district", epoch=1, recipient=to_b, seq=1,
                                     changes=make_changes(2), schema=3)
    assert open_package(genuine, me="laptop-b", keys=world.laptop_b, registry=laptop_b_registry).changes


def test_revoked_sender_is_refused_after_its_last_accepted_package(world, registry):
    registry.revoke("laptop-a", 1, 9)
    nine, ten = world.seal(make_changes(2), seq=9), world.seal(make_changes(2), seq=10)
    assert container.open_package(nine, me="district", keys=world.district, registry=registry).header.seq == 9
    err = refused(container.open_package, ten, me="district", keys=world.district, registry=registry)
    assert err.reason == errors.REVOKED and "第 10 号" in err.message
    later_epoch = world.seal(make_changes(2), seq=1, epoch=2)
    assert refused(container.open_package, later_epoch, me="district", keys=world.district,
                   registry=registry).reason == errors.REVOKED


def test_package_for_another_recipient(world):
    other = SiteKeys.generate()
    elsewhere = KnownSender("district-2", "另一个区", other.signing_public, other.encryption_public)
    err = refused(world.open, world.seal(make_changes(2), recipient=elsewhere))
    assert err.reason == errors.NOT_FOR_US and "district-2" in err.message
    # addressed to us in the header, but encrypted to another key: cannot be decrypted
    wrong_key = KnownSender("district", "区总工会", other.signing_public, other.encryption_public)
    assert refused(world.open, world.seal(make_changes(2), recipient=wrong_key)).reason == errors.DAMAGED


def test_the_forge_helper_makes_a_valid_package(world):
    """So the mismatch tests below fail for the one thing each changes."""
    assert world.open(forge(world)).changes == make_changes(3)


@pytest.mark.parametrize("override, what", [
    ({"counts": {"members": 2, "events": 1}}, "各表条数"),
    ({"audit": 1}, "审计记录条数"),
    ({"stamps": ["0000000000000-000000", "9999999999999-000000"]}, "时间戳范围"),
    ({"body_sha256": b"\x00" * 32}, "校验值"),
    ({"body_size": 10}, None),
    ({"seq": 2}, "清单与文件头"),
    ({"recipient": "district-2"}, "清单与文件头"),
    ({"extra": 1}, "清单字段"),
    ({"counts": {"members": "1"}}, "清单字段"),
    ({"format": 0}, "清单字段"),
])
def test_manifest_body_mismatch_signed_with_the_real_key(world, override, what):
    """Row 21: a buggy client signs a manifest that does not match its body."""
    err = refused(world.open, forge(world, manifest=override))
    assert err.reason in {errors.BODY_MISMATCH, errors.BOMB}
    if what:
        assert err.reason == errors.BODY_MISMATCH and what in err.message


@pytest.mark.parametrize("body", [b"\xff\xff", cbor2.dumps([1, 2]), cbor2.dumps({"changes": []}),
                                  cbor2.dumps({"changes": [], "audit": [], "more": 1}),
                                  cbor2.dumps({"changes": {}, "audit": []})])
def test_body_of_the_wrong_structure(world, body):
    assert refused(world.open, forge(world, changes=[], body=body)).reason == errors.BODY_MISMATCH


def test_body_that_is_not_zstd(world):
    assert refused(world.open, forge(world, body_z=b"not zstd at all")).reason == errors.BODY_MISMATCH


def test_zstd_bomb_is_refused_without_inflating_it(world):
    huge = bytes(64 * 1024 * 1024)
    bomb = zstandard.ZstdCompressor(level=1).compress(huge)
    assert len(bomb) < 64 * 1024
    limits = Limits(max_body=8 * 1024 * 1024)
    honest = forge(world, body_z=bomb, manifest={"body_size": len(huge)})
    err = refused(world.open, honest, limits=limits)
    assert err.reason == errors.BOMB
    lying = forge(world, body_z=bomb, manifest={"body_size": 1000})
    assert refused(world.open, lying, limits=limits).reason == errors.BOMB


def test_decompression_stops_at_the_cap(world, monkeypatch):
    """Not a byte more than the claimed size + 1 is ever inflated."""
    asked = []
    real = zstandard.ZstdDecompressor.stream_reader

    class Spy:
        def __init__(self, inner):
            self.inner = inner

        def __enter__(self):
            self.inner.__enter__()
            return self

        def __exit__(self, *exc):
            return self.inner.__exit__(*exc)

        def read(self, n):
            asked.append(n)
            return self.inner.read(n)

    monkeypatch.setattr(zstandard.ZstdDecompressor, "stream_reader", lambda self, *a, **k: Spy(real(self, *a, **k)))
    bomb = zstandard.ZstdCompressor(level=1).compress(bytes(32 * 1024 * 1024))
    refused(world.open, forge(world, body_z=bomb, manifest={"body_size": 5000}))
    assert sum(asked) <= 5001


@pytest.mark.parametrize("change, rules", [
    ({"tbl": "payroll", "data": {}}, ShapeRules(tables=KNOWN)),
    ({"tbl": "members", "data": {"salary": 1}}, ShapeRules(tables=KNOWN)),
    ({"tbl": "members; DROP TABLE members", "data": {}}, ShapeRules()),
    ({"tbl": "members", "data": {"name\"); --": 1}}, ShapeRules()),
    ({"tbl": "members", "data": {"name": "x" * 10_000_001}}, ShapeRules()),
    ({"tbl": "members", "data": {"score": float("nan")}}, ShapeRules()),
    ({"tbl": "members", "data": {"score": float("inf")}}, ShapeRules()),
    ({"tbl": "members", "data": {"n": 2 ** 70}}, ShapeRules()),
    ({"tbl": "members", "data": {"blob": b"\x00"}}, ShapeRules()),
    ({"tbl": "members", "data": {"a": [[[[[[[[1]]]]]]]]}}, ShapeRules()),
    ({"tbl": "members", "data": "not a map"}, ShapeRules()),
    ({"data": {}}, ShapeRules()),
    ({"tbl": "members", "evil": 1}, ShapeRules(envelope={"tbl", "row_id", "op", "hlc", "site_id", "data"})),
    ({"tbl": "members", "data": {"id_number": "110105199003071235"}},
     ShapeRules(check=lambda c: "身份证号码校验位不对" if c["data"].get("id_number", "").endswith("5") else None)),
])
def test_malformed_record_inside_a_validly_signed_package(world, change, rules):
    """Row 22: one bad record refuses the whole package, whatever else it holds."""
    changes = make_changes(5) + [{**change, "hlc": "1764000000000-000000"}]
    err = refused(world.open, forge(world, changes=changes), rules=rules)
    assert err.reason == errors.BAD_RECORD and "第 6 条" in err.message


def test_datetime_tags_are_not_plain_data(world):
    import datetime as dt
    body = cbor2.dumps({"changes": [{"tbl": "members", "hlc": "1", "data": {"at": dt.date(2026, 1, 1)}}],
                        "audit": []}, canonical=True, date_as_datetime=True, timezone=dt.timezone.utc)
    changes = [{"tbl": "members", "hlc": "1", "data": {}}]
    assert refused(world.open, forge(world, changes=changes, body=body)).reason == errors.BAD_RECORD


def test_the_sender_never_writes_what_the_receiver_refuses(world):
    with pytest.raises(ValueError):
        world.seal([{"tbl": "members", "data": {"x": float("nan")}}])


def _with_version(data: bytes, version: int) -> bytes:
    return data[:6] + struct.pack(">H", version) + data[8:]


def test_newer_and_older_formats(world, small):
    err = refused(world.open, _with_version(small, 2))
    assert err.reason == errors.NEWER_FORMAT and "请更新软件" in err.message
    assert refused(world.open, _with_version(small, 0)).reason == errors.OLD_FORMAT


def test_newer_schema_asks_for_an_update(world):
    data = world.seal(make_changes(2), schema=9)
    err = refused(world.open, data, max_schema=8)
    assert err.reason == errors.NEWER_SCHEMA and "请更新软件" in err.message
    assert world.open(data, max_schema=9).manifest.schema == 9


def test_unknown_cipher_suite(world, small):
    _, prefix = container.read_header(small)
    header = cbor2.loads(prefix[10:])
    header["suite"] = "sm2+sm4"
    raw = cbor2.dumps(header, canonical=True)
    data = container.MAGIC + struct.pack(">HH", 1, len(raw)) + raw + small[len(prefix):]
    assert refused(world.open, data).reason == errors.UNKNOWN_SUITE


def test_not_a_package_at_all(world):
    for data in (b"", b"PK\x03\x04" + bytes(100), "同步包".encode() * 50):
        assert refused(world.open, data).reason == errors.NOT_A_PACKAGE


def test_oversized_file_is_refused_by_its_size_before_reading(world, tmp_path, monkeypatch):
    path = tmp_path / "huge.ghsync"
    with open(path, "wb") as f:
        f.truncate(2 * 1024 ** 3)  # sparse: 2 GiB that take no disk
    opened = []
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or pytest.fail("read an oversized file"))
    err = refused(read_package, path, me="district", keys=world.district, registry=world.registry)
    assert err.reason == errors.TOO_LARGE and "2048.0 MB" in err.message and not opened


def test_written_file_reads_back_and_leaves_no_temporary(world, small, tmp_path, today):
    path = write_package(tmp_path, "黄村镇/总工会:笔记本", 12, today, small)
    assert path.name == f"黄村镇_总工会_笔记本-第000012号-{today.isoformat()}.ghsync"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert read_package(path, me="district", keys=world.district, registry=world.registry).changes


def test_a_failed_write_leaves_neither_a_half_file_nor_a_temporary(world, small, tmp_path, today, monkeypatch):
    def boom(*_):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_package(tmp_path, "笔记本", 1, today, small)
    assert list(tmp_path.iterdir()) == []


def test_filename_never_empty_or_unsafe(today):
    assert package_filename("  ..  ", 3, today).startswith("同步包-第000003号-")
    assert package_filename("a\\b<c>*?\x00", 3, today).startswith("a_b_c-第")


def test_every_reason_has_a_chinese_message():
    for reason in errors.REASONS:
        assert f"sync.{reason}" in MESSAGES
