"""帮扶规则 (from the 困难职工 page): the current version and its history; a 负责人 changes the
emergency range, the 两节 window and the school year's first day, which saves a new version
(entries keep the version they were checked against). Anyone else sees the rules read-only."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QSpinBox, QVBoxLayout, QWidget)

from ..domain import assistance
from ..domain.errors import UserError
from ..domain.money import fmt_yuan, to_yuan
from ..services import access, hardship_ledger
from ..services.context import Context


def _spin(low: int, high: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSuffix(suffix)
    return box


class RulesDialog(QDialog):
    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.version: int | None = None  # the version saved, if any
        self.setWindowTitle("帮扶规则")
        version, rules = hardship_ledger.current_rules(ctx)
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.emergency_min = QLineEdit(str(to_yuan(rules.emergency_min_fen)))
        self.emergency_max = QLineEdit(str(to_yuan(rules.emergency_max_fen)))
        self.days_before = _spin(0, 60, " 天")
        self.days_before.setValue(rules.festival_days_before)
        self.days_after = _spin(0, 60, " 天")
        self.days_after.setValue(rules.festival_days_after)
        self.school_month = _spin(1, 12, " 月")
        self.school_month.setValue(rules.school_year_month)
        self.school_day = _spin(1, 31, " 日")
        self.school_day.setValue(rules.school_year_day)
        self.note = QLineEdit()
        self.note.setPlaceholderText("修改说明，如“2027 年标准”")
        self.history = QLabel()
        self.history.setWordWrap(True)
        emergency = QHBoxLayout()
        emergency.addWidget(self.emergency_min)
        emergency.addWidget(QLabel("至"))
        emergency.addWidget(self.emergency_max)
        emergency.addWidget(QLabel("元／次"))
        festival = QHBoxLayout()
        festival.addWidget(QLabel("元旦前"))
        festival.addWidget(self.days_before)
        festival.addWidget(QLabel("至春节（农历正月初一）后"))
        festival.addWidget(self.days_after)
        school = QHBoxLayout()
        school.addWidget(self.school_month)
        school.addWidget(self.school_day)
        school.addWidget(QLabel("起为一学年，每名子女每学年一次"))
        school.addStretch(1)
        form = QFormLayout()
        form.addRow("临时应急救助", emergency)
        form.addRow("两节送温暖（每季一次）", festival)
        form.addRow("金秋助学学年", school)
        form.addRow("修改说明", self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存为新版本")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addWidget(self.history)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        needed, _label = access.ACTIONS["hardship_rules"]
        self.may_edit = access.rank(ctx.clerk.role) >= access.rank(needed)
        if not self.may_edit:
            for w in (self.emergency_min, self.emergency_max, self.days_before, self.days_after, self.school_month,
                      self.school_day, self.note, self.save_button):
                w.setEnabled(False)
        self._show(version, rules)

    def _show(self, version: int, rules: assistance.Rules) -> None:
        lines = [f"当前为第 {version} 版" + ("（内置默认规则）" if version == assistance.DEFAULT_VERSION else "") + "："
                 f"临时应急救助每次 {fmt_yuan(rules.emergency_min_fen)} 至 {fmt_yuan(rules.emergency_max_fen)} 元；"
                 f"两节发放期元旦前 {rules.festival_days_before} 天至春节后 {rules.festival_days_after} 天；"
                 f"金秋助学学年自 {rules.school_year_text} 起。每笔发放记下核对时的版本。"]
        if not self.may_edit:
            lines.append("<span style='color:#b00020'>只有负责人可以修改帮扶规则。</span>")
        self.current.setText("<br/>".join(lines))
        history = hardship_ledger.rule_history(self.ctx)
        self.history.setText("历次修改：" + ("；".join(f"第 {h.version} 版 {h.recorded_at[:10]} {h.note}".rstrip()
                                                 for h in history[:8]) or "无"))

    def save(self) -> None:
        try:
            self.version = hardship_ledger.edit_rules(
                self.ctx, self.note.text(), emergency_min=self.emergency_min.text(),
                emergency_max=self.emergency_max.text(), festival_days_before=self.days_before.value(),
                festival_days_after=self.days_after.value(), school_year_month=self.school_month.value(),
                school_year_day=self.school_day.value())
        except UserError as exc:
            QMessageBox.warning(self, "未保存", exc.message)
            return
        self.accept()
