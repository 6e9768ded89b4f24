"""统计报表: choose the report and its period (in district mode also the township), build it in the
background, see its pages — the very PDF that prints — then print it, save it as PDF or export
it to Excel.

The figures come from ``services.reports`` through :func:`build_reports`, the one seam between
this page and the figures; the paper from ``printing.reports`` through ``services.documents``
(saving a PDF is audited there, like every printout). Nothing here counts anything."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QBuffer, QDate, QStandardPaths, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFileDialog, QFormLayout, QFrame, QGroupBox, QHBoxLayout,
                               QLabel, QMessageBox, QPushButton, QScrollArea, QSizePolicy, QSpinBox, QStackedWidget, QVBoxLayout,
                               QWidget)

from ..domain.errors import Cancelled, UserError
from ..domain.reports import REPORT_KINDS, Period, Report
from ..services import documents
from ..services.changes import Changes
from ..services.context import Context
from ..services.printouts import Printout, save_printout
from ..services.sync_site import identity
from . import crash
from .changes import follow
from .print_preview import ZOOMS, PageImages, PrintPreviewDialog, QPdfView, apply_zoom, load_pdf
from .tasks import Task, context_job, run_with_progress

from ..services import reports as report_service

ALL_TOWNSHIPS = "*"  # district mode: every township, one after another
MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"
PERIOD_KINDS = ((MONTH, "月度"), (QUARTER, "季度"), (YEAR, "年度"), (CUSTOM, "自定义"))
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def build_reports(ctx: Context, kind: str, period: Period, township: str | None,
                  progress: Callable[[int, int], None] | None = None) -> list[Report]:
    """The figures, through the one seam to ``services.reports``: this laptop's (township None),
    one township's (its union id), or every township's (ALL_TOWNSHIPS, district mode;
    ``progress(done, total)`` after each)."""
    if township == ALL_TOWNSHIPS:
        return list(report_service.district_reports(ctx, kind, period, progress=progress))
    return [report_service.build_report(ctx, kind, period, township=township)]


def townships(ctx: Context) -> list[tuple[str, str]] | None:
    """(union id, name) of the townships a district report can be asked for (those with an
    enrolled laptop), or None when this is not the district's installation."""
    if not identity(ctx).is_district:
        return None
    return report_service.townships(ctx)


def last_month(today: _dt.date) -> Period:
    before = today.replace(day=1) - _dt.timedelta(days=1)
    return Period.month(before.year, before.month)


def _qdate(day: _dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ReportsPage(QWidget):
    title = "统计报表"
    SHOWS = Changes(members=True, cards=True, events=True, attendance=True, unions=True, hardship=True)

    def __init__(self, ctx: Context, parent: QWidget | None = None, *, use_pdf_view: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.reports: list[Report] = []
        self.printout: Printout | None = None
        self.task: Task | None = None
        self._buffer: QBuffer | None = None
        today = ctx.today()

        # --- what to build ------------------------------------------------------------------
        self.kind_box = QComboBox()
        for key, label in (("members", "会员报表"), ("work", "工作情况报表")):
            self.kind_box.addItem(label, key)
        self.kind_box.setToolTip("\n".join(f"{label}：{REPORT_KINDS[key]}"
                                           for key, label in (("members", "会员报表"), ("work", "工作情况报表"))))
        self.period_box = QComboBox()
        for key, label in PERIOD_KINDS:
            self.period_box.addItem(label, key)
        self.this_month_button = QPushButton("本月")
        self.last_month_button = QPushButton("上月")
        quick = QHBoxLayout()
        quick.setContentsMargins(0, 0, 0, 0)
        quick.addWidget(self.this_month_button)
        quick.addWidget(self.last_month_button)

        self.month_edit = QDateEdit()
        self.month_edit.setDisplayFormat("yyyy年M月")
        self.month_edit.setCalendarPopup(True)
        self.quarter_year = QSpinBox()
        self.quarter_year.setRange(2000, 2100)
        self.quarter_year.setSuffix(" 年")
        self.quarter_box = QComboBox()
        self.quarter_box.addItems(QUARTERS)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setSuffix(" 年")
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
        self.pickers = QStackedWidget()
        self.pickers.addWidget(self._row(QLabel("月份："), self.month_edit))
        self.pickers.addWidget(self._row(self.quarter_year, self.quarter_box))
        self.pickers.addWidget(self._row(QLabel("年度："), self.year_spin))
        custom = QWidget()
        custom_form = QFormLayout(custom)
        custom_form.setContentsMargins(0, 0, 0, 0)
        custom_form.addRow("从：", self.from_edit)
        custom_form.addRow("至：", self.to_edit)
        self.pickers.addWidget(custom)

        self.township_box = QComboBox()
        self.township_label = QLabel("乡镇：")
        found = townships(ctx)
        self.district = found is not None
        if self.district:
            self.township_box.addItem("全部乡镇（逐个乡镇分页）", ALL_TOWNSHIPS)
            for union_id, name in found:
                self.township_box.addItem(name, union_id)
        self.township_box.setVisible(self.district)
        self.township_label.setVisible(self.district)
        self.build_button = QPushButton("生成（Enter）")
        self.build_button.setToolTip("按所选报表和期间统计，在右侧预览")

        form = QFormLayout()
        form.addRow("报表：", self.kind_box)
        form.addRow("期间：", self.period_box)
        form.addRow("", quick)
        form.addRow(self.pickers)
        form.addRow(self.township_label, self.township_box)
        self.settings_box = QGroupBox("选择报表")
        box_layout = QVBoxLayout(self.settings_box)
        box_layout.addLayout(form)
        box_layout.addWidget(self.build_button)
        self.period_label = QLabel()
        self.period_label.setWordWrap(True)
        self.period_label.setStyleSheet("color: #555;")
        box_layout.addWidget(self.period_label)

        # --- what was built -------------------------------------------------------------------
        self.status = QLabel("选择报表和期间后按“生成”。")
        self.status.setWordWrap(True)
        self.print_button = QPushButton("打印…")
        self.save_button = QPushButton("保存PDF…")
        self.xlsx_button = QPushButton("导出Excel…")
        self.xlsx_button.setToolTip("每张表一个工作表，数字为数值格式；区报表各乡镇的表以乡镇名开头")
        out = QVBoxLayout()
        for button in (self.print_button, self.save_button, self.xlsx_button):
            out.addWidget(button)
        self.output_box = QGroupBox("输出")
        out_layout = QVBoxLayout(self.output_box)
        out_layout.addWidget(self.status)
        out_layout.addLayout(out)

        side = QVBoxLayout()
        side.addWidget(self.settings_box)
        side.addWidget(self.output_box)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        # scrolls rather than raise the window's least height (a 1366×768 laptop, 150 % scaling)
        side_scroll = QScrollArea()
        side_scroll.setWidget(side_widget)
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setFixedWidth(max(300, self.fontMetrics().horizontalAdvance("国" * 20)) + 16)

        self.document = QPdfDocument(self)
        if use_pdf_view and QPdfView is not None:
            self.view: QWidget = QPdfView(self)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setDocument(self.document)
        else:
            self.view = PageImages(self)
        self.pages_label = QLabel("尚未生成")
        self.zoom_box = QComboBox()
        for value, label in ZOOMS:
            self.zoom_box.addItem(label, value)
        tools = QHBoxLayout()
        tools.addWidget(self.pages_label)
        tools.addStretch(1)
        tools.addWidget(QLabel("缩放："))
        tools.addWidget(self.zoom_box)
        preview = QVBoxLayout()
        preview.addLayout(tools)
        preview.addWidget(self.view, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(side_scroll)
        layout.addLayout(preview, 1)

        # --- wiring ---------------------------------------------------------------------------
        self.period_box.currentIndexChanged.connect(self._period_kind_changed)
        self.this_month_button.clicked.connect(lambda: self.choose_month(today))
        self.last_month_button.clicked.connect(lambda: self.choose_month(last_month(today).start))
        for signal in (self.kind_box.currentIndexChanged, self.month_edit.dateChanged,
                       self.quarter_year.valueChanged, self.quarter_box.currentIndexChanged,
                       self.year_spin.valueChanged, self.from_edit.dateChanged, self.to_edit.dateChanged,
                       self.township_box.currentIndexChanged):
            signal.connect(self._choice_changed)
        self.build_button.clicked.connect(self.build)
        self.zoom_box.currentIndexChanged.connect(self._apply_zoom)
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_pdf)
        self.xlsx_button.clicked.connect(self.export_xlsx)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # Enter anywhere in the choices builds
            QShortcut(QKeySequence(key), self.settings_box, self.build,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_report,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        chain = [self.kind_box, self.period_box, self.this_month_button, self.last_month_button, self.month_edit,
                 self.quarter_year, self.quarter_box, self.year_spin, self.from_edit, self.to_edit,
                 self.township_box, self.build_button, self.print_button, self.save_button, self.xlsx_button,
                 self.zoom_box, self.view]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

        # default: last month, as the 会员报表 is due by the 25th of the month after
        start = last_month(today)
        self.quarter_year.setValue(today.year)
        self.quarter_box.setCurrentIndex((today.month - 1) // 3)
        self.year_spin.setValue(today.year)
        self.from_edit.setDate(_qdate(start.start))
        self.to_edit.setDate(_qdate(start.end))
        self.choose_month(start.start)
        self._period_kind_changed(self.period_box.currentIndex())
        self._set_outputs(False)
        follow(self, ctx, self.SHOWS)

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            row.addWidget(w, 0 if isinstance(w, QLabel) else 1)
        return holder

    # --- the choice -------------------------------------------------------------------------
    def choose_month(self, day: _dt.date) -> None:
        self.period_box.setCurrentIndex(self.period_box.findData(MONTH))
        self.month_edit.setDate(_qdate(day.replace(day=1)))
        self._choice_changed()

    def _period_kind_changed(self, index: int) -> None:
        self.pickers.setCurrentIndex(max(0, index))
        for i in range(self.pickers.count()):  # as tall as the pickers shown, not the tallest
            policy = QSizePolicy.Policy.Preferred if i == self.pickers.currentIndex() else QSizePolicy.Policy.Ignored
            self.pickers.widget(i).setSizePolicy(QSizePolicy.Policy.Preferred, policy)
        self.pickers.adjustSize()
        self._choice_changed()

    def chosen_kind(self) -> str:
        return self.kind_box.currentData()

    def chosen_township(self) -> str | None:
        return self.township_box.currentData() if self.district else None

    def chosen_period(self) -> Period:
        """The period the choices name; a custom range that ends before it starts is the
        clerk's to fix (``UserError``)."""
        kind = self.period_box.currentData()
        if kind == MONTH:
            day = self.month_edit.date().toPython()
            return Period.month(day.year, day.month)
        if kind == QUARTER:
            return Period.quarter(self.quarter_year.value(), self.quarter_box.currentIndex() + 1)
        if kind == YEAR:
            return Period.year(self.year_spin.value())
        start, end = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        if end < start:
            raise UserError("reportpage.bad_range", start=start.isoformat(), end=end.isoformat())
        return Period(start, end, "custom")

    def _choice_changed(self, *_args) -> None:
        try:
            period = self.chosen_period()
        except UserError as exc:
            self.period_label.setText(exc.message)
            self.period_label.setStyleSheet("color: #b00020;")
            return
        self.period_label.setStyleSheet("color: #555;")
        self.period_label.setText(f"{period.label}：{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}，共 {period.days} 天")

    # --- building -----------------------------------------------------------------------------
    def build(self) -> Task | None:
        """生成: the figures and their pages on the worker, behind a cancellable progress dialog."""
        if self.task is not None and self.task.is_running():
            return None
        try:
            period = self.chosen_period()
        except UserError as exc:
            QMessageBox.warning(self, "不能生成报表", exc.message)
            return None
        kind, township = self.chosen_kind(), self.chosen_township()

        def work(worker_ctx, progress, cancel):
            def counted(done: int, total: int) -> None:  # the figures, then one more step: the pages
                progress(done, total + 1)
                if cancel():
                    raise Cancelled()

            progress(0, 2)
            reports = build_reports(worker_ctx, kind, period, township, counted)
            if cancel():
                raise Cancelled()
            if not reports:
                raise UserError("reportpage.nothing")
            printout = documents.supervisor_report(worker_ctx, reports)
            progress(1, 1)
            return reports, printout

        label = f"正在生成{REPORT_KINDS[kind]}（{period.label}）……"
        self.task = run_with_progress(self, label, context_job(self.ctx, work), on_success=self._built,
                                      on_error=self._failed)
        return self.task

    def _built(self, value) -> None:
        self.reports, printout = value
        self.show_printout(printout)
        first = self.reports[0]
        parts = f"，{len(self.reports)} 个乡镇" if len(self.reports) > 1 else ""
        warnings = "".join(f"\n注意：{w.message}" for w in printout.warnings)
        self.status.setText(f"已生成：{first.title}，{first.period.label}{parts}。{warnings}")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.status.setText("已取消生成。")
        elif isinstance(exc, UserError):
            QMessageBox.warning(self, "不能生成报表", exc.message)
        else:
            crash.report_bug(exc, self)

    def show_printout(self, printout: Printout) -> None:
        self.printout = printout
        self._buffer = load_pdf(self, self.document, printout.pdf, self._buffer, self.view)
        self.pages_label.setText(f"{printout.title}　共 {self.page_count()} 页")
        self._apply_zoom()
        self._set_outputs(self.page_count() > 0)

    def page_count(self) -> int:
        return self.document.pageCount()

    def _set_outputs(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)
        self.xlsx_button.setEnabled(ready)

    def _apply_zoom(self, *_args) -> None:
        apply_zoom(self.view, self.zoom_box.currentData())

    def reload(self) -> None:
        """Data the report counts changed: the pages on screen may be out of date (they are not
        rebuilt unasked: a report over 200,000 members is not made on every sign-in)."""
        if self.printout is not None:
            self.status.setText("数据已有变动，预览中的报表可能不是最新的，请重新生成。")

    # --- out ----------------------------------------------------------------------------------
    def _ask_path(self, title: str, name: str, pattern: str, suffix: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        chosen, _filter = QFileDialog.getSaveFileName(self, title, str(Path(folder) / name), pattern)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def save_pdf(self) -> Path | None:
        """保存PDF…: the pages on screen, to the file the clerk picks (audited first)."""
        if self.printout is None:
            return None
        path = self._ask_path("保存PDF", self.printout.file_name, "PDF 文件 (*.pdf)", ".pdf")
        if path is None:
            return None
        try:
            save_printout(self.ctx, self.printout, path)
        except UserError as exc:
            QMessageBox.warning(self, "未能保存", exc.message)
            return None
        self.status.setText(f"已保存：{path}")
        return path

    def export_xlsx(self) -> Path | None:
        """导出Excel…: the same reports as a workbook (one sheet per table; audited first)."""
        if not self.reports or self.printout is None:
            return None
        path = self._ask_path("导出Excel", str(Path(self.printout.file_name).with_suffix(".xlsx")),
                              "Excel 工作簿 (*.xlsx)", ".xlsx")
        if path is None:
            return None
        try:
            report_service.save_reports(self.ctx, self.reports, path)
        except UserError as exc:
            QMessageBox.warning(self, "未能导出", exc.message)
            return None
        self.status.setText(f"已导出：{path}")
        return path

    def print_report(self) -> int:
        """打印…: the system print dialog, then the pages (the preview dialog's printing, audited)."""
        if self.printout is None:
            return 0
        dialog = PrintPreviewDialog(self.ctx, self.printout, parent=self)
        try:
            return dialog.print_document()
        finally:
            dialog.deleteLater()
