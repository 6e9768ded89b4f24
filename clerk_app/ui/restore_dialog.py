"""从备份恢复: the backups with their date, kind, place and what they hold (members, cards,
events), shown before anything is replaced; the clerk picks one and confirms.

The dialog only chooses (``chosen``); the restore itself runs with the workspace closed
(``ui.app.run_gui`` closes the window, restores under the instance lock, and opens again)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout,
                               QWidget)

from ..domain.errors import UserError
from ..services import backups
from ..storage.backup import read_facts
from .feedback import ask_choice
from .rows_model import RowsModel, row_table

COL_TAKEN, COL_KIND, COL_PLACE, COL_MEMBERS, COL_CARDS, COL_EVENTS, COL_SIZE = range(7)
WIDTHS = {COL_TAKEN: (0, 20), COL_KIND: (6, 0), COL_PLACE: (6, 0), COL_MEMBERS: (2, 7), COL_CARDS: (2, 7),
          COL_EVENTS: (2, 5), COL_SIZE: (0, 9)}


def size_text(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, n // 1024)} KB"


class BackupsModel(RowsModel):
    headers = ("备份时间", "类型", "位置", "会员", "服务卡", "活动", "大小")

    def _display(self, row: backups.BackupListing, col: int) -> str:
        f, facts = row.file, row.facts
        if col == COL_TAKEN:
            return f.taken_text
        if col == COL_KIND:
            return f.kind_label
        if col == COL_PLACE:
            return "第二备份位置" if f.second else "数据目录"
        if col == COL_SIZE:
            return size_text(f.size)
        if facts is None:
            return "无法读取" if col == COL_MEMBERS else ""
        return str({COL_MEMBERS: facts.members, COL_CARDS: facts.cards, COL_EVENTS: facts.events}[col])

    def _extra(self, row, col: int, role: int):
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_MEMBERS, COL_CARDS, COL_EVENTS, COL_SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.problem or str(row.file.path)
        return None


class RestoreDialog(QDialog):
    """``intro``: why the dialog is shown (a damaged or missing database), on top in red.
    ``start_over``: offer 作为新电脑重新开始 (only when the database is gone). ``key``: the
    laptop's data key, which opens its (encrypted) backups."""

    START_OVER = 2  # the dialog's result when the clerk chose to start again

    def __init__(self, folder: Path, parent: QWidget | None = None, *, intro: str = "", start_over: bool = False,
                 key: bytes | None = None):
        super().__init__(parent)
        self.folder = Path(folder)
        self.key = key
        self.chosen: backups.BackupFile | None = None
        self.setWindowTitle("从备份恢复")
        self.setMinimumSize(900, 480)

        self.intro = QLabel(intro)
        self.intro.setObjectName("restore_intro")
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("QLabel#restore_intro { background: #ffebee; color: #b71c1c;"
                                 " border: 1px solid #e57373; padding: 8px; }")
        self.intro.setVisible(bool(intro))
        explain = QLabel("恢复会用所选备份替换当前数据。当前数据会先另存一份（在 backups 文件夹中），"
                         "恢复后发卡暂停，需向区总工会索取新的发卡代码，以免与备份之后已发出的卡号重复。")
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #616161;")
        self.model = BackupsModel(self)
        self.table = row_table(self.model, WIDTHS)
        self.empty = QLabel("没有找到备份。如果备份在 U 盘或其他位置，请点“选择备份文件…”。")
        self.empty.setWordWrap(True)

        self.restore_button = QPushButton("恢复所选备份…")
        self.restore_button.setDefault(True)
        self.file_button = QPushButton("选择备份文件…")
        self.new_button = QPushButton("作为新电脑重新开始…")
        self.new_button.setVisible(start_over)
        self.close_button = QPushButton("退出程序" if intro else "关闭")
        buttons = QHBoxLayout()
        buttons.addWidget(self.file_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)

        self.restore_button.clicked.connect(self.restore_selected)
        self.file_button.clicked.connect(self.pick_file)
        self.new_button.clicked.connect(self.start_over)
        self.close_button.clicked.connect(self.reject)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update())
        self.load()

    def load(self) -> None:
        self.model.set_rows(backups.listings(self.folder, self.key))
        self.empty.setVisible(self.model.rowCount() == 0)
        if self.model.rowCount():
            self.table.selectRow(0)
            self.table.setFocus()
        self._update()

    def _update(self) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        self.restore_button.setEnabled(row is not None and row.facts is not None)

    def current(self) -> backups.BackupListing | None:
        return self.model.row_at(self.table.currentIndex().row())

    def confirm(self, listing: backups.BackupListing) -> bool:
        f, facts = listing.file, listing.facts
        assert facts is not None
        laptop = f"，本机“{facts.laptop_name}”" if facts.laptop_name else ""
        text = (f"用 {f.taken_text} 的备份（{f.kind_label}{laptop}）替换当前数据？\n\n"
                f"备份中有：会员 {facts.members} 名，服务卡 {facts.cards} 张，活动 {facts.events} 场。\n\n"
                "备份之后录入的数据将不在恢复后的数据中（当前数据会先另存一份）。"
                "恢复后发卡暂停，需设置新的发卡代码。")
        return ask_choice(self, "确认恢复", text, ["恢复", "取消"], icon=QMessageBox.Icon.Warning, default=1) == 0

    def restore_selected(self) -> None:
        listing = self.current()
        if listing is None or listing.facts is None:
            return
        if self.confirm(listing):
            self.chosen = listing.file
            self.accept()

    def pick_file(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "选择备份文件", str(self.folder), "备份文件 (*.db);;所有文件 (*)")
        if not path:
            return
        try:
            chosen = backups.find_backup(self.folder, path)
            listing = backups.BackupListing(chosen, read_facts(chosen.path, self.key))
        except UserError as exc:
            QMessageBox.warning(self, "无法使用这个文件", exc.message)
            return
        if self.confirm(listing):
            self.chosen = listing.file
            self.accept()

    def start_over(self) -> None:
        if ask_choice(self, "作为新电脑重新开始", "将建立一个空的数据库，重新进行初始设置。以前的数据不会出现在新数据库中"
                      "（备份仍保留在 backups 文件夹里，以后也可以恢复）。确定吗？", ["重新开始", "取消"],
                      icon=QMessageBox.Icon.Warning, default=1) == 0:
            self.done(self.START_OVER)
