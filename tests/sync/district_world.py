"""A district fed by real packages from two enrolled laptops (tests.sync.conftest's ``enrolled``):
one member whose phone both laptops changed before they heard of each other (an inbox
entry), one person registered on both laptops with a card each (a duplicate pair), and a
damaged file that was refused (a line of the sync log)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from clerk_app.services import cards, members, sync_packages, sync_site
from clerk_app.sync.errors import PackageRefused
from tests.conftest import make_id
from tests.merge.conftest import DAY

SAME = make_id(seq="852")


@dataclass
class Fed:
    member: str          # the member with the concurrent phone edits
    pair: tuple[str, str]  # (laptop a's record, laptop b's record) of one person
    cards: tuple[str, str]


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def _edit(ctx, member_id, **fields):
    inp = members.get_member(ctx, member_id).to_input()
    for k, v in fields.items():
        setattr(inp, k, v)
    members.update_member(ctx, member_id, inp)


def feed(enrolled, tmp_path: Path) -> Fed:
    a, b, district = enrolled.a, enrolled.b, enrolled.district_ctx
    member = enrolled.member(a, "王小明")
    pa = enrolled.member(a, "张三", SAME)
    pb = enrolled.member(b, "张叁", SAME)
    ca = cards.issue_card(a, pa, DAY, today=DAY)
    cb = cards.issue_card(b, pb, DAY, today=DAY)
    up = sync_packages.export_package(a, _folder(tmp_path, "w-up-a1"))
    sync_packages.import_package(district, up.path)
    down = sync_packages.export_package(district, _folder(tmp_path, "w-down-b1"), to=sync_site.identity(b).site_id)
    sync_packages.import_package(b, down.path)
    _edit(a, member, phone="13900000001")
    _edit(b, member, phone="13900000002")
    for ctx, name in ((a, "w-up-a2"), (b, "w-up-b2")):
        sent = sync_packages.export_package(ctx, _folder(tmp_path, name))
        sync_packages.import_package(district, sent.path)
    bad = _folder(tmp_path, "w-bad") / "损坏的包.ghsync"
    bad.write_bytes(b"GHSYNC" + b"\x00" * 80)
    with pytest.raises(PackageRefused):
        sync_packages.import_package(district, bad)
    return Fed(member, (pa, pb), (ca.card_no, cb.card_no))
