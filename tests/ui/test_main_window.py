"""The main window: title, pages, status bar, saved geometry, demo data in the background."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize

from clerk_app import APP_TITLE
from clerk_app.services import members as member_service
from clerk_app.ui.main_window import SETTINGS_FILE, build_main_window
from clerk_app.ui.pages import PAGES, shown_pages


@pytest.fixture
def window(qtbot, workspace, ctx, add_members):
    add_members(12)
    win = build_main_window(workspace)
    qtbot.addWidget(win)
    win.show()
    return win


def test_title_pages_and_status_bar(window):
    assert window.windowTitle() == f"{APP_TITLE} — 测试笔记本"
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == [spec.title for spec in shown_pages(window.ctx, PAGES)] and titles[:2] == ["会员", "服务卡"]
    assert "区级汇总" not in titles  # a laptop: the district's page is the district's only
    assert window.stack.currentWidget() is window.pages["members"]
    assert window.member_count.text() == "会员 12 名"
    texts = {w.text() for w in window.statusBar().findChildren(type(window.member_count))}
    assert {"本机：测试笔记本", "经办人：李经办"} <= texts


def test_geometry_is_saved_and_restored(qtbot, workspace, window):
    wanted = QSize(1001, 602)  # not the default size, on the test's 1366×728 screen, above the minimum
    window.resize(wanted)
    window.close()
    assert (workspace.folder / SETTINGS_FILE).is_file()
    again = build_main_window(workspace)
    qtbot.addWidget(again)
    assert again.size() == wanted


def test_saving_a_member_updates_the_status_count(window, ctx, member_input):
    result = member_service.register_member(ctx, member_input(name="新会员"))
    window.pages["members"].after_save(result.member_id)
    assert window.member_count.text() == "会员 13 名"


def test_members_are_counted_once_at_start_up_and_once_per_save(qtbot, workspace, ctx, add_members,
                                                                 member_input, monkeypatch):
    add_members(5)
    calls = []
    real_count = member_service.count
    monkeypatch.setattr(member_service, "count", lambda c: calls.append(c) or real_count(c))
    win = build_main_window(workspace)
    qtbot.addWidget(win)
    assert len(calls) == 1 and win.member_count.text() == "会员 5 名"
    page = win.pages["members"]
    assert page.count_label.text() == "共 5 名会员"
    page.search_box.setText("新会员")
    page.run_search()  # a search lists matches, it does not count everybody
    result = member_service.register_member(ctx, member_input(name="新会员"))
    page.after_save(result.member_id)
    assert len(calls) == 2 and win.member_count.text() == "会员 6 名"


def test_demo_data_is_generated_in_the_background(qtbot, window, ctx, outcomes):
    pytest.importorskip("clerk_app.services.demo")
    task = window.generate_demo(25, seed=7)
    qtbot.waitUntil(lambda: not task.is_running() and bool(window.statusBar().currentMessage()), timeout=10000)
    outcome = outcomes.of(qtbot, task)
    assert outcome.error is None
    saved = len(outcome.value.saved)
    assert saved > 20  # synthetic people; a rare same-name-and-birthday pair may be held back
    total = member_service.count(ctx)
    assert total == 12 + saved
    assert window.member_count.text() == f"会员 {total} 名"
    assert window.pages["members"].count_label.text() == f"共 {total} 名会员"
    assert window.statusBar().currentMessage() == f"已生成 {saved} 名演示会员"


def test_f1_opens_the_guide_to_the_page_on_screen(qtbot, window):
    from PySide6.QtGui import QKeySequence

    from clerk_app.ui.help import HelpWindow

    assert window.help_action.shortcut() == QKeySequence("F1")  # in the 帮助 menu, on F1
    for row, (key, words) in enumerate([("members", "拼音"), ("cards", "挂失"), ("events", "签到台")]):
        window.nav.setCurrentRow(row)
        window.help_action.trigger()
        shown = [w for w in window.findChildren(HelpWindow) if w.isVisible() and w.topic == key]
        assert len(shown) == 1, key
        assert words in shown[0].text.toPlainText()
        assert not shown[0].isModal()  # the clerk keeps working beside it
    window.help_action.trigger()  # again: the open guide comes forward, no second copy
    assert len([w for w in window.findChildren(HelpWindow) if w.isVisible() and w.topic == "events"]) == 1


def test_audit_check_at_start_up_and_from_the_menu(qtbot, workspace, ctx, add_members):
    add_members(3)
    win = build_main_window(workspace)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.audit_check is not None)  # checked on the worker, after start-up
    assert win.audit_check.ok and win.audit_box is None  # nothing to say when it holds
    box = win.verify_audit()
    assert "审计记录完整" in box.text() and "审计锚点" in box.informativeText()
    box.close()


def test_tampered_audit_log_is_reported_at_start_up(qtbot, workspace, ctx, add_members):
    add_members(3)
    target = ctx.db.conn.execute("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 1").fetchone()[0]
    ctx.db.conn.execute("UPDATE audit_log SET action = 'view' WHERE id = ?", [target])  # as with the sqlite3 CLI
    win = build_main_window(workspace)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.audit_check is not None)  # checked on the worker, after start-up
    assert not win.audit_check.ok
    assert f"第 {target} 条" in win.audit_box.text() and win.audit_box.isVisible()
    warning = win.statusBar().findChild(type(win.member_count), "audit_warning")
    assert warning is not None and "校验未通过" in warning.text()
    win.audit_box.close()
