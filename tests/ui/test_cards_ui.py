"""Service cards in the window: the register's table model, issuing from the member page,
挂失 / 补办 / 注销 from the cards page, filters and search, batch printing in the background,
本机设置 for the card code, and the optional card code at first run. Real database, real
widgets offscreen, modal dialogs answered the way a clerk would."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from clerk_app.domain import card as lifecycle
from clerk_app.services import cards as card_service
from clerk_app.ui.card_dialogs import BatchPrintDialog, CardActionDialog, IssueCardDialog
from clerk_app.ui.card_models import (COL_ID, COL_NO, COL_REPLACED_BY, COL_STATUS, SORT_ROLE, CardTableModel,
                                      history_lines)
from clerk_app.ui.cards_page import CardsPage
from clerk_app.ui.first_run import FirstRunDialog
from clerk_app.ui.members_page import MembersPage
from clerk_app.ui.print_preview import PrintPreviewDialog
from clerk_app.ui.settings_dialog import SettingsDialog
from tests.conftest import run_on
from tests.ui.conftest import type_text

DAY = dt.date(2026, 1, 10)  # the cards' issue date
_on_day = run_on(DAY + dt.timedelta(days=10))  # the app works ten days later


def on_modal(cls, action, tries: int = 300) -> None:
    """When a modal ``cls`` is up (exec() blocks the test), run ``action(dialog)``. If it never
    comes, close whatever is modal so the test fails instead of hanging."""

    def attempt(left: int) -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, cls) and widget.isVisible():
            action(widget)
        elif left > 0:
            QTimer.singleShot(10, lambda: attempt(left - 1))
        elif isinstance(widget, QDialog):
            widget.reject()

    QTimer.singleShot(0, lambda: attempt(tries))


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def cards(ctx, add_members):
    """Five members in the union, four with an active card (DX07), issued on DAY."""
    card_service.set_card_prefix(ctx, "DX07")
    ids = add_members(5)
    issued = [card_service.issue_card(ctx, m, DAY) for m in ids[:4]]
    return ids, issued


@pytest.fixture
def page(qtbot, ctx, cards):
    widget = CardsPage(ctx, page_size=3)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def rows(page) -> list:
    return [page.model.card_at(r) for r in range(page.model.rowCount())]


# --- models ---------------------------------------------------------------------------------

def test_card_model_passes_qt_model_checks_with_real_rows(qtmodeltester, ctx, cards):
    model = CardTableModel(page_size=3)
    model.browse(lambda limit, offset: card_service.list_cards(ctx, limit=limit, offset=offset))
    assert model.rowCount() == 3 and model.total == 4 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 4 and not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    card = model.card_at(0)
    assert model.data(model.index(0, COL_NO)) == card.grouped_no
    assert model.data(model.index(0, COL_NO), SORT_ROLE) == card.card_no
    assert model.data(model.index(0, COL_STATUS)) == "有效"
    masked = model.data(model.index(0, COL_ID))
    assert "*" in masked and model.data(model.index(0, COL_ID), SORT_ROLE) == masked
    model.set_rows(card_service.list_cards(ctx, status=lifecycle.LOST).rows)
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_history_lines_list_every_step_with_the_linked_number(ctx, cards):
    ids, issued = cards
    card_service.report_lost(ctx, issued[0].card_no, "本人报失", DAY)
    result = card_service.reissue_card(ctx, issued[0].card_no, "原卡遗失", DAY)
    blocks = history_lines(card_service.member_cards(ctx, ids[0]))
    assert [card.id for card, _lines in blocks] == [result.new.id, issued[0].id]  # newest card first
    assert blocks[0][1] == [f"2026-01-10 发卡：原卡遗失；补换原卡 {issued[0].grouped_no}"]
    assert blocks[1][1] == ["2026-01-10 发卡", "2026-01-10 挂失：本人报失",
                            f"2026-01-10 补换：原卡遗失；新卡 {result.new.grouped_no}"]


# --- member page ----------------------------------------------------------------------------

@pytest.fixture
def members_page(qtbot, ctx, add_members):
    add_members(6)
    widget = MembersPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_issue_a_card_from_the_member_page_then_preview_it(qtbot, ctx, members_page, boxes):
    card_service.set_card_prefix(ctx, "DX07")
    members_page.table.setFocus()
    qtbot.keyClick(members_page.table, Qt.Key.Key_Down)  # the clerk picks a member by keyboard
    detail = members_page.detail
    member_id = detail.member_id
    assert detail.card_summary.text() == "尚未发卡" and detail.issue_button.isEnabled()
    expected = card_service.numbering(ctx).next_no

    def confirm(dialog: IssueCardDialog) -> None:
        assert dialog.number.text().replace(" ", "") == expected
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)  # Enter = 确认发卡

    on_modal(IssueCardDialog, confirm)
    boxes.answer("打印预览")
    click(qtbot, detail.issue_button)

    (history,) = card_service.member_cards(ctx, member_id)
    assert history.card.card_no == expected and history.card.is_active
    assert boxes.titles == ["发卡完成"] and history.card.grouped_no in boxes.texts[0]
    assert detail.card_summary.text() == f"有效卡：{history.card.grouped_no}"
    assert history.card.grouped_no.replace(" ", "\u00a0") in detail.card_history.text()
    assert "发卡" in detail.card_history.text()
    assert not detail.issue_button.isEnabled() and "已有有效服务卡" in detail.issue_button.toolTip()
    assert isinstance(detail.preview, PrintPreviewDialog) and detail.preview.page_count() == 1
    assert detail.preview.entity_id == history.card.id
    detail.preview.close()


def test_without_a_card_code_the_clerk_is_sent_to_settings_first(qtbot, ctx, members_page, boxes):
    members_page.table.selectRow(0)
    detail = members_page.detail

    def set_code(dialog: SettingsDialog) -> None:
        qtbot.keyClicks(dialog.prefix, "dx-07")
        assert "将保存为 DX07" in dialog.prefix_hint.text()
        click(qtbot, dialog.save_button)

    boxes.answer("打开本机设置")
    on_modal(SettingsDialog, set_code)
    on_modal(IssueCardDialog, lambda d: click(qtbot, d.ok_button))
    boxes.answer("以后再说", tries=1000)
    click(qtbot, detail.issue_button)
    assert boxes.titles[0] == "尚未设置发卡代码" and "发卡代码" in boxes.texts[0]
    assert card_service.get_card_prefix(ctx) == "DX07"
    (history,) = card_service.member_cards(ctx, detail.member_id)
    assert history.card.card_no.startswith("DX07000001")


def test_detail_shows_age_until_the_full_numbers_are_revealed(qtbot, ctx, members_page):
    members_page.table.selectRow(0)
    detail = members_page.detail
    birth = detail.record.member.birth_date
    assert birth not in detail.values["birth_date"].text() and "岁" in detail.values["birth_date"].text()
    click(qtbot, detail.reveal_button)
    assert detail.values["birth_date"].text() == birth


def test_a_member_who_left_cannot_be_issued_a_card(qtbot, ctx, members_page):
    from clerk_app.services import members as member_service

    card_service.set_card_prefix(ctx, "DX07")
    row = members_page.model.row_at(0)
    member_service.change_status(ctx, row.id, "withdrawn", reason="本人申请")
    members_page.select_member(row.id)
    members_page.detail.show_member(row.id)
    assert not members_page.detail.issue_button.isEnabled()
    assert "不能持有服务卡" in members_page.detail.issue_button.toolTip()


def test_registration_form_of_the_member_opens_masked_in_the_preview(qtbot, ctx, members_page):
    members_page.table.selectRow(0)
    click(qtbot, members_page.detail.form_button)
    preview = members_page.detail.preview
    assert preview.page_count() >= 2 and preview.reveal_box.isVisible() and not preview.result.revealed
    assert preview.entity == "member" and preview.entity_id == members_page.detail.member_id
    preview.close()


# --- cards page -----------------------------------------------------------------------------

def test_register_pages_lazily_with_a_clear_total(qtbot, page):
    assert page.model.rowCount() == 3 and page.model.total == 4
    assert page.count_label.text() == "共 4 张服务卡（已显示 3 张，向下滚动显示更多）"
    assert page.status_box.itemText(0) == "全部（4）" and page.status_box.itemText(1) == "有效（4）"


def test_report_lost_then_reissue_shows_both_cards_with_the_new_number(qtbot, ctx, page, cards, boxes):
    _ids, issued = cards
    old = issued[0]
    page.search_box.setText(old.grouped_no)
    page.run_search()
    assert page.current_card().id == old.id  # a full number selects its card
    assert page.lost_button.isEnabled() and page.print_button.isEnabled()

    def lost(dialog: CardActionDialog) -> None:
        type_text(qtbot, dialog.reason, "本人电话报失")
        click(qtbot, dialog.ok_button)

    on_modal(CardActionDialog, lost)
    click(qtbot, page.lost_button)
    assert card_service.get_card(ctx, old.id).status == lifecycle.LOST
    assert page.model.data(page.model.index(0, COL_STATUS)) == "已挂失"
    assert not page.lost_button.isEnabled() and page.reissue_button.isEnabled()
    assert not page.print_button.isEnabled()

    expected_new = card_service.numbering(ctx).next_no
    seen = {}

    def reissue(dialog: CardActionDialog) -> None:
        seen["arrow"] = dialog.new_no.text()
        type_text(qtbot, dialog.reason, "原卡遗失")
        click(qtbot, dialog.ok_button)

    on_modal(CardActionDialog, reissue)
    boxes.answer("以后再说")
    click(qtbot, page.reissue_button)
    new = card_service.get_card(ctx, expected_new)
    assert seen["arrow"] == f"{old.grouped_no}  →  {new.grouped_no}"
    assert boxes.titles == ["补办完成"] and old.grouped_no in boxes.texts[0] and new.grouped_no in boxes.texts[0]
    # the search was cleared so the new card is in view, and selected
    assert page.search_box.text() == "" and page.current_card().id == new.id
    page.model.fetchMore(QModelIndex())
    shown = {c.id: c for c in rows(page)}
    assert shown[new.id].status == lifecycle.ACTIVE
    old_row = page.model.row_of(old.id)
    assert page.model.data(page.model.index(old_row, COL_STATUS)) == "已补换"
    assert page.model.data(page.model.index(old_row, COL_REPLACED_BY)) == new.grouped_no
    assert page.model.total == 5 and page.status_box.itemText(4) == "已补换（1）"


def test_cancel_asks_for_a_reason_and_refuses_a_dead_card(qtbot, ctx, page, cards):
    _ids, issued = cards
    page.select_card(issued[1].id)

    def cancel(dialog: CardActionDialog) -> None:
        assert "永久作废" in dialog.note.text()
        type_text(qtbot, dialog.reason, "本人申请注销")
        click(qtbot, dialog.ok_button)

    on_modal(CardActionDialog, cancel)
    with qtbot.waitSignal(page.changed, timeout=3000):
        click(qtbot, page.cancel_button)
    card = card_service.get_card(ctx, issued[1].id)
    assert card.status == lifecycle.CANCELLED
    history = card_service.member_cards(ctx, card.member_id)[0]
    assert history.events[-1].reason == "本人申请注销"
    assert not page.cancel_button.isEnabled() and not page.reissue_button.isEnabled()
    dead = CardActionDialog(ctx, card, lifecycle.EV_REISSUE)
    qtbot.addWidget(dead)
    assert not dead.ok_button.isEnabled() and "不能补换" in dead.error.text()


def test_an_action_the_service_refuses_keeps_the_dialog_open_with_its_message(qtbot, ctx, cards, today):
    _ids, issued = cards
    dialog = CardActionDialog(ctx, issued[2], lifecycle.EV_LOST)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.date.setDate(QDate(today.year, today.month, today.day).addDays(3))
    type_text(qtbot, dialog.reason, "本人报失")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible() and dialog.error.text() == "挂失日期不能晚于今天"
    assert dialog.reason.text() == "本人报失"
    assert card_service.get_card(ctx, issued[2].id).status == lifecycle.ACTIVE


def test_filter_by_status_and_by_issue_date(qtbot, ctx, page, cards):
    _ids, issued = cards
    card_service.report_lost(ctx, issued[3].card_no, "", DAY)
    page.refresh()
    with qtbot.waitSignal(page.results_shown, timeout=2000) as shown:
        page.set_status_filter(lifecycle.LOST)
    assert shown.args == [1] and rows(page)[0].id == issued[3].id
    assert page.status_box.currentText() == "已挂失（1）"
    assert page.count_label.text() == "符合条件的服务卡 1 张"
    page.set_status_filter(lifecycle.ACTIVE)
    page.model.fetchMore(QModelIndex())
    assert {c.id for c in rows(page)} == {c.id for c in issued[:3]}
    page.set_status_filter(None)
    page.date_from.setDate(QDate(2026, 1, 11))
    page.date_to.setDate(QDate(2026, 12, 31))
    page.use_dates.setChecked(True)  # every card was issued on the 10th
    assert page.model.rowCount() == 0 and page.model.total == 0
    page.date_from.setDate(QDate(2026, 1, 10))
    assert page.model.total == 4


def test_search_by_holder_as_the_clerk_types(qtbot, page, cards):
    _ids, issued = cards
    name = issued[2].holder.name
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        type_text(qtbot, page.search_box, name)
    assert [c.holder.name for c in rows(page)] == [name]
    with qtbot.waitSignal(page.results_shown, timeout=2000):
        page.search_box.setText("zzzz")
    assert page.model.rowCount() == 0 and page.current_card() is None
    assert not page.lost_button.isEnabled()


def test_print_this_card_opens_the_preview(qtbot, page, cards):
    _ids, issued = cards
    page.select_card(issued[3].id)  # the newest: on the first page of the register
    click(qtbot, page.print_button)
    assert page.preview.page_count() == 1 and page.preview.entity_id == issued[3].id
    page.preview.close()


def test_batch_print_of_selected_rows_runs_in_the_background_then_previews(qtbot, ctx, page, cards, outcomes):
    page.model.fetchMore(QModelIndex())
    page.table.selectAll()
    chosen = {}

    def choose(dialog: BatchPrintDialog) -> None:
        chosen["count"] = dialog.count.text()
        click(qtbot, dialog.ok_button)

    on_modal(BatchPrintDialog, choose)
    task = page.batch_print()
    assert chosen["count"] == "共 4 张，A4 纸 1 页"
    outcome = outcomes.of(qtbot, task)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=5000)
    assert outcome.error is None and outcome.value.items == 4
    assert page.preview.page_count() == 1 and page.preview.entity == "cards"
    assert page.preview.audit_extra == {"selected": 4}
    page.preview.close()


def test_batch_print_since_a_date_counts_only_active_cards_issued_since(qtbot, ctx, cards):
    _ids, issued = cards
    card_service.report_lost(ctx, issued[0].card_no, "", DAY)
    dialog = BatchPrintDialog(ctx, [])
    qtbot.addWidget(dialog)
    assert not dialog.use_selection.isEnabled() and dialog.use_since.isChecked()
    dialog.since_date.setDate(QDate(2026, 1, 10))
    assert dialog.count.text() == "共 3 张，A4 纸 1 页"
    dialog.since_date.setDate(QDate(2026, 1, 11))
    assert dialog.count.text() == "没有符合条件的有效卡" and not dialog.ok_button.isEnabled()


def test_cancelling_a_batch_leaves_no_preview(qtbot, ctx, page, cards, outcomes):
    task = page.print_sheets([c for c in cards[1]] * 30)  # 120 cards, 12 sheets
    task.cancel()
    assert type(outcomes.of(qtbot, task).error).__name__ == "Cancelled" and page.preview is None


# --- settings and first run -----------------------------------------------------------------

def test_settings_show_the_next_number_and_refuse_a_bad_or_used_code(qtbot, ctx, cards, boxes):
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.prefix.text() == "DX07"
    assert "本代码已发卡 4 张" in dialog.numbering.text() and "DX07 000005" in dialog.numbering.text()
    dialog.prefix.clear()
    qtbot.keyClicks(dialog.prefix, "D7")
    assert "格式不对" in dialog.prefix_hint.text()
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and card_service.get_card_prefix(ctx) == "DX07"

    dialog.prefix.clear()
    qtbot.keyClicks(dialog.prefix, "DX08")
    boxes.answer("更换")
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        click(qtbot, dialog.save_button)
    assert card_service.get_card_prefix(ctx) == "DX08"

    again = SettingsDialog(ctx)
    qtbot.addWidget(again)
    again.show()
    again.prefix.clear()
    qtbot.keyClicks(again.prefix, "DX07")  # used for four cards: never again
    boxes.answer("更换")
    click(qtbot, again.save_button)
    assert "已经用于发卡" in again.prefix_hint.text() and card_service.get_card_prefix(ctx) == "DX08"
    entries = ctx.db.conn.execute("SELECT detail FROM audit_log WHERE entity = 'card_prefix'").fetchall()
    assert [json.loads(d)["prefix"] for (d,) in entries] == ["DX07", "DX08"]


def _fill_first_run(qtbot, dialog, code: str) -> None:
    type_text(qtbot, dialog.laptop_name, "黄村镇笔记本1")
    type_text(qtbot, dialog.union_name, "大兴区黄村镇总工会")
    type_text(qtbot, dialog.clerk_name, "李经办")
    type_text(qtbot, dialog.password, "first-pass-1")
    type_text(qtbot, dialog.confirm, "first-pass-1")
    qtbot.keyClicks(dialog.card_prefix, code)


def test_first_run_may_set_the_card_code(qtbot, workspace):
    dialog = FirstRunDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.show()
    _fill_first_run(qtbot, dialog, "dx07")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.card_prefix, Qt.Key.Key_Return)
    assert card_service.get_card_prefix(workspace.context()) == "DX07"


def test_first_run_refuses_a_malformed_card_code_before_setting_up(qtbot, workspace):
    dialog = FirstRunDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.show()
    _fill_first_run(qtbot, dialog, "7")
    click(qtbot, dialog.ok_button)
    assert "格式不对" in dialog.errors["card_prefix"].text()
    assert not workspace.ready and dialog.isVisible()


def test_window_menus_open_settings_and_the_blank_form(qtbot, workspace, ctx):
    from clerk_app.ui.main_window import build_main_window

    window = build_main_window(workspace)
    qtbot.addWidget(window)
    window.show()
    assert "cards" in window.pages
    window.settings_action.trigger()
    assert isinstance(window.settings_dialog, SettingsDialog) and window.settings_dialog.isVisible()
    window.settings_dialog.reject()
    preview = window.print_blank_form()
    assert preview.page_count() >= 2 and preview.entity == "form" and not preview.reveal_box.isVisible()
    preview.close()


def test_export_writes_the_whole_filtered_register_not_just_the_loaded_page(qtbot, ctx, page, cards, tmp_path,
                                                                           monkeypatch):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    target = tmp_path / "登记簿.xlsx"
    told = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: told.append(text))
    assert page.model.rowCount() == 3 < page.model.total == 4  # page_size=3: one page loaded

    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)

    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    _ids, issued = cards
    assert sorted(r[0] for r in rows[1:]) == sorted(c.grouped_no for c in issued)
    assert all("*" in r[2] for r in rows[1:])
    assert "已导出 4 行" in told[0]


def test_batch_dialog_counts_without_reading_every_card_until_confirmed(qtbot, ctx, cards, monkeypatch):
    import clerk_app.ui.card_dialogs as card_dialogs

    reads = []
    real = card_dialogs.active_cards
    monkeypatch.setattr(card_dialogs, "active_cards", lambda c, since: reads.append(since) or real(c, since))
    dialog = BatchPrintDialog(ctx, [])
    qtbot.addWidget(dialog)
    for day in (9, 10, 11, 10):
        dialog.since_date.setDate(QDate(2026, 1, day))
    assert dialog.count.text() == "共 4 张，A4 纸 1 页" and reads == []
    dialog.save()
    assert len(dialog.cards) == 4 and reads == [dt.date(2026, 1, 10)]
