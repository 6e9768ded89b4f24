"""The 同步 page on an enrolled laptop: enrolment and fingerprints shown, export to a folder
through the task runner, the district's package imported, and every page told to reload."""

from __future__ import annotations

from clerk_app.services import sync_packages, sync_site
from clerk_app.ui.sync_page import SyncPage
from clerk_app.ui.tasks import runner


def test_sync_page_exports_imports_and_announces_changes(qtbot, enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    enrolled.member(a, "王小明")
    page = SyncPage(a)
    qtbot.addWidget(page)
    page.show()
    status = sync_site.enrolment_status(a)
    assert page.fp_label.text() == status.fingerprint and page.district_label.text() == "district"
    assert page.district_fp_label.text() == status.district_fingerprint
    assert page.sent_label.text() == "还没有导出过" and page.export_button.isEnabled()
    assert not page.accept_button.isEnabled()  # enrolled already

    usb = tmp_path / "usb"
    usb.mkdir()
    page.export_to(usb)
    qtbot.waitUntil(lambda: "已导出" in page.result.text(), timeout=20_000)
    written = list(usb.glob("*.ghsync"))
    assert len(written) == 1 and str(written[0]) in page.result.text()
    assert page.sent_label.text().startswith("district：第 1 号")

    sync_packages.import_package(district, written[0])
    enrolled.member(district, "赵六", union_id=status.union_id)
    down = tmp_path / "down"
    down.mkdir()
    sent = sync_packages.export_package(district, down, to=status.site_id)
    package = sent.path

    with qtbot.waitSignal(runner().data_changed, timeout=20_000,
                          check_params_cb=lambda changes: changes.members and changes.cards):
        page.import_files([package])
    qtbot.waitUntil(lambda: f"已导入 district 的第 {sent.seq} 号同步包" in page.result.text(), timeout=20_000)
    assert page.received_label.text().startswith(f"district：第 {sent.seq} 号")
    names = {r[0] for r in a.db.conn.execute("SELECT name FROM members")}
    assert "赵六" in names

    page.import_files([package])  # again: 已导入, nothing changes
    qtbot.waitUntil(lambda: "以前已经导入过" in page.result.text(), timeout=20_000)


def test_a_damaged_package_is_refused_on_the_page(qtbot, enrolled, tmp_path):
    page = SyncPage(enrolled.a)
    qtbot.addWidget(page)
    bad = tmp_path / "bad.ghsync"
    bad.write_bytes(b"GHSYNC" + b"\x00" * 80)
    page.import_files([bad])
    qtbot.waitUntil(lambda: "同步包" in page.result.text(), timeout=20_000)
    assert "#b00020" in page.result.styleSheet()
