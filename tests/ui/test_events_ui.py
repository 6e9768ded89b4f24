"""The events page and the event dialog: create through the form (Chinese typed through the input
method), validation in Chinese, filters, the desk opened from the list, the papers previewed."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication

from clerk_app.domain.event import EventInput
from clerk_app.services import events
from clerk_app.ui.event_dialog import EventDialog, split_items
from clerk_app.ui.event_models import EventTableModel
from clerk_app.ui.events_page import EventsPage, date_range
from clerk_app.ui.main_window import MainWindow
from clerk_app.ui.pages import PAGES
from tests.ui.conftest import type_text



def _event(ctx, title: str, day: dt.date, kind: str = "职工沟通会") -> events.Event:
    return events.create_event(ctx, EventInput(type=kind, title=title, event_date=day, venue="黄村镇文化广场",
                                               union_id=ctx.home_union_id))


@pytest.fixture
def page(qtbot, ctx):
    widget = EventsPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_dialog_creates_an_event_typed_like_a_clerk(qtbot, ctx, today):
    dialog = EventDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.type_box.setCurrentIndex(dialog.type_box.findText("法律咨询"))
    type_text(qtbot, dialog.title_edit, "京东物流站点法律咨询日")
    dialog.date_edit.setDate(QDate(today.year, today.month, today.day))
    qtbot.keyClicks(dialog.start_edit, "9:30")
    qtbot.keyClicks(dialog.end_edit, "11:30")
    type_text(qtbot, dialog.venue_edit, "京东物流黄村站")
    type_text(qtbot, dialog.sub_venues_edit, "分拣中心")
    qtbot.keyClick(dialog.sub_venues_edit, Qt.Key.Key_Return)
    type_text(qtbot, dialog.sub_venues_edit, "配送站")
    dialog.service_checks["法律咨询"].setChecked(True)
    dialog.service_checks["理发"].setChecked(True)
    type_text(qtbot, dialog.other_services, "量血压、送水")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = events.get_event(ctx, dialog.saved.id)
    assert (saved.type, saved.title, saved.start_time, saved.end_time) == ("法律咨询", "京东物流站点法律咨询日", "09:30", "11:30")
    assert saved.sub_venues == ("分拣中心", "配送站") and saved.venue == "京东物流黄村站"
    assert saved.services == ("法律咨询", "理发", "量血压", "送水")
    assert saved.union_id == ctx.home_union_id


def test_dialog_shows_every_problem_in_chinese_and_saves_nothing(qtbot, ctx):
    dialog = EventDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.start_edit, "14:00")
    qtbot.keyClicks(dialog.end_edit, "9:00")
    dialog.save()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.errors["title"].text() == "请填写活动名称"
    assert dialog.errors["venue"].text() == "请填写活动地点"
    assert dialog.errors["end_time"].text() == "结束时间应晚于开始时间"
    assert events.list_events(ctx) == []
    assert dialog.start_edit.text() == "14:00"  # nothing typed is lost


def test_edit_keeps_what_was_there(qtbot, ctx, today):
    event = events.create_event(ctx, EventInput(type="送清凉", title="送清凉进站点", event_date=today, venue="站点",
                                                union_id=ctx.home_union_id, services=["送清凉", "理发", "量血压"]))
    dialog = EventDialog(ctx, event.id)
    qtbot.addWidget(dialog)
    assert dialog.service_checks["理发"].isChecked() and dialog.other_services.text() == "量血压"
    dialog.title_edit.setText("送清凉进快递站点")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        dialog.save()
    again = events.get_event(ctx, event.id)
    assert again.title == "送清凉进快递站点" and again.services == event.services


def test_page_creates_through_the_dialog_and_lists_newest_first(qtbot, ctx, page, today):
    _event(ctx, "上个月的沟通会", today - dt.timedelta(days=40))
    page.refresh()

    def fill():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, EventDialog):
            QTimer.singleShot(10, fill)
            return
        type_text(qtbot, dialog.title_edit, "今天的招聘会")
        type_text(qtbot, dialog.venue_edit, "镇政府广场")
        dialog.type_box.setCurrentIndex(dialog.type_box.findText("招聘会"))
        dialog.save()

    QTimer.singleShot(0, fill)
    page.new_event()
    assert page.model.rowCount() == 2
    assert page.model.row_at(0).title == "今天的招聘会" and page.selected().title == "今天的招聘会"
    assert "签到：</b>0 人" in page.detail.text()
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        page.type_box.setCurrentIndex(page.type_box.findText("招聘会"))
    assert [e.title for e in page.model._rows] == ["今天的招聘会"]
    page.type_box.setCurrentIndex(0)
    page.range_box.setCurrentIndex(page.range_box.findText("最近 7 天"))
    assert [e.title for e in page.model._rows] == ["今天的招聘会"]
    page.range_box.setCurrentIndex(0)
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        type_text(qtbot, page.search_box, "上个月")
    assert [e.title for e in page.model._rows] == ["上个月的沟通会"]


def test_date_ranges():
    day = dt.date(2026, 11, 21)
    assert date_range(None, day) == (None, None)
    assert date_range(0, day) == (day, day)
    assert date_range(7, day) == (dt.date(2026, 11, 14), day)
    assert date_range(-1, day) == (day, None)
    assert date_range("year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert split_items("理发、义诊, 送水；\n") == ["理发", "义诊", "送水"]


def test_start_desk_opens_one_window_per_event(qtbot, ctx, page, today):
    _event(ctx, "沟通会", today)
    page.refresh()
    desk = page.open_desk()
    qtbot.addWidget(desk)
    assert desk.isVisible() and desk.meeting.title == "沟通会"
    assert page.open_desk() is desk
    desk.close()


def test_papers_open_in_the_print_preview(qtbot, ctx, page, today):
    _event(ctx, "沟通会", today)
    page.refresh()
    for dialog in (page.print_sheet(blank=False), page.print_sheet(blank=True), page.print_report()):
        qtbot.addWidget(dialog)
        assert dialog.page_count() == 1
        dialog.close()


def test_event_model_passes_qt_model_checks(qtmodeltester, ctx, today):
    _event(ctx, "沟通会一", today)
    _event(ctx, "沟通会二", today - dt.timedelta(days=1), "招聘会")
    model = EventTableModel()
    model.set_rows(events.list_events(ctx))
    qtmodeltester.check(model)
    assert model.data(model.index(0, 3)) == "沟通会一"


def test_the_window_lists_the_events_page(qtbot, workspace, ctx):
    assert [p.title for p in PAGES].count("活动签到") == 1
    window = MainWindow(workspace, ctx)
    qtbot.addWidget(window)
    assert isinstance(window.pages["events"], EventsPage)


def test_attendance_exports_from_the_events_page(qtbot, ctx, page, tmp_path, monkeypatch, today):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from clerk_app.services import signin

    event = _event(ctx, "沟通会", today)
    signin.sign_in_walk_in(ctx, event.id, "赵六", "13700001111", "快递员", confirm_not_member=True)
    page.refresh()
    page.select_event(event.id)
    target = tmp_path / "签到.xlsx"
    told = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: told.append(text))

    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)

    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert [(r[2], r[4]) for r in rows[1:]] == [("赵六", "137****1111")]


def test_papers_that_cannot_be_made_are_refused_in_chinese(qtbot, ctx, page, boxes, monkeypatch, tmp_path, today):
    """The bundled font missing: a Chinese message, not the crash dialog (a UserError, not a bug)."""
    from clerk_app import paths
    from clerk_app.printing import fonts

    _event(ctx, "职工沟通会", today)
    page.refresh()
    monkeypatch.setattr(fonts, "_font", None)
    monkeypatch.setattr(paths, "font_path", lambda: tmp_path / "missing.ttf")
    for make in (lambda: page.print_sheet(blank=False), lambda: page.print_sheet(blank=True), page.print_report):
        boxes.answer("确定")
        assert make() is None
    assert boxes.titles == ["不能打印"] * 3
    assert all("missing.ttf" in text for text in boxes.texts)
