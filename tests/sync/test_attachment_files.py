"""Attachment files travel in sync packages (their own section, keyed by content hash): a file
with two attachments on laptop A reaches the district byte for byte, stored there under the
same hash with the district's key; what the district acknowledged is not sent again; a package
whose attachment bytes are not their hash is refused in Chinese with its reason code and
changes nothing."""

from __future__ import annotations

import pytest

from clerk_app.domain import hardship as hs
from clerk_app.services import hardship, hardship_attachments as att, sync_attachments, sync_packages, sync_site
from clerk_app.storage import attachments as store
from clerk_app.storage.db import database_file
from clerk_app.sync import container
from clerk_app.sync.errors import ATTACHMENT_MISMATCH, PackageRefused
from clerk_app.sync.records import export_records
from clerk_app.sync.state import state_hash

CONTENTS = {"收入证明.txt": "月收入 1000 元".encode(), "诊断.pdf": b"%PDF-1.4 " + bytes(range(256)) * 40}


def _outbox(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def _file_with_two_attachments(enrolled, ctx, tmp_path) -> str:
    worker = enrolled.member(ctx, "赵困难")
    saved = hardship.file_member(ctx, worker, hs.FileInput(category="低保户", own_monthly_income="1000",
                                                           sensitive_consent="书面"))
    for name, data in CONTENTS.items():
        (tmp_path / name).write_bytes(data)
        att.add_attachment(ctx, saved.worker_no, tmp_path / name, "其他")
    return saved.worker_no


def test_two_attachments_reach_the_district_and_are_not_sent_twice(enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    worker_no = _file_with_two_attachments(enrolled, a, tmp_path)
    up = sync_packages.export_package(a, _outbox(tmp_path, "usb-a"))
    assert up.files == 2
    for data in CONTENTS.values():
        assert data not in up.path.read_bytes()  # inside the package's encryption
    got = sync_packages.import_package(district, up.path)
    assert got.files == 2 and "附件 2 个" in got.message
    listed = att.list_attachments(district, worker_no)
    assert sorted(att.open_attachment(district, x.id) for x in listed) == sorted(CONTENTS.values())
    folder = database_file(district.db).parent
    for x in listed:  # under the same hash, encrypted with the district's own key
        assert store.path_of(folder, x.sha256).exists()
        assert CONTENTS[x.name] not in store.path_of(folder, x.sha256).read_bytes()
    # The district's package back acknowledges ours: a's next package carries no file again.
    down = sync_packages.export_package(district, _outbox(tmp_path, "usb-d"), to=sync_site.identity(a).site_id)
    assert down.files == 0  # a sent them: never echoed back
    sync_packages.import_package(a, down.path)
    enrolled.member(a, "钱新会员")
    again = sync_packages.export_package(a, _outbox(tmp_path, "usb-a2"))
    assert again.seq == 2 and again.files == 0


def test_only_what_fits_goes_and_the_rest_follows(enrolled, tmp_path):
    a = enrolled.a
    _file_with_two_attachments(enrolled, a, tmp_path)
    to = sync_packages.recipients(a)[0].site_id
    records = export_records(a.db, 0)
    out = sync_attachments.outgoing(a, to, records, budget=100)
    assert len(out.files) == 1 and len(out.later) == 1  # one always goes; the other waits
    first = sync_packages.export_package(a, _outbox(tmp_path, "usb-1"), progress=lambda *_: None)
    assert first.files == 2  # within the real budget both go


def test_a_file_missing_here_is_retried_without_forcing_new_packages(enrolled, tmp_path):
    a = enrolled.a
    _file_with_two_attachments(enrolled, a, tmp_path)
    folder = database_file(a.db).parent
    gone = sorted(p for p in (folder / store.FOLDER).iterdir())[0]
    gone.unlink()
    first = sync_packages.export_package(a, _outbox(tmp_path, "usb-1"))
    assert first.files == 1
    again = sync_packages.export_package(a, _outbox(tmp_path, "usb-2"))
    assert again.again and again.seq == first.seq  # nothing new: the same package, not a new sequence


def test_attachment_bytes_that_are_not_their_hash_refuse_the_package(enrolled, tmp_path, monkeypatch):
    a, district = enrolled.a, enrolled.district_ctx
    _file_with_two_attachments(enrolled, a, tmp_path)
    real = sync_attachments.outgoing

    def swapped(*args, **kw):
        out = real(*args, **kw)
        digest = sorted(out.files)[0]
        return sync_attachments.Outgoing({**out.files, digest: out.files[digest] + b"x"})

    monkeypatch.setattr(sync_attachments, "outgoing", swapped)
    monkeypatch.setattr(container, "check_files", lambda *_a: None, raising=True)  # a laptop's bug, not caught
    bad = sync_packages.export_package(a, _outbox(tmp_path, "usb-bad"))
    monkeypatch.undo()
    before = state_hash(district.db)
    with pytest.raises(PackageRefused) as info:
        sync_packages.import_package(district, bad.path)
    assert info.value.reason == ATTACHMENT_MISMATCH and info.value.code == "sync.attachment_mismatch"
    assert "附件" in info.value.message and "校验值不符" in info.value.message
    assert state_hash(district.db) == before
    assert not (database_file(district.db).parent / store.FOLDER).exists()
