"""服务卡: the card register. Filter by status (with counts) and issue date, search by number
or holder as you type (a scanned number selects its card), and act on the card: 挂失, 补办,
注销, 打印此卡, 批量打印."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QItemSelectionModel, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain import card as lifecycle
from ..services import cards as card_service
from ..services.changes import Changes
from ..services.context import Context
from .card_dialogs import BatchPrintDialog, CardActionDialog, to_date
from .card_models import (
    CARD_ROLE,
    COL_HOLDER,
    COL_ID,
    COL_ISSUED,
    COL_NO,
    COL_REPLACED_BY,
    COL_STATUS,
    COL_STATUS_DATE,
    CardTableModel,
)
from .changes import follow
from .feedback import ask_choice, run_modal
from .member_dialog import DateField
from .print_actions import preview_card, preview_card_sheets
from .print_preview import PrintPreviewDialog
from .rows_model import row_table
from .tasks import Task

SEARCH_DELAY_MS = 150
ALL = ""
# Column width as (Chinese characters, digits) of the widest usual content.
COLUMN_WIDTHS = {COL_NO: (0, 15), COL_HOLDER: (4, 0), COL_ID: (0, 18), COL_STATUS: (4, 0), COL_ISSUED: (0, 10),
                 COL_STATUS_DATE: (0, 10), COL_REPLACED_BY: (0, 15)}


class CardsPage(QWidget):
    title = "服务卡"
    changed = Signal()  # cards were issued, reported lost, cancelled or reissued
    results_shown = Signal(int)  # the register is on screen with this many rows loaded

    def __init__(self, ctx: Context, parent: QWidget | None = None, page_size: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.preview: PrintPreviewDialog | None = None

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("搜索：卡号（可扫码）、持卡人姓名、拼音或身份证号后几位")
        self.search_box.setClearButtonEnabled(True)
        self.status_box = QComboBox()
        self.status_box.setMinimumContentsLength(8)
        self.use_dates = QCheckBox("发卡日期")
        today = ctx.today()
        self.date_from = DateField(today - _dt.timedelta(days=30))
        self.date_to = DateField(today)
        for field in (self.date_from, self.date_to):
            field.setEnabled(False)

        self.lost_button = QPushButton("挂失…")
        self.reissue_button = QPushButton("补办…")
        self.cancel_button = QPushButton("注销…")
        self.print_button = QPushButton("打印此卡")
        self.batch_button = QPushButton("批量打印…")
        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("把当前筛选的服务卡登记簿导出为 Excel 文件（身份证号已遮蔽）")
        self.count_label = QLabel()
        # After a restore: no card until a new card code is set (says so before anyone tries).
        self.paused_notice = QLabel()
        self.paused_notice.setObjectName("paused_notice")
        self.paused_notice.setWordWrap(True)
        self.paused_notice.setStyleSheet("QLabel#paused_notice { background: #fff3e0; color: #8a4b00;"
                                         " border: 1px solid #ffb74d; padding: 6px; }")
        self.paused_notice.hide()

        self.model = CardTableModel(self, page_size=page_size)
        self.table = row_table(self.model, COLUMN_WIDTHS, multi=True)

        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 1)
        filters.addWidget(QLabel("状态："))
        filters.addWidget(self.status_box)
        filters.addSpacing(12)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.date_to)
        actions = QHBoxLayout()
        for button in (self.lost_button, self.reissue_button, self.cancel_button, self.print_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.batch_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.paused_notice)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search_box.textChanged.connect(self._timer.start)
        self.search_box.returnPressed.connect(self._focus_results)
        self.status_box.currentIndexChanged.connect(lambda _i: self.run_search())
        self.use_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(lambda _d: self.run_search())
        self.date_to.dateChanged.connect(lambda _d: self.run_search())
        self.lost_button.clicked.connect(lambda: self.act(lifecycle.EV_LOST))
        self.reissue_button.clicked.connect(lambda: self.act(lifecycle.EV_REISSUE))
        self.cancel_button.clicked.connect(lambda: self.act(lifecycle.EV_CANCEL))
        self.print_button.clicked.connect(self.print_current)
        self.batch_button.clicked.connect(self.batch_print)
        self.export_button.clicked.connect(self.export_register)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        QShortcut(QKeySequence("Ctrl+F"), self, self.search_box.setFocus)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_current)

        self.refresh()
        follow(self, ctx, self.SHOWS)

    # --- filters ---------------------------------------------------------------------------
    def _fill_status_box(self) -> None:
        counts = card_service.status_counts(self.ctx)
        current = self.status_box.currentData() if self.status_box.count() else ALL
        self.status_box.blockSignals(True)
        self.status_box.clear()
        self.status_box.addItem(f"全部（{sum(counts.values())}）", ALL)
        for code, label in lifecycle.STATUSES.items():
            self.status_box.addItem(f"{label}（{counts.get(code, 0)}）", code)
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(current)))
        self.status_box.blockSignals(False)

    def set_status_filter(self, status: str | None) -> None:
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(status or ALL)))

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.run_search()

    def _filters(self) -> dict:
        status = self.status_box.currentData() or None
        dates = {}
        if self.use_dates.isChecked():
            dates = {"date_from": to_date(self.date_from.date()), "date_to": to_date(self.date_to.date())}
        return dict(status=status, query=self.search_box.text().strip() or None, **dates)

    def export_register(self):
        """The register as filtered now, to .xlsx (in the background)."""
        from ..services.list_export import export_cards
        from .roster_export import export_list

        filters = self._filters()
        return export_list(self, self.ctx, "导出服务卡登记簿", "服务卡登记簿",
                           lambda ctx, path: export_cards(ctx, path, **filters))

    # --- list ------------------------------------------------------------------------------
    SHOWS = Changes(cards=True, members=True)  # holders' names and status are on the register

    def reload(self) -> None:
        """Cards (or their holders) changed elsewhere: the register as filtered, again."""
        self.refresh()

    def refresh(self) -> None:
        paused = card_service.issuing_paused(self.ctx)
        self.paused_notice.setVisible(paused)
        if paused:
            self.paused_notice.setText(card_service.missing_prefix_message(self.ctx))
        self._fill_status_box()
        self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        keep = self.current_card()
        filters = self._filters()
        self.model.browse(lambda limit, offset: card_service.list_cards(self.ctx, limit=limit, offset=offset,
                                                                        **filters))
        total, shown = self.model.total, self.model.rowCount()
        text = f"共 {total} 张服务卡"
        if filters["status"] or filters["query"] or "date_from" in filters:
            text = f"符合条件的服务卡 {total} 张"
        if shown < total:
            text += f"（已显示 {shown} 张，向下滚动显示更多）"
        self.count_label.setText(text)
        if keep is not None and self.model.row_of(keep.id) >= 0:
            self.select_card(keep.id)
        elif filters["query"] and shown == 1:
            self.select_card(self.model.card_at(0).id)  # one match (e.g. a scanned number): ready to act on
        self._update_buttons()
        self.results_shown.emit(shown)

    def _focus_results(self) -> None:
        self.run_search()
        if self.model.rowCount():
            self.table.setFocus()
            if self.current_card() is None:
                self.table.selectRow(0)

    def select_card(self, card_id: str) -> None:
        row = self.model.row_of(card_id)
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(self.model.index(row, 0))

    def current_card(self) -> card_service.Card | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            return None
        return self.model.data(index, CARD_ROLE)

    def selected_cards(self) -> list[card_service.Card]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [c for c in (self.model.card_at(r) for r in rows) if c is not None]

    def _update_buttons(self) -> None:
        card = self.current_card()
        status = card.status if card else None
        self.lost_button.setEnabled(status is not None and lifecycle.allowed(status, lifecycle.EV_LOST))
        self.reissue_button.setEnabled(status is not None and lifecycle.allowed(status, lifecycle.EV_REISSUE))
        self.cancel_button.setEnabled(status is not None and lifecycle.allowed(status, lifecycle.EV_CANCEL))
        self.print_button.setEnabled(card is not None and card.is_active)

    # --- actions ---------------------------------------------------------------------------
    def act(self, action: str) -> None:
        """挂失 / 补办 / 注销 the current card (a dialog asks date and reason and confirms)."""
        card = self.current_card()
        if card is None:
            return
        dialog = CardActionDialog(self.ctx, card, action, self)
        if run_modal(dialog) != QDialog.DialogCode.Accepted:
            return
        self.after_change()
        if dialog.reissued is not None:
            new = dialog.reissued.new
            self.search_box.blockSignals(True)
            self.search_box.clear()  # the new card must be in view whatever was searched
            self.search_box.blockSignals(False)
            self.set_status_filter(None)
            self.run_search()
            self.select_card(new.id)
            text = (f"已补办：原卡 {dialog.reissued.old.grouped_no} 已作废，"
                    f"新卡号 {new.grouped_no}（持卡人：{new.holder.name}）。\n\n现在打印新卡吗？")
            if ask_choice(self, "补办完成", text, ["打印预览", "以后再说"]) == 0:
                self.preview = preview_card(self, self.ctx, new)
        else:
            self.select_card(card.id)

    def after_change(self) -> None:
        self.refresh()
        self.changed.emit()

    def print_current(self) -> None:
        card = self.current_card()
        if card is not None:
            self.preview = preview_card(self, self.ctx, card)

    def batch_print(self) -> Task | None:
        dialog = BatchPrintDialog(self.ctx, self.selected_cards(), self)
        if run_modal(dialog) != QDialog.DialogCode.Accepted:
            return None
        return self.print_sheets(dialog.cards, dialog.since)

    def print_sheets(self, cards: list[card_service.Card], since=None) -> Task | None:
        """Lay ``cards`` out on A4 sheets in the background, then preview them."""
        self.task = preview_card_sheets(self, self.ctx, cards, since=since, on_preview=self._keep_preview)
        return self.task

    def _keep_preview(self, dialog: PrintPreviewDialog) -> None:
        self.preview = dialog
