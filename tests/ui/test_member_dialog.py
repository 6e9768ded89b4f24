"""The registration dialog, driven from the keyboard like a clerk at the intake desk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from clerk_app.services import members as member_service
from clerk_app.ui.member_dialog import OPEN_EXISTING, MemberDialog
from tests.conftest import make_id
from tests.ui.conftest import type_text

GOOD_ID = make_id("110105", "19900307", "123")


@pytest.fixture
def dialog(qtbot, ctx):
    dlg = MemberDialog(ctx)  # not qtbot.addWidget: its close() would ask "discard what you typed?"
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)
    yield dlg
    dlg.done(QDialog.DialogCode.Rejected)
    dlg.deleteLater()


def type_member(qtbot, dlg, *, name="王小明", id_number=GOOD_ID, phone="13812345678", occupation="外卖配送员",
                consent=True):
    type_text(qtbot, dlg.name, name)
    qtbot.keyClick(dlg.name, Qt.Key.Key_Tab)
    assert dlg.focusWidget() is dlg.id_number
    qtbot.keyClicks(dlg.id_number, id_number)
    qtbot.keyClick(dlg.id_number, Qt.Key.Key_Tab)
    assert dlg.focusWidget() is dlg.phone
    qtbot.keyClicks(dlg.phone, phone)
    dlg.occupation.setFocus()
    type_text(qtbot, dlg.occupation.lineEdit(), occupation)
    if consent:
        dlg.consent.setFocus()
        qtbot.keyClick(dlg.consent, Qt.Key.Key_Space)
        assert dlg.consent.isChecked()


def test_valid_member_is_saved_with_enter_and_found(qtbot, ctx, dialog):
    type_member(qtbot, dialog)
    assert "1990-03-07" in dialog.id_feedback.text() and "男" in dialog.id_feedback.text()
    assert dialog.birth_date.text() == "1990-03-07" and dialog.gender.text() == "男"
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    found = member_service.search(ctx, "王小明")
    assert [m.id for m in found] == [dialog.saved_id]
    rec = member_service.get_member(ctx, dialog.saved_id)
    assert (rec["id_number"], rec["phone"], rec["occupation"]) == (GOOD_ID, "13812345678", "外卖配送员")
    assert rec["consents"] and rec["consents"][0]["method"] == "screen"


def test_bad_id_is_refused_in_chinese_and_nothing_is_saved(qtbot, ctx, dialog):
    bad = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
    type_member(qtbot, dialog, id_number=bad)
    assert dialog.id_feedback.has_error
    assert "校验位不对" in dialog.id_feedback.text()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert "校验位不对" in dialog.errors["id_number"].text()
    assert member_service.count(ctx) == 0
    assert dialog.name.text() == "王小明" and dialog.id_number.text() == bad  # nothing typed is lost


def test_live_id_feedback_while_typing(qtbot, dialog):
    qtbot.keyClicks(dialog.id_number, GOOD_ID[:9])
    assert dialog.id_feedback.text() == "已输入 9/18 位" and not dialog.id_feedback.has_error
    qtbot.keyClicks(dialog.id_number, "a")
    assert dialog.id_feedback.has_error and "只能由数字" in dialog.id_feedback.text()


def test_every_problem_is_shown_at_its_field(qtbot, ctx, dialog):
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.errors["name"].text() == "请填写姓名"
    assert dialog.errors["phone"].text() == "请填写手机号码"
    assert dialog.errors["occupation"].text() == "请填写职业"
    assert "个人信息处理告知书" in dialog.errors["consent_method"].text()
    assert dialog.focusWidget() is dialog.name
    assert member_service.count(ctx) == 0


def test_unticked_consent_is_refused(qtbot, ctx, dialog):
    type_member(qtbot, dialog, consent=False)
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert "同意" in dialog.errors["consent_method"].text()
    assert dialog.focusWidget() is dialog.consent
    assert member_service.count(ctx) == 0


def test_duplicate_id_offers_the_existing_member(qtbot, ctx, dialog, member_input, boxes):
    existing = member_service.register_member(ctx, member_input(name="赵大伟", id_number=GOOD_ID))
    type_member(qtbot, dialog, name="钱二")
    boxes.answer("打开该会员")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert "赵大伟" in boxes.texts[0]
    assert dialog.result() == OPEN_EXISTING
    assert dialog.existing_member_id == existing.member_id
    assert member_service.count(ctx) == 1


def test_duplicate_id_back_to_editing_keeps_input(qtbot, ctx, dialog, member_input, boxes):
    member_service.register_member(ctx, member_input(name="赵大伟", id_number=GOOD_ID))
    type_member(qtbot, dialog, name="钱二")
    boxes.answer("返回修改")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.name.text() == "钱二" and dialog.id_number.text() == GOOD_ID
    assert "已登记" in dialog.errors["id_number"].text()


@pytest.mark.parametrize("answer, expected_count", [("不是，继续登记", 2), ("是同一人", 1)])
def test_possible_duplicate_asks_the_clerk(qtbot, ctx, dialog, member_input, boxes, answer, expected_count):
    first = member_service.register_member(ctx, member_input(name="王小明", id_number=make_id(seq="555")))
    type_member(qtbot, dialog)  # same name and birth date, another ID number
    boxes.answer(answer)
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert "请确认是否为同一人" in boxes.texts[0]
    assert member_service.count(ctx) == expected_count
    if expected_count == 2:
        assert dialog.result() == QDialog.DialogCode.Accepted and dialog.saved_id != first.member_id
    else:
        assert dialog.result() == OPEN_EXISTING and dialog.existing_member_id == first.member_id


def test_edit_dialog_prefills_and_saves(qtbot, ctx, member_input):
    saved = member_service.register_member(ctx, member_input(employer="顺丰速运"))
    dlg = MemberDialog(ctx, saved.member_id)
    qtbot.addWidget(dlg)
    assert dlg.name.text() == "王小明" and dlg.employer.text() == "顺丰速运"
    assert dlg.platform.currentText() == "美团" and not dlg.join_date.isEnabled()
    dlg.phone.clear()
    qtbot.keyClicks(dlg.phone, "13900001111")
    with qtbot.waitSignal(dlg.accepted, timeout=2000):
        qtbot.keyClick(dlg.phone, Qt.Key.Key_Enter)
    assert member_service.get_member(ctx, saved.member_id)["phone"] == "13900001111"


def test_tab_reaches_every_field_in_form_order(qtbot, dialog):
    dialog.name.setFocus()
    seen = [dialog.focusWidget()]
    for _ in range(len(dialog._tab_chain) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        # an editable combo's line edit takes focus for its combo
        seen.append(widget.parentWidget() if widget.parentWidget() in dialog._tab_chain else widget)
    assert seen == dialog._tab_chain
    assert len(seen) >= 24


def test_escape_on_a_clean_form_closes_and_on_a_typed_one_asks(qtbot, dialog, boxes):
    type_text(qtbot, dialog.name, "王")
    boxes.answer("继续填写")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.name.text() == "王"
    dialog.name.clear()
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)


@pytest.mark.parametrize("where", ["occupation", "join_date", "ethnicity", "consent"])
def test_enter_saves_from_any_single_line_field(qtbot, ctx, dialog, where):
    type_member(qtbot, dialog)
    widget = getattr(dialog, where)
    target = widget.lineEdit() if where == "occupation" else widget
    target.setFocus()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(target, Qt.Key.Key_Return)
    assert member_service.count(ctx) == 1
