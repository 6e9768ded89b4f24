"""The sign-in desk driven like a clerk and a USB scanner would: real cards in a real database,
key clicks into the scan field, the big panel read back, attendance rows counted in SQLite."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from clerk_app.domain.event import EventInput
from clerk_app.services import cards, events, signin
from clerk_app.ui.event_models import AttendanceModel
from clerk_app.ui.paper_entry import PaperEntryDialog
from clerk_app.ui.signin_desk import TAB_LOOKUP, SignInDesk
from clerk_app.ui.signin_join import JoinDialog
from tests.conftest import make_id
from tests.ui.conftest import type_text



def attendance_rows(ctx, event_id) -> list[tuple]:
    return ctx.db.conn.execute("SELECT member_id, is_walk_in, method FROM attendance WHERE event_id = ? "
                               "ORDER BY signed_in_at, rowid", [event_id]).fetchall()


@pytest.fixture
def laptop(ctx):
    cards.set_card_prefix(ctx, "DX07")
    return ctx


@pytest.fixture
def event(laptop, today):
    return events.create_event(laptop, EventInput(
        type="职工沟通会", title="黄村镇新就业形态劳动者职工沟通会", event_date=today, start_time="09:30",
        end_time="17:30", venue="黄村镇文化广场", union_id=laptop.home_union_id, sub_venues=["京东物流站点"],
        services=["入会咨询", "法律咨询"]))


@pytest.fixture
def member_cards(laptop, add_members, today):
    """40 members, each with an active card (in member order)."""
    ids = add_members(40)
    return [cards.issue_card(laptop, member_id, today) for member_id in ids]


@pytest.fixture
def desk(qtbot, laptop, event):
    widget = SignInDesk(laptop, event.id)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: widget.scan.hasFocus(), timeout=2000)
    return widget


def scan(qtbot, desk, text: str) -> None:
    """What a USB scanner does: the characters, then Enter, no pause."""
    qtbot.keyClicks(desk.scan, text)
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)


def test_a_scanned_card_signs_in_with_a_green_panel(qtbot, laptop, event, member_cards, desk):
    card = member_cards[0]
    scan(qtbot, desk, card.grouped_no.lower())  # spaces and lower case as some scanners send
    assert attendance_rows(laptop, event.id) == [(card.member_id, 0, "scan")]
    assert desk.panel.level == "ok"
    assert desk.panel.name.text() == card.holder.name
    assert desk.panel.number.text() == card.holder.id_number_masked and "*" in desk.panel.number.text()
    assert desk.count_label.text() == "已签到 1 人"
    assert desk.model.rowCount() == 1 and desk.model.row_at(0).member_id == card.member_id
    assert desk.scan.text() == "" and desk.scan.hasFocus()


def test_a_repeat_scan_says_when_and_counts_once(qtbot, laptop, event, member_cards, desk, today):
    card = member_cards[1]
    scan(qtbot, desk, card.card_no)
    scan(qtbot, desk, card.card_no)
    assert len(attendance_rows(laptop, event.id)) == 1
    assert desk.panel.level == "repeat"
    first = signin.attendance(laptop, event.id)[0]
    assert f"已于 {first.time_label(today)} 签到，不重复计数" in desk.panel.message.text()
    assert desk.count_label.text() == "已签到 1 人" and desk.model.rowCount() == 1


def test_a_lost_card_warns_signs_nobody_in_and_leads_to_lookup(qtbot, laptop, event, member_cards, desk):
    card = member_cards[2]
    cards.report_lost(laptop, card.card_no, "丢失")
    scan(qtbot, desk, card.card_no)
    assert attendance_rows(laptop, event.id) == []
    assert desk.panel.level == "warning"
    assert "挂失" in desk.panel.message.text() and "查找" in desk.panel.message.text()
    assert desk.panel.lookup_button.isVisible()
    qtbot.mouseClick(desk.panel.lookup_button, Qt.MouseButton.LeftButton)
    assert desk.tabs.currentIndex() == TAB_LOOKUP
    assert desk.lookup.box.text() == card.holder.name and desk.lookup.box.hasFocus()
    assert desk.lookup.selected_id() == card.member_id
    qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Return)  # the clerk checked the person: sign in by look-up
    assert attendance_rows(laptop, event.id) == [(card.member_id, 0, "lookup")]
    assert desk.scan.hasFocus()


def test_an_unknown_scan_is_a_red_warning_not_silence(qtbot, laptop, event, desk):
    scan(qtbot, desk, "HELLO123")
    assert desk.panel.level == "warning" and desk.panel.message.text()
    assert attendance_rows(laptop, event.id) == []


def test_a_burst_of_30_scans_loses_merges_and_doubles_none(qtbot, laptop, event, member_cards, desk):
    burst = member_cards[:30]
    for card in burst:  # back to back at scanner speed: no waits in between
        qtbot.keyClicks(desk.scan, card.card_no)
        qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    rows = attendance_rows(laptop, event.id)
    assert len(rows) == 30
    assert [r[0] for r in rows] == [c.member_id for c in burst]  # each once, in the order scanned
    assert desk.count_label.text() == "已签到 30 人" and desk.model.rowCount() == 30
    assert desk.model.row_at(0).member_id == burst[-1].member_id
    assert desk.scan.text() == "" and desk.scan.hasFocus()


def test_the_sub_venue_applies_to_the_next_sign_ins(qtbot, laptop, event, member_cards, desk):
    desk.venue.setCurrentIndex(desk.venue.findText("京东物流站点"))
    scan(qtbot, desk, member_cards[0].card_no)
    assert signin.attendance(laptop, event.id)[0].sub_venue == "京东物流站点"
    assert desk.model.row_at(0).venue_label == "京东物流站点"


def test_lookup_by_pinyin_initials_signs_in_the_right_member(qtbot, laptop, event, member_cards, desk):
    target = next(c for c in member_cards if c.holder.name == "王芳")
    qtbot.keyClick(desk, Qt.Key.Key_F2)
    assert desk.lookup.box.hasFocus()
    with qtbot.waitSignal(desk.lookup.results_shown, timeout=2000):
        qtbot.keyClicks(desk.lookup.box, "wf")
    for _ in range(desk.lookup.results.count()):
        if desk.lookup.selected_id() == target.member_id:
            break
        qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Down)
    assert desk.lookup.selected_id() == target.member_id
    qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Return)
    assert attendance_rows(laptop, event.id) == [(target.member_id, 0, "lookup")]
    assert desk.panel.level == "ok" and desk.panel.name.text() == "王芳"
    assert desk.scan.hasFocus()


def test_a_card_scanned_into_the_lookup_box_still_signs_in(qtbot, laptop, event, member_cards, desk):
    desk.open_tab(TAB_LOOKUP)
    qtbot.keyClicks(desk.lookup.box, member_cards[5].card_no)
    qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Return)
    assert attendance_rows(laptop, event.id) == [(member_cards[5].member_id, 0, "scan")]


def _walk_in(qtbot, desk, name: str, phone: str, occupation: str = "快递员") -> None:
    desk.open_tab(1)
    type_text(qtbot, desk.walk_in.name, name)
    qtbot.keyClicks(desk.walk_in.phone, phone)
    type_text(qtbot, desk.walk_in.occupation.lineEdit(), occupation)
    qtbot.keyClick(desk.walk_in.phone, Qt.Key.Key_Return)


def test_walk_in_errors_are_chinese_and_keep_the_input(qtbot, laptop, event, desk):
    _walk_in(qtbot, desk, "赵六", "123")
    assert attendance_rows(laptop, event.id) == []
    assert desk.walk_in.errors["phone"].has_error and desk.walk_in.errors["phone"].text()
    assert desk.walk_in.name.text() == "赵六" and desk.walk_in.phone.text() == "123"


def test_walk_in_then_join_now_with_a_card(qtbot, laptop, event, desk, boxes, today):
    _walk_in(qtbot, desk, "赵六", "13900001111")
    assert attendance_rows(laptop, event.id) == [(None, 1, "walk_in")]
    assert desk.panel.level == "ok" and desk.panel.join_button.isVisible()
    assert desk.scan.hasFocus()
    filled = {}

    def fill_and_save():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, JoinDialog):
            QTimer.singleShot(10, fill_and_save)
            return
        filled.update(name=dialog.name.text(), phone=dialog.phone.text(), occupation=dialog.occupation.currentText(),
                      card=dialog.issue_card.isChecked())
        id_number = make_id("110105", "19880512", "771")
        qtbot.keyClicks(dialog.id_number, id_number)
        qtbot.waitUntil(lambda: dialog.id_number.text() == id_number, timeout=2000)  # typed at machine speed: held a moment
        dialog.consent.setChecked(True)
        dialog.save()

    boxes.answer("以后再打印")
    QTimer.singleShot(0, fill_and_save)
    qtbot.mouseClick(desk.panel.join_button, Qt.MouseButton.LeftButton)
    assert filled == {"name": "赵六", "phone": "13900001111", "occupation": "快递员", "card": True}
    summary = events.event_summary(laptop, event.id)
    assert (summary.joined, summary.cards_issued, summary.walk_ins) == (1, 1, 1)
    member_id = attendance_rows(laptop, event.id)[0][0]
    assert member_id is not None
    channel, joined_on = laptop.db.conn.execute("SELECT join_channel, join_date FROM members WHERE id = ?",
                                                [member_id]).fetchone()
    assert (channel, joined_on) == ("onsite", today.isoformat())
    card_event, card_no = laptop.db.conn.execute("SELECT event_id, card_no FROM cards WHERE member_id = ?",
                                                 [member_id]).fetchone()
    assert card_event == event.id
    assert desk.panel.number.text().replace(" ", "") == card_no
    assert "打印" in boxes.texts[0] and desk.model.row_at(0).membership_label == "现场入会"
    assert "现场入会 1 人" in desk.tally.summary.text() and "发放服务卡 1 张" in desk.tally.summary.text()


def test_walk_in_with_a_members_phone_is_signed_in_as_that_member(qtbot, laptop, event, member_cards, desk, boxes):
    holder = member_cards[3].holder
    phone = laptop.db.conn.execute("SELECT phone FROM members WHERE id = ?", [holder.member_id]).fetchone()[0]
    boxes.answer(f"按会员签到：{holder.name}（{holder.id_number_masked}）")
    _walk_in(qtbot, desk, holder.name, phone)
    assert "已登记为会员" in boxes.texts[0]
    assert attendance_rows(laptop, event.id) == [(holder.member_id, 0, "lookup")]
    assert desk.walk_in.name.text() == ""


def test_undo_a_wrong_pick(qtbot, laptop, event, member_cards, desk, boxes):
    scan(qtbot, desk, member_cards[0].card_no)
    scan(qtbot, desk, member_cards[1].card_no)
    desk.table.selectRow(0)
    boxes.answer("撤销签到")
    qtbot.mouseClick(desk.undo_button, Qt.MouseButton.LeftButton)
    assert attendance_rows(laptop, event.id) == [(member_cards[0].member_id, 0, "scan")]
    assert desk.model.rowCount() == 1 and desk.count_label.text() == "已签到 1 人"
    qtbot.waitUntil(desk.scan.hasFocus, timeout=2000)  # back to the scanner once the question closes


def test_tally_tap_and_undo(qtbot, laptop, event, desk):
    row = desk.tally.rows[("consultation", "法律咨询")]
    qtbot.mouseClick(row.plus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(row.plus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(row.minus, Qt.MouseButton.LeftButton)
    totals = {t.label: t.total for t in events.tallies(laptop, event.id)["consultation"]}
    assert totals["法律咨询"] == 1 and row.count.text() == "1"
    assert "咨询 1 人次" in desk.tally.summary.text()
    leaflets = desk.tally.rows[("material", "入会宣传页")]
    for _ in range(3):
        qtbot.mouseClick(leaflets.plus, Qt.MouseButton.LeftButton)
    assert events.event_summary(laptop, event.id).materials_total == 3
    assert desk.scan.hasFocus()  # the buttons never take the focus from the scanner


def test_paper_sheet_preview_then_save(qtbot, laptop, event, member_cards, desk, boxes):
    holder = member_cards[0].holder
    phone = laptop.db.conn.execute("SELECT phone FROM members WHERE id = ?", [holder.member_id]).fetchone()[0]
    dialog = PaperEntryDialog(laptop, event.id, desk)
    qtbot.addWidget(dialog)
    for col, text in enumerate([holder.name, phone, "", "快递员"]):
        dialog.set_cell(0, col, text)
    for col, text in enumerate(["钱七", "13700002222", "", "保洁员"]):
        dialog.set_cell(1, col, text)
    for col, text in enumerate(["孙八", "12"]):
        dialog.set_cell(2, col, text)
    dialog.run_preview()
    assert attendance_rows(laptop, event.id) == []  # a preview writes nothing
    results = [dialog.result_table.item(r, 2).text() for r in range(3)]
    assert results[0].startswith("会员签到：" + holder.name) and results[1] == "非会员登记" and results[2]
    assert dialog.save_button.isEnabled()
    boxes.answer("知道了")
    dialog.save()
    assert "1 行有误未保存" in boxes.texts[0]
    assert sorted(r[1] for r in attendance_rows(laptop, event.id)) == [0, 1]
    assert dialog.typed_rows()[1][0].name == "孙八"  # the rejected row stays to be corrected


def test_attendance_model_passes_qt_model_checks(qtmodeltester, laptop, event, member_cards):
    for card in member_cards[:5]:
        signin.sign_in_scan(laptop, event.id, card.card_no)
    signin.sign_in_walk_in(laptop, event.id, "赵六", "13900001111", "快递员")
    model = AttendanceModel()
    model.set_rows(signin.attendance(laptop, event.id))
    qtmodeltester.check(model)
    walk = model.row_at(model.rowCount() - 1)
    assert walk.is_walk_in and model.data(model.index(model.rowCount() - 1, 2)) == "139****1111"
    assert all("*" in model.data(model.index(r, 2)) for r in range(model.rowCount()))


def test_f1_shows_the_desk_shortcuts_without_taking_the_scan_field(qtbot, desk):
    from clerk_app.ui.help import HelpWindow

    qtbot.keyClick(desk.scan, Qt.Key.Key_F1)
    [guide] = [w for w in desk.findChildren(HelpWindow) if w.isVisible()]
    text = guide.text.toPlainText()
    for key in ("F2", "F3", "F4", "Esc", "扫码"):
        assert key in text
    assert not guide.isModal()


def test_the_tally_panel_offers_the_events_own_services(qtbot, laptop, event, desk):
    """The event was set up with services 入会咨询 and 法律咨询: each is a button in the services
    column (first, in the event's order), and a tap counts as a service given."""
    grid = desk.tally.grids["service"]
    first = [grid.itemAtPosition(r, 0).widget().text() for r in range(grid.rowCount())
             if grid.itemAtPosition(r, 0) is not None][:2]
    assert first == ["入会咨询", "法律咨询"]
    row = desk.tally.rows[("service", "入会咨询")]
    qtbot.mouseClick(row.plus, Qt.MouseButton.LeftButton)
    totals = {t.label: t.total for t in events.tallies(laptop, event.id)["service"]}
    assert totals["入会咨询"] == 1 and row.count.text() == "1"
    assert desk.scan.hasFocus()


# --- a scan while something else has the keyboard ---------------------------------------------------

def scanner_burst(qtbot, desk, text: str) -> None:
    """A USB scanner types into whatever has the keyboard focus — a dialog's button or field,
    the walk-in form — the characters then Enter, no pause."""
    target = QApplication.focusWidget()
    assert target is not None and target is not desk.scan
    with qtbot.waitSignal(desk.result_shown, timeout=2000):
        qtbot.keyClicks(target, text)
        qtbot.keyClick(target, Qt.Key.Key_Return)


def during_modal(kind, action, seen: dict) -> None:
    """Once a modal dialog of ``kind`` is up with the focus, run ``action(dialog)`` from inside
    its event loop; the dialog is then closed (by the action, or here) so a failure cannot hang."""

    def attempt(left: int) -> None:
        dialog, focus = QApplication.activeModalWidget(), QApplication.focusWidget()
        if isinstance(dialog, kind) and focus is not None and (focus is dialog or dialog.isAncestorOf(focus)):
            seen["dialog"] = type(dialog).__name__
            try:
                action(dialog)
            finally:
                if dialog.isVisible():  # closed without its questions (e.g. 放弃填写？)
                    seen["closed_here"] = True
                    for other in QApplication.topLevelWidgets():
                        if other is not dialog and isinstance(other, QDialog) and other.isVisible():
                            QDialog.done(other, 0)
                    QDialog.done(dialog, 0)
        elif left:
            QTimer.singleShot(10, lambda: attempt(left - 1))

    QTimer.singleShot(0, lambda: attempt(300))


def _burst_of_three(qtbot, desk, dialog, scans, seen):
    """Three people scan while the dialog is open: each signed in at once, in order; the
    dialog still open, not accepted, its fields untouched."""
    for card in scans:
        scanner_burst(qtbot, desk, card.card_no)
    seen["still_open"] = dialog.isVisible() and QApplication.activeModalWidget() is dialog
    seen["signed_in"] = [r[0] for r in attendance_rows(desk.ctx, desk.meeting.id)]


def test_a_scan_during_the_undo_question_signs_in_and_undoes_nothing(qtbot, laptop, event, member_cards, desk, boxes):
    from PySide6.QtWidgets import QMessageBox

    scan(qtbot, desk, member_cards[0].card_no)
    desk.table.selectRow(0)
    seen: dict = {}

    def act(box):
        _burst_of_three(qtbot, desk, box, member_cards[1:4], seen)
        next(b for b in box.buttons() if b.text() == "不撤销").click()

    during_modal(QMessageBox, act, seen)
    qtbot.mouseClick(desk.undo_button, Qt.MouseButton.LeftButton)
    assert seen["still_open"] and "closed_here" not in seen  # the scanner's Enter did not press 撤销签到
    assert seen["signed_in"] == [c.member_id for c in member_cards[:4]]
    assert [r[0] for r in attendance_rows(laptop, event.id)] == [c.member_id for c in member_cards[:4]]
    assert desk.count_label.text() == "已签到 4 人" and desk.model.rowCount() == 4
    qtbot.waitUntil(desk.scan.hasFocus, timeout=2000)


def test_a_scan_during_the_which_sheet_question_opens_no_print_preview(qtbot, laptop, event, member_cards, desk):
    from PySide6.QtWidgets import QMessageBox

    from clerk_app.ui.print_preview import PrintPreviewDialog

    seen: dict = {}

    def act(box):
        _burst_of_three(qtbot, desk, box, member_cards[:3], seen)
        next(b for b in box.buttons() if b.text() == "取消").click()

    during_modal(QMessageBox, act, seen)
    qtbot.mouseClick(desk.sheet_button, Qt.MouseButton.LeftButton)
    assert seen["still_open"] and "closed_here" not in seen
    assert seen["signed_in"] == [c.member_id for c in member_cards[:3]]
    assert not [d for d in desk.findChildren(PrintPreviewDialog) if d.isVisible()]


def test_a_scan_during_a_print_preview_is_signed_in_and_prints_nothing(qtbot, laptop, event, member_cards, desk,
                                                                        boxes, monkeypatch):
    from clerk_app.ui.print_preview import PrintPreviewDialog

    printed = []
    monkeypatch.setattr(PrintPreviewDialog, "print_document", lambda self: printed.append(self))
    scan(qtbot, desk, member_cards[0].card_no)
    boxes.answer("已签到名单（手机号隐去部分数字）")
    qtbot.mouseClick(desk.sheet_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), PrintPreviewDialog), timeout=5000)
    preview = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and preview.isAncestorOf(QApplication.focusWidget()),
                    timeout=2000)
    for card in member_cards[1:4]:
        scanner_burst(qtbot, desk, card.card_no)
    assert printed == [] and preview.isVisible()
    assert [r[0] for r in attendance_rows(laptop, event.id)] == [c.member_id for c in member_cards[:4]]
    preview.reject()


def test_a_scan_during_the_join_form_leaves_the_form_as_it_was(qtbot, laptop, event, member_cards, desk):
    _walk_in(qtbot, desk, "赵六", "13900001111")
    seen: dict = {}

    def act(dialog):
        seen["focus"] = QApplication.focusWidget() is dialog.id_number
        _burst_of_three(qtbot, desk, dialog, member_cards[:3], seen)
        seen["id_number"] = dialog.id_number.text()
        seen["join"] = dialog.join

    during_modal(JoinDialog, act, seen)
    qtbot.mouseClick(desk.panel.join_button, Qt.MouseButton.LeftButton)
    assert seen["dialog"] == "JoinDialog" and seen["focus"] and seen["still_open"]
    assert seen["id_number"] == "" and seen["join"] is None  # nothing typed into the form, nothing saved
    assert seen["signed_in"] == [None] + [c.member_id for c in member_cards[:3]]


def test_a_scan_during_paper_entry_types_nothing_into_the_sheet(qtbot, laptop, event, member_cards, desk):
    seen: dict = {}

    def act(dialog):
        _burst_of_three(qtbot, desk, dialog, member_cards[:3], seen)
        seen["typed"] = dialog.typed_rows()[1]
        seen["previewed"] = dialog.preview

    during_modal(PaperEntryDialog, act, seen)
    qtbot.mouseClick(desk.paper_button, Qt.MouseButton.LeftButton)
    assert seen["dialog"] == "PaperEntryDialog" and seen["still_open"]
    assert seen["typed"] == [] and seen["previewed"] is None
    assert seen["signed_in"] == [c.member_id for c in member_cards[:3]]


def test_a_scan_while_typing_a_walk_in_signs_in_and_keeps_the_form(qtbot, laptop, event, member_cards, desk):
    desk.open_tab(1)
    type_text(qtbot, desk.walk_in.name, "赵六")
    desk.walk_in.phone.setFocus()
    qtbot.waitUntil(desk.walk_in.phone.hasFocus, timeout=2000)
    scanner_burst(qtbot, desk, member_cards[0].grouped_no)
    assert attendance_rows(laptop, event.id) == [(member_cards[0].member_id, 0, "scan")]
    assert desk.walk_in.name.text() == "赵六" and desk.walk_in.phone.text() == ""
    assert desk.walk_in.phone.hasFocus()  # the clerk goes on typing the walk-in's phone
    qtbot.keyClicks(desk.walk_in.phone, "13900001111")
    qtbot.waitUntil(lambda: desk.walk_in.phone.text() == "13900001111", timeout=2000)  # a person's typing arrives


def test_a_scan_while_naming_a_tally_label_is_not_a_label(qtbot, laptop, event, member_cards, desk):
    desk.open_tab(2)
    edit = desk.tally.new_label["material"]
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    scanner_burst(qtbot, desk, member_cards[0].card_no)
    assert attendance_rows(laptop, event.id) == [(member_cards[0].member_id, 0, "scan")]
    assert ("material", member_cards[0].card_no) not in desk.tally.rows and edit.text() == ""


# --- look-up: never the wrong person ------------------------------------------------------------------

GAO_YU = (("19850214", "13812340011"), ("19920730", "13912340022"), ("19780903", "13612340033"),
          ("20010118", "13512340044"))


@pytest.fixture
def four_gao_yu(laptop, add_members, member_input, today):
    """Four members called 高雨 among 100 others, in two unions; the first has a service card."""
    from clerk_app.services.members import register_member
    from clerk_app.services.unions import add_union

    add_members(100)
    other = add_union(laptop, "黄村镇快递行业联合工会", "联合工会", laptop.home_union_id)
    ids = []
    for i, (birth, phone) in enumerate(GAO_YU):
        inp = member_input(name="高雨", id_number=make_id("110105", birth, f"{610 + i}"), phone=phone,
                           union_id=other.id if i % 2 else laptop.home_union_id)
        ids.append(register_member(laptop, inp, confirm_possible_duplicate=True, today=today).member_id)
    card = cards.issue_card(laptop, ids[0], today)
    return ids, card


def _look_up(qtbot, desk, text: str) -> None:
    qtbot.keyClick(desk, Qt.Key.Key_F2)
    assert desk.lookup.box.hasFocus()
    with qtbot.waitSignal(desk.lookup.results_shown, timeout=2000):
        type_text(qtbot, desk.lookup.box, text)


def test_several_matches_select_nobody_and_show_what_tells_them_apart(qtbot, laptop, event, four_gao_yu, desk):
    ids, _card = four_gao_yu
    _look_up(qtbot, desk, "高雨")
    lines = [desk.lookup.results.item(r).text() for r in range(desk.lookup.results.count())]
    assert len(lines) == 4
    assert desk.lookup.selected_id() is None and "选中本人" in desk.lookup.note.text()
    for birth, phone in GAO_YU:  # masked ID, birth year, phone's last four, union: each row tells them apart
        line = next(line for line in lines if f"{birth[:4]}年生" in line)
        assert "110105********" in line and f"{phone[:3]}****{phone[-4:]}" in line
        assert ("黄村镇快递行业联合工会" in line) != ("大兴区黄村镇总工会" in line)
    assert len(set(lines)) == 4
    qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Return)  # Enter with nobody picked signs in nobody
    assert attendance_rows(laptop, event.id) == []
    qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Down)
    qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Down)
    picked = desk.lookup.selected_id()
    assert picked == desk.lookup.results.item(1).data(Qt.ItemDataRole.UserRole)
    desk.grab().save("/tmp/desk8.png")
    with qtbot.waitSignal(desk.result_shown, timeout=2000):
        qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Return)
    assert attendance_rows(laptop, event.id) == [(picked, 0, "lookup")]
    # the next one is picked with the mouse
    _look_up(qtbot, desk, "高雨")
    assert desk.lookup.selected_id() is None
    third = desk.lookup.results.item(2)
    rect = desk.lookup.results.visualItemRect(third)
    qtbot.mouseClick(desk.lookup.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert desk.lookup.selected_id() == third.data(Qt.ItemDataRole.UserRole)
    with qtbot.waitSignal(desk.result_shown, timeout=2000):
        qtbot.mouseClick(desk.lookup.sign_button, Qt.MouseButton.LeftButton)
    assert attendance_rows(laptop, event.id)[-1] == (third.data(Qt.ItemDataRole.UserRole), 0, "lookup")


def test_a_single_match_is_selected_for_enter(qtbot, laptop, event, four_gao_yu, desk):
    ids, _card = four_gao_yu
    _look_up(qtbot, desk, "12340022")  # the last digits of one 高雨's phone
    assert desk.lookup.results.count() == 1 and desk.lookup.selected_id() == ids[1]
    with qtbot.waitSignal(desk.result_shown, timeout=2000):
        qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Return)
    assert attendance_rows(laptop, event.id) == [(ids[1], 0, "lookup")]


@pytest.mark.parametrize("what", ["lost", "cancelled", "replaced"])
def test_look_up_after_a_dead_card_shows_its_holder_first_and_selected(qtbot, laptop, event, four_gao_yu, desk,
                                                                       what, today):
    ids, card = four_gao_yu  # the holder is the oldest 高雨: a name search lists the three others first
    if what == "lost":
        cards.report_lost(laptop, card.card_no, "丢失")
    elif what == "cancelled":
        cards.cancel_card(laptop, card.card_no, "注销")
    else:
        cards.reissue_card(laptop, card.card_no, "损坏")
    with qtbot.waitSignal(desk.result_shown, timeout=2000):
        scan(qtbot, desk, card.card_no)
    assert desk.panel.level == "warning" and desk.panel.lookup_button.isVisible()
    with qtbot.waitSignal(desk.lookup.results_shown, timeout=2000):
        qtbot.mouseClick(desk.panel.lookup_button, Qt.MouseButton.LeftButton)
    assert desk.tabs.currentIndex() == TAB_LOOKUP and desk.lookup.box.hasFocus()
    assert desk.lookup.results.count() == 4  # the namesakes are there too, below
    assert desk.lookup.results.item(0).data(Qt.ItemDataRole.UserRole) == ids[0]
    assert desk.lookup.selected_id() == ids[0] and "此卡持卡人" in desk.lookup.results.item(0).text()
    with qtbot.waitSignal(desk.result_shown, timeout=2000):
        qtbot.keyClick(desk.lookup.box, Qt.Key.Key_Return)
    assert attendance_rows(laptop, event.id) == [(ids[0], 0, "lookup")]


def test_look_up_after_an_unknown_number_opens_empty_for_typing(qtbot, laptop, event, four_gao_yu, desk):
    _look_up(qtbot, desk, "高雨")  # an earlier search must not linger
    desk.back_to_scan()
    with qtbot.waitSignal(desk.result_shown, timeout=2000):
        scan(qtbot, desk, "DX07999999")
    assert desk.panel.level == "warning"
    with qtbot.waitSignal(desk.lookup.results_shown, timeout=2000):
        qtbot.mouseClick(desk.panel.lookup_button, Qt.MouseButton.LeftButton)
    assert desk.lookup.box.text() == "" and desk.lookup.results.count() == 0 and desk.lookup.box.hasFocus()
    assert desk.lookup.selected_id() is None


# -- 自助签到 (kiosk mode) -------------------------------------------------------------------

def test_kiosk_mode_signs_in_and_reaches_nothing_else_until_the_password(qtbot, laptop, event, member_cards, desk):
    from tests.conftest import TEST_PASSWORD

    kiosk = desk.start_kiosk(full_screen=False)
    qtbot.addWidget(kiosk)
    assert not desk.isVisible() and kiosk.isVisible()
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()]
    assert shown == [kiosk]  # no search, no list, no other window of the app
    card = member_cards[1]
    qtbot.keyClicks(kiosk.scan, card.card_no)
    qtbot.keyClick(kiosk.scan, Qt.Key.Key_Return)
    assert attendance_rows(laptop, event.id) == [(card.member_id, 0, "scan")]
    assert kiosk.panel.name.text() == card.holder.name and "*" in kiosk.panel.number.text()
    kiosk.close()  # Alt+F4 at the queue
    assert kiosk.isVisible()
    kiosk.leave_button.click()
    kiosk.login.password.setText("wrong-password")
    kiosk.login.ok_button.click()
    assert kiosk.isVisible() and kiosk.login.error.text() == "姓名或密码不对"
    kiosk.login.password.setText(TEST_PASSWORD)
    with qtbot.waitSignal(kiosk.ended, timeout=2000):
        kiosk.login.ok_button.click()
    assert not kiosk.isVisible() and desk.isVisible()
    assert desk.model.rowCount() == 1  # the desk's list shows the kiosk's sign-in
