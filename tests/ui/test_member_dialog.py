"""The registration dialog, driven from the keyboard like a clerk at the intake desk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from clerk_app.domain.idnumber import mask
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
                consent=True, registered_id=False):
    type_text(qtbot, dlg.name, name)
    qtbot.keyClick(dlg.name, Qt.Key.Key_Tab)
    assert dlg.focusWidget() is dlg.id_number
    qtbot.keyClicks(dlg.id_number, id_number)
    qtbot.keyClick(dlg.id_number, Qt.Key.Key_Tab)
    if registered_id:  # the ID number is already registered: 打开该会员 comes first
        assert dlg.focusWidget() is dlg.open_existing_button
        qtbot.keyClick(dlg.open_existing_button, Qt.Key.Key_Tab)
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
    assert (rec.id_number, rec.phone, rec.occupation) == (GOOD_ID, "13812345678", "外卖配送员")
    consents = member_service.get_member_file(ctx, dialog.saved_id).consents
    assert consents and consents[0].method == "screen"


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
    type_member(qtbot, dialog, name="钱二", registered_id=True)
    boxes.answer("打开该会员")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert "赵大伟" in boxes.texts[0]
    assert dialog.result() == OPEN_EXISTING
    assert dialog.existing_member_id == existing.member_id
    assert member_service.count(ctx) == 1


def test_duplicate_id_back_to_editing_keeps_input(qtbot, ctx, dialog, member_input, boxes):
    member_service.register_member(ctx, member_input(name="赵大伟", id_number=GOOD_ID))
    type_member(qtbot, dialog, name="钱二", registered_id=True)
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
    qtbot.mouseClick(dlg.reveal_button, Qt.MouseButton.LeftButton)  # the numbers are masked until asked
    dlg.phone.clear()
    qtbot.keyClicks(dlg.phone, "13900001111")
    with qtbot.waitSignal(dlg.accepted, timeout=2000):
        qtbot.keyClick(dlg.phone, Qt.Key.Key_Enter)
    assert member_service.get_member(ctx, saved.member_id).phone == "13900001111"


def test_tab_reaches_every_field_in_form_order(qtbot, dialog):
    dialog.more_button.setFocus()
    qtbot.keyClick(dialog.more_button, Qt.Key.Key_Space)  # 更多信息 opens from the keyboard
    assert dialog.more_panel.isVisible()
    chain = [w for w in dialog._tab_chain if w.isVisible()]  # 打开该会员 / 显示完整号码 only when needed
    dialog.name.setFocus()
    seen = [dialog.focusWidget()]
    for _ in range(len(chain) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        # an editable combo's line edit takes focus for its combo
        seen.append(widget.parentWidget() if widget.parentWidget() in dialog._tab_chain else widget)
    assert seen == chain
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


# --- keyboard first: duplicates caught early, the short path, masked edits ----------------------

def test_duplicate_id_is_caught_at_the_18th_character(qtbot, ctx, dialog, member_input):
    existing = member_service.register_member(ctx, member_input(name="赵大伟", id_number=GOOD_ID))
    joined = member_service.get_member(ctx, existing.member_id).join_date
    type_text(qtbot, dialog.name, "钱二")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.id_number, GOOD_ID[:17])
    assert not dialog.id_feedback.has_error and not dialog.open_existing_button.isVisible()
    qtbot.keyClicks(dialog.id_number, GOOD_ID[17])
    said = dialog.id_feedback.text()  # at once, before phone, occupation or consent
    assert dialog.id_feedback.has_error and "赵大伟" in said and "黄村镇总工会" in said and joined in said
    assert dialog.open_existing_button.isVisible()
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.open_existing_button
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.keyClick(dialog.open_existing_button, Qt.Key.Key_Space)
    assert dialog.result() == OPEN_EXISTING and dialog.existing_member_id == existing.member_id
    assert member_service.count(ctx) == 1


def test_correcting_a_duplicate_id_clears_the_warning(qtbot, ctx, dialog, member_input):
    member_service.register_member(ctx, member_input(name="赵大伟", id_number=GOOD_ID))
    qtbot.keyClicks(dialog.id_number, GOOD_ID)
    assert dialog.open_existing_button.isVisible()
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Backspace)
    assert not dialog.open_existing_button.isVisible() and not dialog.id_feedback.has_error


def press_enter_in_next_box(seen: dict) -> None:
    """Answer the next message box the way a hurried clerk does: Enter (its default button)."""
    def attempt(left: int = 200) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.update(text=box.text(), default=box.defaultButton().text())
            QTest.keyClick(box, Qt.Key.Key_Return)
        elif left:
            QTimer.singleShot(10, lambda: attempt(left - 1))

    QTimer.singleShot(0, attempt)


def test_possible_duplicate_shows_both_people_and_enter_saves_nothing(qtbot, ctx, dialog, member_input):
    other_id = make_id(seq="555")
    member_service.register_member(ctx, member_input(name="王小明", id_number=other_id, phone="13699990000"))
    type_member(qtbot, dialog)  # same name and birth date, another ID number
    seen: dict = {}
    press_enter_in_next_box(seen)
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "text" in seen)
    assert seen["default"] == "返回修改"
    text = seen["text"]
    assert mask(GOOD_ID) in text and mask(other_id) in text  # side by side, masked
    assert "0000" in text and "5678" in text and "黄村镇总工会" in text  # phone tails, union
    assert GOOD_ID not in text and other_id not in text and "13699990000" not in text
    assert member_service.count(ctx) == 1 and dialog.isVisible()
    assert dialog.name.text() == "王小明"


def test_shortest_path_reaches_consent_without_more_information(qtbot, ctx, dialog):
    assert not dialog.more_panel.isVisible()
    type_text(qtbot, dialog.name, "王小明")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.id_number, GOOD_ID)
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.phone, "13812345678")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Tab)
    type_text(qtbot, QApplication.focusWidget(), "外卖配送员")
    for _ in range(3):  # 平台, 工作单位, then the consent
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.consent
    qtbot.keyClick(dialog.consent, Qt.Key.Key_Space)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.consent, Qt.Key.Key_Return)
    rec = member_service.get_member(ctx, dialog.saved_id)
    assert (rec.occupation, rec.ethnicity, rec.union_id) == ("外卖配送员", "汉族", ctx.home_union_id)


def test_a_problem_in_more_information_opens_it(qtbot, ctx, dialog):
    type_member(qtbot, dialog)
    dialog.salary.setText("很多")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert dialog.more_panel.isVisible() and dialog.errors["salary"].isVisible()
    assert member_service.count(ctx) == 0


def test_dialog_fits_a_1366x768_screen(qtbot, dialog):
    dialog.resize(1000, 700)  # what a 1366x768 laptop leaves for a window, with room to spare
    qtbot.waitUntil(lambda: dialog.height() == 700)
    assert dialog.minimumSizeHint().height() <= 700
    qtbot.waitUntil(lambda: dialog.scroll.verticalScrollBar().maximum() == 0)  # the event fields need no scrolling
    dialog.show_more(True)  # the whole 登记表 scrolls inside the same window; the buttons stay put
    assert dialog.minimumSizeHint().height() <= 700 and dialog.height() == 700
    qtbot.waitUntil(lambda: dialog.scroll.verticalScrollBar().maximum() > 0)
    assert dialog.save_button.isVisible()


def test_edit_shows_numbers_masked_and_saves_them_unchanged(qtbot, ctx, member_input):
    saved = member_service.register_member(ctx, member_input(employer="顺丰速运"))
    dlg = MemberDialog(ctx, saved.member_id)
    qtbot.addWidget(dlg)
    shown = dlg.id_number.text() + dlg.phone.text() + dlg.birth_date.text() + dlg.id_feedback.text()
    assert make_id() not in shown and "13812345678" not in shown and "03-07" not in shown
    assert dlg.id_number.text() == mask(make_id()) and dlg.id_number.isReadOnly()
    dlg.employer.setFocus()
    dlg.employer.selectAll()
    type_text(qtbot, dlg.employer, "京东物流")
    with qtbot.waitSignal(dlg.accepted, timeout=2000):
        qtbot.keyClick(dlg.employer, Qt.Key.Key_Return)
    rec = member_service.get_member(ctx, saved.member_id)
    assert (rec.id_number, rec.phone, rec.employer) == (make_id(), "13812345678", "京东物流")
    assert not ctx.db.conn.execute("SELECT 1 FROM audit_log WHERE action = 'reveal'").fetchall()


def test_edit_reveal_is_audited_without_the_values(qtbot, ctx, member_input):
    saved = member_service.register_member(ctx, member_input())
    dlg = MemberDialog(ctx, saved.member_id)
    qtbot.addWidget(dlg)
    qtbot.mouseClick(dlg.reveal_button, Qt.MouseButton.LeftButton)
    assert dlg.id_number.text() == make_id() and dlg.phone.text() == "13812345678"
    assert not dlg.id_number.isReadOnly() and not dlg.is_dirty()
    action, entity_id, detail = ctx.db.conn.execute(
        "SELECT action, entity_id, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert (action, entity_id) == ("reveal", saved.member_id)
    assert make_id() not in detail and "13812345678" not in detail and "id_number" in detail


def test_a_corrected_field_drops_its_message_at_once(qtbot, ctx, dialog):
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    wrong = ("name", "phone", "occupation", "consent_method")
    assert all(dialog.errors[name].has_error for name in wrong)
    type_text(qtbot, dialog.name, "王小明")
    assert not dialog.errors["name"].has_error and dialog.errors["phone"].has_error
    qtbot.keyClicks(dialog.phone, "138")
    assert not dialog.errors["phone"].has_error and dialog.errors["occupation"].has_error
    type_text(qtbot, dialog.occupation.lineEdit(), "快递员")
    assert not dialog.errors["occupation"].has_error and dialog.errors["consent_method"].has_error
    dialog.consent.setFocus()
    qtbot.keyClick(dialog.consent, Qt.Key.Key_Space)
    assert not dialog.errors["consent_method"].has_error


def test_control_character_pasted_into_employer_is_not_stored(qtbot, ctx, dialog):
    """Qt's line edit keeps what the clipboard holds (a web page's \\x01 or vertical tab); the
    stored 工作单位 must not, or every later Excel export would fail on it."""
    type_member(qtbot, dialog)
    QApplication.clipboard().setText("北京\x01快递\x0b有限公司\x1f")
    dialog.employer.setFocus()
    qtbot.keyClick(dialog.employer, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "\x01" in dialog.employer.text()  # the widget really holds it
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert member_service.get_member(ctx, dialog.saved_id).employer == "北京快递有限公司"
