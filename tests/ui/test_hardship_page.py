"""困难职工 page: the list and its overdue filter, the file dialog typed like a clerk, the rule
check shown at once, pay and reverse from the ledger tab; masked on screen."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox

from clerk_app.domain import hardship as hs
from clerk_app.services import cards, hardship, members
from clerk_app.ui.hardship_dialog import HardshipFileDialog
from clerk_app.ui.hardship_page import FilesModel, HardshipPage, LedgerModel
from tests.hardship.conftest import child_id
from tests.ui.conftest import type_text


@pytest.fixture
def page(qtbot, ctx, member_input, today):
    cards.set_card_prefix(ctx, "DX07")
    mid = members.register_member(ctx, member_input(name="赵困难")).member_id
    form = hs.FileInput(category="低保户", health="糖尿病", own_monthly_income="3000", household_size=2,
                        bank_account="6222020200112345678", sensitive_consent="书面",
                        household=[hs.HouseholdInput(name="赵小", relation="子女", id_number=child_id(today),
                                                     guardian_consent=True)])
    hardship.file_member(ctx, mid, form, filed=today - dt.timedelta(days=400))
    widget = HardshipPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_models_pass_the_model_tester(qtmodeltester, page):
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.ledger_model)
    assert isinstance(page.model, FilesModel) and isinstance(page.ledger_model, LedgerModel)


def test_list_overdue_filter_and_masked_summary(qtbot, page):
    assert page.model.rowCount() == 1 and "逾期未复查 1 份" in page.count_label.text()
    text = page.summary.text()
    assert "赵困难" in text and "**** 5678" in text and "6222020200112345678" not in text and "糖尿病" not in text
    page.overdue.setChecked(True)
    assert page.model.rowCount() == 1
    hardship.record_resurvey(page.ctx, page.selected_id())
    page.reload()
    assert page.model.rowCount() == 0


def test_rule_check_is_shown_as_the_clerk_types_and_pay_then_reverse(qtbot, page, today, monkeypatch):
    hardship.change_status(page.ctx, page.selected_id(), hs.APPROVED)
    page.reload()
    page.tabs.setCurrentIndex(1)
    page.kind.setCurrentText("临时应急救助")
    page.paid_date.setDate(QDate(today.year, today.month, today.day))
    qtbot.keyClicks(page.amount, "4999.99")
    assert "不符合规则" in page.rule_label.text() and "5,000.00" in page.rule_label.text()
    page.amount.clear()
    qtbot.keyClicks(page.amount, "5000")
    assert "符合帮扶规则" in page.rule_label.text() and "不符合" not in page.rule_label.text()
    type_text(qtbot, page.approver, "张主席")
    monkeypatch.setattr("clerk_app.ui.hardship_page.QMessageBox.warning", lambda _p, _t, text: pytest.fail(text))
    qtbot.keyClick(page.amount, Qt.Key.Key_Return)
    assert page.ledger_model.rowCount() == 1 and "5,000.00" in page.totals_label.text()
    page.ledger_table.selectRow(0)
    monkeypatch.setattr("clerk_app.ui.hardship_page.QInputDialog.getText", lambda *a, **k: ("录错", True))
    page.reverse_selected()
    assert page.ledger_model.rowCount() == 2 and "0.00" in page.totals_label.text()


def test_file_dialog_computes_per_head_and_refuses_without_consent(qtbot, ctx, member_input):
    cards.set_card_prefix(ctx, "DX07")
    members.register_member(ctx, member_input(name="钱困难"))
    dialog = HardshipFileDialog(ctx)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.member_box, "钱困难")
    qtbot.keyClick(dialog.member_box, Qt.Key.Key_Return)
    assert dialog.member_pick.count() == 1
    category = dialog.inputs["category"]
    assert isinstance(category, QComboBox)
    category.setCurrentText("低保户")
    qtbot.keyClicks(dialog.inputs["own_monthly_income"], "3000")
    dialog.inputs["household_size"].setText("3")
    qtbot.keyClicks(dialog.inputs["other_yearly_income"], "24000")
    assert "1,666.67 元" in dialog.per_head.text()
    dialog.save()
    assert "单独同意" in dialog.error.text() and dialog.saved is None
    dialog.consent.setCurrentText("书面")
    dialog.save()
    assert dialog.saved is not None and dialog.saved.worker_no == "DX07K00001"
