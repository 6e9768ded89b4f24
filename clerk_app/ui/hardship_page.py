"""困难职工: the files (search, overdue re-survey filter), one file's summary (masked), its ledger
with pay and reverse — the rule check shown as the clerk types — its visits, the rules (帮扶规则…)
and the print buttons (the 发放签收表 for a chosen period, type and fund)."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QFormLayout, QHBoxLayout, QInputDialog,
                               QLabel, QLineEdit, QMenu, QMessageBox, QPushButton, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from ..domain import assistance
from ..domain import hardship as hs
from ..domain.errors import UserError
from ..domain.money import fmt_yuan, parse_yuan
from ..services import hardship, hardship_documents, hardship_ledger
from ..services.changes import Changes
from ..services.context import Context
from .changes import follow
from .feedback import run_modal
from .hardship_dialog import HardshipFileDialog
from .hardship_payments_dialog import PaymentsChoice, PaymentsDialog
from .hardship_rules_dialog import RulesDialog
from .hardship_visits import VisitsPanel
from .print_preview import show_preview
from .rows_model import ROW_ROLE, RowsModel, row_table

COL_NO, COL_NAME, COL_CATEGORY, COL_STATUS, COL_FILED, COL_DUE = range(6)


class FilesModel(RowsModel):
    headers = ("职工编号", "姓名", "困难类别", "状态", "建档日期", "应复查")

    def __init__(self, parent=None, today: _dt.date | None = None):
        super().__init__(parent)
        self.today = today

    def _display(self, row, col: int) -> str:
        return (row.worker_no, row.name, row.category, row.status_label, row.filed_date, row.resurvey_due)[col]

    def _extra(self, row, col: int, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_DUE and self.today and row.status in hs.OPEN \
                and row.resurvey_due <= self.today.isoformat():
            from PySide6.QtGui import QColor

            return QColor("#b00020")
        return None


class LedgerModel(RowsModel):
    headers = ("发放日期", "类型", "金额（元）", "资金来源", "审批人", "领取人", "规则版本", "备注")

    def _display(self, e, col: int) -> str:
        note = e.notes + ("（已冲销）" if e.reversed_by else "") + (f"（特批：{e.override_reasons}）" if e.override_reasons else "")
        return (e.paid_date, e.kind, fmt_yuan(e.amount_fen), e.fund, e.approver, e.recipient_name,
                f"第 {e.rule_version} 版", note)[col]

    def _extra(self, e, col: int, role: int):
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class HardshipPage(QWidget):
    title = "困难职工"
    SHOWS = Changes(hardship=True, members=True)

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview = None
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("搜索：姓名或职工编号")
        self.search_box.setClearButtonEnabled(True)
        self.overdue = QCheckBox("只看逾期未复查")
        self.new_button = QPushButton("建档（Ctrl+N）")
        self.edit_button = QPushButton("编辑档案")
        self.status_button = QPushButton("状态")
        status_menu = QMenu(self.status_button)
        self.status_actions = {}
        for code in (hs.APPROVED, hs.ASSISTING, hs.RESOLVED, hs.WITHDRAWN, hs.RESURVEY):
            self.status_actions[code] = status_menu.addAction(hs.EVENTS[code])
            self.status_actions[code].triggered.connect(lambda _c=False, code=code: self.change_status(code))
        self.status_button.setMenu(status_menu)
        self.print_button = QPushButton("打印")
        print_menu = QMenu(self.print_button)
        print_menu.addAction("困难职工档案表").triggered.connect(lambda _c=False: self.print_file())
        print_menu.addAction("空白档案表（入户用）").triggered.connect(lambda _c=False: self.print_blank())
        print_menu.addAction("帮扶记录").triggered.connect(lambda _c=False: self.print_history())
        print_menu.addAction("发放签收表…").triggered.connect(lambda _c=False: self.print_payments())
        self.print_button.setMenu(print_menu)
        self.rules_button = QPushButton("帮扶规则…")
        bar = QHBoxLayout()
        for w in (self.search_box, self.overdue, self.new_button, self.edit_button, self.status_button,
                  self.print_button, self.rules_button):
            bar.addWidget(w, 1 if w is self.search_box else 0)

        self.model = FilesModel(self, ctx.today())
        self.table = row_table(self.model, {COL_NO: (0, 10), COL_NAME: (4, 0), COL_CATEGORY: (5, 0),
                                            COL_STATUS: (4, 0), COL_FILED: (0, 10), COL_DUE: (0, 10)})
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary, "档案")
        self.tabs.addTab(self._ledger_tab(), "台账")
        self.visits = VisitsPanel(ctx)
        self.tabs.addTab(self.visits, "走访")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setSizes([560, 760])
        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.count_label)

        self.search_box.textChanged.connect(lambda _t: self.reload())
        self.overdue.toggled.connect(lambda _on: self.reload())
        self.new_button.clicked.connect(self.new_file)
        self.edit_button.clicked.connect(self.edit_file)
        self.rules_button.clicked.connect(self.edit_rules)
        self.table.activated.connect(lambda _i: self.edit_file())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.show_file())
        QShortcut(QKeySequence.StandardKey.New, self, self.new_file)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search_box.setFocus)
        QShortcut(QKeySequence("Ctrl+E"), self, self.edit_file)
        QShortcut(QKeySequence("Ctrl+P"), self, self.amount.setFocus)
        follow(self, ctx, self.SHOWS)
        self.reload()

    # --- ledger tab ---------------------------------------------------------------------------
    def _ledger_tab(self) -> QWidget:
        tab = QWidget()
        self.ledger_model = LedgerModel(self)
        self.ledger_table = row_table(self.ledger_model, {0: (0, 10), 1: (6, 0), 2: (0, 10), 3: (4, 0), 4: (3, 0),
                                                          5: (3, 0), 6: (4, 0)})
        self.kind = QComboBox()
        self.kind.addItems(list(assistance.KINDS))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("元，最多两位小数")
        self.paid_date = QDateEdit()
        self.paid_date.setCalendarPopup(True)
        self.paid_date.setDisplayFormat("yyyy-MM-dd")
        today = self.ctx.today()
        self.paid_date.setDate(QDate(today.year, today.month, today.day))
        self.fund = QComboBox()
        self.fund.setEditable(True)
        self.fund.addItems(list(assistance.FUNDS))
        self.approver = QLineEdit()
        self.method = QComboBox()
        self.method.addItems(list(assistance.METHODS))
        self.recipient = QComboBox()
        self.override = QLineEdit()
        self.override.setPlaceholderText("不符合规则时由负责人填写特批理由")
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.pay_button = QPushButton("发放")
        self.reverse_button = QPushButton("冲销所选…")
        self.totals_label = QLabel()
        form = QFormLayout()
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for label, w in (("类型", self.kind), ("金额", self.amount), ("日期", self.paid_date), ("资金", self.fund)):
            row1.addWidget(QLabel(label))
            row1.addWidget(w)
        for label, w in (("审批人", self.approver), ("方式", self.method), ("领取人", self.recipient)):
            row2.addWidget(QLabel(label))
            row2.addWidget(w)
        form.addRow(row1)
        form.addRow(row2)
        form.addRow("特批理由", self.override)
        form.addRow(self.rule_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pay_button)
        buttons.addWidget(self.reverse_button)
        buttons.addStretch(1)
        buttons.addWidget(self.totals_label)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.ledger_table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        for signal in (self.kind.currentIndexChanged, self.recipient.currentIndexChanged, self.amount.textChanged,
                       self.paid_date.dateChanged):
            signal.connect(lambda *_a: self.check_rules())
        self.amount.returnPressed.connect(self.pay)
        self.pay_button.clicked.connect(self.pay)
        self.reverse_button.clicked.connect(self.reverse_selected)
        return tab

    # --- list ---------------------------------------------------------------------------------
    def reload(self) -> None:
        shown = self.selected_id()
        rows = hardship.list_files(self.ctx, self.search_box.text().strip(), overdue=self.overdue.isChecked())
        self.model.set_rows(rows)
        due = len(hardship.due_for_resurvey(self.ctx))
        doubles = hardship.double_files(self.ctx.db)
        text = f"列出 {len(rows)} 份档案；逾期未复查 {due} 份"
        if doubles:  # after a person merge at the district: one person, two open files
            text += "；<span style='color:#b00020'>同一人有多份未结束的档案：" + "；".join(
                f"{g[0].name}（{'、'.join(r.worker_no for r in g)}）" for g in doubles[:5]) + "，请核实后撤档多余的一份</span>"
        self.count_label.setText(text)
        row = self.model.row_of(shown) if shown else -1
        if row < 0 and rows:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self.show_file()

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        row = self.model.data(index, ROW_ROLE) if index.isValid() else None
        return row.id if row else None

    def show_file(self) -> None:
        file_id = self.selected_id()
        has = file_id is not None
        for w in (self.edit_button, self.status_button, self.pay_button, self.reverse_button):
            w.setEnabled(has)
        if not has:
            self.summary.setText("尚无档案。按 Ctrl+N 为会员建档。")
            self.ledger_model.set_rows([])
            self.recipient.clear()
            self.totals_label.clear()
            self.visits.set_file(None, ())
            return
        d = hardship.get_detail(self.ctx, file_id)
        f = d.file
        lines = [f"<b>{f.name}</b>　职工编号 {f.worker_no}　{f.category}　状态：{f.status_label}",
                 f"身份证号 {f.id_number_masked}　银行卡 {f.bank_account_masked or '无'}　家庭人口 {f.household_size}",
                 f"建档 {f.filed_date}　应复查 {f.resurvey_due}　主要致困原因 {f.primary_cause or '—'}",
                 "健康、残疾、收入等敏感信息已隐去（负责人可打印完整档案表，记入审计日志）",
                 "家庭成员：" + ("、".join(f"{h.name}（{h.relation}）" for h in d.household) or "无"),
                 "档案记录：" + "；".join(f"{h.effective_date} {h.label}{('：' + h.reason) if h.reason else ''}"
                                     for h in d.history),
                 f"走访 {len(d.visits)} 次" + "".join(f"<br/>　{v.visit_date} {v.visitors}：{v.findings}" for v in d.visits)]
        self.summary.setText("<br/>".join(lines))
        self.ledger_model.set_rows(d.ledger)
        self.visits.set_file(f.id, d.visits)
        self.recipient.blockSignals(True)
        self.recipient.clear()
        self.recipient.addItem(f"{f.name}（本人）", "")
        for h in d.household:
            self.recipient.addItem(f"{h.name}（{h.relation}）", h.id)
        self.recipient.blockSignals(False)
        total = hardship_ledger.totals(self.ctx, f.id)
        self.totals_label.setText(f"累计发放 {total.amount:,.2f} 元")
        self.check_rules()

    # --- ledger -------------------------------------------------------------------------------
    def _payment_date(self) -> _dt.date:
        d = self.paid_date.date()
        return _dt.date(d.year(), d.month(), d.day())

    def check_rules(self) -> None:
        """The rule check, shown at once while the clerk fills the payment in."""
        file_id = self.selected_id()
        if not file_id:
            self.rule_label.clear()
            return
        try:
            amount = parse_yuan(self.amount.text() or "0", allow_zero=True)
        except UserError as exc:
            self.rule_label.setText(f"<span style='color:#b00020'>{exc.message}</span>")
            return
        checked = hardship_ledger.check_payment(self.ctx, file_id, self.kind.currentText(), amount,
                                                self._payment_date(), self.recipient.currentData() or "")
        if checked.ok:
            self.rule_label.setText(f"<span style='color:#1b5e20'>符合帮扶规则（第 {checked.version} 版）</span>")
        else:
            self.rule_label.setText(f"<span style='color:#b00020'>不符合规则：{checked.message}"
                                    "（须负责人填写特批理由）</span>")

    def pay(self) -> None:
        file_id = self.selected_id()
        if not file_id:
            return
        try:
            hardship_ledger.pay(self.ctx, file_id, hardship_ledger.PaymentInput(
                kind=self.kind.currentText(), amount=self.amount.text(), paid_date=self._payment_date(),
                fund=self.fund.currentText(), approver=self.approver.text(), method=self.method.currentText(),
                recipient_id=self.recipient.currentData() or "", override_reason=self.override.text()))
        except UserError as exc:
            QMessageBox.warning(self, "不能发放", exc.message)
            return
        self.amount.clear()
        self.override.clear()
        self.reload()

    def reverse_selected(self) -> None:
        index = self.ledger_table.currentIndex()
        entry = self.ledger_model.data(index, ROW_ROLE) if index.isValid() else None
        if entry is None:
            QMessageBox.information(self, "冲销", "请先在台账中选中要冲销的发放记录")
            return
        reason, ok = QInputDialog.getText(self, "冲销", f"冲销 {entry.paid_date} {entry.kind} {fmt_yuan(entry.amount_fen)} 元"
                                                      "（原记录保留），原因：")
        if not ok:
            return
        try:
            hardship_ledger.reverse(self.ctx, entry.id, reason)
        except UserError as exc:
            QMessageBox.warning(self, "不能冲销", exc.message)
            return
        self.reload()

    # --- files --------------------------------------------------------------------------------
    def new_file(self) -> None:
        self._run(HardshipFileDialog(self.ctx, parent=self))

    def edit_file(self) -> None:
        """The form shows the file in full: a 负责人's reveal, audited (field names) before it opens."""
        file_id = self.selected_id()
        if not file_id:
            return
        try:
            hardship.reveal_file(self.ctx, file_id)
        except UserError as exc:
            QMessageBox.warning(self, "不能编辑", exc.message)
            return
        self._run(HardshipFileDialog(self.ctx, file_id, parent=self))

    def _run(self, dialog: HardshipFileDialog) -> None:
        if run_modal(dialog) == QDialog.DialogCode.Accepted and dialog.saved:
            self.reload()
            row = self.model.row_of(dialog.saved.file_id)
            if row >= 0:
                self.table.selectRow(row)

    def change_status(self, code: str) -> None:
        file_id = self.selected_id()
        if not file_id:
            return
        reason, ok = QInputDialog.getText(self, hs.EVENTS[code], "原因或说明" + ("（必填）：" if code in hs.REASON_REQUIRED
                                                                           else "（可不填）："))
        if not ok:
            return
        try:
            if code == hs.RESURVEY:
                hardship.record_resurvey(self.ctx, file_id, note=reason)
            else:
                hardship.change_status(self.ctx, file_id, code, reason=reason)
        except UserError as exc:
            QMessageBox.warning(self, "不能变更", exc.message)
            return
        self.reload()

    # --- printing -----------------------------------------------------------------------------
    def _preview(self, make) -> None:
        try:
            printout = make()
        except UserError as exc:
            QMessageBox.warning(self, "不能打印", exc.message)
            return
        self.preview = show_preview(self, self.ctx, printout)

    def print_file(self) -> None:
        if self.selected_id():
            self._preview(lambda: hardship_documents.file_form(self.ctx, self.selected_id()))

    def print_blank(self) -> None:
        self._preview(lambda: hardship_documents.file_form(self.ctx, None))

    def print_history(self) -> None:
        if self.selected_id():
            self._preview(lambda: hardship_documents.history(self.ctx, self.selected_id()))

    def print_payments(self, choice: PaymentsChoice | None = None) -> None:
        """The 发放签收表 for a period, type and fund the clerk chooses (``choice``: given, no dialog)."""
        if choice is None:
            funds = sorted({e.fund for e in hardship_ledger.entries(self.ctx)})
            dialog = PaymentsDialog(self.ctx.today(), funds, parent=self)
            if run_modal(dialog) != QDialog.DialogCode.Accepted:
                return
            choice = dialog.choice()
        self._preview(lambda: hardship_documents.payment_list(
            self.ctx, kind=choice.kind, fund=choice.fund, date_from=choice.date_from, date_to=choice.date_to))

    def edit_rules(self) -> None:
        """帮扶规则: a 负责人 saves a new version; the rule check below the ledger follows it."""
        dialog = RulesDialog(self.ctx, parent=self)
        if run_modal(dialog) == QDialog.DialogCode.Accepted:
            self.check_rules()
