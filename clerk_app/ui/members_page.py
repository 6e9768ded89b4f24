"""会员: find a member as you type, see the record, register, edit, change membership."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..services import members as member_service
from ..services.changes import Changes
from ..services.context import Context
from .changes import follow
from .feedback import run_modal
from .member_detail import MemberDetail
from .member_dialog import OPEN_EXISTING, MemberDialog
from .member_models import (
    COL_AGE,
    COL_EMPLOYER,
    COL_GENDER,
    COL_ID,
    COL_JOINED,
    COL_NAME,
    COL_OCCUPATION,
    COL_PHONE,
    COL_PLATFORM,
    COL_STATUS,
    COL_UNION,
    ROW_ROLE,
    MemberTableModel,
)
from .rows_model import row_table
from .status_dialog import StatusDialog

SEARCH_DELAY_MS = 150
# Column width as (Chinese characters, digits) of the widest usual content.
COLUMN_WIDTHS = {COL_NAME: (4, 0), COL_GENDER: (2, 0), COL_AGE: (3, 0), COL_ID: (0, 18),
                 COL_PHONE: (0, 11), COL_OCCUPATION: (5, 0), COL_PLATFORM: (4, 0), COL_EMPLOYER: (10, 0),
                 COL_UNION: (10, 0), COL_STATUS: (4, 0), COL_JOINED: (0, 10)}


class MembersPage(QWidget):
    title = "会员"
    changed = Signal()  # members were added or edited
    counted = Signal(int)  # all members were counted (the window's status bar shows the same figure)
    results_shown = Signal(int)  # a search or the full list is on screen, with this many rows

    def __init__(self, ctx: Context, parent: QWidget | None = None, page_size: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.total: int | None = None  # members counted last, None before the first count

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("搜索：姓名、拼音（如 wxm）、身份证号或手机号的后几位")
        self.search_box.setClearButtonEnabled(True)
        self.new_button = QPushButton("新会员登记（Ctrl+N）")
        self.edit_button = QPushButton("编辑")
        self.status_button = QPushButton("变更会籍")
        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("把当前列表（按搜索框筛选）导出为 Excel 文件")
        # Work on every listed member (one button with a menu: the bar must still fit 800 px).
        self.batch_button = QPushButton("批量")
        self.batch_button.setToolTip("对当前列表（按搜索框筛选，不筛选即全部会员）中的会员：批量发卡、打印花名册")
        batch_menu = QMenu(self.batch_button)
        self.issue_batch_action = batch_menu.addAction("批量发卡…")
        self.issue_batch_action.setToolTip("给列表中的会员各发一张服务卡，完成后可打印")
        self.roster_action = batch_menu.addAction("打印花名册")
        self.roster_action.setToolTip("把列表中的会员打印为会员花名册（身份证号、手机号隐去部分数字）")
        self.batch_button.setMenu(batch_menu)
        self.batch_task = None  # the running batch (issue or layout), for tests and shutdown
        self.preview = None  # the last print preview opened from this page
        self.count_label = QLabel()
        # 资料待补全: members from a roster that lacked parts of the 登记表, to complete later.
        self.incomplete_filter = QCheckBox("只看资料待补全")
        self.incomplete_filter.setToolTip("只列出从花名册导入、登记表还缺项目（手机号码、民族、职业、入会日期）的会员")

        self.model = MemberTableModel(self, page_size=page_size, clock=ctx.clock)
        self.table = row_table(self.model, COLUMN_WIDTHS)

        self.detail = MemberDetail(ctx)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail_scroll.setWidget(self.detail)
        detail_scroll.setMinimumWidth(240)
        self.table.setMinimumWidth(300)

        bar = QHBoxLayout()
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.incomplete_filter)
        bar.addWidget(self.new_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.status_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.batch_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(detail_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.count_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search_box.textChanged.connect(self._timer.start)
        self.search_box.returnPressed.connect(self._focus_results)
        self.incomplete_filter.toggled.connect(lambda _on: self.run_search())
        self.new_button.clicked.connect(self.register_new)
        self.edit_button.clicked.connect(self.edit_selected)
        self.status_button.clicked.connect(self.change_status_selected)
        self.export_button.clicked.connect(self.export_list)
        self.issue_batch_action.triggered.connect(lambda _checked=False: self.issue_cards_to_list())
        self.roster_action.triggered.connect(lambda _checked=False: self.print_roster())
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        QShortcut(QKeySequence.StandardKey.New, self, self.register_new)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search_box.setFocus)
        QShortcut(QKeySequence("Ctrl+E"), self, self.edit_selected)

        follow(self, ctx, self.SHOWS)
        self.run_search()
        self.search_box.setFocus()

    SHOWS = Changes(members=True, cards=True, unions=True)  # the detail lists the member's cards

    # --- list -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Data this page shows changed elsewhere (ui/changes.py): the same search, again."""
        self.refresh()

    def refresh(self) -> None:
        """Members changed (here or elsewhere): list them again and count them again."""
        self.run_search()
        if self.search_box.text().strip():  # a search was listed: the total was not counted
            self._count()

    def _count(self) -> int:
        self.total = member_service.count(self.ctx)
        self.counted.emit(self.total)
        return self.total

    def run_search(self) -> None:
        self._timer.stop()
        shown = self.detail.member_id
        query = self.search_box.text().strip()
        incomplete = self.incomplete_filter.isChecked()
        if query:
            rows = member_service.search(self.ctx, query)
            more = "（只显示前 {} 名，请输入更多字缩小范围）".format(len(rows)) \
                if len(rows) >= member_service.SEARCH_LIMIT else ""
            if incomplete:
                rows = [r for r in rows if r.missing_fields]
            self.model.set_rows(rows)
            self.count_label.setText(f"找到 {len(rows)} 名{'资料待补全的' if incomplete else ''}会员{more}")
        elif incomplete:
            self.model.browse(lambda before, limit: member_service.page(self.ctx, before, limit, incomplete=True))
            self.count_label.setText(f"资料待补全 {member_service.count(self.ctx, incomplete=True)} 名"
                                     f"（共 {self._count()} 名会员）")
        else:
            self.model.browse(lambda before, limit: member_service.page(self.ctx, before, limit))
            self.count_label.setText(f"共 {self._count()} 名会员")
        if shown and self.model.row_of(shown) >= 0:
            self.select_member(shown)  # the member on screen is still in the list: keep it
        else:
            self.detail.show_member(None)
        self._update_buttons()
        self.results_shown.emit(self.model.rowCount())

    def _focus_results(self) -> None:
        self.run_search()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        row = self.model.data(index, ROW_ROLE) if index.isValid() else None
        return row.id if row else None

    def select_member(self, member_id: str) -> None:
        row = self.model.row_of(member_id)
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.detail.show_member(member_id)

    def _on_current_changed(self, *_args) -> None:
        self.detail.show_member(self.selected_id())
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None or self.detail.record is not None
        self.edit_button.setEnabled(has)
        self.status_button.setEnabled(has)

    def _target_id(self) -> str | None:
        return self.selected_id() or self.detail.member_id

    # --- actions ----------------------------------------------------------------------------
    def register_new(self) -> None:
        self._run_dialog(MemberDialog(self.ctx, parent=self))

    def edit_selected(self) -> None:
        member_id = self._target_id()
        if member_id:
            self.open_member(member_id)

    def open_member(self, member_id: str) -> None:
        self._run_dialog(MemberDialog(self.ctx, member_id, parent=self))

    def _run_dialog(self, dialog: MemberDialog) -> None:
        result = run_modal(dialog)
        if result == QDialog.DialogCode.Accepted and dialog.saved_id:
            self.after_save(dialog.saved_id)
        elif result == OPEN_EXISTING and dialog.existing_member_id:
            self.select_member(dialog.existing_member_id)
            self.open_member(dialog.existing_member_id)

    def after_save(self, member_id: str) -> None:
        self.refresh()
        self.select_member(member_id)
        self.changed.emit()

    def export_list(self):
        """导出…: the list as filtered by the search box, to .xlsx (masked unless chosen)."""
        from .roster_export import ExportDialog

        dialog = ExportDialog(self.ctx, self.search_box.text().strip(), self)
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def issue_cards_to_list(self):
        """批量发卡…: a card to each listed member (search result, or everyone), then their sheets."""
        from .member_batches import issue_cards_for_list

        self.batch_task = issue_cards_for_list(self, self.ctx, self.search_box.text(), on_issued=self._cards_issued,
                                               on_task=self._keep_task, on_preview=self._keep_preview)
        return self.batch_task

    def _cards_issued(self, _result) -> None:
        self.detail.show_member(self.detail.member_id)  # its card history changed
        self.changed.emit()

    def print_roster(self):
        """打印花名册: the listed members on paper, laid out in the background, then previewed."""
        from .member_batches import preview_roster

        self.batch_task = preview_roster(self, self.ctx, self.search_box.text(), on_preview=self._keep_preview)
        return self.batch_task

    def _keep_task(self, task) -> None:
        self.batch_task = task

    def _keep_preview(self, dialog) -> None:
        self.preview = dialog

    def change_status_selected(self) -> None:
        member_id = self._target_id()
        if not member_id:
            return
        rec = member_service.get_member(self.ctx, member_id)
        dialog = StatusDialog(self.ctx, member_id, rec.name, rec.status, self)
        if run_modal(dialog) == QDialog.DialogCode.Accepted:
            self.after_save(member_id)
