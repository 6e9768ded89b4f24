"""Two enrolled laptops and a district, with real keys (no mocks of the crypto)."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import cbor2
import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric import x25519

from clerk_app.sync import container
from clerk_app.sync.keys import KnownSender, SenderRegistry, SiteKeys


@dataclass
class World:
    district: SiteKeys
    laptop_a: SiteKeys
    laptop_b: SiteKeys
    registry: SenderRegistry          # the district's: both laptops
    district_sender: KnownSender      # the district as the laptops know it

    def seal(self, changes, *, seq=1, sender="laptop-a", keys=None, epoch=1, recipient=None, **kw) -> bytes:
        return container.seal_package(keys=keys or self.laptop_a, sender=sender, epoch=epoch,
                                      recipient=recipient or self.district_sender, seq=seq, changes=changes,
                                      schema=kw.pop("schema", 3), **kw)

    def open(self, data: bytes, **kw):
        return container.open_package(data, me="district", keys=self.district, registry=self.registry, **kw)


@pytest.fixture(scope="session")
def world() -> World:
    district, a, b = SiteKeys.generate(), SiteKeys.generate(), SiteKeys.generate()
    return World(district, a, b, _registry(a, b),
                 KnownSender("district", "区总工会", district.signing_public, district.encryption_public))


@pytest.fixture
def registry(world) -> SenderRegistry:
    """A fresh copy of the district's registry for tests that revoke."""
    return _registry(world.laptop_a, world.laptop_b)


def _registry(a: SiteKeys, b: SiteKeys) -> SenderRegistry:
    reg = SenderRegistry()
    reg.add(KnownSender("laptop-a", "黄村镇笔记本", a.signing_public, a.encryption_public))
    reg.add(KnownSender("laptop-b", "西红门镇笔记本", b.signing_public, b.encryption_public))
    return reg


def make_changes(n: int, start: int = 0) -> list[dict]:
    return [{"tbl": ("members", "events", "attendance")[i % 3], "row_id": f"{i:032x}", "op": "update",
             "hlc": f"{1_764_000_000_000 + i:013d}-{i % 7:06d}", "site_id": "laptop-a",
             "data": {"name": f"张{i}", "phone": f"138{i:08d}", "union_id": "u-1", "count": i, "ratio": i / 7}}
            for i in range(start, start + n)]


def forge(world: World, *, changes=None, audit=(), manifest: dict | None = None, body: bytes | None = None,
          body_z: bytes | None = None, keys: SiteKeys | None = None, seq: int = 1) -> bytes:
    """A package as a buggy (or stolen) but enrolled laptop could write it: properly encrypted
    and signed with the real key, with whatever manifest and body it likes."""
    changes = make_changes(3) if changes is None else changes
    header = container.Header("laptop-a", 1, "district", seq)
    prefix = container._encode_header(header)
    if body is None:
        body = cbor2.dumps({"changes": changes, "audit": list(audit)}, canonical=True)
    if body_z is None:
        body_z = zstandard.ZstdCompressor(level=3).compress(body)
    counts: dict[str, int] = {}
    for c in changes:
        if isinstance(c.get("tbl"), str):
            counts[c["tbl"]] = counts.get(c["tbl"], 0) + 1
    stamps = sorted(c["hlc"] for c in changes)
    doc = {"format": 1, "schema": 3, "app_version": "0.1.0", "sender": "laptop-a", "epoch": 1,
           "recipient": "district", "seq": seq, "prev": None, "stamps": [stamps[0], stamps[-1]] if stamps else None,
           "counts": counts, "audit": len(audit), "body_sha256": hashlib.sha256(body_z).digest(),
           "body_size": len(body), "acks": {}}
    doc.update(manifest or {})
    manifest_bytes = cbor2.dumps(doc, canonical=True)
    signature = (keys or world.laptop_a).sign(container._SIGN_LABEL + prefix + manifest_bytes)
    plaintext = struct.pack(">I", len(manifest_bytes)) + manifest_bytes + signature + body_z
    public = x25519.X25519PublicKey.from_public_bytes(world.district.encryption_public)
    return prefix + container._HPKE.encrypt(plaintext, public, info=container._INFO_LABEL + prefix)


@pytest.fixture
def enrolled(tmp_path, _template_db, app_clock):
    """A district and two laptops (encrypted databases in their own folders, real services),
    both laptops enrolled by files: ``.district_ctx``, ``.a``, ``.b`` (tests.merge's Laptops)."""
    from clerk_app.services import sync_packages, sync_site
    from tests.merge.conftest import Laptops

    made = Laptops(tmp_path, _template_db, app_clock)
    district = made.laptop("district")
    sync_site.become_district(district)
    a, b = made.laptop("laptop-a"), made.laptop("laptop-b")
    for ctx, code in ((a, "DX11"), (b, "DX12")):
        request, _fp = sync_site.request_file(ctx, tmp_path / f"{ctx.laptop_name}.request")
        got = sync_site.enrol_laptop(district, request.read_bytes(), union_name="黄村镇总工会", card_code=code,
                                     out=tmp_path / f"{ctx.laptop_name}.enrolment")
        accepted = sync_site.accept_enrolment(ctx, (tmp_path / f"{ctx.laptop_name}.enrolment").read_bytes())
        assert accepted.site_id == got.site_id and accepted.district_fingerprint == got.district_fingerprint
    made.district_ctx, made.a, made.b = district, a, b
    # The first package down brings each laptop the district's union tree: from then on its
    # members are registered in the union the district assigned (as a real laptop's are).
    first = tmp_path / "first-down"
    first.mkdir()
    for ctx in (a, b):
        package = sync_packages.export_package(district, first, to=sync_site.identity(ctx).site_id)
        sync_packages.import_package(ctx, package.path)
        assert ctx.home_union_id == sync_site.enrolment_status(ctx).union_id
    yield made
    made.close()


