"""导出会员名单: the member list (as filtered on screen, or everyone) to an .xlsx file.

ID numbers and phones are masked unless the clerk ticks 导出完整身份证号和手机号, which asks
for confirmation first (the export is audited either way; full values are personal data
leaving the app). The file is written in the background on the worker's own connection."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QLabel, QMessageBox,
                               QVBoxLayout, QWidget)

from ..domain.errors import UserError
from ..services import members as member_service
from ..services.context import Context
from ..services.members import Cancelled
from ..services.roster_export import ExportResult, export_members
from . import crash
from .feedback import ask_choice
from .print_actions import file_safe
from .roster_import_wizard import XLSX_FILTER, documents_dir, with_xlsx_suffix
from .tasks import Task, context_job, run_with_progress

FULL_WARNING = ("完整的身份证号码和手机号码是会员的个人敏感信息。\n\n"
                "本次导出会记入审计日志（经办人、时间、人数）。导出的文件请妥善保管，"
                "只交给有权查看的人，用完及时删除。\n\n确定要导出完整号码吗？")


class ExportDialog(QDialog):
    """``ExportDialog(ctx, query="王")`` exports the members page's search result; an empty
    query exports everyone. After a successful export ``result`` is the ExportResult."""

    def __init__(self, ctx: Context, query: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.query = query.strip()
        self.result: ExportResult | None = None
        self.task: Task | None = None
        self.setWindowTitle("导出会员名单")

        if self.query:
            found = len(member_service.search(ctx, self.query))
            many = f"至少 {found} 名" if found >= member_service.SEARCH_LIMIT else f"共 {found} 名"
            scope = f"导出会员页当前搜索“{html.escape(self.query)}”找到的全部会员（{many}）。"
        else:
            scope = f"导出全部会员（共 {member_service.count(ctx)} 名）。"
        self.scope = QLabel(scope + "<br>保存为 Excel 文件（.xlsx），身份证号和手机号按文本保存。")
        self.scope.setWordWrap(True)
        self.full = QCheckBox("导出完整身份证号和手机号")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("导出…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.scope)
        layout.addSpacing(8)
        layout.addWidget(self.full)
        layout.addWidget(self.hint)
        layout.addSpacing(8)
        layout.addWidget(buttons)
        self.full.toggled.connect(self._full_toggled)
        self._show_hint()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("国") * 34)

    def _full_toggled(self, on: bool) -> None:
        if on and ask_choice(self, "导出完整号码", FULL_WARNING, ["导出完整号码", "取消"],
                             icon=QMessageBox.Icon.Warning) != 0:
            self.full.blockSignals(True)
            self.full.setChecked(False)
            self.full.blockSignals(False)
        self._show_hint()

    def _show_hint(self) -> None:
        if self.full.isChecked():
            self.hint.setText("⚠ 将导出完整号码，本次导出记入审计日志。文件请妥善保管。")
            self.hint.setStyleSheet("color: #a15c00; font-weight: bold;")
        else:
            self.hint.setText("身份证号和手机号将遮蔽（如 110105************、138****5678）。")
            self.hint.setStyleSheet("color: #616161;")

    def default_path(self) -> str:
        stamp = self.ctx.today().isoformat()
        name = file_safe(f"会员名单_{self.query}_{stamp}.xlsx" if self.query else f"会员名单_{stamp}.xlsx")
        return str(Path(documents_dir()) / name)

    def export(self) -> Task | None:
        path, _filter = QFileDialog.getSaveFileName(self, "导出会员名单", self.default_path(), XLSX_FILTER)
        if not path:
            return None
        path = with_xlsx_suffix(path)
        query, full = self.query, self.full.isChecked()
        total = 0 if query else member_service.count(self.ctx)

        def job(ctx, progress, cancel):
            def step(done: int) -> None:
                if cancel():
                    raise Cancelled()  # export_rows removes its partial file; nothing is audited
                progress(done, total)

            return export_members(ctx, path, query=query, full=full, progress=step)

        self.export_button.setEnabled(False)
        self.task = run_with_progress(self, "正在导出会员名单……", context_job(self.ctx, job),
                                      on_success=self._exported, on_error=self._failed)
        return self.task

    def _exported(self, result: ExportResult) -> None:
        self.result = result
        kind = "含完整身份证号和手机号，已记入审计日志" if result.full else "身份证号和手机号已遮蔽"
        choice = ask_choice(self, "导出完成", f"已导出 {result.count} 名会员（{kind}）到：\n{result.path}",
                            ["确定", "打开所在文件夹"], icon=QMessageBox.Icon.Information, escape=0)
        if choice == 1:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path.parent)))
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            ask_choice(self, "已取消", "已取消导出，没有写入文件。", ["确定"], icon=QMessageBox.Icon.Information)
        elif isinstance(exc, UserError):
            QMessageBox.warning(self, "未能导出", exc.message)
        else:
            crash.report_bug(exc, self)



def export_list(parent: QWidget, ctx: Context, title: str, file_stem: str,
                work: Callable[[Context, str], ExportResult]) -> Task | None:
    """Any other list to .xlsx (card register, event attendance): ask where, write it in the
    background on the worker's own connection (``work(ctx, path)``), say how many and where."""
    name = file_safe(f"{file_stem}_{ctx.today().isoformat()}.xlsx")
    path, _filter = QFileDialog.getSaveFileName(parent, title, str(Path(documents_dir()) / name), XLSX_FILTER)
    if not path:
        return None
    path = with_xlsx_suffix(path)

    def done(result: ExportResult) -> None:
        kind = "含完整号码，已记入审计日志" if result.full else "身份证号和手机号已遮蔽"
        QMessageBox.information(parent, "导出完成", f"已导出 {result.count} 行（{kind}）到：\n{result.path}")

    def failed(exc: BaseException) -> None:
        if isinstance(exc, UserError):
            QMessageBox.warning(parent, "未能导出", exc.message)
        elif not isinstance(exc, Cancelled):
            crash.report_bug(exc, parent)

    return run_with_progress(parent, f"正在{title}……", context_job(ctx, lambda c, _p, _c: work(c, path)),
                             on_success=done, on_error=failed)
