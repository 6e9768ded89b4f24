"""First run: the laptop, its union and its clerk must be named before the window opens."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clerk_app.ui.first_run import FirstRunDialog
from tests.ui.conftest import type_text


def test_empty_names_are_refused_with_chinese_messages(qtbot, workspace):
    dialog = FirstRunDialog(workspace)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["laptop_name"].text() == "请填写本机名称"
    assert dialog.errors["union_name"].text() == "请填写本机所属工会名称"
    assert dialog.errors["clerk_name"].text() == "请填写经办人姓名"
    assert not workspace.ready and dialog.context is None


def test_a_short_or_mistyped_password_is_refused(qtbot, workspace):
    dialog = FirstRunDialog(workspace)
    qtbot.addWidget(dialog)
    for name, text in (("laptop_name", "笔记本1"), ("union_name", "大兴区黄村镇总工会"), ("clerk_name", "李经办")):
        type_text(qtbot, getattr(dialog, name), text)
    type_text(qtbot, dialog.password, "short")
    type_text(qtbot, dialog.confirm, "short")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["password"].text() == "密码至少 8 位" and not workspace.ready
    dialog.password.setText("long-enough-1")
    dialog.confirm.setText("long-enough-2")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["confirm"].text() == "两次输入的密码不一致" and not workspace.ready


def test_filled_dialog_sets_up_the_laptop(qtbot, workspace):
    dialog = FirstRunDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.laptop_name, "黄村镇笔记本1")
    type_text(qtbot, dialog.union_name, "大兴区黄村镇总工会")
    dialog.union_kind.setCurrentText("乡镇街道总工会")
    type_text(qtbot, dialog.clerk_name, "李经办")
    type_text(qtbot, dialog.password, "first-pass-1")
    type_text(qtbot, dialog.confirm, "first-pass-1")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.clerk_name, Qt.Key.Key_Return)
    assert workspace.ready
    ctx = workspace.context()
    assert (ctx.laptop_name, ctx.clerk.name) == ("黄村镇笔记本1", "李经办")
    assert dialog.context is not None and dialog.context.site_id == ctx.site_id
    assert workspace.recovery_code  # for run_gui to show once (tests/ui/test_app.py)
