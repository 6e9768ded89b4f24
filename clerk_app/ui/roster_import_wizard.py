"""导入花名册: a wizard that brings a union's Excel/CSV roster in, saving nothing until the end.

1. 选择文件 — the file (and sheet) is read in the background; a file that cannot be used
   says why in Chinese.
2. 核对列 (:mod:`.roster_mapping`) — which column fills which field, plus whole-file choices.
3. 检查 (:mod:`.roster_preview`) — every row checked in the background, every problem row
   listed; bad rows can be saved to an error file.
4. 确认 — what will happen, on one screen; its button says "导入 N 名会员".
5. 导入 — the good rows are saved as ONE transaction in the background (a cancel saves
   nothing), then the result. The confirmed mapping is remembered by the service.

Every database job is queued on the application's task runner and runs on its worker's own
connection (:func:`~clerk_app.ui.tasks.db_job`), one job at a time; the members it saves are
announced by the runner's ``data_changed``, so the window's pages reload by themselves."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget, QWizard, QWizardPage)

from ..domain import vocab
from ..domain.errors import UserError
from ..domain.roster_columns import FIELD_LABELS
from ..services import roster_import as ri
from ..services.context import Context
from ..services.members import Cancelled
from ..services.unions import list_unions
from . import crash
from .roster_mapping import MappingPage
from .roster_preview import PreviewPage, incomplete_summary
from .task_panel import TaskPanel
from .tasks import Task, context_job, run_with_progress
from .screen_fit import fit_to_screen

FILE_FILTER = ("花名册（*.xlsx *.xls *.xlsb *.xlsm *.ods *.csv）;;Excel 工作簿（*.xlsx *.xls *.xlsb *.xlsm）;;"
               "OpenDocument 表格（*.ods）;;CSV 文件（*.csv）;;所有文件（*）")
XLSX_FILTER = "Excel 工作簿（*.xlsx）"
_RED, _GREEN = "#c62828", "#2e7d32"


def documents_dir() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def with_xlsx_suffix(path: str) -> str:
    return path if path.lower().endswith(".xlsx") else path + ".xlsx"


def _red(text: str) -> str:
    return f"<span style='color:{_RED}'>{html.escape(text)}</span>"


class FilePage(QWizardPage):
    def __init__(self, wizard: "RosterImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("第 1 步：选择花名册文件")
        self.setSubTitle("支持 Excel 文件（.xlsx、.xls、.xlsb）、WPS/LibreOffice 的 .ods 文件和 CSV 文件。表头行应有“姓名”“身份证号码”等列名，"
                         "表头上方的标题行没有关系。")
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("还没有选择文件")
        self.browse = QPushButton("选择文件…")
        self.sheet_label = QLabel("工作表：")
        self.sheet = QComboBox()
        self.sheet.setMinimumContentsLength(12)
        self.panel = TaskPanel()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        row = QHBoxLayout()
        row.addWidget(QLabel("文件："))
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        sheets = QHBoxLayout()
        sheets.addWidget(self.sheet_label)
        sheets.addWidget(self.sheet)
        sheets.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(sheets)
        layout.addWidget(self.panel)
        layout.addWidget(self.info)
        layout.addStretch(1)
        steps = QLabel("接下来：核对每一列 → 检查每一行（列出所有不能导入的行和原因）→ 确认后一次保存。"
                       "在确认之前不会保存任何数据。")
        steps.setWordWrap(True)
        steps.setStyleSheet("color: #616161;")
        layout.addWidget(steps)
        self._show_sheets([], "")

        self.browse.clicked.connect(self.choose_file)
        self.sheet.activated.connect(lambda _i: self.load(self.path.text(), self.sheet.currentText()))
        self.panel.finished.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return self.wiz.table is not None and not self.panel.is_busy()

    def choose_file(self) -> None:
        start = str(Path(self.path.text()).parent) if self.path.text() else documents_dir()
        path, _filter = QFileDialog.getOpenFileName(self, "选择花名册文件", start, FILE_FILTER)
        if path:
            self.load(path)

    def load(self, path: str, sheet: str | None = None) -> Task:
        """Read ``path`` (the first sheet, or ``sheet``) in the background."""
        self.wiz.table = None
        self.wiz.source = Path(path)
        self.path.setText(path)
        self.info.setText("")
        self.browse.setEnabled(False)
        self.sheet.setEnabled(False)
        task = self.panel.run(f"正在读取 {Path(path).name} ……", lambda _p, _c: ri.read_roster(path, sheet),
                              on_success=self._read, on_error=self._failed, cancellable=False)
        self.completeChanged.emit()
        return task

    def _read(self, table) -> None:
        self.browse.setEnabled(True)
        self.wiz.table = table
        self._show_sheets(table.sheet_names, table.sheet)
        where = f"工作表“{html.escape(table.sheet)}”，" if table.sheet else (
            f"文字编码 {table.encoding.upper()}，" if table.encoding else "")
        text = (f"<span style='color:{_GREEN}'>✔ 已读取</span>：{where}表头在第 {table.header_row} 行，"
                f"共 {len(table.rows)} 行数据、{len(table.headers)} 列。")
        if not table.rows:
            text += "<br>" + _red("表头下面没有数据行。")
        else:
            text += "<br>点“下一步”核对每一列。"
        self.info.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self.browse.setEnabled(True)
        self.sheet.setEnabled(self.sheet.count() > 1)
        if isinstance(exc, UserError):
            self.info.setText("✘ " + _red(exc.message) + "<br>请选择另一个文件，或在 Excel 中改好后再选。")
        else:
            self.info.setText(_red("读取文件时出现程序内部错误。"))
            crash.report_bug(exc, self)

    def _show_sheets(self, names: list[str], current: str) -> None:
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItems(names)
        self.sheet.setCurrentText(current)
        self.sheet.blockSignals(False)
        several = len(names) > 1
        self.sheet.setVisible(several)
        self.sheet_label.setVisible(several)
        self.sheet.setEnabled(several)


def options_summary(ctx: Context, options: ri.ImportOptions, preview: ri.ImportPreview | None = None) -> list[str]:
    unions = {u.id: u.name for u in list_unions(ctx)}
    lines = [f"导入到：{unions.get(options.union_id or ctx.home_union_id, '')}",
             f"表中没有入会方式时：{vocab.JOIN_CHANNELS.get(options.join_channel, options.join_channel)}"]
    for fname, value in options.defaults.items():
        lines.append(f"{FIELD_LABELS.get(fname, fname)}为空时：{value}")
    if preview is not None:
        mode = options.join_mode_for(preview.mapping)
        lines.append({ri.JOIN_FROM_COLUMN: "入会日期：取自表中的“入会日期”列（空白的为未知）",
                      ri.JOIN_STATED: f"入会日期：统一为 {options.join_date}",
                      ri.JOIN_UNKNOWN: "入会日期：未知（以后补全）"}[mode])
        lines.append(f"个人信息处理依据：{preview.basis}（名单移交）")
    if options.allow_possible_duplicates:
        lines.append("姓名和出生日期与他人相同的行也导入")
    return lines


class ConfirmPage(QWizardPage):
    def __init__(self, wizard: "RosterImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("第 4 步：确认导入")
        self.setSubTitle("请核对下面的内容。点下方按钮后才开始保存。")
        self.setCommitPage(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def initializePage(self) -> None:
        preview = self.wiz.preview
        good, bad = len(preview.good), len(preview.bad)
        warned = sum(1 for g in preview.good if g.warnings)
        self.setButtonText(QWizard.WizardButton.CommitButton, f"导入 {good} 名会员")
        source = self.wiz.source.name if self.wiz.source else ""
        sheet = f"（工作表“{preview.table.sheet}”）" if preview.table.sheet else ""
        lines = [f"文件：{source}{sheet}", *options_summary(self.wiz.ctx, preview.options, preview)]
        body = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        text = f"<ul>{body}</ul><p style='font-size:large'><b>将导入 {good} 名会员</b>"
        if warned:
            text += f"（其中 {warned} 行带提示，性别和出生日期按身份证号码登记）"
        text += "。</p>"
        if preview.incomplete:
            text += f"<p>{html.escape(incomplete_summary(preview.incomplete))}</p>"
        if preview.skipped:
            text += f"<p>{len(preview.skipped)} 行合计行已跳过。</p>"
        if bad:
            text += f"<p>不能导入的 <b style='color:{_RED}'>{bad} 行</b>不会保存。</p>"
        text += "<p>全部会员作为一次保存：保存过程中可以取消，取消后不会保存任何一名会员。</p>"
        self.text.setText(text)


class ResultPage(QWizardPage):
    def __init__(self, wizard: "RosterImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("第 5 步：导入")
        self.setSubTitle("正在把会员保存到本机数据库。")
        self.result: ri.ImportResult | None = None
        self.cancelled = False
        self.panel = TaskPanel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.save_errors = QPushButton("保存未导入的行…")
        self.save_errors.hide()
        self.retry = QPushButton("重新导入")
        self.retry.hide()
        self.issue_cards = QPushButton("为本次导入的会员发服务卡…")
        self.issue_cards.hide()
        self.card_task: Task | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry)
        buttons.addWidget(self.issue_cards)
        buttons.addWidget(self.save_errors)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.panel.finished.connect(self.completeChanged)
        self.retry.clicked.connect(self.start)
        self.save_errors.clicked.connect(
            lambda: self.wiz.save_error_file(self.wiz.preview, self.result, self.note.setText))
        self.issue_cards.clicked.connect(self.issue_cards_to_imported)

    def initializePage(self) -> None:
        self.start()

    def isComplete(self) -> bool:
        return not self.panel.is_busy()

    def start(self) -> Task:
        preview = self.wiz.preview
        self.result, self.cancelled = None, False
        self.setSubTitle("正在把会员保存到本机数据库。")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.text.setText("")
        self.note.setText("")
        self.retry.hide()
        self.save_errors.hide()
        self.issue_cards.hide()

        def job(ctx, progress, cancel):
            return ri.commit_import(ctx, preview, progress=progress, cancel=cancel)

        task = self.panel.run(f"正在保存 {len(preview.good)} 名会员……", self.wiz.db_job(job),
                              on_success=self._saved, on_error=self._failed)
        self.completeChanged.emit()
        return task

    def _saved(self, result: ri.ImportResult) -> None:
        self.result = result
        text = f"<p style='font-size:large; color:{_GREEN}'><b>✔ 已导入 {len(result.saved)} 名会员。</b></p>"
        if result.bad:
            text += (f"<p>未导入 <b style='color:{_RED}'>{len(result.bad)} 行</b>。可以点“保存未导入的行…”"
                     "另存为 Excel，改正后再导入。</p>")
            self.save_errors.show()
        text += "<p>列的对应关系已记住，下次导入同样表头的文件时自动使用。</p>"
        for warning in result.backup_warnings:
            text += f"<p style='color:#8a4b00'>{html.escape(warning)}</p>"
        self.issue_cards.setVisible(bool(result.saved))  # a roster day often ends with the cards
        self.text.setText(text)
        self.setSubTitle("导入完成。")
        self.wiz.imported.emit(len(result.saved))

    def issue_cards_to_imported(self) -> Task | None:
        """批量发卡 to exactly the members this import saved (then their sheets, if asked)."""
        from .member_batches import issue_cards_to_members

        saved = list(self.result.saved) if self.result else []
        self.card_task = issue_cards_to_members(self.wiz, self.wiz.ctx, saved, f"本次导入的 {len(saved)} 名会员")
        return self.card_task

    def _failed(self, exc: BaseException) -> None:
        self.retry.show()
        if isinstance(exc, Cancelled):
            self.cancelled = True
            self.setSubTitle("已取消。")
            self.setButtonText(QWizard.WizardButton.FinishButton, "关闭")
            self.text.setText(f"<p style='font-size:large'><b>{html.escape(UserError('roster.cancelled').message)}"
                              "</b></p><p>可以点“重新导入”再次保存，或关闭本窗口。</p>")
        elif isinstance(exc, UserError):
            self.text.setText("<p>" + _red(exc.message) + "</p><p>没有保存任何数据。</p>")
        else:
            self.text.setText("<p>" + _red("导入时出现程序内部错误，没有保存任何数据。") + "</p>")
            crash.report_bug(exc, self)


class RosterImportWizard(QWizard):
    """``imported(n)`` is emitted once the members are saved (the window refreshes its pages)."""

    imported = Signal(int)

    def __init__(self, ctx: Context, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.db_path = Path(db_path)
        self.source: Path | None = None
        self.table = None
        self.mapping = None
        self.options: ri.ImportOptions | None = None
        self.preview: ri.ImportPreview | None = None
        self._close_when_idle = False
        self.last_error_file: tuple[Path, int] | None = None
        self.setWindowTitle("导入花名册")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.confirm_page = ConfirmPage(self)
        self.result_page = ResultPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page, self.confirm_page, self.result_page):
            self.addPage(page)
        self.panels = [self.file_page.panel, self.preview_page.panel, self.result_page.panel]
        for panel in self.panels:
            panel.finished.connect(self._task_ended)
        fit_to_screen(self, 1100, 760)

    def db_job(self, job: Callable) -> Callable:
        return context_job(self.ctx, job)

    def is_busy(self) -> bool:
        return any(panel.is_busy() for panel in self.panels)

    # --- closing while work runs ------------------------------------------------------------
    def reject(self) -> None:
        """取消/Esc/closing the window: a running job is cancelled first (nothing is saved),
        and the wizard closes when it has stopped."""
        if self.is_busy():
            self._close_when_idle = True
            for panel in self.panels:
                panel.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_busy():
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def _task_ended(self) -> None:
        if self._close_when_idle and not self.is_busy():
            self._close_when_idle = False
            super().reject()

    # --- error file -----------------------------------------------------------------------------
    def save_error_file(self, preview: ri.ImportPreview | None, result: ri.ImportResult | None,
                        report: Callable[[str], None] | None = None) -> Task | None:
        """Ask where, then write the rows that were not imported (their own columns plus 错误原因)."""
        if preview is None:
            return None
        stem = self.source.stem if self.source else "花名册"
        folder = self.source.parent if self.source else Path(documents_dir())
        path, _filter = QFileDialog.getSaveFileName(self, "保存错误行", str(folder / f"{stem}_错误行.xlsx"),
                                                    XLSX_FILTER)
        if not path:
            return None
        path = with_xlsx_suffix(path)

        def job(ctx, progress, cancel):
            return ri.write_error_file(ctx, path, preview, result)

        def done(count: int) -> None:
            if report is not None:
                report(f"已把 {count} 行另存为：{path}")
            self.last_error_file = (Path(path), count)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                QMessageBox.warning(self, "未能保存", exc.message)
            else:
                crash.report_bug(exc, self)

        return run_with_progress(self, "正在保存错误行……", self.db_job(job), on_success=done, on_error=failed)
