"""建档 / 编辑困难职工档案: every field of the 困难职工档案表 (lists for the form's vocabularies),
the household as a table, 家庭月人均收入 computed as the clerk types (never typed), and the
consents sensitive data needs. For a worker who is not yet a member it offers registration first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain import hardship as hs
from ..domain.errors import UserError
from ..domain.money import parse_yuan
from ..services import hardship
from ..services import members as member_service
from ..services.context import Context
from .feedback import run_modal

HOUSEHOLD_COLUMNS = (("name", "姓名"), ("relation", "关系"), ("id_number", "身份证号码"), ("monthly_income", "月收入"),
                     ("health", "健康状况"), ("education", "当前学历"), ("school_or_employer", "单位或学校"),
                     ("guardian_consent", "监护人同意"))
CONSENT_METHODS = ("", "书面", "当面口头（已记录）", "线上勾选")


class HardshipFileDialog(QDialog):
    """``HardshipFileDialog(ctx)`` files a member; ``HardshipFileDialog(ctx, file_id)`` edits a file.
    After ``exec()`` == Accepted, ``saved`` is the :class:`services.hardship.FileSaved`."""

    def __init__(self, ctx: Context, file_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.file_id = file_id
        self.saved = None
        self.member_id: str | None = None
        self.setWindowTitle("编辑困难职工档案" if file_id else "困难职工建档")
        self.inputs: dict[str, QWidget] = {}
        outer = QVBoxLayout(self)

        who = QHBoxLayout()
        self.member_box = QLineEdit()
        self.member_box.setPlaceholderText("会员姓名、拼音或身份证号后几位，回车查找")
        self.member_pick = QComboBox()
        self.member_pick.setMinimumWidth(220)
        self.register_button = QPushButton("登记新会员…")
        self.register_button.setToolTip("还不是会员的职工：先登记入会，再建档")
        who.addWidget(QLabel("职工："))
        who.addWidget(self.member_box, 1)
        who.addWidget(self.member_pick)
        who.addWidget(self.register_button)
        outer.addLayout(who)
        self.member_box.returnPressed.connect(self._find_member)
        self.register_button.clicked.connect(self._register_member)

        body = QWidget()
        grid = QGridLayout(body)
        names = [n for n in hs.LABELS if n not in hs.DATES]
        for i, name in enumerate(names):
            label = hs.LABELS[name]
            if name in hs.CHOICES:
                w = QComboBox()
                w.addItems(list(hs.CHOICES[name]))
            elif name in hs.FLAGS:
                w = QCheckBox()
            else:
                w = QLineEdit()
                if name in ("own_monthly_income", "other_yearly_income"):
                    w.setPlaceholderText("元")
                    w.textChanged.connect(self._update_per_head)
                if name == "household_size":
                    w.setText("1")
                    w.textChanged.connect(self._update_per_head)
            self.inputs[name] = w
            row, col = divmod(i, 3)
            grid.addWidget(QLabel(label), row, col * 2, alignment=Qt.AlignmentFlag.AlignRight)
            grid.addWidget(w, row, col * 2 + 1)
        base = (len(names) + 2) // 3
        for j, name in enumerate(hs.DATES):
            w = QLineEdit()
            w.setPlaceholderText("YYYY-MM-DD")
            self.inputs[name] = w
            grid.addWidget(QLabel(hs.LABELS[name]), base + j // 2, (j % 2) * 2, alignment=Qt.AlignmentFlag.AlignRight)
            grid.addWidget(w, base + j // 2, (j % 2) * 2 + 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 3)

        self.per_head = QLabel()
        self.per_head.setWordWrap(True)
        outer.addWidget(self.per_head)

        outer.addWidget(QLabel("家庭成员（未满 18 周岁的须勾选“监护人同意”）："))
        self.household = QTableWidget(0, len(HOUSEHOLD_COLUMNS))
        self.household.setHorizontalHeaderLabels([label for _n, label in HOUSEHOLD_COLUMNS])
        self.household.horizontalHeader().setStretchLastSection(True)
        outer.addWidget(self.household, 2)
        rows_bar = QHBoxLayout()
        add, remove = QPushButton("添加成员"), QPushButton("删除成员")
        add.clicked.connect(lambda: self._add_household_row(None))
        remove.clicked.connect(lambda: self.household.removeRow(self.household.currentRow()))
        rows_bar.addWidget(add)
        rows_bar.addWidget(remove)
        rows_bar.addStretch(1)
        consent = QFormLayout()
        self.consent = QComboBox()
        self.consent.addItems(list(CONSENT_METHODS))
        self.consent.setToolTip("健康、残疾、收入、银行账户为敏感个人信息，须取得职工本人的单独同意")
        consent.addRow("敏感个人信息单独同意：", self.consent)
        rows_bar.addLayout(consent)
        outer.addLayout(rows_bar)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        outer.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.resize(1180, 600)
        if file_id:
            self._load(file_id)
        self._update_per_head()

    # --- filling ------------------------------------------------------------------------------
    def _find_member(self) -> None:
        self.member_pick.clear()
        for row in member_service.search(self.ctx, self.member_box.text().strip())[:50]:
            self.member_pick.addItem(f"{row.name}（{row.birth_date[:4]}年，{row.employer or row.union_name}）", row.id)
        if self.member_pick.count() == 0:
            self.error.setText("没有找到这名会员。还不是会员的职工，请点“登记新会员…”先登记入会。")
        else:
            self.error.clear()
            self.member_pick.setFocus()

    def _register_member(self) -> None:
        from .member_dialog import MemberDialog

        dialog = MemberDialog(self.ctx, parent=self)
        if run_modal(dialog) == QDialog.DialogCode.Accepted and dialog.saved_id:
            rec = member_service.get_member(self.ctx, dialog.saved_id)
            self.member_pick.clear()
            self.member_pick.addItem(rec.name, rec.id)

    def _load(self, file_id: str) -> None:
        d = hardship.get_detail(self.ctx, file_id)
        self.member_id = d.file.member_id
        self.member_box.setText(d.file.name)
        self.member_box.setEnabled(False)
        self.member_pick.setEnabled(False)
        self.register_button.setEnabled(False)
        inp = hardship.input_of(d.file, d.household)
        for name, w in self.inputs.items():
            value = getattr(inp, name)
            if isinstance(w, QComboBox):
                w.setCurrentText(str(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            else:
                w.setText(str(value))
        for row in inp.household:
            self._add_household_row(row)

    def _add_household_row(self, row: hs.HouseholdInput | None) -> None:
        r = self.household.rowCount()
        self.household.insertRow(r)
        for c, (name, _label) in enumerate(HOUSEHOLD_COLUMNS):
            if name == "guardian_consent":
                item = QTableWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if row and row.guardian_consent else Qt.CheckState.Unchecked)
            else:
                item = QTableWidgetItem(str(getattr(row, name)) if row else ("良好" if name == "health" else ""))
            if c == 0 and row is not None:
                item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.household.setItem(r, c, item)

    def _update_per_head(self) -> None:
        try:
            own = parse_yuan(self.inputs["own_monthly_income"].text() or "0", allow_zero=True)
            other = parse_yuan(self.inputs["other_yearly_income"].text() or "0", allow_zero=True)
            size = int(self.inputs["household_size"].text() or "0")
            if size < 1:
                raise ValueError
            self.per_head.setText("家庭月人均收入（自动计算）：" + hs.per_head_income(own, other, size).how)
        except (UserError, ValueError):
            self.per_head.setText("家庭月人均收入：请填写收入和家庭人口")

    # --- saving -------------------------------------------------------------------------------
    def form(self) -> hs.FileInput:
        values = {}
        for name, w in self.inputs.items():
            if isinstance(w, QComboBox):
                values[name] = w.currentText()
            elif isinstance(w, QCheckBox):
                values[name] = w.isChecked()
            else:
                values[name] = w.text()
        try:
            values["household_size"] = int(values["household_size"] or 0)
        except ValueError:
            values["household_size"] = 0
        rows = []
        for r in range(self.household.rowCount()):
            cells = {}
            for c, (name, _label) in enumerate(HOUSEHOLD_COLUMNS):
                item = self.household.item(r, c)
                if name == "guardian_consent":
                    cells[name] = bool(item and item.checkState() == Qt.CheckState.Checked)
                else:
                    cells[name] = item.text() if item else ""
            first = self.household.item(r, 0)
            stored_id = (first.data(Qt.ItemDataRole.UserRole) if first else "") or ""
            rows.append(hs.HouseholdInput(**cells, id=stored_id))
        return hs.FileInput(**values, household=rows, sensitive_consent=self.consent.currentText())

    def save(self) -> None:
        try:
            if self.file_id:
                self.saved = hardship.update_file(self.ctx, self.file_id, self.form())
            else:
                member_id = self.member_pick.currentData()
                if not member_id:
                    self.error.setText("请先查找并选择职工（会员）；还不是会员的，请先登记入会")
                    return
                self.saved = hardship.file_member(self.ctx, member_id, self.form())
        except UserError as exc:
            self.error.setText(exc.message)
            return
        self.accept()
