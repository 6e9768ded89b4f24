"""The 区级汇总 page on a district fed by real packages from two laptops: laptops, inbox,
duplicates and log listed (read on the task runner); keeping the other laptop's value and
merging a duplicate person by the page's buttons, with the lists reloading by themselves."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QMessageBox

from clerk_app.services.context import Context
from clerk_app.storage import sync_store as store
from clerk_app.ui.district_page import DistrictPage
from clerk_app.ui.pages import PAGES, shown_pages
from tests.merge.conftest import _on_day  # noqa: F401 - the app works on DAY
from tests.sync.district_world import feed


def _page(qtbot, ctx) -> DistrictPage:
    page = DistrictPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    return page


def test_the_page_is_the_districts_only(enrolled):
    assert "district" in [p.key for p in shown_pages(enrolled.district_ctx, PAGES)]
    assert "district" not in [p.key for p in shown_pages(enrolled.a, PAGES)]


def test_lists_and_models(qtbot, qtmodeltester, enrolled, tmp_path):
    feed(enrolled, tmp_path)
    page = _page(qtbot, enrolled.district_ctx)
    for model in (page.laptops, page.inbox, page.duplicates, page.log):
        qtmodeltester.check(model)
    assert [page.laptops.index(r, 0).data() for r in range(2)] == ["laptop-a", "laptop-b"]
    assert page.laptops.index(0, page.laptops.COL_LAST).data().startswith("第 2 号")
    assert "待处理冲突 1 条" in page.summary.text() and "可能重复的人员 1 对" in page.summary.text()
    page.tabs.setCurrentIndex(1)
    page.inbox_view.selectRow(0)
    assert page.current_labels["value"].text() in ("139****0001", "139****0002")
    assert {page.current_labels["laptop"].text(), page.other_labels["laptop"].text()} == {"laptop-a", "laptop-b"}
    refused = [page.log.row_at(r) for r in range(page.log.rowCount()) if page.log.row_at(r).refused]
    assert refused and "损坏的包.ghsync" in refused[0].detail


def test_keep_the_other_value_by_the_button(qtbot, enrolled, tmp_path):
    fed = feed(enrolled, tmp_path)
    district = enrolled.district_ctx
    page = _page(qtbot, district)
    page.inbox_view.selectRow(0)
    other = page.other_labels["value"].text()
    assert page.keep_theirs_button.isEnabled()
    page.keep_theirs_button.click()
    qtbot.waitUntil(lambda: "已处理" in page.result.text(), timeout=20_000)
    qtbot.waitUntil(lambda: page.inbox.rowCount() == 0, timeout=20_000)  # reloaded by itself
    phone = store.get_row(district.db, "members", fed.member)["phone"]
    assert phone[:3] + "****" + phone[-4:] == other
    assert "没有待处理的冲突" in page.conflict_title.text()


def test_merge_and_not_same_by_the_buttons(qtbot, enrolled, tmp_path, monkeypatch):
    fed = feed(enrolled, tmp_path)
    district = enrolled.district_ctx
    page = _page(qtbot, district)
    page.tabs.setCurrentIndex(2)
    page.duplicates_view.selectRow(0)
    keep = page.duplicates.row_at(0).keep_id
    assert page.keep_labels["id"].text().endswith("*" * 12)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.merge_button.click()
    qtbot.waitUntil(lambda: "已合并" in page.result.text(), timeout=20_000)
    qtbot.waitUntil(lambda: page.duplicates.rowCount() == 0, timeout=20_000)
    drop = ({*fed.pair} - {keep}).pop()
    assert store.get_row(district.db, "members", drop)["merged_into"] == keep
    assert "两张有效卡" in page.result.text() or "有效卡" in page.result.text()
    qtbot.waitUntil(lambda: any(page.inbox.row_at(r).kind == "two_active_cards"
                                for r in range(page.inbox.rowCount())), timeout=20_000)


def test_a_clerk_sees_but_cannot_decide(qtbot, enrolled, tmp_path):
    feed(enrolled, tmp_path)
    district = enrolled.district_ctx
    clerk = Context(district.db, dataclasses.replace(district.clerk, role="经办人"), district.site_id,
                    district.clock)
    page = _page(qtbot, clerk)
    page.inbox_view.selectRow(0)
    page.duplicates_view.selectRow(0)
    assert page.inbox.rowCount() == 1 and page.duplicates.rowCount() == 1
    assert not page.keep_mine_button.isEnabled() and not page.merge_button.isEnabled()
    assert "负责人" in page.merge_button.toolTip()
