"""Site keys, fingerprints, the sender registry, and enrolment by request and enrolment files."""

from __future__ import annotations

import re

import cbor2
import pytest

from clerk_app.domain.errors import UserError
from clerk_app.domain.messages import MESSAGES
from clerk_app.sync import container, enrol
from clerk_app.sync.errors import EnrolmentRefused, KeyFileRefused, PackageRefused
from clerk_app.sync.files import write_atomically
from clerk_app.sync.keys import KnownSender, SenderRegistry, SiteKeys, fingerprint, load_site_keys, save_site_keys

from .conftest import make_changes


def test_fingerprint_is_thirty_digits_and_changes_with_either_key():
    keys = SiteKeys.generate()
    fp = keys.fingerprint
    assert re.fullmatch(r"\d{5}( \d{5}){5}", fp)
    assert fp == fingerprint(keys.signing_public, keys.encryption_public)
    other = SiteKeys.generate()
    assert fingerprint(other.signing_public, keys.encryption_public) != fp
    assert fingerprint(keys.signing_public, other.encryption_public) != fp
    assert fingerprint(keys.encryption_public, keys.signing_public) != fp  # order matters


def test_keys_never_show_in_a_repr():
    keys = SiteKeys.generate()
    assert repr(keys) == f"SiteKeys(fingerprint={keys.fingerprint!r})"


@pytest.mark.parametrize("passphrase", [b"correct horse", None])
def test_key_file_round_trip(tmp_path, passphrase):
    keys = SiteKeys.generate()
    path = save_site_keys(tmp_path / "site.keys", keys, passphrase)
    assert path.stat().st_mode & 0o777 == 0o600
    again = load_site_keys(path, passphrase)
    assert (again.signing_public, again.encryption_public) == (keys.signing_public, keys.encryption_public)
    assert again.sign(b"x") == keys.sign(b"x")  # Ed25519 is deterministic: the same private key


def test_key_file_wrong_passphrase_and_damage(tmp_path):
    path = save_site_keys(tmp_path / "site.keys", SiteKeys.generate(), b"right")
    with pytest.raises(KeyFileRefused) as info:
        load_site_keys(path, b"wrong")
    assert info.value.reason == "bad_passphrase" and info.value.message == MESSAGES["keys.bad_passphrase"]
    with pytest.raises(KeyFileRefused) as info:
        load_site_keys(path, None)
    assert info.value.reason == "bad_passphrase"
    for junk in (b"", b"\xa1\x61a\x01", path.read_bytes()[:-20]):
        write_atomically(path, junk)
        with pytest.raises(KeyFileRefused) as info:
            load_site_keys(path, b"right")
        assert info.value.reason in {"damaged", "bad_passphrase"}


def test_registry_round_trip_and_revocation_bounds():
    a = SiteKeys.generate()
    reg = SenderRegistry()
    reg.add(KnownSender("laptop-a", "A", a.signing_public, a.encryption_public))
    reg.revoke("laptop-a", 2, 9)
    again = SenderRegistry.from_bytes(reg.to_bytes())
    assert again == reg and again.get("laptop-a").revoked_after == (2, 9)
    assert again.check("laptop-a", 2, 9).site_id == "laptop-a"
    assert again.check("laptop-a", 1, 500).site_id == "laptop-a"  # an older epoch, before the loss
    for epoch, seq in ((2, 10), (3, 1)):
        with pytest.raises(PackageRefused) as info:
            again.check("laptop-a", epoch, seq)
        assert info.value.reason == "revoked"
    with pytest.raises(ValueError):
        reg.add(KnownSender("x", "x", b"short", a.encryption_public))


# ----------------------------------------------------------------------------- enrolment

@pytest.fixture
def district():
    return SiteKeys.generate()


def _enrol(request: bytes, district: SiteKeys, today, **kw):
    args = dict(district_keys=district, district_site_id="district", district_name="大兴区总工会",
                site_id="3f0c-laptop", epoch=1, union_id="u-huangcun", union_name="黄村镇总工会",
                card_code="dx07", issued=today)
    args.update(kw)
    return enrol.enrol(request, **args)


def test_enrolment_by_files_end_to_end(tmp_path, district, today):
    laptop = SiteKeys.generate()
    request_file = write_atomically(tmp_path / "黄村镇笔记本.request", enrol.make_request(laptop, " 黄村镇笔记本 "))
    request = enrol.read_request(request_file.read_bytes())
    assert request.laptop_name == "黄村镇笔记本" and request.fingerprint == laptop.fingerprint

    answer, sender = _enrol(request_file.read_bytes(), district, today)
    assert sender == KnownSender("3f0c-laptop", "黄村镇笔记本", laptop.signing_public, laptop.encryption_public)
    got = enrol.accept(answer, laptop)
    assert (got.site_id, got.epoch, got.union_id, got.union_name, got.card_code, got.issued) == \
        ("3f0c-laptop", 1, "u-huangcun", "黄村镇总工会", "DX07", today)
    assert got.district_fingerprint == district.fingerprint and got.fingerprint == laptop.fingerprint

    # the two registries now let packages flow both ways, and only between these two
    at_district, at_laptop = SenderRegistry(), SenderRegistry()
    at_district.add(sender)
    at_laptop.add(got.district)
    up = container.seal_package(keys=laptop, sender=got.site_id, epoch=got.epoch, recipient=got.district, seq=1,
                                changes=make_changes(3), schema=1)
    assert container.open_package(up, me="district", keys=district, registry=at_district).changes == make_changes(3)
    down = container.seal_package(keys=district, sender="district", epoch=1, recipient=sender, seq=1,
                                  changes=make_changes(2), schema=1)
    assert container.open_package(down, me=got.site_id, keys=laptop, registry=at_laptop).changes == make_changes(2)


def test_request_signed_by_another_key_is_refused(district, today):
    laptop, thief = SiteKeys.generate(), SiteKeys.generate()
    doc = cbor2.loads(enrol.make_request(laptop, "笔记本"))
    doc["signature"] = thief.sign(b"clerk-app enrol request v1\x00" + doc["payload"])
    with pytest.raises(EnrolmentRefused) as info:
        _enrol(cbor2.dumps(doc, canonical=True), district, today)
    assert info.value.reason == "bad_signature"


@pytest.mark.parametrize("data", [b"", b"junk", cbor2.dumps({"kind": "clerk-app/enrolment"}), bytes(70_000)])
def test_not_a_request(district, today, data):
    with pytest.raises(EnrolmentRefused) as info:
        _enrol(data, district, today)
    assert info.value.reason == "not_a_request"


def test_enrolment_tampered_or_for_other_keys(district, today):
    laptop = SiteKeys.generate()
    answer, _ = _enrol(enrol.make_request(laptop, "笔记本"), district, today)
    doc = cbor2.loads(answer)
    payload = cbor2.loads(doc["payload"])
    payload["card_code"] = "DX99"  # someone edits the code on the way
    doc["payload"] = cbor2.dumps(payload, canonical=True)
    with pytest.raises(EnrolmentRefused) as info:
        enrol.accept(cbor2.dumps(doc, canonical=True), laptop)
    assert info.value.reason == "bad_signature"
    with pytest.raises(EnrolmentRefused) as info:
        enrol.accept(answer, SiteKeys.generate())
    assert info.value.reason == "not_ours"
    with pytest.raises(EnrolmentRefused) as info:
        enrol.accept(enrol.make_request(laptop, "笔记本"), laptop)  # the request, not the answer
    assert info.value.reason == "not_an_enrolment"
    for cut in range(0, len(answer), 17):
        with pytest.raises(EnrolmentRefused):
            enrol.accept(answer[:cut], laptop)


def test_district_checks_code_name_and_epoch(district, today):
    request = enrol.make_request(SiteKeys.generate(), "笔记本")
    with pytest.raises(UserError) as info:
        _enrol(request, district, today, card_code="7")
    assert info.value.code == "card.prefix_bad"
    with pytest.raises(EnrolmentRefused) as info:
        _enrol(request, district, today, epoch=0)
    assert info.value.reason == "bad_epoch"
    for name in ("", "   ", "名" * 41, "a\nb"):
        with pytest.raises(EnrolmentRefused) as info:
            enrol.make_request(SiteKeys.generate(), name)
        assert info.value.reason == "bad_name"


def test_a_restored_laptop_is_enrolled_again_with_a_new_epoch(district, today):
    laptop = SiteKeys.generate()
    request = enrol.make_request(laptop, "笔记本")
    first, _ = _enrol(request, district, today)
    second, _ = _enrol(request, district, today, epoch=2)
    assert (enrol.accept(first, laptop).epoch, enrol.accept(second, laptop).epoch) == (1, 2)


def test_every_enrolment_and_key_reason_has_a_message():
    for code in ("not_a_request", "not_an_enrolment", "bad_signature", "not_ours", "bad_name", "bad_epoch"):
        assert f"enrol.{code}" in MESSAGES
    for code in ("damaged", "bad_passphrase"):
        assert f"keys.{code}" in MESSAGES


def test_a_wrong_passphrase_is_always_named_as_such(tmp_path):
    """About 1 in 200 wrong-passphrase decrypts fails as "could not deserialize" rather than
    "incorrect password"; the file's digest tells the two apart. 600 files (1,200 keys) meet that
    case in all but about 1 in 400 runs of the old code."""
    keys = SiteKeys.generate()
    for i in range(600):
        path = save_site_keys(tmp_path / f"site{i}.keys", keys, b"right")
        with pytest.raises(KeyFileRefused) as info:
            load_site_keys(path, b"wrong")
        assert info.value.reason == "bad_passphrase", i


def test_a_changed_byte_in_a_key_is_damage_not_a_wrong_passphrase(tmp_path):
    path = save_site_keys(tmp_path / "site.keys", SiteKeys.generate(), b"right")
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x01  # inside the encrypted keys (the digest is not last)
    write_atomically(path, bytes(data))
    with pytest.raises(KeyFileRefused) as info:
        load_site_keys(path, b"right")
    assert info.value.reason == "damaged"
