"""Enter signs in from every box of the desk's walk-in panel, and a corrected field drops its
message at once in the first-run and event dialogs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from clerk_app.ui.event_dialog import EventDialog
from clerk_app.ui.first_run import FirstRunDialog
from clerk_app.ui.signin_widgets import WalkInPanel
from tests.ui.conftest import type_text


def _shown(qtbot, widget):
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def test_walk_in_panel_enter_in_the_occupation_box_signs_in(qtbot):
    panel = _shown(qtbot, WalkInPanel())
    qtbot.addWidget(panel)
    type_text(qtbot, panel.name, "赵六")
    qtbot.keyClicks(panel.phone, "13900001111")
    panel.occupation.setFocus()  # as Tab leaves it: the combo has the focus, its line edit the text
    type_text(qtbot, panel.occupation.lineEdit(), "快递员")
    for box in (panel.occupation, panel.employer):
        box.setFocus()
        with qtbot.waitSignal(panel.submitted, timeout=1000):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


def test_first_run_drops_a_message_once_the_field_is_corrected(qtbot, workspace):
    dialog = _shown(qtbot, FirstRunDialog(workspace))
    qtbot.addWidget(dialog)
    qtbot.keyClick(dialog.laptop_name, Qt.Key.Key_Return)
    assert dialog.errors["laptop_name"].has_error and dialog.errors["clerk_name"].has_error
    type_text(qtbot, dialog.laptop_name, "黄村镇笔记本1")
    assert not dialog.errors["laptop_name"].has_error and not dialog.errors["laptop_name"].isVisible()
    assert dialog.errors["clerk_name"].has_error  # untouched fields keep theirs
    qtbot.keyClicks(dialog.card_prefix, "!!")
    type_text(qtbot, dialog.union_name, "大兴区黄村镇总工会")
    type_text(qtbot, dialog.clerk_name, "李经办")
    type_text(qtbot, dialog.password, "first-pass-1")
    type_text(qtbot, dialog.confirm, "first-pass-1")
    qtbot.keyClick(dialog.clerk_name, Qt.Key.Key_Return)
    assert dialog.errors["card_prefix"].has_error
    qtbot.keyClick(dialog.card_prefix, Qt.Key.Key_Backspace)
    assert not dialog.errors["card_prefix"].has_error
    dialog.card_prefix.clear()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.union_kind, Qt.Key.Key_Return)  # Enter from the combo too
    assert workspace.ready


@pytest.fixture
def event_dialog(qtbot, ctx):
    dialog = _shown(qtbot, EventDialog(ctx))  # not qtbot.addWidget: its close() would ask "discard?"
    yield dialog
    dialog.done(0)
    dialog.deleteLater()


def test_event_dialog_drops_a_message_once_the_field_is_corrected(qtbot, event_dialog):
    dialog = event_dialog
    qtbot.keyClicks(dialog.start_edit, "14:00")
    qtbot.keyClicks(dialog.end_edit, "9:00")
    qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Return)
    assert dialog.errors["title"].has_error and dialog.errors["venue"].has_error
    assert dialog.errors["end_time"].has_error
    type_text(qtbot, dialog.title_edit, "沟通会")
    assert not dialog.errors["title"].has_error and dialog.errors["venue"].has_error
    dialog.end_edit.clear()
    qtbot.keyClicks(dialog.end_edit, "16:00")
    assert not dialog.errors["end_time"].has_error
    type_text(qtbot, dialog.venue_edit, "广场")
    assert not dialog.errors["venue"].has_error
