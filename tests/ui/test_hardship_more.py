"""困难职工 page, continued: visits listed and added through the task runner (typed like a
clerk), the rules dialog (a 负责人 saves a new version; a 经办人 sees it read-only), and the
发放签收表 for a chosen period, type and fund (the PDF read back)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from clerk_app.domain import assistance as rules_mod
from clerk_app.domain import hardship as hs
from clerk_app.services import hardship_ledger as ledger
from clerk_app.services.context import Clerk, Context
from clerk_app.ui.hardship_payments_dialog import ALL_FUNDS, PaymentsChoice, PaymentsDialog
from clerk_app.ui.hardship_rules_dialog import RulesDialog
from clerk_app.ui.hardship_visits import VisitsModel
from tests.printing.pdfcheck import pdf_text
from tests.ui.conftest import type_text
from tests.ui.test_hardship_page import page  # noqa: F401 - the page with one file


def test_visits_are_listed_and_added_through_the_task_runner(qtbot, qtmodeltester, page, today):  # noqa: F811
    panel = page.visits
    page.tabs.setCurrentWidget(panel)
    assert isinstance(panel.model, VisitsModel) and panel.model.rowCount() == 0
    panel.day.setDate(QDate(today.year, today.month, today.day).addDays(-3))
    type_text(qtbot, panel.visitors, "张主席、李经办")
    type_text(qtbot, panel.findings, "住房漏雨，孩子上小学")
    type_text(qtbot, panel.given, "米面油")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as got:
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert got.args[0].visitors == "张主席、李经办"
    assert panel.model.rowCount() == 1 and panel.visitors.text() == ""
    qtmodeltester.check(panel.model)
    row = [panel.model.index(0, c).data() for c in range(4)]
    assert row == [(today - dt.timedelta(days=3)).isoformat(), "张主席、李经办", "住房漏雨，孩子上小学", "米面油"]


def test_a_visit_without_visitors_is_refused_in_chinese(qtbot, page, monkeypatch):  # noqa: F811
    shown = []
    monkeypatch.setattr("clerk_app.ui.hardship_visits.QMessageBox.warning", lambda _p, _t, text: shown.append(text))
    page.visits.add_visit()
    assert not page.visits.add_button.isEnabled()  # one write at a time
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "走访人" in shown[0] and page.visits.model.rowCount() == 0 and page.visits.add_button.isEnabled()


def test_a_lead_saves_a_new_rules_version_and_the_check_follows(qtbot, page, monkeypatch):  # noqa: F811
    monkeypatch.setattr("clerk_app.ui.hardship_rules_dialog.QMessageBox.warning", lambda _p, _t, text: pytest.fail(text))
    dialog = RulesDialog(page.ctx, parent=page)
    qtbot.addWidget(dialog)
    assert "第 0 版" in dialog.current.text() and dialog.save_button.isEnabled()
    dialog.emergency_min.clear()
    type_text(qtbot, dialog.emergency_min, "3000")
    dialog.school_month.setValue(8)
    type_text(qtbot, dialog.note, "2027 年标准")
    dialog.save()
    assert dialog.version == 1 and dialog.result() == dialog.DialogCode.Accepted
    version, rules = ledger.current_rules(page.ctx)
    assert version == 1 and rules.emergency_min_fen == 300_000 and rules.school_year_month == 8
    hardship_ctx = page.ctx
    from clerk_app.services import hardship

    hardship.change_status(hardship_ctx, page.selected_id(), hs.APPROVED)
    page.reload()
    page.kind.setCurrentText(rules_mod.EMERGENCY)
    qtbot.keyClicks(page.amount, "3500")
    assert "符合帮扶规则（第 1 版）" in page.rule_label.text()


def test_a_clerk_sees_the_rules_read_only(qtbot, page):  # noqa: F811
    clerk_ctx = Context(page.ctx.db, Clerk("x", "王经办", "经办人"), page.ctx.site_id, page.ctx.clock)
    dialog = RulesDialog(clerk_ctx)
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled() and not dialog.emergency_max.isEnabled()
    assert "只有负责人可以修改帮扶规则" in dialog.current.text()


def test_payment_list_for_a_chosen_period_type_and_fund(qtbot, page, today, monkeypatch):  # noqa: F811
    from clerk_app.services import hardship

    ctx = page.ctx
    hardship.change_status(ctx, page.selected_id(), hs.APPROVED)
    last_year = dt.date(today.year - 1, 6, 1)
    for kind, amount, day, fund in ((rules_mod.MEDICAL, "1234.56", last_year, "工会经费"),
                                    (rules_mod.MEDICAL, "2000", today, "工会经费"),
                                    (rules_mod.SUMMER, "300", today, "上级补助")):
        ledger.pay(ctx, page.selected_id(), ledger.PaymentInput(kind=kind, amount=amount, paid_date=day, fund=fund,
                                                                approver="张主席"))
    dialog = PaymentsDialog(today, ["工会经费"])
    qtbot.addWidget(dialog)
    assert dialog.choice() == PaymentsChoice(dt.date(today.year, 1, 1), today, "", "")
    assert dialog.fund.currentText() == ALL_FUNDS
    dialog.date_from.setDate(QDate(today.year - 1, 1, 1))
    dialog.kind.setCurrentText(rules_mod.MEDICAL)
    chosen = dialog.choice()
    assert chosen == PaymentsChoice(dt.date(today.year - 1, 1, 1), today, rules_mod.MEDICAL, "")
    dialog.date_to.setDate(QDate(today.year - 2, 1, 1))
    dialog.accept()
    assert "起始日期不能晚于截止日期" in dialog.problem.text() and dialog.result() != dialog.DialogCode.Accepted
    previewed = []
    monkeypatch.setattr("clerk_app.ui.hardship_page.show_preview", lambda _p, _c, printout: previewed.append(printout))
    page.print_payments(chosen)
    text = pdf_text(previewed[0].result.pdf).replace(" ", "")
    assert f"发放期间：{today.year - 1}-01-01至{today.isoformat()}" in text
    assert "1,234.56" in text and "2,000.00" in text and "300.00" not in text
    assert "叁仟贰佰叁拾肆元伍角陆分" in text  # 合计 1,234.56 + 2,000.00
