"""统计报表 page, driven like a clerk would: choose a period (quick buttons, pickers, keyboard),
build in the background, see the pages, save the PDF and read it back."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog

from clerk_app.domain.errors import UserError
from clerk_app.domain.reports import Period
from clerk_app.printing.reports import report_document
from clerk_app.services import reports as report_service
from clerk_app.services import sync_site
from clerk_app.storage import sync_ledger
from clerk_app.services.unions import add_union
from clerk_app.ui import reports_page
from clerk_app.ui.reports_page import ALL_TOWNSHIPS, ReportsPage, last_month
from tests.printing.pdfcheck import pdf_text, squeeze
from tests.printing.report_samples import members_report, work_report


class Figures:
    """Stands in for ``services.reports`` behind the page's seam: hand-made reports, and the
    questions the page asked."""

    def __init__(self, ctx, error: Exception | None = None):
        self.ctx, self.error, self.asked = ctx, error, []

    def __call__(self, worker_ctx, kind, period, township, progress=None):
        self.asked.append((kind, period, township))
        if self.error is not None:
            raise self.error
        day = worker_ctx.today()
        if township == ALL_TOWNSHIPS:
            return [members_report(period, printed_on=day, township=n, union=n) for n in ("黄村镇总工会", "礼贤镇总工会")]
        if kind == "work":
            return [work_report(period, printed_on=day)]
        return [members_report(period, printed_on=day)]


@pytest.fixture
def figures(ctx, monkeypatch):
    made = Figures(ctx)
    monkeypatch.setattr(reports_page, "build_reports", made)
    return made


@pytest.fixture
def page(qtbot, ctx, figures):
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 680)
    widget.show()
    return widget


def _built(qtbot, page, task):
    assert task is not None
    qtbot.waitUntil(lambda: not task.is_running() and page.printout is not None and page.page_count() > 0,
                    timeout=20_000)


def test_the_default_is_last_month_and_the_quick_choices_move_it(qtbot, page, today):
    assert page.chosen_period() == last_month(today)
    assert page.chosen_township() is None and not page.township_box.isVisible()  # a laptop: no township
    qtbot.mouseClick(page.this_month_button, Qt.MouseButton.LeftButton)
    assert page.chosen_period() == Period.month(today.year, today.month)
    qtbot.mouseClick(page.last_month_button, Qt.MouseButton.LeftButton)
    assert page.chosen_period() == last_month(today)
    page.period_box.setCurrentIndex(page.period_box.findData("quarter"))
    page.quarter_year.setValue(2025)
    page.quarter_box.setCurrentIndex(3)
    assert page.chosen_period() == Period.quarter(2025, 4)
    assert "2025年第4季度" in page.period_label.text()
    page.period_box.setCurrentIndex(page.period_box.findData("year"))
    page.year_spin.setValue(2024)
    assert page.chosen_period() == Period.year(2024)
    page.period_box.setCurrentIndex(page.period_box.findData("custom"))
    page.from_edit.setDate(QDate(2026, 3, 5))
    page.to_edit.setDate(QDate(2026, 4, 4))
    assert page.chosen_period() == Period(dt.date(2026, 3, 5), dt.date(2026, 4, 4), "custom")
    assert "共 31 天" in page.period_label.text()


def test_a_range_that_ends_before_it_starts_is_refused_in_chinese(qtbot, page, figures, boxes):
    page.period_box.setCurrentIndex(page.period_box.findData("custom"))
    page.from_edit.setDate(QDate(2026, 5, 1))
    page.to_edit.setDate(QDate(2026, 4, 1))
    assert "晚于结束日期" in page.period_label.text()
    boxes.answer("确定")
    assert page.build() is None
    assert boxes.texts and "开始日期 2026-05-01 晚于结束日期 2026-04-01" in boxes.texts[0]
    assert figures.asked == [] and page.printout is None


def test_build_shows_the_pages_and_save_writes_the_same_pdf(qtbot, page, figures, ctx, today, tmp_path, monkeypatch):
    assert not page.save_button.isEnabled() and not page.print_button.isEnabled()
    page.month_edit.setFocus()
    qtbot.keyClick(page.month_edit, Qt.Key.Key_Return)  # Enter in the choices builds
    _built(qtbot, page, page.task)
    period = last_month(today)
    assert figures.asked == [("members", period, None)]
    expected = report_document(members_report(period, printed_on=today)).pages
    assert page.page_count() == expected >= 2 and f"共 {expected} 页" in page.pages_label.text()
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    assert "已生成" in page.status.text() and period.label in page.status.text()

    target = tmp_path / "报表"  # no suffix typed: .pdf is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)"))
    saved = page.save_pdf()
    assert saved == tmp_path / "报表.pdf" and saved.read_bytes() == page.printout.pdf
    text = squeeze(pdf_text(saved.read_bytes()))
    assert "基层工会会员报表" in text and squeeze(period.label) in text and "期末会员数" in text
    assert f"第1页/共{expected}页" in text
    ((entity, kind, detail),) = ctx.db.conn.execute(
        "SELECT entity, entity_id, detail FROM audit_log WHERE action = 'print'").fetchall()
    assert (entity, kind) == ("report", "members") and '"output": "file"' in detail


def test_work_report_for_a_quarter(qtbot, page, figures):
    page.kind_box.setCurrentIndex(page.kind_box.findData("work"))
    page.period_box.setCurrentIndex(page.period_box.findData("quarter"))
    page.quarter_year.setValue(2026)
    page.quarter_box.setCurrentIndex(2)
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    _built(qtbot, page, page.task)
    assert figures.asked == [("work", Period.quarter(2026, 3), None)]
    assert "工作情况报表" in page.printout.title and "2026年第3季度" in page.printout.title


def test_a_chinese_message_not_a_traceback_when_the_figures_cannot_be_made(qtbot, page, figures, monkeypatch):
    told = []  # the box the clerk sees (its text), shown once the worker has failed
    monkeypatch.setattr("clerk_app.ui.reports_page.QMessageBox.warning",
                        lambda _parent, title, text: told.append((title, text)))
    figures.error = UserError("reportpage.nothing")
    page.build()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert told == [("不能生成报表", "没有可生成的报表：本机数据中没有乡镇（街道）总工会")]
    assert page.printout is None and not page.save_button.isEnabled()


def test_district_chooses_all_townships_or_one(qtbot, ctx, figures):
    sync_site.become_district(ctx)
    town = add_union(ctx, "礼贤镇总工会", "乡镇街道总工会", ctx.home_union_id)
    add_union(ctx, "榆垡镇总工会", "乡镇街道总工会", ctx.home_union_id)  # no laptop enrolled there: not offered
    sync_ledger.save_peer(ctx.db, site_id="site-1", name="礼贤镇笔记本", role=sync_ledger.LAPTOP, signing_public=b"s",
                          encryption_public=b"e", epoch=1, union_id=town.id, at=ctx.now_stamp())
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.township_box.isVisible()
    assert [widget.township_box.itemText(i) for i in range(widget.township_box.count())] == [
        "全部乡镇（逐个乡镇分页）", "礼贤镇总工会"]
    _built(qtbot, widget, widget.build())
    assert figures.asked[-1][2] == ALL_TOWNSHIPS and len(widget.reports) == 2
    assert "2 个乡镇" in widget.status.text()
    widget.township_box.setCurrentIndex(1)
    task = widget.build()
    qtbot.waitUntil(lambda: not task.is_running() and len(figures.asked) == 2, timeout=20_000)
    assert figures.asked[-1][2] == town.id


def test_tab_walks_the_choices_in_order(qtbot, page):
    page.kind_box.setFocus()
    order = [page.kind_box]
    for _ in range(4):
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Tab)
        order.append(page.focusWidget())
    assert order == [page.kind_box, page.period_box, page.this_month_button, page.last_month_button,
                     page.month_edit]


def test_a_change_to_the_data_says_the_pages_may_be_out_of_date(qtbot, page, ctx, member_input):
    from clerk_app.services.members import register_member

    _built(qtbot, page, page.build())
    assert "已生成" in page.status.text()
    register_member(ctx, member_input())  # e.g. at the desk meanwhile
    qtbot.waitUntil(lambda: "数据已有变动" in page.status.text(), timeout=5000)
    assert page.save_button.isEnabled()  # what was built can still be saved as it is


def test_a_real_report_from_a_real_database(qtbot, ctx, today, tmp_path, monkeypatch):
    """No stand-in: the page asks services.reports over a generated history, shows its pages,
    saves the PDF and the workbook (each behind its audit entry)."""
    from openpyxl import load_workbook

    from clerk_app.printing.reports import printable
    from tests import report_data

    made = report_data.build(ctx, today, members_count=40)
    period = report_data.report_period(today)
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    assert widget.chosen_period() == period
    _built(qtbot, widget, widget.build())
    expected = report_service.build_report(ctx, "members", period)
    assert widget.reports == [expected]
    assert widget.page_count() == report_document(expected).pages
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "real.pdf"), ""))
    text = squeeze(pdf_text(widget.save_pdf().read_bytes()))
    end = next(row for row in expected.tables[0].rows if row[0] == "期末会员数")
    assert "期末会员数" in text and f"{end[1]:,}" in text and squeeze(printable(expected.reconciliation)) in text
    assert not any(name in text for name in made.names) and not any(n in text for n in made.id_numbers)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "real.xlsx"), ""))
    book = load_workbook(widget.export_xlsx())
    assert len(book.sheetnames) >= len(expected.tables)
    actions = [row[0] for row in ctx.db.conn.execute(
        "SELECT action FROM audit_log WHERE entity = 'report' ORDER BY id").fetchall()]
    assert actions == ["print", "export"]  # the PDF saved, then the workbook
