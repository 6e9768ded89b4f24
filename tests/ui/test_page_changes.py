"""Pages learn what changed: one ``data_changed`` signal, each page reloads only what it shows.

Writes come from the window's thread (a desk, a dialog) or from the worker (batch issue, import);
either way the runner announces them by kind, and a page whose kinds are untouched is left alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from clerk_app.domain.event import EventInput
from clerk_app.services import cards, events
from clerk_app.services.changes import Changes
from clerk_app.ui.main_window import build_main_window
from clerk_app.ui.signin_desk import SignInDesk
from clerk_app.ui.signin_join import JoinDialog
from clerk_app.ui.tasks import context_job, runner
from tests.conftest import make_id
from tests.ui.conftest import type_text


@pytest.fixture
def window(qtbot, workspace, ctx, add_members):
    add_members(12)
    cards.set_card_prefix(ctx, "DX07")
    win = build_main_window(workspace)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def reloads(window):
    """How often each page reloaded itself (its ``reload()``, as the change follower calls it)."""
    counts = {key: 0 for key in window.pages}
    for key, page in window.pages.items():
        real = page.reload

        def counted(key=key, real=real):
            counts[key] += 1
            real()

        page.reload = counted
    return counts


def _show(window, key: str) -> None:
    window.nav.setCurrentRow(list(window.pages).index(key))


def _settled(qtbot) -> None:
    """Let the announcement of main-thread writes (a zero timer) and any delivery run."""
    assert runner().wait_idle(10)
    qtbot.waitUntil(lambda: runner().pending() == 0, timeout=5000)
    qtbot.wait(1)  # the zero-timer announcement, queued behind the events above
    QApplication.processEvents()


def test_a_member_who_joins_at_the_desk_appears_on_the_members_page(qtbot, window, reloads, boxes, today):
    members_page = window.pages["members"]
    type_text(qtbot, members_page.search_box, "赵")
    members_page.run_search()  # the clerk had searched for 赵 before the event
    before = members_page.model.rowCount()
    event = events.create_event(window.ctx, EventInput(
        type="职工沟通会", title="沟通会", event_date=today, start_time="09:30", end_time="17:30",
        venue="文化广场", union_id=window.ctx.home_union_id))
    desk = SignInDesk(window.ctx, event.id)
    qtbot.addWidget(desk)
    desk.show()
    qtbot.waitExposed(desk)
    desk.open_tab(1)
    type_text(qtbot, desk.walk_in.name, "赵六")
    qtbot.keyClicks(desk.walk_in.phone, "13900001111")
    type_text(qtbot, desk.walk_in.occupation.lineEdit(), "快递员")
    qtbot.keyClick(desk.walk_in.phone, Qt.Key.Key_Return)

    def fill_and_save():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, JoinDialog):
            QTimer.singleShot(10, fill_and_save)
            return
        id_number = make_id("110105", "19880512", "771")
        qtbot.keyClicks(dialog.id_number, id_number)
        qtbot.waitUntil(lambda: dialog.id_number.text() == id_number, timeout=2000)
        dialog.consent.setChecked(True)
        dialog.save()

    boxes.answer("以后再打印")
    QTimer.singleShot(0, fill_and_save)
    qtbot.mouseClick(desk.panel.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "赵六" in [members_page.model.row_at(i).name
                                        for i in range(members_page.model.rowCount())], timeout=5000)
    assert members_page.model.rowCount() == before + 1 and members_page.search_box.text() == "赵"
    assert window.member_count.text() == "会员 13 名"
    assert reloads["members"] >= 1


def test_issuing_cards_in_the_background_reloads_the_cards_page(qtbot, window, reloads):
    _show(window, "cards")
    page = window.pages["cards"]
    assert page.model.total == 0
    member_ids = [window.pages["members"].model.row_at(i).id for i in range(3)]
    day = window.ctx.today()
    runner().submit(context_job(window.ctx, lambda c, p, cancel: cards.issue_cards(c, member_ids, day, p, cancel)))
    qtbot.waitUntil(lambda: page.model.total == 3, timeout=5000)
    assert reloads["cards"] == 1


def test_a_hidden_page_reloads_when_shown_and_only_then(qtbot, window, reloads):
    page = window.pages["cards"]
    member_id = window.pages["members"].model.row_at(0).id
    cards.issue_card(window.ctx, member_id)  # e.g. from the member's detail, on the window's thread
    _settled(qtbot)
    assert reloads["cards"] == 0 and page.model.total == 0  # hidden: marked stale, not queried
    assert reloads["members"] == 1  # on screen, and it lists the member's cards
    _show(window, "cards")
    assert reloads["cards"] == 1 and page.model.total == 1
    _show(window, "members")
    _show(window, "cards")
    assert reloads["cards"] == 1  # shown again with nothing new: no query


def test_a_page_not_affected_is_not_reloaded(qtbot, window, reloads, today):
    _show(window, "events")
    events.create_event(window.ctx, EventInput(
        type="职工沟通会", title="新活动", event_date=today, start_time="09:30", end_time="11:30",
        venue="文化广场", union_id=window.ctx.home_union_id))
    _settled(qtbot)
    assert reloads == {"members": 0, "cards": 0, "events": 1, "hardship": 0, "reports": 0, "sync": 0}
    assert window.pages["events"].model.rowCount() == 1
    for key in ("members", "cards"):  # shown later: nothing they show changed
        _show(window, key)
    announced = []
    runner().data_changed.connect(announced.append)
    try:
        cards.set_card_prefix(window.ctx, "DX08")  # a setting: no page shows it
        qtbot.waitUntil(lambda: announced == [Changes(settings=True)], timeout=3000)  # announced, and ...
    finally:
        runner().data_changed.disconnect(announced.append)
    assert reloads == {"members": 0, "cards": 0, "events": 1, "hardship": 0, "reports": 0, "sync": 0}  # ... nobody reloaded
